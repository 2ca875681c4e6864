export { dpoLoss, type DpoLossType, type DpoInputs, type DpoLossOptions, type DpoLossResult } from "./dpo.js";
export { plackettLuceDpoLoss, type PlackettLuceDpoInputs, type PlackettLuceDpoResult } from "./plackett-luce-dpo.js";
export type { RewardMetrics } from "./metrics.js";
