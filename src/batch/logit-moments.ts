import { NeumaierSum } from "../numerics/sum.js";
import { isValidRow, logTiesPlusRest, type ScoredBatch } from "./scoring.js";

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
 * Each scored position's moments for TRL's metrics and WPO, four per position: log Σ_v p_v² = log(n + s₂) −
 * 2 log(n + s) (the maximum's own n terms kept apart, so a peaked row keeps its digits), the entropy
 * H = log(n + s) − w/(n + s), the first index of the largest logit and the mean logit Σ x / V; from a statistics
 * pass's rows (maximum M, rest s, ties n, three per position) and its moments (s₂ = Σ_{x≠M} e^{2(x−M)},
 * w = Σ e^{x−M}(x − M), the index, Σ x; four per position), as the CPU kernel and the ONNX graph give them, for
 * logits rows of `vocabulary` entries. A row the statistics flag (the float64 path's rows whose plain sum overflowed,
 * which the float64 scan scored), and with `recomputeInfiniteSums` a row whose Σ x is infinite (it may have overflowed
 * on finite logits near the float range), is handed to `copyRow(i, into, at)`, which copies it from the logits (or
 * throws, where such a row is an error, as on the model path, whose logits stay on the device).
 * @internal
 */
export function momentsOfRows(
  vocabulary: number,
  scores: ScoredBatch,
  statistics: Float64Array,
  rowMoments: Float64Array | ArrayLike<number>,
  copyRow: (i: number, into: Float64Array, at: number) => void,
  recomputeInfiniteSums = false,
): Float64Array {
  const { positions } = scores;
  const out = new Float64Array(4 * positions.count);
  const row = new Float64Array(vocabulary);
  for (let i = 0; i < positions.count; i++) {
    const [max, rest, ties] = [statistics[3 * i], statistics[3 * i + 1], statistics[3 * i + 2]];
    const infiniteSum = recomputeInfiniteSums && !Number.isFinite(rowMoments[4 * i + 3]);
    if (!isValidRow(max, rest) || infiniteSum) {
      copyRow(i, row, 0);
      momentsOfRow(row, out, 4 * i);
      continue;
    }
    const aboveMax = logTiesPlusRest(ties, rest);
    out[4 * i] = logTiesPlusRest(ties, rowMoments[4 * i]) - 2 * aboveMax;
    out[4 * i + 1] = aboveMax - rowMoments[4 * i + 1] / (ties + rest);
    out[4 * i + 2] = rowMoments[4 * i + 2];
    out[4 * i + 3] = rowMoments[4 * i + 3] / vocabulary;
  }
  return out;
}

/**
 * {@link momentsOfRows}'s four values for one row, written to `into` from `at`: against the row's own maximum m, with
 * S = Σ e^{x−m}, log Σ p² = log Σ e^{2(x−m)} − 2 log S and H = log S − Σ e^{x−m}(x − m)/S (so that no log-normaliser
 * rounded at the logits' magnitude enters x − m), the mean as Σ (x / V) (Σ x may overflow where these rows arise).
 */
function momentsOfRow(row: Float64Array, into: Float64Array, at: number): void {
  let first = 0;
  for (let v = 1; v < row.length; v++) if (row[v] > row[first]) first = v;
  const m = row[first];
  const [sum, squares, weighted, mean] = [new NeumaierSum(), new NeumaierSum(), new NeumaierSum(), new NeumaierSum()];
  for (const x of row) {
    const e = Math.exp(x - m);
    if (e > 0) {
      sum.add(e);
      squares.add(e * e);
      weighted.add(e * (x - m));
    }
    mean.add(x / row.length);
  }
  into[at] = Math.log(squares.value()) - 2 * Math.log(sum.value());
  into[at + 1] = Math.log(sum.value()) - weighted.value() / sum.value();
  into[at + 2] = first;
  into[at + 3] = mean.value();
}

/**
 * WPO's log-weight of each sequence (Zhou et al. 2024, "WPO: Enhancing RLHF with Weighted Preference Optimization",
 * eq. 2, as TRL's `use_weighting`): the mean over its scored positions of log p(y_t) − log Σ_v p_t(v)²; 0 for a
 * sequence with no scored position (TRL's count clamped to 1). `scores` must carry its moments.
 * @internal
 */
export function wpoLogWeights(scores: ScoredBatch): Float64Array {
  const { positions, tokenLogps, counts } = scores;
  const moments = scores.moments!;
  const sums = Array.from({ length: counts.length }, () => new NeumaierSum());
  for (let i = 0; i < positions.count; i++)
    sums[positions.b[i]].add(tokenLogps[positions.b[i]][positions.t[i]] - moments[4 * i]);
  return Float64Array.from(sums, (sum, b) => sum.value() / Math.max(1, counts[b]));
}

/** {@link LogitMetrics} of a DPO batch from its scoring pass, which carries its moments. @internal */
export function logitMetrics(scores: ScoredBatch): LogitMetrics {
  const { positions } = scores;
  const moments = scores.moments!;
  const half = scores.counts.length / 2;
  const entropy = new NeumaierSum();
  const meanLogits = [new NeumaierSum(), new NeumaierSum()];
  const tokens = [0, 0];
  let correct = 0;
  for (let i = 0; i < positions.count; i++) {
    const rejected = positions.b[i] < half ? 0 : 1;
    entropy.add(moments[4 * i + 1]);
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
