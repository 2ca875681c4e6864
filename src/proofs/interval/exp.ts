import type { Decimal } from "decimal.js";
import type { Interval } from "./interval.js";
import { Down, Exact, GuardDown, GuardUp, Up, WORKING_DIGITS } from "./rounding.js";

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

/** 1/i! for i = 0..TERMS rounded down and up: the Taylor coefficients, each an enclosure of the exact one. */
const inverseFactorials = (R: Rounding): Decimal[] => {
  const c = [new R(1)];
  for (let i = 1; i <= TERMS + 1; i++) c.push(R.div(c[i - 1], i));
  return c;
};
const COEFFICIENTS_DOWN = inverseFactorials(GuardDown);
const COEFFICIENTS_UP = inverseFactorials(GuardUp);

/**
 * The Taylor tail beyond r^TERMS for r < 2^−REDUCTION_BITS, rounded up:
 * r^{N+1}/(N+1)! · 1/(1 − r) ≤ 2·2^{−10(N+1)}/(N+1)!.
 */
const TAIL = GuardUp.mul(
  2,
  GuardUp.mul(
    COEFFICIENTS_UP[TERMS + 1],
    GuardUp.div(1, new Exact((2n ** BigInt(REDUCTION_BITS * (TERMS + 1))).toString())),
  ),
);

/**
 * e^v for v ≥ 0 rounded in one direction at the guarded precision: v = 2^k r with 0 ≤ r ≤ 2^−10, e^r by its Taylor sum
 * Σ_{i≤N} r^i/i! (Horner's rule over enclosed coefficients; every quantity is positive, so rounding each operation in
 * one direction rounds the result in that direction), then squared k times. Rounding down gives a lower bound: the
 * truncated sum is below e^r. Rounding up adds the truncation bound {@link TAIL}. r < 2^−10 holds by construction:
 * v < 10^(e+1) ≤ 2^bits and r = v/2^k with k = bits + 10 (or k = 0 when bits ≤ −10 already).
 */
function expNonNegative(v: Decimal, R: Rounding, upward: boolean): Decimal {
  const coefficients = upward ? COEFFICIENTS_UP : COEFFICIENTS_DOWN;
  // k from v's decimal exponent: v < 10^(e+1) ≤ 2^bits (log2 10 = 3.3219…, rounded the safe way on each side of 0)
  const decades = v.e + 1;
  const bits = decades > 0 ? Math.ceil(3.33 * decades) : Math.ceil(3.32 * decades);
  const k = v.isZero() ? 0 : Math.max(0, bits + REDUCTION_BITS);
  const r = k === 0 ? new R(v) : R.div(v, new Exact((2n ** BigInt(k)).toString()));
  let s = coefficients[TERMS];
  for (let i = TERMS - 1; i >= 0; i--) s = R.add(coefficients[i], R.mul(r, s));
  if (upward) s = R.add(s, TAIL);
  for (let j = 0; j < k; j++) s = R.mul(s, s);
  return s;
}

function checkRange(v: Decimal): void {
  if (v.abs().gt(LARGEST_ARGUMENT)) throw new RangeError(`e^${v.toExponential(3)} is beyond decimal.js's range`);
}

/**
 * A lower bound on e^v at the guarded precision (0 for v = −∞).
 * @internal
 */
export function expLower(v: Decimal): Decimal {
  if (v.isNaN()) throw new RangeError("exp of NaN");
  if (!v.isFinite()) return v.isNegative() ? new GuardDown(0) : v;
  checkRange(v);
  if (v.gte(0)) return expNonNegative(v, GuardDown, false);
  // e^v = 1 / e^{−v}: a lower bound from an upper bound of the denominator
  return GuardDown.div(1, expNonNegative(v.neg(), GuardUp, true));
}

/**
 * An upper bound on e^v at the guarded precision (0 for v = −∞).
 * @internal
 */
export function expUpper(v: Decimal): Decimal {
  if (v.isNaN()) throw new RangeError("exp of NaN");
  if (!v.isFinite()) return v.isNegative() ? new GuardUp(0) : v;
  checkRange(v);
  if (v.gte(0)) return expNonNegative(v, GuardUp, true);
  return GuardUp.div(1, expNonNegative(v.neg(), GuardDown, false));
}

/**
 * e^a for an interval a: e is increasing, so [e^lo rounded down, e^hi rounded up], computed at the guarded precision
 * from the four operations alone and rounded outward to the working precision.
 *
 * @param a - the argument, |a| ≤ 1e15 or −∞
 * @returns an interval containing e^x for every x in a
 */
export function exp(a: Interval): Interval {
  return { lo: new Down(expLower(a.lo)).toSD(WORKING_DIGITS), hi: new Up(expUpper(a.hi)).toSD(WORKING_DIGITS) };
}
