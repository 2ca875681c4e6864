import type { Decimal } from "decimal.js";
import type { Interval } from "./interval.js";
import { Down, Up } from "./rounding.js";

/*
 * + − × ÷ of intervals with outward rounding: each lower endpoint is computed rounding towards −∞ and each upper one
 * towards +∞, so the exact result of any choice of operands inside the intervals lies inside the result.
 */

/** a + b. */
export function add(a: Interval, b: Interval): Interval {
  return { lo: Down.add(a.lo, b.lo), hi: Up.add(a.hi, b.hi) };
}

/** a − b. */
export function sub(a: Interval, b: Interval): Interval {
  return { lo: Down.sub(a.lo, b.hi), hi: Up.sub(a.hi, b.lo) };
}

/** −a (exact). */
export function neg(a: Interval): Interval {
  return { lo: a.hi.neg(), hi: a.lo.neg() };
}

function extremes(products: (rounding: typeof Down) => Decimal[]): Interval {
  return { lo: Down.min(...products(Down)), hi: Up.max(...products(Up)) };
}

/**
 * a × b: by the signs of the operands, the one endpoint product that is smallest and the one that is largest (each
 * rounded outward); the four products when both operands straddle 0.
 */
export function mul(a: Interval, b: Interval): Interval {
  const aUp = a.lo.gte(0);
  const aDown = a.hi.lte(0);
  const bUp = b.lo.gte(0);
  const bDown = b.hi.lte(0);
  const product = (x: Decimal, y: Decimal, z: Decimal, w: Decimal): Interval => ({
    lo: Down.mul(x, y),
    hi: Up.mul(z, w),
  });
  if (aUp && bUp) return product(a.lo, b.lo, a.hi, b.hi);
  if (aDown && bDown) return product(a.hi, b.hi, a.lo, b.lo);
  if (aUp && bDown) return product(a.hi, b.lo, a.lo, b.hi);
  if (aDown && bUp) return product(a.lo, b.hi, a.hi, b.lo);
  return extremes((D) => [D.mul(a.lo, b.lo), D.mul(a.lo, b.hi), D.mul(a.hi, b.lo), D.mul(a.hi, b.hi)]);
}

/**
 * a ÷ b for b not containing 0: for b > 0 the lower end divides a.lo by b.hi when a.lo ≥ 0 and by b.lo otherwise (and
 * the upper end the other way round); b < 0 is (−a) ÷ (−b).
 *
 * @throws RangeError when b contains 0 (the quotient is unbounded)
 */
export function div(a: Interval, b: Interval): Interval {
  if (b.lo.lte(0) && b.hi.gte(0)) throw new RangeError("interval division by an interval containing 0");
  if (b.hi.lt(0)) return div(neg(a), neg(b));
  return {
    lo: Down.div(a.lo, a.lo.gte(0) ? b.hi : b.lo),
    hi: Up.div(a.hi, a.hi.gte(0) ? b.lo : b.hi),
  };
}

/** |a|. */
export function abs(a: Interval): Interval {
  if (a.lo.gte(0)) return a;
  if (a.hi.lte(0)) return neg(a);
  return { lo: new Down(0), hi: a.hi.gt(a.lo.neg()) ? a.hi : a.lo.neg() };
}

/** max(a, b). */
export function max(a: Interval, b: Interval): Interval {
  return { lo: a.lo.gt(b.lo) ? a.lo : b.lo, hi: a.hi.gt(b.hi) ? a.hi : b.hi };
}

/** min(a, b). */
export function min(a: Interval, b: Interval): Interval {
  return { lo: a.lo.lt(b.lo) ? a.lo : b.lo, hi: a.hi.lt(b.hi) ? a.hi : b.hi };
}

/** The sum of intervals (0 for none). */
export function sum(terms: readonly Interval[]): Interval {
  let s: Interval = { lo: new Down(0), hi: new Up(0) };
  for (const t of terms) s = add(s, t);
  return s;
}
