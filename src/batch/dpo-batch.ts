import { LuceError } from "../errors.js";
import type { DpoLossOptions, DpoLossResult } from "../losses/dpo.js";
import { dpoOnHalves, logitsGradient, referenceLogpsOf } from "./batch-scoring.js";
import { readScoring } from "./scoring.js";
import { scoreAll, type SequenceLogProbsOptions } from "./sequence-log-probs.js";
import type { LabelsView, LogitsView } from "./tensor-view.js";

/** A DPO batch as the original code builds it: chosen responses first, then rejected, along the batch. */
export interface DpoBatchInputs {
  /** Policy logits [2N, T, V]: rows 0..N−1 chosen, N..2N−1 rejected. */
  readonly policyLogits: LogitsView;
  /** Reference logits of the same shape (or give `referenceLogps`). */
  readonly referenceLogits?: LogitsView;
  /** Reference sequence log-probs [2N] (chosen then rejected), when precomputed. */
  readonly referenceLogps?: ArrayLike<number>;
  /** Token ids [2N, T]. */
  readonly labels: LabelsView | ArrayLike<number>[];
}

/** Options of {@link dpoBatch}: the loss's and the log-probs', plus the gradient request. */
export interface DpoBatchOptions extends DpoLossOptions, SequenceLogProbsOptions {
  /**
   * Also return ∂(Σ losses)/∂ policy logits, [2N, T, V] row-major; default false. Pass an array of
   * that length (Float32Array on the float32 path, Float64Array on the float64 path) to have it
   * written there: a training loop then reuses one buffer instead of touching fresh memory each step.
   */
  readonly gradient?: boolean | Float32Array | Float64Array;
}

/** What {@link dpoBatch} returns: `dpoLoss`'s result, the sequence log-probs, and on request the logits gradient. */
export interface DpoBatchResult extends DpoLossResult {
  /** Policy sequence log-probs [2N]. */
  readonly policyLogps: Float64Array;
  /** Reference sequence log-probs [2N]. */
  readonly referenceLogps: Float64Array;
  /**
   * ∂(Σ losses)/∂ policy logits, row-major [2N, T, V]: g · (onehot(label) − softmax) at each scored
   * position; Float32Array on the float32 path (the WebAssembly kernel), Float64Array on the float64 path.
   */
  readonly gradLogits?: Float32Array | Float64Array;
}

/**
 * DPO quantities for a batch of model outputs: sequence log-probabilities of the policy (and
 * reference) from logits, then {@link luce!dpoLoss} on the chosen/rejected halves (token counts are
 * passed as lengths, for `ipo` and `sigmoid_norm`), and on request the gradient of the summed
 * loss with respect to the policy logits: at a scored position with label y,
 * g_b · (onehot(y) − softmax(logits[b, t])), where g_b is the loss's gradient for sequence b
 * (divided by its token count when `average`).
 *
 * @param inputs - policy logits, reference logits or log-probs, labels
 * @param options - the loss (β, lossType, …), the scoring (mask, shift, …) and `gradient`
 * @returns the loss result with the log-probs and the optional logits gradient
 * @throws {@link luce!LuceError} for an odd batch, shape mismatches, bad logits or labels, bad loss options
 * @example
 * ```ts
 * const logits = { data: new Float32Array(2 * 2 * 3).map((_, i) => Math.sin(i)), shape: [2, 2, 3] };
 * const r = await dpoBatch({ policyLogits: logits, referenceLogps: [-1, -1], labels: [[0, 1], [0, 2]] }, { beta: 0.1, gradient: true });
 * r.losses.length; // 1 pair
 * ```
 */
export async function dpoBatch(inputs: DpoBatchInputs, options: DpoBatchOptions): Promise<DpoBatchResult> {
  const fn = "dpoBatch";
  if (inputs === null || typeof inputs !== "object") throw new LuceError(fn, "inputs", "must be an object");
  if (options === null || typeof options !== "object") throw new LuceError(fn, "options", "must be an object with beta");
  const policy = readScoring(fn, inputs.policyLogits, inputs.labels, options);
  const batch = policy.logits.shape[0];
  if (batch % 2 !== 0 || batch === 0) throw new LuceError(fn, "inputs.policyLogits.shape", `has batch ${batch}: chosen and rejected halves need an even, non-zero batch`);
  const policyScores = await scoreAll(fn, policy);
  const referenceLogps = await referenceLogpsOf(fn, inputs, options, policy.logits.shape);
  const n = batch / 2;
  const { logps, counts } = policyScores;
  const result = dpoOnHalves(logps, referenceLogps, counts, options);
  if (!options.gradient) return { ...result, policyLogps: logps, referenceLogps };

  const grad = logitsGradient(fn, policy, policyScores, (b) => (b < n ? result.gradPolicyChosen[b] : result.gradPolicyRejected[b - n]), options.gradient);
  return { ...result, policyLogps: logps, referenceLogps, gradLogits: grad };
}
