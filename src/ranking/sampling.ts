import { LuceError } from "../errors.js";
import { createRandom, type RandomSource } from "../numerics/random.js";
import { describe, requireFinite, requireFiniteArray, requireIndex, requireOptions } from "../validation/checks.js";

/** Options for {@link samplePlackettLuce}. */
export interface SamplePlackettLuceOptions {
  /** A uniform source in [0, 1); defaults to {@link createRandom} of `seed`. */
  readonly random?: RandomSource;
  /** Seed for the default generator (ignored when `random` is given); default 0. */
  readonly seed?: number;
  /** Length of the ranking to draw, 1 ≤ k ≤ K; default K (a full ranking). */
  readonly k?: number;
}

/**
 * Draws a ranking from the Plackett–Luce model with the given scores.
 *
 * Gumbel-max trick: adding independent Gumbel noise g_j = −log(−log u_j) to
 * each score and sorting in decreasing order yields a ranking distributed
 * exactly as Plackett–Luce (Yellott 1977); the first k entries are a top-k
 * draw. Works in log space, so scores 1e4 apart need no exponentials.
 *
 * @param scores - the K finite scores
 * @param options - generator, seed and ranking length
 * @returns item indices best first (an Int32Array of length k)
 * @throws {@link LuceError} for non-finite scores, k outside 1..K, a seed that is not finite, an
 *   unknown option key, or a `random` that returns a value outside [0, 1)
 * @example
 * ```ts
 * samplePlackettLuce([2, 1, 0], { seed: 7 }); // e.g. Int32Array [0, 1, 2]
 * ```
 */
export function samplePlackettLuce(scores: ArrayLike<number>, options: SamplePlackettLuceOptions = {}): Int32Array {
  const fn = "samplePlackettLuce";
  const s = requireFiniteArray(fn, "scores", scores, 1);
  const { k: givenK, random: givenRandom, seed } = requireOptions(fn, "options", options, ["random", "seed", "k"]);
  const k = givenK === undefined ? s.length : requireIndex(fn, "options.k", givenK, s.length + 1);
  if (k < 1) throw new LuceError(fn, "options.k", "must be at least 1");
  if (givenRandom !== undefined && typeof givenRandom !== "function") {
    throw new LuceError(
      fn,
      "options.random",
      `must be a function returning uniforms in [0, 1), got ${describe(givenRandom)}`,
    );
  }
  const random = givenRandom ?? createRandom(seed === undefined ? 0 : requireFinite(fn, "options.seed", seed));
  const perturbed = new Float64Array(s.length);
  for (let j = 0; j < s.length; j++) {
    perturbed[j] = s[j] - Math.log(-Math.log(positiveUniform(fn, random)));
  }
  const order = Int32Array.from({ length: s.length }, (_, j) => j);
  order.sort((a, b) => perturbed[b] - perturbed[a] || a - b);
  return order.slice(0, k);
}

/**
 * Zero draws redrawn before a source counts as broken: a uniform source gives 0 with probability
 * 2^−53 per draw, so this many zeros in a row means it returns nothing else.
 */
const MAX_ZERO_DRAWS = 64;

/** A draw in (0, 1): −log(−log 0) is −Infinity, so a 0 is redrawn; anything outside [0, 1) is an error. */
function positiveUniform(fn: string, random: RandomSource): number {
  for (let draw = 0; draw < MAX_ZERO_DRAWS; draw++) {
    const u: unknown = random();
    if (typeof u !== "number" || !(u >= 0 && u < 1))
      throw new LuceError(fn, "options.random", `returned ${describe(u)}, not a number in [0, 1)`);
    if (u > 0) return u;
  }
  throw new LuceError(fn, "options.random", `returned 0 ${MAX_ZERO_DRAWS} times in a row: not a uniform source`);
}
