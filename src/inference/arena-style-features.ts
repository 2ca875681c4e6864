import { LuceError } from "../errors.js";
import { copyArrayLike, describe, requireBoolean, requireOptions } from "../validation/checks.js";

/** Options of {@link arenaStyleFeatures}. */
export interface ArenaStyleFeatureOptions {
  /**
   * Standardise each feature over the battles (subtract its mean, divide by its standard deviation with
   * divisor count, as LMArena does) so that the coefficients compare across features; default true.
   */
  readonly standardize?: boolean;
}

const FN = "arenaStyleFeatures";
const OPTION_KEYS = ["standardize"] as const;

/**
 * Style-control features of battles from raw per-response counts, as LMArena computes them (Li, Angelopoulos and
 * Chiang, "Does style matter? Disentangling style and substance in Chatbot Arena", LMSYS blog, 2024-08-28,
 * https://lmsys.org/blog/2024-08-28-style-control): for each battle and each counted element (response length in
 * tokens, markdown headers, list items, bold spans, …), the difference between model A's and model B's counts
 * normalised by their sum, (a − b)/(a + b) ∈ [−1, 1] (0 where both are 0: no difference), then standardised
 * over the battles. The rows are the `features` of {@link fitContextualBradleyTerry}.
 *
 * @param countsA - per battle, model A's response's counts (one row per battle, the same elements in each row)
 * @param countsB - model B's, in the same layout
 * @param options - {@link ArenaStyleFeatureOptions}
 * @returns one row of features per battle
 * @throws {@link LuceError} when the rows differ in number or length, a count is negative or not finite, there
 * are no battles, or (standardising) a feature is the same in every battle (its standard deviation is 0)
 * @example
 * ```ts
 * // length, headers: A wrote 300 tokens and 2 headers, B 100 tokens and none
 * arenaStyleFeatures([[300, 2], [50, 0]], [[100, 0], [150, 1]], { standardize: false });
 * // [[0.5, 1], [-0.5, -1]]
 * ```
 */
export function arenaStyleFeatures(
  countsA: ArrayLike<ArrayLike<number>>,
  countsB: ArrayLike<ArrayLike<number>>,
  options?: ArenaStyleFeatureOptions,
): Float64Array[] {
  const opts = requireOptions(FN, "options", options, OPTION_KEYS);
  const standardize =
    opts.standardize === undefined ? true : requireBoolean(FN, "options.standardize", opts.standardize);
  const rowsA = copyArrayLike(FN, "countsA", countsA);
  const rowsB = copyArrayLike(FN, "countsB", countsB);
  if (rowsA.length === 0) throw new LuceError(FN, "countsA", "is empty");
  if (rowsB.length !== rowsA.length)
    throw new LuceError(FN, "countsB", `has ${rowsB.length} rows, but 'countsA' has ${rowsA.length}`);
  let width = -1;
  const features = rowsA.map((rowA, k) => {
    const a = copyArrayLike(FN, `countsA[${k}]`, rowA);
    const b = copyArrayLike(FN, `countsB[${k}]`, rowsB[k]);
    if (width === -1) width = a.length;
    if (a.length !== width) throw new LuceError(FN, `countsA[${k}]`, `has ${a.length} counts, but row 0 has ${width}`);
    if (b.length !== width) throw new LuceError(FN, `countsB[${k}]`, `has ${b.length} counts, but row 0 has ${width}`);
    return Float64Array.from({ length: width }, (_, j) => {
      const x = count(`countsA[${k}][${j}]`, a[j]);
      const y = count(`countsB[${k}][${j}]`, b[j]);
      // (x − y)/(x + y) is within [−1, 1]; the sum overflows only past 2^1023, where halving both keeps the ratio
      const sum = x + y;
      return sum === 0 ? 0 : sum === Infinity ? (x / 2 - y / 2) / (x / 2 + y / 2) : (x - y) / sum;
    });
  });
  if (!standardize) return features;
  const n = features.length;
  for (let j = 0; j < width; j++) {
    let mean = 0;
    for (const row of features) mean += row[j];
    mean /= n;
    let variance = 0;
    for (const row of features) variance += (row[j] - mean) ** 2;
    const deviation = Math.sqrt(variance / n);
    if (!(deviation > 0))
      throw new LuceError(
        FN,
        "countsA",
        `gives feature ${j} the same value in every battle: it cannot be standardised (leave it out, or pass ` +
          "standardize: false)",
      );
    for (const row of features) row[j] = (row[j] - mean) / deviation;
  }
  return features;
}

function count(name: string, x: unknown): number {
  if (typeof x !== "number" || !(x >= 0 && x < Infinity))
    throw new LuceError(FN, name, `must be a finite count >= 0, got ${describe(x)}`);
  return x;
}
