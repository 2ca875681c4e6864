import type { Decimal } from "decimal.js";
import type { Interval } from "./interval.js";
import { Down, Exact, GUARD_DIGITS, GuardDown, GuardUp, Up, WORKING_DIGITS } from "./rounding.js";

/**
 * Arguments are scaled by 2^−k to at most 2^−REDUCTION_BITS, where the Taylor series of e^r gains three digits a term;
 * the result is then squared k times. Fewer terms and more squarings trade evenly; ten bits keep both short.
 */
const REDUCTION_BITS = 10;

/** Taylor terms kept: the first omitted one, (2^−10)^21 / 21!, is below 1e−82, under an ulp of the guarded digits. */
const TERMS = 20;

/** decimal.js's largest exponent is 9e15: e^v for |v| beyond this is out of its range. */
const LARGEST_ARGUMENT = new Exact("1e15");

type Rounding = typeof GuardDown;

/** 1/i! for i = 0..TERMS + 1, each rounded down (i divisions): lower bounds of the Taylor coefficients. */
const inverseFactorials = (R: Rounding): Decimal[] => {
  const c = [new R(1)];
  for (let i = 1; i <= TERMS + 1; i++) c.push(R.div(c[i - 1], i));
  return c;
};
const COEFFICIENTS_DOWN = inverseFactorials(GuardDown);

/**
 * A lower bound of e^v for v ≥ 0 at the guarded precision, and k: v = 2^k r with 0 ≤ r ≤ 2^−10, e^r by its Taylor sum
 * Σ_{i≤N} r^i/i! (Horner's rule over coefficients rounded down; every quantity is positive, so rounding each operation
 * down rounds the result down, and the truncated sum is below e^r), then squared k times. r < 2^−10 holds by
 * construction: v < 10^(e+1) ≤ 2^bits and r = v/2^k with k = bits + 10 (or k = 0 when bits ≤ −10 already).
 */
function expLowerNonNegative(v: Decimal): { value: Decimal; k: number } {
  // k from v's decimal exponent: v < 10^(e+1) ≤ 2^bits (log2 10 = 3.3219…, rounded the safe way on each side of 0)
  const decades = v.e + 1;
  const bits = decades > 0 ? Math.ceil(3.33 * decades) : Math.ceil(3.32 * decades);
  const k = v.isZero() ? 0 : Math.max(0, bits + REDUCTION_BITS);
  const r = k === 0 ? new GuardDown(v) : GuardDown.div(v, new Exact((2n ** BigInt(k)).toString()));
  let s = COEFFICIENTS_DOWN[TERMS];
  for (let i = TERMS - 1; i >= 0; i--) s = GuardDown.add(COEFFICIENTS_DOWN[i], GuardDown.mul(r, s));
  for (let j = 0; j < k; j++) s = GuardDown.mul(s, s);
  return { value: s, k };
}

/** One unit in the last guarded digit, relative: a rounding of one operation moves a result by less than this. */
const UNIT = new Exact(`1e${1 - (WORKING_DIGITS + GUARD_DIGITS)}`);

/**
 * δ with e^v ≤ L·(1 + δ) for the lower bound L of {@link expLowerNonNegative}. The coefficients lose at most i units
 * (i divisions), Horner 2 per term, r one, and the truncation r^{N+1}/(N+1)!·1/(1 − r) ≤ 2·2^{−10(N+1)}/(N+1)! <
 * 1e−82 less than one, so the sum is at least e^r·(1 − (3N + 3)·UNIT); each squaring doubles a relative shortfall and
 * adds a unit, so L ≥ e^v·(1 − 2^k·(3N + 3)·UNIT) and e^v ≤ L·(1 + 2^{k+1}·(3N + 4)·UNIT) while that shortfall is
 * below 1/2.
 */
function shortfall(k: number): Decimal {
  return GuardUp.mul(UNIT, new Exact((2n ** BigInt(k + 1) * BigInt(3 * TERMS + 4)).toString()));
}

function checkRange(v: Decimal): void {
  if (v.abs().gt(LARGEST_ARGUMENT)) throw new RangeError(`e^${v.toExponential(3)} is beyond decimal.js's range`);
}

/**
 * Lower and upper bounds of e^v at the guarded precision from one Taylor pass (0 for v = −∞): e^v for v ≥ 0 directly,
 * e^v = 1/e^{−v} for v < 0.
 * @internal
 */
export function expBounds(v: Decimal): { lo: Decimal; hi: Decimal } {
  if (v.isNaN()) throw new RangeError("exp of NaN");
  if (!v.isFinite()) return v.isNegative() ? { lo: new GuardDown(0), hi: new GuardUp(0) } : { lo: v, hi: v };
  checkRange(v);
  const { value, k } = expLowerNonNegative(v.abs());
  const upper = GuardUp.mul(value, GuardUp.add(1, shortfall(k)));
  if (GuardUp.mul(shortfall(k), 2).gt(1)) throw new RangeError(`e^${v.toExponential(3)}: too many squarings`);
  return v.gte(0) ? { lo: value, hi: upper } : { lo: GuardDown.div(1, upper), hi: GuardUp.div(1, value) };
}

/**
 * A lower bound on e^v at the guarded precision (0 for v = −∞).
 * @internal
 */
export function expLower(v: Decimal): Decimal {
  return expBounds(v).lo;
}

/**
 * An upper bound on e^v at the guarded precision (0 for v = −∞).
 * @internal
 */
export function expUpper(v: Decimal): Decimal {
  return expBounds(v).hi;
}

/** Widths up to which e^hi is bounded from e^lo: e^w ≤ 1 + 2w for 0 ≤ w ≤ 1. */
const THIN = new Exact("1e-20");

/**
 * e^a for an interval a: e is increasing, so [e^lo rounded down, e^hi rounded up], computed at the guarded precision
 * from the four operations alone and rounded outward to the working precision. For a thin interval, e^hi ≤ e^lo·(1 +
 * 2(hi − lo)) saves the second Taylor pass.
 *
 * @param a - the argument, |a| ≤ 1e15 or −∞
 * @returns an interval containing e^x for every x in a
 */
export function exp(a: Interval): Interval {
  const low = expBounds(a.lo);
  const w = a.lo.isFinite() ? GuardUp.sub(a.hi, a.lo) : undefined;
  const hi =
    w !== undefined && w.lte(THIN) ? GuardUp.mul(low.hi, GuardUp.add(1, GuardUp.mul(2, w))) : expBounds(a.hi).hi;
  return { lo: new Down(low.lo).toSD(WORKING_DIGITS), hi: new Up(hi).toSD(WORKING_DIGITS) };
}
