import type { Decimal } from "decimal.js";
import { div, mul, sub } from "./arithmetic.js";
import { fromConstant, type Interval } from "./interval.js";
import { lnBound } from "./ln-bounds.js";
import { Down, Exact, GuardDown, GuardUp, Up, WORKING_DIGITS } from "./rounding.js";

/** Below this |u|, log(1 + u) comes from its series: 1 + u at the guarded precision would lose u's digits. */
const SERIES_BELOW = new Exact("1e-10");

/**
 * Degree of the series of log(1 + u): for |u| < 1e−10 the first omitted term |u|^9/9 is below 1e−80·|u|, under an ulp
 * of the guarded precision.
 */
const SERIES_DEGREE = 8;

/**
 * Bounds on ln x for every x in [a, b], 0 < a ≤ b, at the guarded precision (ln is increasing).
 * @internal
 */
export function lnGuarded(a: Decimal, b: Decimal): { lo: Decimal; hi: Decimal } {
  if (a.lte(0)) throw new RangeError("ln of an interval reaching 0 or below");
  return { lo: lnBound(a, false), hi: lnBound(b, true) };
}

/**
 * ln a for an interval a > 0 (−∞ where a reaches 0).
 *
 * @param a - the argument, lo ≥ 0
 * @returns an interval containing ln x for every x in a
 * @throws RangeError when a reaches below 0
 */
export function ln(a: Interval): Interval {
  if (a.lo.isNegative()) throw new RangeError("ln of an interval reaching below 0");
  if (a.hi.isZero()) return { lo: new Down(-Infinity), hi: new Up(-Infinity) };
  if (a.hi.eq(Infinity)) throw new RangeError("ln of an unbounded interval");
  // near 1, ln x = log1p(x − 1), and x − 1 is exact (both endpoints have at most the working digits)
  const one = new Exact(1);
  if (a.lo.gt(0) && Exact.sub(a.lo, one).abs().lt(SERIES_BELOW) && Exact.sub(a.hi, one).abs().lt(SERIES_BELOW))
    return log1p({ lo: Exact.sub(a.lo, one), hi: Exact.sub(a.hi, one) });
  if (a.lo.isZero()) return { lo: new Down(-Infinity), hi: new Up(lnGuarded(a.hi, a.hi).hi).toSD(WORKING_DIGITS) };
  const { lo, hi } = lnGuarded(a.lo, a.hi);
  return { lo: new Down(lo).toSD(WORKING_DIGITS), hi: new Up(hi).toSD(WORKING_DIGITS) };
}

/**
 * log(1 + u) for |u| < 1e−10 by its series u − u²/2 + … + (−1)^{n+1}u^n/n in interval arithmetic, widened by the
 * remainder bound |u|^{n+1}/((n + 1)(1 − |u|)) ≤ 2|u|^{n+1}/(n + 1).
 */
function log1pSeries(u: Interval): Interval {
  let s = fromConstant(0);
  for (let i = SERIES_DEGREE; i >= 1; i--) {
    // s ← 1/i − u·s, so that the final u·s is Σ (−1)^{j+1} u^j / j
    s = sub(div(fromConstant(1), fromConstant(i)), mul(u, s));
  }
  s = mul(u, s);
  const big = Up.max(u.lo.abs(), u.hi.abs());
  let remainder = Up.div(2, SERIES_DEGREE + 1);
  for (let i = 0; i <= SERIES_DEGREE; i++) remainder = Up.mul(remainder, big);
  return { lo: Down.sub(s.lo, remainder), hi: Up.add(s.hi, remainder) };
}

/**
 * log(1 + u) for an interval u > −1, keeping u's digits when |u| is tiny (series below 1e−10, else ln(1 + u) with
 * 1 + u at the guarded precision).
 *
 * @param u - the argument, lo > −1
 * @returns an interval containing log(1 + x) for every x in u
 */
export function log1p(u: Interval): Interval {
  if (u.lo.abs().lt(SERIES_BELOW) && u.hi.abs().lt(SERIES_BELOW)) return log1pSeries(u);
  if (u.lo.lte(-1)) {
    if (u.lo.lt(-1)) throw new RangeError("log1p of an interval reaching below −1");
    return { lo: new Down(-Infinity), hi: ln({ lo: new Down(0), hi: Up.add(u.hi, 1) }).hi };
  }
  const { lo, hi } = lnGuarded(GuardDown.add(u.lo, 1), GuardUp.add(u.hi, 1));
  return { lo: new Down(lo).toSD(WORKING_DIGITS), hi: new Up(hi).toSD(WORKING_DIGITS) };
}
