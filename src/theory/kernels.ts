import { logSumExpParts } from "../numerics/log-sum-exp.js";

/**
 * Row-level formulas of the KL-constrained problem without argument checks. The public theory
 * functions validate and call these; the proof checkers also call them with assumptions dropped
 * (β < 0, π_ref with zeros), where the public functions would rightly refuse.
 * @internal
 */

/**
 * The terms a_y = log π_ref(y) + r(y)/β of log Z (eq. 4), written a_y = pivot/β + terms[y] with
 * the pivot r* the reward that leads under β (the largest supported reward for β > 0, the smallest
 * for β < 0): terms[y] = log π_ref(y) + (r(y) − r*)/β ≤ log π_ref(y).
 *
 * Measuring from r* keeps π_ref in the terms wherever r/β is large: a_y itself would round
 * log π_ref(y) away once |r/β| passes 2^53 |log π_ref(y)| (equal rewards of 1 at β = 1e−200 would
 * give a uniform policy instead of π_ref), and would overflow where r/β passes the float64 range.
 * Responses tied with r* keep their share in proportion to π_ref, which is the limit of π_r, and a
 * term (r(y) − r*)/β that overflows means a share of exactly 0. Every term is finite or −Infinity.
 */
interface TiltedTerms {
  /** r*, or 0 when no response is supported; log Z = pivot/β + log Σ e^{terms}. */
  readonly pivot: number;
  /** The terms relative to pivot/β. */
  readonly terms: Float64Array;
}

function tiltedTerms(reward: ArrayLike<number>, logReference: ArrayLike<number>, beta: number): TiltedTerms {
  const terms = new Float64Array(reward.length).fill(-Infinity);
  let pivot = NaN;
  for (let y = 0; y < terms.length; y++) {
    if (logReference[y] === -Infinity) continue;
    if (Number.isNaN(pivot) || (beta > 0 ? reward[y] > pivot : reward[y] < pivot)) pivot = reward[y];
  }
  if (Number.isNaN(pivot)) return { pivot: 0, terms };
  for (let y = 0; y < terms.length; y++) {
    if (logReference[y] === -Infinity) continue;
    // r(y) and r* of opposite signs may differ by more than the float64 range while the difference
    // over a large β is finite: then the two quotients, of opposite signs, add without cancelling
    const difference = reward[y] - pivot;
    const tilt = Number.isFinite(difference) ? difference / beta : reward[y] / beta - pivot / beta;
    terms[y] = logReference[y] + tilt;
  }
  return { pivot, terms };
}

/**
 * log Z(x) = log Σ_y π_ref(y) e^{r(y)/β}; ±Infinity only where log Z itself passes the float64
 * range (|r/β| above about 1.8e308). @internal
 */
export function logPartitionRow(reward: ArrayLike<number>, logReference: ArrayLike<number>, beta: number): number {
  const { pivot, terms } = tiltedTerms(reward, logReference, beta);
  const { max, rest } = logSumExpParts(terms);
  const logSum = max + Math.log1p(rest);
  return pivot === 0 ? logSum : pivot / beta + logSum;
}

/**
 * log π_r(y) = log π_ref(y) + r(y)/β − log Z, computed as (a_y − m) − log1p(t) with
 * m the largest term, so the dominant response's log-probability is −log1p(t) exactly
 * rounded instead of the difference of two large numbers. Finite or −Infinity for every finite
 * reward and β ≠ 0: the pivot of {@link tiltedTerms} cancels. @internal
 */
export function logOptimalPolicyRow(
  reward: ArrayLike<number>,
  logReference: ArrayLike<number>,
  beta: number,
): Float64Array {
  const { terms } = tiltedTerms(reward, logReference, beta);
  const { max, rest } = logSumExpParts(terms);
  const shift = Math.log1p(rest);
  for (let y = 0; y < terms.length; y++) terms[y] = terms[y] - max - shift;
  return terms;
}

/** β (log π(y) − log π_ref(y)). @internal */
export function impliedRewardRow(
  logPolicy: ArrayLike<number>,
  logReference: ArrayLike<number>,
  beta: number,
): Float64Array {
  const r = new Float64Array(logPolicy.length);
  for (let y = 0; y < r.length; y++) r[y] = beta * (logPolicy[y] - logReference[y]);
  return r;
}

/**
 * f(r; π_ref, β)(y) = r(y) − β log Z (Theorem 1's projection), computed as
 * (r(y) − r*) − β log Σ e^{terms} with the pivot r* of {@link tiltedTerms}, so it stays finite
 * where r/β overflows but f does not. @internal
 */
export function projectRewardRow(
  reward: ArrayLike<number>,
  logReference: ArrayLike<number>,
  beta: number,
): Float64Array {
  const { pivot, terms } = tiltedTerms(reward, logReference, beta);
  const { max, rest } = logSumExpParts(terms);
  const shift = beta * (max + Math.log1p(rest));
  return Float64Array.from(reward, (r) => r - pivot - shift);
}
