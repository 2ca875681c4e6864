import { LuceError } from "../errors.js";
import { requireDenseHessianSize } from "./dense-size.js";
import { NeumaierSum } from "../numerics/sum.js";
import { SuffixAccumulator } from "../numerics/suffix-log-sum-exp.js";
import { requireArrayLength, requireFiniteArray, requireIndex } from "../validation/checks.js";
import { normalizeObservations, type NormalizedObservation, type PlackettLuceObservation } from "./observations.js";

/**
 * The Plackett–Luce log-probability of one ranking of K items (paper, section 3
 * and appendix A.3):
 *
 * $$\log p(\tau) = \sum_{i=1}^{k} \Big( s_{\tau(i)} - \log \sum_{j \in R_i} e^{s_j} \Big),$$
 *
 * where R_i holds τ(i) and every item not yet ranked, unranked items included.
 * A ranking of all K items is a full ranking; a shorter one is a top-k
 * observation (the first k factors) of the K items.
 *
 * Stability trick: one pass from the worst-ranked item up with a running
 * maximum ({@link suffixLogSumExp}); each factor is (s_{τ(i)} − m_i) −
 * log1p(t_i), so a factor whose item dominates is −log1p(Σ e^{s_j − s_{τ(i)}})
 * with no cancellation: scores [1000, 880] ranked in order give −7.66e−53, not 0.
 *
 * Error: a few ulp of Σ_i (|log p_i| + (1 − p_i)·max_{j ∈ R_i}(m_i − s_j)), with p_i the factor's
 * probability and m_i the largest score in play. float64 rounds each difference s_j − m_i before
 * exponentiating it, which moves e^{s_j − m_i} by EPS·(m_i − s_j) relative; those terms weigh
 * 1 − p_i of the sum at most (they are the other items when τ(i) has the largest score, and at most
 * all but the largest when it has not). So a factor near 0 is not accurate relative to itself: for
 * scores [0.1, −700] the factor −log1p(e^{−700.1}) carries up to 350 ulp of its own size.
 *
 * @param scores - the K finite scores of one observation (e.g. K responses to one prompt)
 * @param ranking - indices into `scores`, best first, distinct, 1 ≤ length ≤ K
 * @returns log p(ranking)
 * @throws {@link LuceError} for non-finite scores, an empty ranking, repeated or out-of-range indices
 * @example
 * ```ts
 * plackettLuceLogProbability([1000, 880], [0, 1]); // -7.66e-53
 * plackettLuceLogProbability([0, 0, 0], [2]);      // log(1/3), a top-1 choice
 * ```
 */
export function plackettLuceLogProbability(scores: ArrayLike<number>, ranking: ArrayLike<number>): number {
  const fn = "plackettLuceLogProbability";
  const s = requireFiniteArray(fn, "scores", scores, 1);
  return observationLogProbability(s, localObservation(fn, "ranking", ranking, s.length), fn, "ranking");
}

/** Validates a ranking of local indices 0..K−1; the items it leaves out are unranked. @internal */
export function localObservation(fn: string, name: string, ranking: unknown, nItems: number): NormalizedObservation {
  const length = requireArrayLength(fn, name, ranking);
  const r = ranking as ArrayLike<unknown>;
  if (length === 0) throw new LuceError(fn, name, "is an empty ranking");
  if (length > nItems) throw new LuceError(fn, name, `has ${length} entries for ${nItems} items: one repeats`);
  const isRanked = new Uint8Array(nItems);
  const ranked = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    const item = requireIndex(fn, `${name}[${i}]`, r[i], nItems);
    if (isRanked[item]) throw new LuceError(fn, `${name}[${i}]`, `repeats item ${item}`);
    isRanked[item] = 1;
    ranked[i] = item;
  }
  const unranked: number[] = [];
  for (let j = 0; j < nItems; j++) if (!isRanked[j]) unranked.push(j);
  return { ranked, unranked: Int32Array.from(unranked) };
}

/**
 * The Plackett–Luce log-likelihood of observations over global items:
 * the sum of {@link plackettLuceLogProbability} over observations, each on its
 * own set of items. Data comes in three forms:
 * - a ranking `[a, b, c]` ranks exactly the items it lists (choix's convention);
 * - `{ ranking: [a, b], of: [a, b, c, d] }` is a top-k of a larger listed set;
 * - `[chosen, [others...]]` is a top-1 choice (others exclude the chosen item).
 * A ranking of two items is a Bradley–Terry comparison.
 *
 * Error: the bound of {@link plackettLuceLogProbability}, summed over the observations.
 *
 * @param scores - one finite score per item
 * @param observations - the data, indices into `scores`
 * @returns the log-likelihood (≤ 0), summed with compensation
 * @throws {@link LuceError} for non-finite scores or malformed observations (naming the entry)
 * @example
 * ```ts
 * plackettLuceLogLikelihood([0, 0, 0], [[0, 1, 2], [2, [0]]]); // log(1/6) + log(1/2)
 * ```
 */
export function plackettLuceLogLikelihood(
  scores: ArrayLike<number>,
  observations: readonly PlackettLuceObservation[],
): number {
  const fn = "plackettLuceLogLikelihood";
  const s = requireFiniteArray(fn, "scores", scores);
  const total = new NeumaierSum();
  for (const obs of normalizeObservations(fn, observations, s.length))
    total.add(observationLogProbability(s, obs, fn, "observations"));
  return total.value();
}

/**
 * Gradient of {@link plackettLuceLogLikelihood} with respect to the scores:
 * ∂/∂s_j = Σ_obs Σ_i ( [j = τ(i)] − p_{ij} ), with p_{ij} = e^{s_j − log Σ_{R_i} e^{s}}
 * the softmax of the items still in play at step i (zero when j ∉ R_i).
 * Error per entry: a few EPS·Σ_steps (1 + max |s| over the items in play), each p_{ij} being an
 * exponential of a difference of scores.
 *
 * @param scores - one finite score per item
 * @param observations - as for {@link plackettLuceLogLikelihood}
 * @returns a Float64Array of the scores' length (its entries sum to zero)
 * @throws {@link LuceError} as {@link plackettLuceLogLikelihood}
 * @example
 * ```ts
 * plackettLuceLogLikelihoodGradient([0, 0], [[0, 1]]); // Float64Array [0.5, -0.5]
 * ```
 */
export function plackettLuceLogLikelihoodGradient(
  scores: ArrayLike<number>,
  observations: readonly PlackettLuceObservation[],
): Float64Array {
  const fn = "plackettLuceLogLikelihoodGradient";
  const s = requireFiniteArray(fn, "scores", scores);
  const grad = new Float64Array(s.length);
  for (const obs of normalizeObservations(fn, observations, s.length)) {
    addObservationGradient(s, obs, 1, grad);
  }
  return grad;
}

/**
 * Hessian of {@link plackettLuceLogLikelihood} with respect to the scores, dense:
 * −Σ_obs Σ_i ( diag(p_i) − p_i p_iᵀ ) over the items in play at step i.
 * Negative semi-definite; the all-ones vector is in its null space. Error of entry (a, b): a few
 * EPS·Σ_steps (p_a·[a = b] + p_a·p_b)·(1 + max |s| over the items in play), absolute (the diagonal
 * −p_a + p_a² cancels where p_a is near 1). Dense n×n:
 * for many items use `fitPlackettLuce`.
 *
 * @param scores - one finite score per item
 * @param observations - as for {@link plackettLuceLogLikelihood}
 * @returns n rows of length n
 * @throws {@link LuceError} as {@link plackettLuceLogLikelihood}, and for more than 2^14 scores (the matrix would
 *   not fit)
 * @example
 * ```ts
 * plackettLuceLogLikelihoodHessian([0, 0], [[0, 1]]); // [[-0.25, 0.25], [0.25, -0.25]]
 * ```
 */
export function plackettLuceLogLikelihoodHessian(
  scores: ArrayLike<number>,
  observations: readonly PlackettLuceObservation[],
): Float64Array[] {
  const fn = "plackettLuceLogLikelihoodHessian";
  const s = requireFiniteArray(fn, "scores", scores);
  requireDenseHessianSize(fn, s.length);
  const h = Array.from({ length: s.length }, () => new Float64Array(s.length));
  for (const obs of normalizeObservations(fn, observations, s.length)) {
    forEachFactor(s, obs, (_chosen, inPlay, logNormalizer) => {
      const p = inPlay.map((j) => Math.exp(s[j] - logNormalizer));
      for (let a = 0; a < inPlay.length; a++) {
        const row = h[inPlay[a]];
        row[inPlay[a]] -= p[a];
        for (let b = 0; b < inPlay.length; b++) row[inPlay[b]] += p[a] * p[b];
      }
    });
  }
  return h;
}

/**
 * Adds `weight` times the gradient of one observation's log-probability to `grad`.
 * The chosen item's term 1 − p is computed as −expm1(log p), so a dominated factor's
 * gradient of 1e−100 keeps its digits instead of rounding 1 − (1 − 1e−100) to 0.
 * @internal
 */
export function addObservationGradient(
  s: ArrayLike<number>,
  obs: NormalizedObservation,
  weight: number,
  grad: Float64Array,
): void {
  forEachFactor(s, obs, (chosen, inPlay, logNormalizer, chosenLogShare) => {
    for (const j of inPlay) if (j !== chosen) grad[j] -= weight * Math.exp(s[j] - logNormalizer);
    grad[chosen] -= weight * Math.expm1(chosenLogShare);
  });
}

/**
 * Sum of the factors of one observation, computed from the worst-ranked item up.
 * @internal
 */
export function observationLogProbability(
  s: ArrayLike<number>,
  obs: NormalizedObservation,
  fn: string,
  argument: string,
): number {
  const acc = new SuffixAccumulator();
  for (const j of obs.unranked) acc.add(s[j]);
  const logp = new NeumaierSum();
  for (let i = obs.ranked.length - 1; i >= 0; i--) {
    const x = s[obs.ranked[i]];
    acc.add(x);
    logp.add(acc.logShareOf(x));
  }
  const value = logp.value();
  if (Number.isNaN(value)) throw new LuceError(fn, argument, "gave a NaN log-probability");
  return value;
}

/**
 * Calls `visit` for each factor i of an observation with the chosen item, the
 * items in play (R_i), log Σ_{R_i} e^{s} and the chosen item's log-share. The normalisers come from one
 * suffix pass, so the cost is O(k·K) for the visits and O(K) for the normalisers.
 */
function forEachFactor(
  s: ArrayLike<number>,
  obs: NormalizedObservation,
  visit: (chosen: number, inPlay: number[], logNormalizer: number, chosenLogShare: number) => void,
): void {
  const k = obs.ranked.length;
  const acc = new SuffixAccumulator();
  for (const j of obs.unranked) acc.add(s[j]);
  const logNormalizers = new Float64Array(k);
  const logShares = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    const x = s[obs.ranked[i]];
    acc.add(x);
    logNormalizers[i] = acc.logSum();
    logShares[i] = acc.logShareOf(x);
  }
  const inPlay = [...obs.ranked, ...obs.unranked];
  for (let i = 0; i < k; i++) visit(obs.ranked[i], inPlay.slice(i), logNormalizers[i], logShares[i]);
}
