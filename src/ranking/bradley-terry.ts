import { logSigmoidUnchecked } from "../numerics/log-sigmoid.js";
import { requireDenseHessianSize } from "./dense-size.js";
import { sigmoidUnchecked } from "../numerics/sigmoid.js";
import { NeumaierSum } from "../numerics/sum.js";
import { requireFinite, requireFiniteArray } from "../validation/checks.js";
import { normalizeComparisons, type Comparison } from "./observations.js";

/**
 * The Bradley–Terry probability that an item of score r_i beats one of score r_j (eq. 1):
 *
 * $$p(i \succ j) = \frac{e^{r_i}}{e^{r_i} + e^{r_j}} = \sigma(r_i - r_j).$$
 *
 * Computed through the two-branch {@link sigmoid}, so scores 1e4 apart give
 * 1 and 0 without overflow.
 *
 * @param ri - the score (reward) of the first item
 * @param rj - the score of the second item
 * @returns P(i beats j)
 * @throws {@link LuceError} when a score is not finite
 * @example
 * ```ts
 * bradleyTerryProbability(1, 0); // 0.7310585786300049
 * ```
 */
export function bradleyTerryProbability(ri: number, rj: number): number {
  requireFinite("bradleyTerryProbability", "ri", ri);
  requireFinite("bradleyTerryProbability", "rj", rj);
  return sigmoidUnchecked(ri - rj);
}

/**
 * The Bradley–Terry log-likelihood of pairwise comparisons:
 * Σ_c count_c · log σ(s_{winner_c} − s_{loser_c}) (the negative of the
 * reward-model loss, eq. 2, summed).
 *
 * Each term goes through {@link logSigmoid}, so a comparison won by a score
 * 40 higher contributes −4.2e−18 rather than 0, and the terms are summed with
 * compensation (error about 2·EPS·Σ|terms|, independent of the count).
 *
 * @param scores - one finite score per item
 * @param comparisons - `[winner, loser]` or `[winner, loser, count]` with item indices into `scores`
 * @returns the log-likelihood (≤ 0)
 * @throws {@link LuceError} for non-finite scores, malformed comparisons, out-of-range
 *   or equal indices, negative or non-finite counts
 * @example
 * ```ts
 * bradleyTerryLogLikelihood([0, 0], [[0, 1], [1, 0, 2]]); // 3 · log(1/2)
 * ```
 */
export function bradleyTerryLogLikelihood(scores: ArrayLike<number>, comparisons: readonly Comparison[]): number {
  const fn = "bradleyTerryLogLikelihood";
  const s = requireFiniteArray(fn, "scores", scores);
  const { winners, losers, counts } = normalizeComparisons(fn, comparisons, s.length);
  const total = new NeumaierSum();
  for (let c = 0; c < winners.length; c++) {
    if (counts[c] !== 0) total.add(counts[c] * logSigmoidUnchecked(s[winners[c]] - s[losers[c]]));
  }
  return total.value();
}

/**
 * Gradient of {@link bradleyTerryLogLikelihood} with respect to the scores:
 * ∂ℓ/∂s_w += count·σ(s_l − s_w), ∂ℓ/∂s_l −= the same, for each comparison.
 * Error per entry: a few EPS·Σ count·σ(s_l − s_w)·(1 + |s_w| + |s_l|) over its comparisons.
 *
 * @param scores - one finite score per item
 * @param comparisons - as for {@link bradleyTerryLogLikelihood}
 * @returns a Float64Array of the scores' length (its entries sum to zero)
 * @throws {@link LuceError} as {@link bradleyTerryLogLikelihood}
 * @example
 * ```ts
 * bradleyTerryLogLikelihoodGradient([0, 0], [[0, 1]]); // Float64Array [0.5, -0.5]
 * ```
 */
export function bradleyTerryLogLikelihoodGradient(
  scores: ArrayLike<number>,
  comparisons: readonly Comparison[],
): Float64Array {
  const fn = "bradleyTerryLogLikelihoodGradient";
  const s = requireFiniteArray(fn, "scores", scores);
  const { winners, losers, counts } = normalizeComparisons(fn, comparisons, s.length);
  const grad = new Float64Array(s.length);
  for (let c = 0; c < winners.length; c++) {
    const g = counts[c] * sigmoidUnchecked(s[losers[c]] - s[winners[c]]);
    grad[winners[c]] += g;
    grad[losers[c]] -= g;
  }
  return grad;
}

/**
 * Hessian of {@link bradleyTerryLogLikelihood} with respect to the scores, dense:
 * −Σ_c count_c·σ(d_c)σ(−d_c)·(e_w − e_l)(e_w − e_l)ᵀ with d_c = s_w − s_l.
 * It is negative semi-definite and annihilates the all-ones vector (Lemma 1:
 * shifting every score changes nothing). Error per entry: a few EPS·Σ count·σ(d)σ(−d)·(1 + |s_w| +
 * |s_l|) over its comparisons (the terms of an entry share one sign). Dense n×n: for fitting many items use
 * `fitBradleyTerry`, which is sparse.
 *
 * @param scores - one finite score per item
 * @param comparisons - as for {@link bradleyTerryLogLikelihood}
 * @returns n rows of length n
 * @throws {@link LuceError} as {@link bradleyTerryLogLikelihood}, and for more than 2^14 scores (the matrix would
 *   not fit)
 * @example
 * ```ts
 * bradleyTerryLogLikelihoodHessian([0, 0], [[0, 1]]); // [[-0.25, 0.25], [0.25, -0.25]]
 * ```
 */
export function bradleyTerryLogLikelihoodHessian(
  scores: ArrayLike<number>,
  comparisons: readonly Comparison[],
): Float64Array[] {
  const fn = "bradleyTerryLogLikelihoodHessian";
  const s = requireFiniteArray(fn, "scores", scores);
  requireDenseHessianSize(fn, s.length);
  const { winners, losers, counts } = normalizeComparisons(fn, comparisons, s.length);
  const h = Array.from({ length: s.length }, () => new Float64Array(s.length));
  for (let c = 0; c < winners.length; c++) {
    const w = winners[c];
    const l = losers[c];
    const d = s[w] - s[l];
    const curvature = counts[c] * sigmoidUnchecked(d) * sigmoidUnchecked(-d);
    h[w][w] -= curvature;
    h[l][l] -= curvature;
    h[w][l] += curvature;
    h[l][w] += curvature;
  }
  return h;
}
