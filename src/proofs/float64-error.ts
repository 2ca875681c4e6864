import { abs, add, fromConstant, fromDouble, mul, sub, sum, type Interval } from "./interval/index.js";
import { Up } from "./interval/rounding.js";
import { FEW } from "./oracles/oracle.js";

/**
 * One float64 result of a luce function on a certified instance: the enclosure of |result − exact value| (the exact
 * value being the function's defining formula at the very doubles it was given) and the accuracy bound its
 * documentation states (or one derived where it states none), itself enclosed.
 */
export interface Float64Error {
  /** The public function, as exported (the statements call its row kernel, which it validates and calls). */
  readonly function: string;
  /** Which output, e.g. `"prompt 0, response 2"`. */
  readonly output: string;
  /** An enclosure of |float64 result − exact value|; [+∞, +∞] when exactly one of them is infinite. */
  readonly error: Interval;
  /** The bound the result is held to. */
  readonly bound: Interval;
}

/** Machine epsilon of float64, exactly. */
const EPS = fromDouble(Number.EPSILON);

/**
 * A few of the smallest positive double: a result that underflows (or sums subnormals) is within this of the exact
 * value beyond its relative bound, since float64 holds nothing finer.
 */
const UNDERFLOW = mul(fromConstant(FEW), fromDouble(Number.MIN_VALUE));

/** EPS·Σ|terms|: one rounding per term. @internal */
export function epsOf(...terms: Interval[]): Interval {
  return mul(EPS, sum(terms.map(abs)));
}

/** FEW·EPS·Σ|terms|: the bound luce's documentation calls "a few ulp" (or "a few EPS") of those terms. @internal */
export function ulpsOf(...terms: Interval[]): Interval {
  return mul(fromConstant(FEW), epsOf(...terms));
}

/** [+∞, +∞]: the error of a result that is infinite where the exact value is not, or the other way round. */
const INFINITE: Interval = { lo: new Up(Infinity), hi: new Up(Infinity) };

/**
 * The error of one float64 result against the enclosure of its exact value; equal infinities are no error.
 * @internal
 */
export function float64Error(
  fn: string,
  output: string,
  value: number,
  exact: Interval,
  bound: Interval,
): Float64Error {
  const bothInfinite = !Number.isFinite(value) && !exact.lo.isFinite() && exact.lo.eq(exact.hi) && exact.lo.eq(value);
  let error: Interval;
  if (bothInfinite) error = fromConstant(0);
  else if (Number.isNaN(value) || !Number.isFinite(value) || !exact.lo.isFinite() || !exact.hi.isFinite())
    error = INFINITE;
  else error = abs(sub(fromDouble(value), exact));
  return { function: fn, output, error, bound: add(bound, UNDERFLOW) };
}

/** {@link float64Error} for each entry of a row, with one bound per entry. @internal */
export function rowErrors(
  fn: string,
  prefix: string,
  values: ArrayLike<number>,
  exact: readonly Interval[],
  bound: (y: number) => Interval,
): Float64Error[] {
  return exact.map((e, y) => float64Error(fn, `${prefix}response ${y}`, values[y], e, bound(y)));
}

/** Whether the error is certainly within its bound: the error's upper end below the bound's lower end. @internal */
export function withinBound(e: Float64Error): boolean {
  return e.error.hi.lte(e.bound.lo);
}

/** The error in units of its bound, an upper estimate for the report (Infinity for an infinite error). @internal */
export function boundRatio(e: Float64Error): number {
  if (!e.error.hi.isFinite()) return Infinity;
  if (e.bound.lo.isZero()) return e.error.hi.isZero() ? 0 : Infinity;
  return e.error.hi.div(e.bound.lo).toNumber();
}
