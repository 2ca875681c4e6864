import { LuceError } from "../../errors.js";
import { requireFiniteArray, requireSameLength } from "../../validation/checks.js";

/**
 * Ranks that respect confidence intervals, as the arenas define them: a model's rank is 1 plus the number of
 * models whose lower bound lies above its upper bound (models it is statistically below). Models whose intervals
 * overlap share ranks, and ranks need not be consecutive.
 *
 * @param lower - each model's lower interval bound
 * @param upper - each model's upper interval bound (≥ its lower bound)
 * @returns each model's rank, in the order given
 * @throws {@link LuceError} for arrays of different lengths, non-finite bounds, or a lower bound above its upper
 * @example
 * ```ts
 * arenaRanks([10, 8, 2], [14, 12, 5]); // Int32Array [1, 1, 3]
 * ```
 */
export function arenaRanks(lower: ArrayLike<number>, upper: ArrayLike<number>): Int32Array {
  const fn = "arenaRanks";
  const lo = requireFiniteArray(fn, "lower", lower);
  const hi = requireFiniteArray(fn, "upper", upper);
  requireSameLength(fn, "upper", hi, lo.length, "lower");
  for (let i = 0; i < lo.length; i++)
    if (lo[i] > hi[i]) throw new LuceError(fn, `lower[${i}]`, `is ${lo[i]}, above upper[${i}] = ${hi[i]}`);
  const sortedLower = lo.slice().sort();
  return Int32Array.from(hi, (u) => {
    // the number of lower bounds > u: those after the last one ≤ u in sorted order
    let a = 0;
    let b = sortedLower.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (sortedLower[mid] <= u) a = mid + 1;
      else b = mid;
    }
    return 1 + sortedLower.length - a;
  });
}
