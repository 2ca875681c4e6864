import { LuceError } from "../errors.js";
import { addObservationGradient, localObservation, observationLogProbability } from "../ranking/plackett-luce.js";
import { requireArrayLike, requireFiniteArray, requireOptions, requireSameLength } from "../validation/checks.js";
import { rewardRange, type RewardModelLossOptions, type RewardModelMetrics } from "./reward-model.js";
import { OVERFLOWS, compensatedMean, readWeight, requireInputsObject } from "./sequence-inputs.js";

/** K ≥ 2 responses per prompt (K may vary by row), their rewards and a ranking of them. */
export interface PlackettLuceRewardModelInputs {
  /** r(x_i, y_ik), the reward model's output for each of row i's responses. */
  readonly rewards: ReadonlyArray<ArrayLike<number>>;
  /** Indices 0..K−1 of each row's responses, best first: a full ranking, or a top-k (k ≥ 1). */
  readonly rankings: ReadonlyArray<ArrayLike<number>>;
}

/** What {@link plackettLuceRewardModelLoss} returns. */
export interface PlackettLuceRewardModelResult {
  /** The batch loss: mean(losses) + c·mean((Σ_k r_ik)²). */
  readonly loss: number;
  /** −log p_PL(ranking_i | r_i) per row (without the centring term). */
  readonly losses: Float64Array;
  /** gradRewards[i][k] = ∂loss/∂rewards[i][k]. */
  readonly gradRewards: Float64Array[];
  /** TRL's reward range metrics over every response in the batch. */
  readonly metrics: Pick<RewardModelMetrics, "min_reward" | "mean_reward" | "max_reward">;
}

const FN = "plackettLuceRewardModelLoss";

/**
 * The listwise reward-model loss: the Plackett–Luce negative log-likelihood of each row's ranking
 * under the rewards (the DPO paper's section 3 and appendix A.3, with the rewards as scores), with the
 * reward-centring term of {@link rewardModelLoss} summed over each row's responses:
 *
 * $$\mathcal{L} = -\frac{1}{n}\sum_i \sum_{k} \log \frac{e^{r_{i,\tau_i(k)}}}{\sum_{j \ge k} e^{r_{i,\tau_i(j)}}}
 * + c\,\frac{1}{n}\sum_i \Big(\sum_k r_{ik}\Big)^2.$$
 *
 * At K = 2 it is {@link rewardModelLoss} without margins, centring term included. A top-k ranking
 * uses its first k factors. Gradient: ∂L/∂r_ij = (−Σ_k([j = τ(k)] − p_kj) + 2c Σ_k r_ik)/n, p_k the
 * softmax of the rewards still in play at step k.
 *
 * Stability: the Plackett–Luce factors of `plackettLuceLogProbability` (a running maximum from the
 * worst-ranked response up; rewards 1000 apart give losses of e^{−1000}-size with their digits).
 * A loss, gradient or centring term beyond the float64 range is an error.
 *
 * @param inputs - rows of rewards and rankings
 * @param options - the centring coefficient
 * @returns the batch loss, per-row losses, gradients and reward range metrics
 * @throws {@link LuceError} for an unknown option key, a negative or non-finite coefficient, rows of
 *   unequal count, rows with fewer than 2 rewards or non-finite rewards, empty, repeated or
 *   out-of-range ranking entries, an empty batch, and a loss or gradient beyond the float64 range
 * @example
 * ```ts
 * const r = plackettLuceRewardModelLoss({ rewards: [[2, 0.5, -1]], rankings: [[0, 1, 2]] });
 * // r.losses[0] = -log(e^2/(e^2 + e^0.5 + e^-1)) - log(e^0.5/(e^0.5 + e^-1))
 * ```
 */
export function plackettLuceRewardModelLoss(
  inputs: PlackettLuceRewardModelInputs,
  options?: RewardModelLossOptions,
): PlackettLuceRewardModelResult {
  requireInputsObject(FN, inputs);
  const o = requireOptions(FN, "options", options, ["centerRewardsCoefficient"]);
  const c = readWeight(FN, "options.centerRewardsCoefficient", o.centerRewardsCoefficient, 0);
  const rewardRows = requireArrayLike(FN, "inputs.rewards", inputs.rewards);
  const n = rewardRows.length;
  if (n === 0) throw new LuceError(FN, "inputs.rewards", "is empty: a batch needs at least one row");
  const rankings = requireArrayLike(FN, "inputs.rankings", inputs.rankings);
  requireSameLength(FN, "inputs.rankings", rankings, n, "inputs.rewards");

  const rows: Float64Array[] = [];
  const losses = new Float64Array(n);
  const centring = new Float64Array(n);
  const gradRewards: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const r = requireFiniteArray(FN, `inputs.rewards[${i}]`, rewardRows[i], 2);
    const obs = localObservation(FN, `inputs.rankings[${i}]`, rankings[i], r.length);
    rows.push(r);
    losses[i] = -observationLogProbability(r, obs, FN, `inputs.rankings[${i}]`);
    const grad = new Float64Array(r.length);
    addObservationGradient(r, obs, -1 / n, grad);
    if (c !== 0) {
      const sum = compensatedMean(r) * r.length;
      centring[i] = sum * sum;
      for (let k = 0; k < r.length; k++) grad[k] += (2 * c * sum) / n;
    }
    if (!Number.isFinite(losses[i]) || !Number.isFinite(centring[i]) || !grad.every(Number.isFinite))
      throw new LuceError(FN, `inputs.rewards[${i}]`, `makes the loss, centring term or gradient ${OVERFLOWS}`);
    gradRewards.push(grad);
  }
  const loss = compensatedMean(losses) + (c === 0 ? 0 : c * compensatedMean(centring));
  if (!Number.isFinite(loss))
    throw new LuceError(FN, "options.centerRewardsCoefficient", `makes the batch loss ${OVERFLOWS}`);
  return { loss, losses, gradRewards, metrics: rewardRange(rows) };
}
