import { LuceError } from "../errors.js";
import { NeumaierSum } from "../numerics/sum.js";
import { requireFinite, requireOptions } from "../validation/checks.js";
import { readReward, type Rows } from "./rows.js";

/** Tolerances of {@link areEquivalentRewards}. */
export interface EquivalenceOptions {
  /**
   * Allowed spread, relative to the size of the rewards: per prompt,
   * max_y (r1 − r2) − min_y (r1 − r2) ≤ absoluteTolerance + relativeTolerance · max_y (|r1| + |r2|).
   * Default 8·EPS: the rounding of the differences themselves.
   */
  readonly relativeTolerance?: number;
  /** Allowed spread in reward units; default 0. */
  readonly absoluteTolerance?: number;
}

/**
 * Definition 1: r1 and r2 are equivalent iff r1(x, y) − r2(x, y) = f(x) for some function of x
 * alone, that is, the difference is constant across each prompt's responses.
 *
 * Tested with a stated tolerance on the spread of the difference (see
 * {@link EquivalenceOptions}). Exact equivalence is an equivalence relation; the tolerance
 * relation is reflexive and symmetric but **not transitive**: a chain of pairs each within the
 * tolerance may drift beyond it.
 *
 * @param r1 - a reward, one row per prompt
 * @param r2 - a reward of the same shape
 * @param options - tolerances
 * @returns whether every prompt's difference is constant within the tolerance
 * @throws {@link LuceError} for non-finite rewards, shape mismatches, negative or non-finite tolerances,
 *   an options object that is null or has an unknown key
 * @example
 * ```ts
 * areEquivalentRewards([[1, 2], [0, 5]], [[4, 5], [-1, 4]]); // true: f = (-3, 1)
 * areEquivalentRewards([[1, 2]], [[1, 3]]);                  // false
 * ```
 */
export function areEquivalentRewards(r1: Rows, r2: Rows, options: EquivalenceOptions = {}): boolean {
  const fn = "areEquivalentRewards";
  const a = readReward(fn, "r1", r1);
  const b = readReward(fn, "r2", r2);
  const { relativeTolerance, absoluteTolerance } = requireOptions(fn, "options", options, [
    "relativeTolerance",
    "absoluteTolerance",
  ]);
  const rel =
    relativeTolerance === undefined
      ? 8 * Number.EPSILON
      : requireFinite(fn, "options.relativeTolerance", relativeTolerance);
  const abs = absoluteTolerance === undefined ? 0 : requireFinite(fn, "options.absoluteTolerance", absoluteTolerance);
  if (rel < 0) throw new LuceError(fn, "options.relativeTolerance", "must be >= 0");
  if (abs < 0) throw new LuceError(fn, "options.absoluteTolerance", "must be >= 0");
  if (a.length !== b.length) throw new LuceError(fn, "r2", `has ${b.length} prompts, but 'r1' has ${a.length}`);
  for (let x = 0; x < a.length; x++) {
    if (a[x].length !== b[x].length)
      throw new LuceError(fn, `r2[${x}]`, `has ${b[x].length} responses, but 'r1[${x}]' has ${a[x].length}`);
    if (rewardShiftSpread(a[x], b[x]) > abs + rel * rewardScale(a[x], b[x])) return false;
  }
  return true;
}

/**
 * The canonical representative of a reward's class: per prompt, the reward minus its mean over
 * responses, so each row sums to zero. Two rewards are equivalent iff their canonical rewards
 * are equal. The mean is a compensated sum.
 *
 * @param reward - r(x, y), finite
 * @returns r(x, y) − mean_y r(x, y)
 * @throws {@link LuceError} for non-finite entries or empty rows
 * @example
 * ```ts
 * canonicalReward([[1, 2, 6]]); // [[-2, -1, 3]]
 * ```
 */
export function canonicalReward(reward: Rows): Float64Array[] {
  return readReward("canonicalReward", "reward", reward).map((row) => {
    const sum = new NeumaierSum();
    for (const v of row) sum.add(v);
    const mean = sum.value() / row.length;
    return row.map((v) => v - mean);
  });
}

/** max_y (a − b) − min_y (a − b) for one prompt. @internal */
export function rewardShiftSpread(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let y = 0; y < a.length; y++) {
    const d = a[y] - b[y];
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  return hi - lo;
}

/** max_y (|a| + |b|), the size the relative tolerance scales. @internal */
export function rewardScale(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let y = 0; y < a.length; y++) s = Math.max(s, Math.abs(a[y]) + Math.abs(b[y]));
  return s;
}
