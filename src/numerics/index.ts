export { logSumExp } from "./log-sum-exp.js";
export { suffixLogSumExp } from "./suffix-log-sum-exp.js";
export { log1pExp, softplus } from "./log1p-exp.js";
export { logSigmoid } from "./log-sigmoid.js";
export { sigmoid } from "./sigmoid.js";
export { log1mExp, logDiffExp } from "./log1m-exp.js";
