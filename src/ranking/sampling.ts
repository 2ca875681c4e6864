import { LuceError } from "../errors.js";
import { createRandom, type RandomSource } from "../numerics/random.js";
import { requireFiniteArray, requireIndex } from "../validation/checks.js";

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
 * @throws {@link LuceError} for non-finite scores or k outside 1..K
 * @example
 * ```ts
 * samplePlackettLuce([2, 1, 0], { seed: 7 }); // e.g. Int32Array [0, 1, 2]
 * ```
 */
export function samplePlackettLuce(scores: ArrayLike<number>, options: SamplePlackettLuceOptions = {}): Int32Array {
  const fn = "samplePlackettLuce";
  const s = requireFiniteArray(fn, "scores", scores, 1);
  const k = options.k === undefined ? s.length : requireIndex(fn, "options.k", options.k, s.length + 1);
  if (k < 1) throw new LuceError(fn, "options.k", "must be at least 1");
  if (options.random !== undefined && typeof options.random !== "function") {
    throw new LuceError(fn, "options.random", "must be a function returning uniforms in [0, 1)");
  }
  const random = options.random ?? createRandom(options.seed ?? 0);
  const perturbed = new Float64Array(s.length);
  for (let j = 0; j < s.length; j++) {
    let u = random();
    while (u <= 0) u = random(); // −log(−log 0) is −Infinity: redraw
    if (!(u < 1)) throw new LuceError(fn, "options.random", `returned ${u}, outside [0, 1)`);
    perturbed[j] = s[j] - Math.log(-Math.log(u));
  }
  const order = Int32Array.from({ length: s.length }, (_, j) => j);
  order.sort((a, b) => perturbed[b] - perturbed[a] || a - b);
  return order.slice(0, k);
}
