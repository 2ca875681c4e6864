import { add, neg, sub } from "./arithmetic.js";
import { exp } from "./exp.js";
import { expm1 } from "./expm1.js";
import { fromConstant, type Interval } from "./interval.js";
import { ln, log1p } from "./log.js";
import { Down, Up } from "./rounding.js";

/**
 * log Σ e^{a_i} as a_m + log1p(Σ_{i≠m} e^{a_i − a_m}) with a_m the term of the largest upper endpoint: every exponent
 * is at most about 0, and a tail far below the working precision (log(1 + e^{−208})) keeps its digits through log1p.
 * Terms [−∞, −∞] are zero terms; all of them give [−∞, −∞].
 *
 * @param terms - the log-terms
 * @returns an interval containing log Σ e^{x_i} for every choice of x_i in the terms
 */
export function logSumExp(terms: readonly Interval[]): Interval {
  const finite = terms.filter((t) => t.hi.isFinite());
  if (finite.length === 0) return { lo: new Down(-Infinity), hi: new Up(-Infinity) };
  let m = 0;
  finite.forEach((t, i) => {
    if (t.hi.gt(finite[m].hi)) m = i;
  });
  let tail = fromConstant(0);
  finite.forEach((t, i) => {
    if (i !== m) tail = add(tail, exp(sub(t, finite[m])));
  });
  return add(finite[m], log1p(tail));
}

/** −log 2: where 1 − e^a = 1/2, the crossover of log1mExp's two forms. */
const MINUS_LOG_2 = -Math.LN2;

/**
 * log(1 − e^a) for a < 0: log(−expm1(a)) for a near 0 (1 − e^a cancels) and log1p(−e^a) for a ≤ −log 2 (e^a tiny
 * keeps its digits). Decreasing, so its bounds come from the endpoints; any crossover point is valid, as both forms
 * are enclosures of the same function.
 *
 * @param a - the argument, hi < 0
 * @returns an interval containing log(1 − e^x) for every x in a
 */
export function log1mExp(a: Interval): Interval {
  if (!a.hi.isNegative() || a.hi.isZero()) throw new RangeError("log1mExp of an interval reaching 0 or above");
  const at = (x: Interval): Interval => (x.lo.gt(MINUS_LOG_2) ? ln(neg(expm1(x))) : log1p(neg(exp(x))));
  return { lo: at({ lo: a.hi, hi: a.hi }).lo, hi: at({ lo: a.lo, hi: a.lo }).hi };
}
