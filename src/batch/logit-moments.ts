import { LuceError } from "../errors.js";
import { NeumaierSum } from "../numerics/sum.js";
import { rowMoments, runInSlices } from "./cpu/row-statistics.js";
import { withSharedLogits } from "./cpu-scoring.js";
import { rowSource, type ScoredBatch, type Scoring } from "./scoring.js";

/**
 * TRL's logged metrics from the policy's logits (named as TRL logs them), over the scored positions: of a DPO batch,
 * the chosen half is sequences 0..N−1 and the rejected half N..2N−1.
 */
export interface LogitMetrics {
  /** Token mean of the softmax's entropy H = logΣe^z − Σ p·z over every scored position of the batch. */
  readonly entropy: number;
  /** Fraction of the chosen half's scored positions whose largest logit (its first, on ties) is the label's. */
  readonly mean_token_accuracy: number;
  /** Token mean over the chosen half's scored positions of the row's mean logit Σ z / V. */
  readonly "logits/chosen": number;
  /** The same over the rejected half. */
  readonly "logits/rejected": number;
  /**
   * Scored positions in the batch. TRL's `num_tokens` counts the attention mask (prompt tokens included) and
   * accumulates over training steps: add it up yourself where you need that.
   */
  readonly num_tokens: number;
}

/**
 * Each scored row's moments beyond its log-sum-exp (four per position, see rowMoments), from the policy's logits on
 * the CPU's threads, against the row maxima the scoring pass kept.
 * @internal
 */
export async function logitMoments(
  fn: string,
  policy: Scoring,
  scores: ScoredBatch,
  asked: string,
): Promise<Float64Array> {
  const { max } = scores;
  if (max === undefined || policy.backend !== "cpu")
    throw new LuceError(
      fn,
      "options.backend",
      `cannot be 'webgpu' with ${asked}: its row moments are computed on the CPU backend only`,
    );
  return runInSlices(
    fn,
    withSharedLogits(fn, policy, function* (inShared) {
      const source = rowSource(policy, scores.positions, policy.precision === "float32" ? inShared : null);
      return yield* rowMoments(fn, source, max, policy.threads, policy.precision);
    }),
  );
}

/**
 * WPO's log-weight of each sequence (Zhou et al. 2024, "WPO: Enhancing RLHF with Weighted Preference Optimization",
 * eq. 2, as TRL's `use_weighting`): the mean over its scored positions of log p(y_t) − log Σ_v p_t(v)², with
 * log Σ p² = log Σ e^{2(z−M)} − 2 log Σ e^{z−M}; 0 for a sequence with no scored position (TRL's count clamped to 1).
 * @internal
 */
export function wpoLogWeights(scores: ScoredBatch, moments: Float64Array): Float64Array {
  const { positions, tokenLogps, counts, aboveMax } = scores;
  const sums = Array.from({ length: counts.length }, () => new NeumaierSum());
  for (let i = 0; i < positions.count; i++) {
    const logSquares = Math.log(moments[4 * i]) - 2 * aboveMax![i];
    sums[positions.b[i]].add(tokenLogps[positions.b[i]][positions.t[i]] - logSquares);
  }
  return Float64Array.from(sums, (sum, b) => sum.value() / Math.max(1, counts[b]));
}

/** {@link LogitMetrics} of a DPO batch from its scoring pass and its rows' moments. @internal */
export function logitMetrics(scores: ScoredBatch, moments: Float64Array): LogitMetrics {
  const { positions, aboveMax } = scores;
  const half = scores.counts.length / 2;
  const entropy = new NeumaierSum();
  const meanLogits = [new NeumaierSum(), new NeumaierSum()];
  const tokens = [0, 0];
  let correct = 0;
  for (let i = 0; i < positions.count; i++) {
    const rejected = positions.b[i] < half ? 0 : 1;
    const normaliser = aboveMax![i]; // log Σ e^{z−M}
    entropy.add(normaliser - moments[4 * i + 1] * Math.exp(-normaliser));
    meanLogits[rejected].add(moments[4 * i + 3]);
    tokens[rejected]++;
    if (rejected === 0 && moments[4 * i + 2] === positions.label[i]) correct++;
  }
  const mean = (sum: number, n: number) => (n > 0 ? sum / n : 0);
  return {
    entropy: mean(entropy.value(), positions.count),
    mean_token_accuracy: mean(correct, tokens[0]),
    "logits/chosen": mean(meanLogits[0].value(), tokens[0]),
    "logits/rejected": mean(meanLogits[1].value(), tokens[1]),
    num_tokens: positions.count,
  };
}
