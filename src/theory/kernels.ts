import { logSumExpParts } from "../numerics/log-sum-exp.js";

/**
 * Row-level formulas of the KL-constrained problem without argument checks. The public theory
 * functions validate and call these; the proof checkers also call them with assumptions dropped
 * (β < 0, π_ref with zeros), where the public functions would rightly refuse.
 * @internal
 */

/** The terms log π_ref(y) + r(y)/β whose log-sum-exp is log Z (eq. 4). */
function tiltedTerms(reward: ArrayLike<number>, logReference: ArrayLike<number>, beta: number): Float64Array {
  const a = new Float64Array(reward.length);
  for (let y = 0; y < a.length; y++)
    a[y] = logReference[y] === -Infinity ? -Infinity : logReference[y] + reward[y] / beta;
  return a;
}

/** log Z(x) = log Σ_y π_ref(y) e^{r(y)/β}. @internal */
export function logPartitionRow(reward: ArrayLike<number>, logReference: ArrayLike<number>, beta: number): number {
  const { max, rest } = logSumExpParts(tiltedTerms(reward, logReference, beta));
  return max + Math.log1p(rest);
}

/**
 * log π_r(y) = log π_ref(y) + r(y)/β − log Z, computed as (a_y − m) − log1p(t) with
 * m the largest term, so the dominant response's log-probability is −log1p(t) exactly
 * rounded instead of the difference of two large numbers. @internal
 */
export function logOptimalPolicyRow(
  reward: ArrayLike<number>,
  logReference: ArrayLike<number>,
  beta: number,
): Float64Array {
  const a = tiltedTerms(reward, logReference, beta);
  const { max, rest } = logSumExpParts(a);
  const shift = Math.log1p(rest);
  for (let y = 0; y < a.length; y++) a[y] = a[y] - max - shift;
  return a;
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

/** f(r; π_ref, β)(y) = r(y) − β log Z (Theorem 1's projection). @internal */
export function projectRewardRow(
  reward: ArrayLike<number>,
  logReference: ArrayLike<number>,
  beta: number,
): Float64Array {
  const shift = beta * logPartitionRow(reward, logReference, beta);
  return Float64Array.from(reward, (r) => r - shift);
}
