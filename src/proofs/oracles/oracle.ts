import fc from "fast-check";
import { constant, exact, type Precise } from "../precise.js";

/**
 * A few units in the last place: the error the documentation of luce's numerical functions calls "a few ulp" (or "a
 * few EPS"), made a number so that an oracle can hold a function to it.
 */
export const FEW = 8;

/** Machine epsilon of float64, at 50 digits. */
const EPS = constant(2).pow(-52);

/**
 * A few of the smallest positive double: a result that underflows to 0 (or sums subnormals) is within this of the
 * exact value beyond its relative bound, since float64 holds nothing finer.
 */
const UNDERFLOW = exact(Number.MIN_VALUE).times(FEW);

/** One float64 result of a luce function next to the 50-digit value of its defining formula. */
export interface OracleComparison {
  /** Which output, e.g. `"row 1, response 2"`. */
  readonly name: string;
  /** luce's float64 result. */
  readonly value: number;
  /** The defining formula at 50 digits (±Infinity where the formula is infinite). */
  readonly exact: Precise;
  /** The largest |value − exact| the function's documentation allows (or one derived where it states none). */
  readonly bound: Precise;
}

/**
 * An independent oracle for one public function: instances, and for each the function's float64 results beside a
 * 50-digit evaluation of the formula that defines it (written from the paper, not from luce's kernels).
 */
export interface FunctionOracle<I> {
  /** The public function, as exported. */
  readonly name: string;
  /** The bound it is held to, in one line (from its documentation, or derived where that states none). */
  readonly bound: string;
  /** Instances: ordinary values most of the time, the extremes often. */
  readonly instances: fc.Arbitrary<I>;
  /** Calls the function on an instance and pairs each result with its 50-digit value and bound. */
  compare(instance: I): OracleComparison[];
  /** A readable rendering of an instance (for the failing one). */
  show(instance: I): string;
}

/** What checking one function against its oracle found. */
export interface OracleReport {
  /** The function. */
  readonly name: string;
  /** The bound it was held to. */
  readonly bound: string;
  /** Instances evaluated. */
  readonly instances: number;
  /** Results compared (several per instance for rows). */
  readonly comparisons: number;
  /** The largest |value − exact| / bound met (Infinity for a wrong infinity or a NaN). */
  readonly worstRatio: number;
  /** Every result within its bound. */
  readonly held: boolean;
  /** The first instance beyond its bound, with the result that was. */
  readonly counterexample?: string;
}

/** |value − exact| / bound, Infinity where the value is NaN or has the wrong infinity. @internal */
export function errorRatio(c: OracleComparison): number {
  if (Number.isNaN(c.value)) return Infinity;
  if (!c.exact.isFinite() || !Number.isFinite(c.value)) {
    return c.exact.isFinite() || !Number.isFinite(c.value) ? (exact(c.value).eq(c.exact) ? 0 : Infinity) : Infinity;
  }
  const error = exact(c.value).minus(c.exact).abs();
  if (error.isZero()) return 0;
  const bound = c.bound.plus(UNDERFLOW);
  return error.div(bound).toNumber();
}

/**
 * Checks a function against its oracle on generated instances.
 *
 * @param oracle - the function's oracle
 * @param options - instances and fast-check seed
 * @returns the report
 * @internal
 */
export function checkOracle<I>(oracle: FunctionOracle<I>, options: { runs: number; seed: number }): OracleReport {
  const instances = fc.sample(oracle.instances, { numRuns: options.runs, seed: options.seed });
  let comparisons = 0;
  let worstRatio = 0;
  let counterexample: string | undefined;
  for (const instance of instances) {
    for (const c of oracle.compare(instance)) {
      comparisons++;
      const q = errorRatio(c);
      if (!(q <= worstRatio)) worstRatio = q;
      if (!(q <= 1) && counterexample === undefined) {
        const bound = c.bound.plus(UNDERFLOW).toExponential(3);
        counterexample = `${oracle.show(instance)}: ${c.name} = ${c.value}, exact ${c.exact.toPrecision(20)}, bound ${bound}`;
      }
    }
  }
  return {
    name: oracle.name,
    bound: oracle.bound,
    instances: instances.length,
    comparisons,
    worstRatio,
    held: counterexample === undefined,
    ...(counterexample === undefined ? {} : { counterexample }),
  };
}

/** FEW·EPS·Σ|terms| at 50 digits: the bound of a result documented as "a few ulp" relative to those terms. @internal */
export function ulps(...terms: Precise[]): Precise {
  return terms
    .reduce((s, t) => s.plus(t.abs()), constant(0))
    .times(EPS)
    .times(FEW);
}

/** The largest magnitude among the finite entries (0 when none is finite). @internal */
export function maxAbsFinite(values: readonly Precise[]): Precise {
  return values.filter((v) => v.isFinite()).reduce((m, v) => (v.abs().gt(m) ? v.abs() : m), constant(0));
}

/** EPS·Σ|terms| at 50 digits (a bound of one rounding per term). @internal */
export function eps(...terms: Precise[]): Precise {
  return terms.reduce((s, t) => s.plus(t.abs()), constant(0)).times(EPS);
}

/** Ordinary reals most of the time (|x| ≤ 10), then wider ones up to ±800 and the branch points of the kernels. */
export const realArbitrary: fc.Arbitrary<number> = fc.oneof(
  { weight: 5, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
  { weight: 2, arbitrary: fc.double({ min: -800, max: 800, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(-745, -40, -37, -33.3, -1e-300, 0, 1e-10, 18, 33.3, 37, 40, 709) },
);

/** A JSON rendering with infinities spelled out. @internal */
export function render(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === "number" && !Number.isFinite(v) ? String(v) : ArrayBuffer.isView(v) ? Array.from(v as never) : v,
  );
}
