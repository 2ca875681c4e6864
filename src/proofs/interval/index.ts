/**
 * Interval arithmetic with outward rounding at {@link WORKING_DIGITS} significant digits, built on decimal.js's
 * correctly rounded + − × ÷ alone: each function returns an interval that provably contains the exact real value of
 * its formula for every argument inside its argument intervals.
 * @internal
 */
export {
  type Interval,
  around,
  fromDouble,
  fromConstant,
  contains,
  width,
  hull,
  isPoint,
  formatInterval,
} from "./interval.js";
export { add, sub, neg, mul, div, abs, max, min, sum } from "./arithmetic.js";
export { exp } from "./exp.js";
export { expm1 } from "./expm1.js";
export { ln, log1p } from "./log.js";
export { sigmoid, sigmoidSlope, softplus, logSigmoid } from "./logistic.js";
export { logSumExp, log1mExp } from "./log-sum-exp.js";
export { WORKING_DIGITS, GUARD_DIGITS, exactDecimal } from "./rounding.js";
