import { LuceError } from "../errors.js";
import { logOptimalPolicyRow, logPartitionRow } from "./kernels.js";
import { readBeta, readPolicy, readReward, type Policy, type Rows } from "./rows.js";

/**
 * The optimal policy of the KL-constrained problem (eq. 4), as probabilities:
 *
 * $$\pi_r(y \mid x) = \frac{1}{Z(x)}\, \pi_{\mathrm{ref}}(y \mid x) \exp\!\Big(\frac{r(x, y)}{\beta}\Big).$$
 *
 * Computed in log space through {@link logOptimalPolicy} and exponentiated, so it is finite for
 * |r/β| in the thousands and beyond; entries below the smallest double are 0 (use
 * {@link logOptimalPolicy} to keep them). Where r/β passes the float64 range (β = 5e−324, or
 * rewards near ±1e308) the result is the limit: all mass on the best responses, shared among
 * exact ties in proportion to π_ref.
 *
 * @param reward - r(x, y), finite, one row per prompt
 * @param reference - π_ref, as probabilities or {@link logSpace}
 * @param beta - β > 0
 * @returns π_r(y|x) per prompt
 * @throws {@link LuceError} for non-finite rewards, reference rows that are not distributions,
 *   shape mismatches, β ≤ 0 or not finite
 * @example
 * ```ts
 * optimalPolicy([[1, 0]], [[0.5, 0.5]], 1); // [[σ(1), σ(-1)]] = [[0.731..., 0.268...]]
 * ```
 */
export function optimalPolicy(reward: Rows, reference: Policy, beta: number): Float64Array[] {
  return logOptimalPolicyChecked("optimalPolicy", reward, reference, beta).map((row) => row.map(Math.exp));
}

/**
 * log π_r(y|x) = log π_ref(y|x) + r(x,y)/β − log Z(x) (eq. 4 in log space).
 *
 * Stability: the terms a_y = log π_ref(y) + r(y)/β are shifted by their maximum m and
 * log π_r(y) = (a_y − m) − log1p(Σ_{j≠argmax} e^{a_j − m}), so a reference probability of
 * e^{−5000} or a reward 4000β above the rest loses no digits; responses with π_ref = 0 get
 * −Infinity. Where r/β passes the float64 range the terms are measured from the best reward,
 * log π_ref(y) + (r(y) − r_max)/β, so the best responses keep finite log-probabilities (ties share
 * in proportion to π_ref) and a log-probability below −1.8e308 is −Infinity.
 * Error: a few EPS·(|r/β| + |log π_ref|) absolute.
 *
 * @param reward - r(x, y), finite
 * @param reference - π_ref, as probabilities or {@link logSpace}
 * @param beta - β > 0
 * @returns log π_r(y|x) per prompt
 * @throws {@link LuceError} as {@link optimalPolicy}
 * @example
 * ```ts
 * logOptimalPolicy([[4000, 0]], [[0.5, 0.5]], 1); // [[-0 (e^-4000 below), -4000]]
 * ```
 */
export function logOptimalPolicy(reward: Rows, reference: Policy, beta: number): Float64Array[] {
  return logOptimalPolicyChecked("logOptimalPolicy", reward, reference, beta);
}

/**
 * The log partition function of eq. 4 (β log Z is the soft value of π_ref, section 5.2):
 *
 * $$\log Z(x) = \log \sum_y \pi_{\mathrm{ref}}(y \mid x) \exp\!\Big(\frac{r(x, y)}{\beta}\Big).$$
 *
 * Stability: a max-shifted log-sum-exp of log π_ref + r/β with a log1p tail, measured from the best
 * reward where r/β overflows, so log Z is finite wherever it is below about 1.8e308 in size.
 *
 * @param reward - r(x, y), finite
 * @param reference - π_ref, as probabilities or {@link logSpace}
 * @param beta - β > 0
 * @returns log Z(x) per prompt
 * @throws {@link LuceError} as {@link optimalPolicy}, and where log Z(x) itself is beyond the float64
 *   range (|r/β| above about 1.8e308: use {@link logOptimalPolicy} or `projectReward`, which stay finite)
 * @example
 * ```ts
 * logPartition([[1, 0]], [[0.5, 0.5]], 1); // [log((e + 1)/2)]
 * ```
 */
export function logPartition(reward: Rows, reference: Policy, beta: number): Float64Array {
  const fn = "logPartition";
  const { r, logRef, b } = readProblem(fn, reward, reference, beta);
  return Float64Array.from(r, (row, x) => {
    const logZ = logPartitionRow(row, logRef[x], b);
    if (!Number.isFinite(logZ))
      throw new LuceError(fn, "beta", `makes log Z(x) of prompt ${x} larger than the float64 range (r/β overflows)`);
    return logZ;
  });
}

function logOptimalPolicyChecked(fn: string, reward: Rows, reference: Policy, beta: number): Float64Array[] {
  const { r, logRef, b } = readProblem(fn, reward, reference, beta);
  return r.map((row, x) => logOptimalPolicyRow(row, logRef[x], b));
}

/**
 * Validates a reward, a reference policy of the same shape, and β.
 * @internal
 */
export function readProblem(
  fn: string,
  reward: Rows,
  reference: Policy,
  beta: number,
): { r: Float64Array[]; logRef: Float64Array[]; b: number } {
  const r = readReward(fn, "reward", reward);
  const logRef = readPolicy(fn, "reference", reference, { rows: r, name: "reward" });
  const b = readBeta(fn, beta);
  return { r, logRef, b };
}
