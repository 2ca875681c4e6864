import { LuceError } from "../errors.js";
import { addObservationGradient, localObservation, observationLogProbability } from "../ranking/plackett-luce.js";
import {
  describe,
  requireArrayLike,
  requireFiniteArray,
  requireOptions,
  requirePositive,
  requireSameLength,
} from "../validation/checks.js";

/** Inputs of {@link plackettLuceDpoLoss}: one row per example, K ≥ 2 responses per row (K may vary by row). */
export interface PlackettLuceDpoInputs {
  /** log π_θ(y_k | x) for the example's K responses. */
  readonly policyLogps: ReadonlyArray<ArrayLike<number>>;
  /** log π_ref(y_k | x), same shape. */
  readonly referenceLogps: ReadonlyArray<ArrayLike<number>>;
  /** Indices 0..K−1 of each row's responses, best first: a full ranking, or a top-k (k ≥ 1). */
  readonly rankings: ReadonlyArray<ArrayLike<number>>;
}

/** What {@link plackettLuceDpoLoss} returns. */
export interface PlackettLuceDpoResult {
  /** −log p_PL(ranking | r̂) per example. */
  readonly losses: Float64Array;
  /** gradPolicy[i][k] = ∂ losses[i] / ∂ policyLogps[i][k]. */
  readonly gradPolicy: Float64Array[];
  /** The implicit rewards r̂ = β log π_θ/π_ref per response. */
  readonly rewards: Float64Array[];
}

const FN = "plackettLuceDpoLoss";

/**
 * The listwise (Plackett–Luce) DPO loss of the paper's appendix A.3:
 *
 * $$\mathcal{L}_i = -\log \prod_{k} \frac{\exp \hat r(x, y_{\tau(k)})}{\sum_{j \ge k} \exp \hat r(x, y_{\tau(j)})},
 * \qquad \hat r(x, y) = \beta \log \frac{\pi_\theta(y \mid x)}{\pi_{\mathrm{ref}}(y \mid x)}.$$
 * A top-k ranking uses its first k factors. At K = 2 it is
 * the sigmoid `dpoLoss` (eq. 7); adding a constant to all of one example's log-ratios leaves it
 * unchanged (Lemma 1). No DPO codebase ships it: it was requested in the original repository and
 * in TRL and never built.
 *
 * Stability: each factor is (r̂ − m) − log1p(t) with a running maximum m from the worst-ranked
 * response up, so implicit rewards thousands apart give −1e−300-sized losses with their digits;
 * the gradient's 1 − p terms are −expm1(log p). Accuracy: as `plackettLuceLogProbability` on r̂ (a few
 * ulp of Σ_i |log p_i| + (1 − p_i)·spread of r̂ in play), plus the rounding of r̂, EPS·β(|log π_θ| +
 * |log π_ref|), times 2 per factor; the gradient within a few EPS·β·Σ_k (1 + max |r̂| in play). An
 * implicit reward or a loss beyond the float64 range (β·log π/π_ref near ±1e308) is an error,
 * never ±Infinity or NaN.
 *
 * Gradient: ∂L_i/∂ log π_θ(y_j) = −β Σ_k ([j = τ(k)] − p_kj), p_k the softmax of r̂ over the
 * responses still in play at step k.
 *
 * @param inputs - per-example policy and reference log-probs and rankings
 * @param options - β > 0
 * @returns per-example losses, gradients and implicit rewards
 * @throws {@link LuceError} for β ≤ 0, an unknown option key, rows of unequal length or K < 2,
 *   log-probs that are not finite or are above 0, empty, repeated or out-of-range ranking entries,
 *   and implicit rewards or losses beyond the float64 range
 * @example
 * ```ts
 * plackettLuceDpoLoss(
 *   { policyLogps: [[-5, -6, -9]], referenceLogps: [[-6, -6, -6]], rankings: [[0, 1, 2]] },
 *   { beta: 0.5 });
 * ```
 */
export function plackettLuceDpoLoss(
  inputs: PlackettLuceDpoInputs,
  options: { readonly beta: number },
): PlackettLuceDpoResult {
  if (inputs === null || typeof inputs !== "object")
    throw new LuceError(FN, "inputs", `must be an object of rows, got ${describe(inputs)}`);
  if (options === null || typeof options !== "object")
    throw new LuceError(FN, "options", `must be an object with beta, got ${describe(options)}`);
  requireOptions(FN, "options", options, ["beta"]);
  const beta = requirePositive(FN, "options.beta", options.beta);
  const policy = requireArrayLike(FN, "inputs.policyLogps", inputs.policyLogps);
  const reference = requireArrayLike(FN, "inputs.referenceLogps", inputs.referenceLogps);
  const rankings = requireArrayLike(FN, "inputs.rankings", inputs.rankings);
  const n = policy.length;
  requireSameLength(FN, "inputs.referenceLogps", reference, n, "inputs.policyLogps");
  requireSameLength(FN, "inputs.rankings", rankings, n, "inputs.policyLogps");

  const losses = new Float64Array(n);
  const gradPolicy: Float64Array[] = [];
  const rewards: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const p = logProbabilityRow(`inputs.policyLogps[${i}]`, policy[i], 2);
    const r = logProbabilityRow(`inputs.referenceLogps[${i}]`, reference[i], 0);
    requireSameLength(FN, `inputs.referenceLogps[${i}]`, r, p.length, `inputs.policyLogps[${i}]`);
    const obs = localObservation(FN, `inputs.rankings[${i}]`, rankings[i], p.length);
    const rhat = new Float64Array(p.length);
    for (let k = 0; k < p.length; k++) {
      rhat[k] = beta * (p[k] - r[k]);
      if (!Number.isFinite(rhat[k]))
        throw new LuceError(FN, "options.beta", `makes the implicit reward of row ${i}, response ${k} ${overflows}`);
    }
    losses[i] = -observationLogProbability(rhat, obs, FN, `inputs.rankings[${i}]`);
    if (!Number.isFinite(losses[i])) throw new LuceError(FN, "options.beta", `makes the loss of row ${i} ${overflows}`);
    const grad = new Float64Array(p.length);
    addObservationGradient(rhat, obs, -beta, grad);
    if (!grad.every(Number.isFinite))
      throw new LuceError(FN, "options.beta", `makes the gradient of row ${i} ${overflows}`);
    gradPolicy.push(grad);
    rewards.push(rhat);
  }
  return { losses, gradPolicy, rewards };
}

const overflows = "beyond the float64 range (about ±1.8e308)";

/** A row of sequence log-probabilities, read once: finite and ≤ 0 (a value above 0 is not a log-probability). */
function logProbabilityRow(name: string, row: unknown, minLength: number): Float64Array {
  const copy = requireFiniteArray(FN, name, row, minLength);
  const y = copy.findIndex((v) => v > 0);
  if (y >= 0)
    throw new LuceError(
      FN,
      `${name}[${y}]`,
      `is ${copy[y]}, above 0: a log-probability is <= 0 (a probability passed?)`,
    );
  return copy;
}
