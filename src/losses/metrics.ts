import { NeumaierSum } from "../numerics/sum.js";

/**
 * Training metrics named as TRL logs them, plus the tie count TRL does not report.
 * All are means over pairs except `rewards/ties`.
 */
export interface RewardMetrics {
  /** Mean implicit reward of the chosen responses, β·mean(log π/π_ref(y_w)). */
  readonly "rewards/chosen": number;
  /** Mean implicit reward of the rejected responses. */
  readonly "rewards/rejected": number;
  /**
   * Fraction of pairs whose chosen reward is strictly greater. A tie counts as
   * wrong, as in TRL (which does not say so); `rewards/ties` says how many there were.
   */
  readonly "rewards/accuracies": number;
  /** Mean of chosen − rejected reward. */
  readonly "rewards/margins": number;
  /** Number of pairs whose chosen and rejected rewards are equal. */
  readonly "rewards/ties": number;
}

/**
 * The reward metrics of a batch of pairs (the `metrics` of `dpoLoss`).
 * Means are compensated sums divided by the number of pairs; an empty batch
 * gives NaN means, as an empty mean is undefined (dpoLoss rejects empty batches). The margins
 * are summed as halves, (c − r)/2, so that two finite rewards near ±1e308 never make an infinite
 * term, and the mean margin is ±Infinity only where it is itself beyond the float64 range.
 * @internal
 */
export function rewardMetrics(chosenRewards: Float64Array, rejectedRewards: Float64Array): RewardMetrics {
  const n = chosenRewards.length;
  const chosen = new NeumaierSum();
  const rejected = new NeumaierSum();
  const margins = new NeumaierSum();
  let correct = 0;
  let ties = 0;
  for (let i = 0; i < n; i++) {
    chosen.add(chosenRewards[i]);
    rejected.add(rejectedRewards[i]);
    margins.add(chosenRewards[i] / 2 - rejectedRewards[i] / 2);
    if (chosenRewards[i] > rejectedRewards[i]) correct++;
    else if (chosenRewards[i] === rejectedRewards[i]) ties++;
  }
  return {
    "rewards/chosen": chosen.value() / n,
    "rewards/rejected": rejected.value() / n,
    "rewards/accuracies": correct / n,
    "rewards/margins": (margins.value() / n) * 2,
    "rewards/ties": ties,
  };
}
