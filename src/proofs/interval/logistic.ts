import { add, div, mul, neg } from "./arithmetic.js";
import { exp } from "./exp.js";
import { fromConstant, type Interval } from "./interval.js";
import { log1p } from "./log.js";

/** The interval of one endpoint, so an increasing function's bounds can be taken endpoint by endpoint. */
const point = (x: Interval["lo"]): Interval => ({ lo: x, hi: x });

/**
 * An increasing function of an interval: the lower bound of f at lo and the upper bound of f at hi.
 */
function increasing(f: (x: Interval) => Interval, a: Interval): Interval {
  return { lo: f(point(a.lo)).lo, hi: f(point(a.hi)).hi };
}

/**
 * σ(a) = 1/(1 + e^{−a}) (eq. 1's logistic). Neither side cancels: 1 + e^{−a} is a sum of positives.
 *
 * @param a - the argument
 * @returns an interval containing σ(x) for every x in a
 */
export function sigmoid(a: Interval): Interval {
  return increasing((x) => div(fromConstant(1), add(fromConstant(1), exp(neg(x)))), a);
}

/**
 * softplus(a) = log(1 + e^a), as a + log1p(e^{−a}) for a > 0 and log1p(e^a) otherwise, so that e^a never overflows the
 * working range needlessly and a tiny e^{±a} keeps its digits through log1p.
 *
 * @param a - the argument
 * @returns an interval containing log(1 + e^x) for every x in a
 */
export function softplus(a: Interval): Interval {
  return increasing((x) => (x.lo.gt(0) ? add(x, log1p(exp(neg(x)))) : log1p(exp(x))), a);
}

/**
 * log σ(a) = −softplus(−a).
 *
 * @param a - the argument
 * @returns an interval containing log σ(x) for every x in a
 */
export function logSigmoid(a: Interval): Interval {
  return neg(softplus(neg(a)));
}

/**
 * σ′(a) = σ(a)σ(−a) = e^{−|a|}/(1 + e^{−|a|})², the logistic's slope: even and decreasing in |a|, so its bounds come
 * from the smallest and largest |x| in a (0 when a straddles 0). Written in e^{−|a|} ≤ 1, it neither overflows nor
 * cancels; σ(a)·σ(−a) as a product of two enclosures would be as tight only where a is a point.
 *
 * @param a - the argument
 * @returns an interval containing σ(x)σ(−x) for every x in a
 */
export function sigmoidSlope(a: Interval): Interval {
  const slope = (t: Interval) => {
    const e = exp(neg(t));
    const onePlus = add(fromConstant(1), e);
    return div(e, mul(onePlus, onePlus));
  };
  const lo = a.lo.abs();
  const hi = a.hi.abs();
  const nearest = a.lo.isNegative() && a.hi.isPositive() ? lo.mul(0) : lo.lt(hi) ? lo : hi;
  const farthest = lo.gt(hi) ? lo : hi;
  return { lo: slope(point(farthest)).lo, hi: slope(point(nearest)).hi };
}
