import { requireArrayLength, requireLastEntry, requireLogProbability } from "../validation/checks.js";
import { NeumaierSum } from "./sum.js";

/**
 * log Σ_i e^{x_i} over an array or typed array, finite wherever the result is.
 *
 * Stability trick: shift by the maximum m and add the other terms as
 * log1p: m + log1p(Σ_{i≠argmax} e^{x_i − m}). The shift keeps e^{·} ≤ 1 (no
 * overflow at 1e4, no loss of the small terms), and log1p keeps the digits
 * of a tail far below 1, so `logSumExp([0, -120])` is 7.7e−53, not 0. The
 * tail is summed with Neumaier compensation. Error: a few ulp relative; where
 * the result crosses zero (m < 0 < m + log1p(t)), the bound is absolute,
 * a few EPS·(|m| + log1p(t)).
 *
 * `-Infinity` entries are zero terms; an empty array or one of only
 * `-Infinity` gives `-Infinity` (the log of an empty sum).
 *
 * @param values - the log-terms; NaN and +Infinity are rejected
 * @returns log Σ e^{values[i]}
 * @throws {@link LuceError} naming `values[i]` for a NaN or +Infinity entry
 * @example
 * ```ts
 * logSumExp([1000, 1000]);          // 1000.6931471805599
 * logSumExp(new Float64Array([0, -120])); // 7.66e-53
 * ```
 */
export function logSumExp(values: ArrayLike<number>): number {
  const { max, rest } = logSumExpParts(readLogTerms("logSumExp", values));
  return max + Math.log1p(rest);
}

/**
 * Log-terms read once (the length and each entry) into a Float64Array: NaN and +Infinity are
 * rejected, and the copy is what is computed on, so a getter or Proxy cannot change a value after
 * it was checked.
 * @internal
 */
export function readLogTerms(fn: string, values: unknown): Float64Array {
  const length = requireArrayLength(fn, "values", values);
  const arr = values as ArrayLike<unknown>;
  requireLastEntry(fn, "values", values, length);
  const copy = new Float64Array(length);
  for (let i = 0; i < length; i++) copy[i] = requireLogProbability(fn, `values[${i}]`, arr[i]);
  return copy;
}

/**
 * The two parts of a stable log-sum-exp: the maximum and the sum of the other
 * terms relative to it, so that log Σ e^{x_i} = max + log1p(rest).
 * Callers that subtract the maximum again (a Plackett–Luce factor whose chosen
 * item is the maximum) use −log1p(rest) directly and lose no digits.
 * @internal
 */
export function logSumExpParts(values: ArrayLike<number>): { max: number; rest: number } {
  let max = -Infinity;
  let argmax = -1;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > max) {
      max = values[i];
      argmax = i;
    }
  }
  if (argmax < 0) return { max: -Infinity, rest: 0 };
  const rest = new NeumaierSum();
  for (let i = 0; i < values.length; i++) {
    if (i !== argmax) rest.add(Math.exp(values[i] - max));
  }
  return { max, rest: rest.value() };
}
