import type { Decimal } from "decimal.js";
import { Down, exactDecimal, Exact, Up, WORKING_DIGITS } from "./rounding.js";

/**
 * A closed interval [lo, hi] of reals that contains the exact value it stands for; lo and hi are decimals of at most
 * `WORKING_DIGITS` (60) significant digits, or ±Infinity (an interval [−∞, −∞] is the log of zero).
 */
export interface Interval {
  /** The lower endpoint. */
  readonly lo: Decimal;
  /** The upper endpoint (≥ lo). */
  readonly hi: Decimal;
}

/**
 * The interval of one exact decimal, rounded outward to the working precision (a point when it has few enough
 * digits).
 *
 * @param x - an exact value
 * @returns [x rounded down, x rounded up]
 */
export function around(x: Decimal): Interval {
  if (!x.isFinite()) return { lo: x, hi: x };
  return { lo: new Down(x).toSD(WORKING_DIGITS), hi: new Up(x).toSD(WORKING_DIGITS) };
}

/**
 * The interval of a double's exact value (its binary value, not its shortest decimal rendering), so an enclosure is of
 * the very input float64 saw. −Infinity is a point (the log of a zero probability).
 *
 * @param x - a double, not NaN
 * @returns an interval containing x
 */
export function fromDouble(x: number): Interval {
  if (Number.isNaN(x)) throw new RangeError("an interval of NaN");
  return around(exactDecimal(x));
}

/**
 * The interval of an exact integer or decimal string (e.g. `"0.1"` is one tenth).
 *
 * @param x - the constant
 * @returns an interval containing it
 */
export function fromConstant(x: number | string): Interval {
  return around(new Exact(x));
}

/** Whether x lies in the interval. */
export function contains(a: Interval, x: Decimal): boolean {
  return a.lo.lte(x) && x.lte(a.hi);
}

/** hi − lo, rounded up. */
export function width(a: Interval): Decimal {
  return new Up(a.hi).minus(a.lo);
}

/** The smallest interval holding both. */
export function hull(a: Interval, b: Interval): Interval {
  return { lo: a.lo.lt(b.lo) ? a.lo : b.lo, hi: a.hi.gt(b.hi) ? a.hi : b.hi };
}

/** Whether the interval is a single finite point. */
export function isPoint(a: Interval): boolean {
  return a.lo.eq(a.hi);
}

/** The interval as `[lo, hi]` with `digits` significant digits (endpoints rounded outward). */
export function formatInterval(a: Interval, digits = 6): string {
  const show = (x: Decimal, up: boolean) =>
    x.isFinite() ? (up ? new Up(x) : new Down(x)).toSD(digits).toExponential() : x.toString();
  return `[${show(a.lo, false)}, ${show(a.hi, true)}]`;
}
