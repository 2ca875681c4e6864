import { Decimal } from "decimal.js";

/**
 * Significant digits of an interval's endpoints. Every endpoint is a decimal of at most this many digits, rounded
 * outward, so an enclosure is at most a few units of the 60th digit wide where the operations are well conditioned.
 */
export const WORKING_DIGITS = 60;

/**
 * Extra digits the elementary functions (exp, ln, log1p, expm1) compute with before rounding outward to
 * {@link WORKING_DIGITS}: their Taylor sums and squarings lose at most a few dozen ulp of the guarded precision, and
 * e^v − 1 near v = 1e−10 cancels ten digits, so twenty digits keep the result within an ulp of the working precision.
 */
export const GUARD_DIGITS = 20;

/*
 * The trusted base: decimal.js 10.6's four operations are correctly rounded in every rounding mode. plus, minus and
 * times form the exact result and round it once with `finalise(y, pr, rm)` (decimal.mjs lines 1307, 1405, 1563, 1632,
 * 1931); div is a long division that keeps a sticky remainder (`more`, lines 2772–2912) for that one rounding; toSD
 * (line 2409) rounds an exact value once. exp and ln are not used as bounds: their guard digits are "empirically
 * derived" (line 3336) and their rounding is checked only on four digits, so exp.ts and log.ts build their own.
 */

/** Working-precision arithmetic rounding towards −∞ (lower endpoints). */
export const Down = Decimal.clone({ precision: WORKING_DIGITS, rounding: Decimal.ROUND_FLOOR });

/** Working-precision arithmetic rounding towards +∞ (upper endpoints). */
export const Up = Decimal.clone({ precision: WORKING_DIGITS, rounding: Decimal.ROUND_CEIL });

/** Guarded-precision arithmetic rounding towards −∞, inside the elementary functions. */
export const GuardDown = Decimal.clone({ precision: WORKING_DIGITS + GUARD_DIGITS, rounding: Decimal.ROUND_FLOOR });

/** Guarded-precision arithmetic rounding towards +∞, inside the elementary functions. */
export const GuardUp = Decimal.clone({ precision: WORKING_DIGITS + GUARD_DIGITS, rounding: Decimal.ROUND_CEIL });

/**
 * Enough digits for any exact value met here: a double's exact decimal expansion has at most 767 significant digits
 * (2^−1074 = 5^1074 / 10^1074), and sums of working-precision numbers far fewer.
 */
const EXACT_DIGITS = 1100;

/** Arithmetic that is exact on the values met here (doubles, and differences of nearby endpoints). */
export const Exact = Decimal.clone({ precision: EXACT_DIGITS, rounding: Decimal.ROUND_HALF_EVEN });

/** 2^52: a double's significand, scaled to an integer. */
const SIGNIFICAND_SCALE = 2 ** 52;

/**
 * The exact value of a double as a decimal (all of its up to 767 significant digits), or ±Infinity. A double is
 * m·2^e with an integer m; for e < 0 that is m·5^(−e) / 10^(−e), written out with BigInt so no digit is rounded.
 *
 * @param x - a double, not NaN
 * @returns its exact value
 */
export function exactDecimal(x: number): Decimal {
  if (!Number.isFinite(x)) return new Exact(x);
  if (x === 0) return new Exact(0);
  let e = Math.floor(Math.log2(Math.abs(x))) - 52;
  // Math.log2 may be off by one near powers of two; m must be an integer below 2^53
  while (!Number.isInteger(Math.abs(x) / 2 ** e) && e > -1074) e--;
  while (Math.abs(x) / 2 ** e >= 2 * SIGNIFICAND_SCALE) e++;
  const m = BigInt(x / 2 ** e);
  if (e >= 0) return new Exact((m * 2n ** BigInt(e)).toString());
  return new Exact(`${(m * 5n ** BigInt(-e)).toString()}e-${-e}`);
}
