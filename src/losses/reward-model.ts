import { LuceError } from "../errors.js";
import { logSigmoidUnchecked as ls } from "../numerics/log-sigmoid.js";
import { sigmoidUnchecked as sig } from "../numerics/sigmoid.js";
import { requireOptions } from "../validation/checks.js";
import { rewardMetrics } from "./metrics.js";
import { scaledDifference } from "./pairwise-kernels.js";
import {
  OVERFLOWS,
  compensatedMean,
  readFinite,
  readWeight,
  requireFiniteResults,
  requireInputsObject,
} from "./sequence-inputs.js";

/** The reward model's scalar outputs for each preference pair. */
export interface RewardModelInputs {
  /** r(x, y_w), the reward of each chosen response. */
  readonly chosenRewards: ArrayLike<number>;
  /** r(x, y_l). */
  readonly rejectedRewards: ArrayLike<number>;
  /** m, the margin each pair's chosen reward should clear (TRL's `margin` column); default 0. */
  readonly margins?: ArrayLike<number>;
}

/** Options of {@link rewardModelLoss} and {@link plackettLuceRewardModelLoss}. */
export interface RewardModelLossOptions {
  /** c ≥ 0, the weight of the reward-centring term (TRL's `center_rewards_coefficient`); default 0 (none). */
  readonly centerRewardsCoefficient?: number;
}

/** The metrics TRL's `RewardTrainer` logs. */
export interface RewardModelMetrics {
  /** Fraction of pairs whose chosen reward is strictly greater (a tie counts as wrong, as in TRL). */
  readonly accuracy: number;
  /** Mean of r_w − r_l. */
  readonly margin: number;
  /** Smallest reward in the batch. */
  readonly min_reward: number;
  /** Mean of all rewards, chosen and rejected. */
  readonly mean_reward: number;
  /** Largest reward in the batch. */
  readonly max_reward: number;
}

/** What {@link rewardModelLoss} returns; the arrays have one entry per pair. */
export interface RewardModelLossResult {
  /** The batch loss TRL backpropagates: mean(losses) + c·mean((r_w + r_l)²). */
  readonly loss: number;
  /** −log σ(r_w − r_l − m) per pair (without the centring term). */
  readonly losses: Float64Array;
  /** ∂loss/∂chosenRewards[i]. */
  readonly gradChosen: Float64Array;
  /** ∂loss/∂rejectedRewards[i]. */
  readonly gradRejected: Float64Array;
  /** The metrics TRL logs. */
  readonly metrics: RewardModelMetrics;
}

const FN = "rewardModelLoss";

/**
 * The Bradley–Terry reward-model loss (the DPO paper's eq. 2; Ouyang et al. 2022, eq. 1) as TRL's
 * `RewardTrainer` computes it, with its margin (Touvron et al. 2023, "Llama 2", eq. 2) and the
 * reward-centring term of Eisenstein et al. 2023 ("Helping or Herding?", TRL's
 * `center_rewards_coefficient`), with exact gradients:
 *
 * $$\mathcal{L} = -\frac{1}{n}\sum_i \log \sigma(r_{w,i} - r_{l,i} - m_i)
 * + c\,\frac{1}{n}\sum_i (r_{w,i} + r_{l,i})^2.$$
 *
 * Gradient: ∂L/∂r_w,i = (−σ(−x_i) + 2c(r_w,i + r_l,i))/n and ∂L/∂r_l,i = (σ(−x_i) + 2c(r_w,i + r_l,i))/n,
 * x_i = r_w,i − r_l,i − m_i. The listwise form is {@link plackettLuceRewardModelLoss}.
 *
 * Stability: log σ through softplus branches, so rewards 1e4 apart give losses of 1e4 (not Infinity)
 * and of e^{−1e4} rounded (not log 1 = 0 by cancellation); r_w − r_l − m is formed in two steps that
 * overflow only where the exact difference is beyond the float64 range. Accuracy: a few ulp relative to
 * each loss, plus the inputs' rounding EPS·(|r_w| + |r_l| + |m|)·σ(−x). A loss, gradient or centring
 * term beyond the float64 range is an error.
 *
 * @param inputs - the chosen and rejected rewards per pair, and optional margins
 * @param options - the centring coefficient
 * @returns the batch loss, per-pair losses, gradients and TRL's metrics
 * @throws {@link LuceError} for an unknown option key, a negative or non-finite coefficient, rewards or
 *   margins that are not finite, arrays of unequal length, an empty batch, and a loss or gradient beyond
 *   the float64 range
 * @example
 * ```ts
 * const r = rewardModelLoss({ chosenRewards: [1.5, 0.2], rejectedRewards: [0.5, 0.4], margins: [0.5, 0] },
 *   { centerRewardsCoefficient: 0.01 });
 * // r.losses = [-log σ(0.5), -log σ(-0.2)]; r.loss adds 0.01·mean([2², 0.6²])
 * ```
 */
export function rewardModelLoss(inputs: RewardModelInputs, options?: RewardModelLossOptions): RewardModelLossResult {
  requireInputsObject(FN, inputs);
  const o = requireOptions(FN, "options", options, ["centerRewardsCoefficient"]);
  const c = readWeight(FN, "options.centerRewardsCoefficient", o.centerRewardsCoefficient, 0);
  const first = "inputs.chosenRewards";
  const chosen = readFinite(FN, first, inputs.chosenRewards);
  const n = chosen.length;
  const rejected = readFinite(FN, "inputs.rejectedRewards", inputs.rejectedRewards, n, first);
  const margins =
    inputs.margins === undefined ? new Float64Array(n) : readFinite(FN, "inputs.margins", inputs.margins, n, first);

  const losses = new Float64Array(n);
  const gradChosen = new Float64Array(n);
  const gradRejected = new Float64Array(n);
  const centring = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = scaledDifference(1, chosen[i], rejected[i]) - margins[i];
    losses[i] = -ls(x);
    const sum = chosen[i] + rejected[i];
    centring[i] = c === 0 ? 0 : sum * sum;
    const pull = c === 0 ? 0 : 2 * c * sum;
    gradChosen[i] = (-sig(-x) + pull) / n;
    gradRejected[i] = (sig(-x) + pull) / n;
  }
  requireFiniteResults(FN, "inputs.rejectedRewards", "the loss −log σ(r_w − r_l − m) of pair", losses);
  requireFiniteResults(FN, "options.centerRewardsCoefficient", "the centring term (r_w + r_l)² of pair", centring);
  requireFiniteResults(FN, "options.centerRewardsCoefficient", "the gradient of chosen reward", gradChosen);
  requireFiniteResults(FN, "options.centerRewardsCoefficient", "the gradient of rejected reward", gradRejected);
  const loss = compensatedMean(losses) + (c === 0 ? 0 : c * compensatedMean(centring));
  if (!Number.isFinite(loss))
    throw new LuceError(FN, "options.centerRewardsCoefficient", `makes the batch loss ${OVERFLOWS}`);
  const pairs = rewardMetrics(chosen, rejected);
  return {
    loss,
    losses,
    gradChosen,
    gradRejected,
    metrics: {
      accuracy: pairs["rewards/accuracies"],
      margin: pairs["rewards/margins"],
      ...rewardRange([chosen, rejected]),
    },
  };
}

/**
 * The smallest, mean and largest reward over rows of rewards (TRL's `min_reward`, `mean_reward`,
 * `max_reward`). @internal
 */
export function rewardRange(
  rows: readonly Float64Array[],
): Pick<RewardModelMetrics, "min_reward" | "mean_reward" | "max_reward"> {
  const all = Float64Array.from(rows.flatMap((row) => Array.from(row)));
  return {
    min_reward: all.reduce((a, b) => Math.min(a, b), Infinity),
    mean_reward: compensatedMean(all),
    max_reward: all.reduce((a, b) => Math.max(a, b), -Infinity),
  };
}
