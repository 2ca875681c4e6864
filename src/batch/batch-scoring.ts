import { LuceError } from "../errors.js";
import { runBlocking, runInSlices, scaledExpRows, type RowRun } from "./cpu/row-statistics.js";
import { writeBytes } from "./cpu/worker-pool.js";
import { withSharedLogits } from "./cpu-scoring.js";
import { dpoLossOf, usesLengths, type DpoLossOptions, type DpoLossResult } from "../losses/dpo.js";
import { readSequenceLogps, requireFiniteSequenceLogps } from "./batch-validation.js";
import { NeumaierSum } from "../numerics/sum.js";
import { readScoring, rowSource, type ScoredBatch, type ScoredPositions, type Scoring } from "./scoring.js";
import { scoreAll, type SequenceLogProbsOptions } from "./sequence-log-probs.js";
import type { LabelsView, LogitsView } from "./tensor-view.js";

/** What every batch loss scores: the policy's logits [B, T, V], the reference's or its log-probs, and the labels. */
export interface PolicyBatchInputs {
  /** Policy logits [B, T, V]. */
  readonly policyLogits: LogitsView;
  /** Reference logits of the same shape (or give `referenceLogps`). */
  readonly referenceLogits?: LogitsView;
  /** Reference sequence log-probs [B], when precomputed. */
  readonly referenceLogps?: ArrayLike<number>;
  /** Token ids [B, T]. */
  readonly labels: LabelsView | ArrayLike<number>[];
}

/** The scoring options of a batch loss, and its gradient request. */
export interface PolicyBatchOptions extends SequenceLogProbsOptions {
  /**
   * Also return ∂(Σ losses)/∂ policy logits, [B, T, V] row-major; default false. Pass an array of
   * that length (Float32Array on the float32 path, Float64Array on the float64 path) to have it
   * written there: a training loop then reuses one buffer instead of touching fresh memory each step.
   */
  readonly gradient?: boolean | Float32Array | Float64Array;
}

/** What every batch loss returns beside its loss: the sequence log-probs and, on request, the logits gradient. */
export interface PolicyBatchLogps {
  /** Policy sequence log-probs [B]. */
  readonly policyLogps: Float64Array;
  /** Reference sequence log-probs [B]. */
  readonly referenceLogps: Float64Array;
  /**
   * ∂(Σ losses)/∂ policy logits, row-major [B, T, V]: g · (onehot(label) − softmax) at each scored
   * position; Float32Array on the float32 path (the WebAssembly kernel), Float64Array on the float64 path.
   */
  readonly gradLogits?: Float32Array | Float64Array;
}

/**
 * Per scored position (indexed like `positions`), the factor its token log-prob enters its sequence's log-prob with;
 * given the positions and each sequence's token count. @internal
 */
export type PositionWeights = (positions: ScoredPositions, counts: Int32Array) => Float64Array;

/**
 * Σ_i weight_i · log p_i over each sequence's scored positions (float64, compensated, in token order). @internal
 */
export function weightedSequenceLogps(scores: ScoredBatch, weights: Float64Array): Float64Array {
  const { positions, tokenLogps } = scores;
  const sums = Array.from({ length: tokenLogps.length }, () => new NeumaierSum());
  for (let i = 0; i < positions.count; i++)
    sums[positions.b[i]].add(weights[i] * tokenLogps[positions.b[i]][positions.t[i]]);
  return Float64Array.from(sums, (sum) => sum.value());
}

/**
 * The steps every batch loss shares: validate, score the policy (after `checkBatch` has vetted
 * its batch size) and the reference, apply `loss` to the sequence log-probs (finite, or an error), and on request form
 * the logits gradient from the loss's gradient for each sequence, `sequenceGradient(b)`. With `positionWeights`
 * (LD-DPO), each sequence log-prob, the policy's and the reference's, is the weighted sum of its token log-probs
 * and each position's gradient carries its weight; the positions of both are the same (the same labels and mask).
 * With `withMoments`, the policy's scoring pass also gives each row's moments (`policyScores.moments`, for TRL's
 * metrics and WPO).
 * @internal
 */
export async function lossOnPolicyBatch<R>(
  fn: string,
  inputs: PolicyBatchInputs,
  options: PolicyBatchOptions,
  checkBatch: (batch: number) => void,
  loss: (
    policyLogps: Float64Array,
    referenceLogps: Float64Array,
    counts: Int32Array,
    policyScores: ScoredBatch,
  ) => { result: R; sequenceGradient: (b: number) => number },
  positionWeights?: PositionWeights,
  withMoments = false,
): Promise<R & PolicyBatchLogps> {
  const policy = readScoring(fn, inputs.policyLogits, inputs.labels, options, {
    logits: "inputs.policyLogits",
    labels: "inputs.labels",
  });
  checkBatch(policy.logits.shape[0]);
  const scores = await scoreAll(fn, policy, withMoments);
  const weights = positionWeights?.(scores.positions, scores.counts);
  const sequenceLogps = (s: ScoredBatch) => (weights === undefined ? s.logps : weightedSequenceLogps(s, weights));
  const policyLogps = sequenceLogps(scores);
  const referenceLogps = await referenceLogpsOf(fn, inputs, options, policy.logits.shape, sequenceLogps);
  requireFiniteSequenceLogps(fn, "inputs.policyLogits", policyLogps);
  requireFiniteSequenceLogps(fn, "inputs.referenceLogits", referenceLogps);
  const { result, sequenceGradient } = loss(policyLogps, referenceLogps, scores.counts, scores);
  const logps = { policyLogps, referenceLogps };
  if (!options.gradient) return { ...result, ...logps };
  const gradLogits = await runInSlices(
    fn,
    logitsGradient(fn, policy, scores, sequenceGradient, options.gradient, weights),
  );
  return { ...result, ...logps, gradLogits };
}

/**
 * The reference sequence log-probs of a batch: scored from reference logits of the policy's shape,
 * or taken as given.
 * @internal
 */
async function referenceLogpsOf(
  fn: string,
  inputs: PolicyBatchInputs,
  options: SequenceLogProbsOptions,
  policyShape: readonly number[],
  sequenceLogps: (scores: ScoredBatch) => Float64Array,
): Promise<Float64Array> {
  const [batch, , vocabulary] = policyShape;
  if (inputs.referenceLogits !== undefined) {
    const reference = readScoring(fn, inputs.referenceLogits, inputs.labels, options, {
      logits: "inputs.referenceLogits",
      labels: "inputs.labels",
    });
    if (reference.logits.shape[0] !== batch || reference.logits.shape[2] !== vocabulary)
      throw new LuceError(fn, "inputs.referenceLogits.shape", "must equal the policy logits' shape");
    return sequenceLogps(await scoreAll(fn, reference));
  }
  if (inputs.referenceLogps !== undefined) {
    return readSequenceLogps(fn, "inputs.referenceLogps", inputs.referenceLogps, batch);
  }
  throw new LuceError(fn, "inputs.referenceLogits", "or inputs.referenceLogps is required");
}

/**
 * ∂(Σ losses)/∂ logits, row-major [B, T, V]: at each scored position with label y,
 * g_b · (onehot(y) − softmax(logits[b, t])), where g_b is the loss's gradient for sequence b's
 * log-prob (divided by its token count when the log-probs were averaged). The softmax reuses the
 * scoring pass's statistics: the kernel's threads write c·exp(x − M) with c = −g_b·exp(M − lse)
 * (= −g_b/(n + s), formed from log(n + s) kept apart from M, so that it holds for any M), float32 on the float32
 * path and float64 on the float64 path. With `weights` (per scored position), position i's gradient is weight_i times
 * its sequence's. A run: drive it with runInSlices, or {@link logitsGradientSync}.
 * @internal
 */
export function logitsGradient(
  fn: string,
  policy: Scoring,
  scores: ScoredBatch,
  sequenceGradient: (b: number) => number,
  into: unknown = true,
  weights?: Float64Array,
): RowRun<Float32Array | Float64Array> {
  const [batch, length, vocabulary] = policy.logits.shape;
  const float32 = policy.precision === "float32";
  const size = batch * length * vocabulary;
  let grad: Float32Array | Float64Array;
  if (into === true) grad = float32 ? new Float32Array(size) : new Float64Array(size);
  else if ((float32 && into instanceof Float32Array) || (!float32 && into instanceof Float64Array)) {
    grad = into;
    if (grad.length !== size)
      throw new LuceError(fn, "options.gradient", `has length ${grad.length}, not the logits' ${size}`);
  } else
    throw new LuceError(
      fn,
      "options.gradient",
      `must be true or a ${float32 ? "Float32Array (the float32 path)" : "Float64Array (the float64 path)"} of the logits' length`,
    );
  const { positions, max, aboveMax } = scores;
  const sequenceGradientOf = (b: number) =>
    policy.average ? sequenceGradient(b) / scores.counts[b] : sequenceGradient(b);
  const gradientOf = (i: number) =>
    weights === undefined ? sequenceGradientOf(positions.b[i]) : weights[i] * sequenceGradientOf(positions.b[i]);
  const rowOf = (i: number) => (positions.b[i] * length + positions.t[i]) * vocabulary;
  if (into !== true) {
    // a reused buffer: rows that score nothing are zeroed, the others are overwritten below
    const scored = new Uint8Array(batch * length);
    for (let i = 0; i < positions.count; i++) scored[positions.b[i] * length + positions.t[i]] = 1;
    for (let row = 0; row < batch * length; row++)
      if (scored[row] === 0) grad.fill(0, row * vocabulary, (row + 1) * vocabulary);
  }
  const scales = Float64Array.from({ length: positions.count }, (_, i) => -gradientOf(i) * Math.exp(-aboveMax[i]));
  const gradBytes = Buffer.from(grad.buffer, grad.byteOffset, grad.byteLength);
  const write = (i: number, row: Uint8Array) => writeBytes(gradBytes, rowOf(i) * grad.BYTES_PER_ELEMENT, row);
  return withSharedLogits(fn, policy, function* () {
    const source = rowSource(policy, positions);
    yield* scaledExpRows(fn, source, max, scales, policy.threads, write, policy.precision);
    for (let i = 0; i < positions.count; i++) grad[rowOf(i) + positions.label[i]] += gradientOf(i);
    return grad;
  });
}

/** {@link logitsGradient} blocking the calling thread until done, for callers that cannot await (tfjs). @internal */
export function logitsGradientSync(
  fn: string,
  policy: Scoring,
  scores: ScoredBatch,
  sequenceGradient: (b: number) => number,
): Float32Array | Float64Array {
  return runBlocking(fn, logitsGradient(fn, policy, scores, sequenceGradient));
}

/**
 * dpoLoss on a batch laid out as the original code lays it out, chosen sequences first, then
 * rejected; token counts become the lengths that `ipo` and `sigmoid_norm` normalise by.
 * @internal
 */
export function dpoOnHalves(
  policyLogps: Float64Array,
  referenceLogps: Float64Array,
  counts: Int32Array,
  options: DpoLossOptions,
): DpoLossResult {
  const n = policyLogps.length / 2;
  const lengths = (from: number) => Float64Array.from({ length: n }, (_, i) => counts[from + i]);
  return dpoLossOf(
    "dpoLoss",
    {
      policyChosenLogps: policyLogps.subarray(0, n),
      policyRejectedLogps: policyLogps.subarray(n),
      referenceChosenLogps: referenceLogps.subarray(0, n),
      referenceRejectedLogps: referenceLogps.subarray(n),
      ...(usesLengths(options.lossType) ? { chosenLengths: lengths(0), rejectedLengths: lengths(n) } : {}),
    },
    options,
  );
}
