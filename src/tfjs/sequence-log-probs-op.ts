import * as tf from "@tensorflow/tfjs-core";
import { LuceError } from "../errors.js";
import { logitsGradientSync } from "../batch/batch-scoring.js";
import { readScoring } from "../batch/scoring.js";
import { scoreOnCpuSync } from "../batch/sequence-log-probs.js";
import type { LabelsView } from "../batch/tensor-view.js";
import { isTensor, requireTensor } from "./tensors.js";
import { SCORING_OPTION_KEYS, snapshotOptions } from "../batch/batch-validation.js";

const OP = "sequenceLogProbsOp";
/** The options the op takes: the batch path's scoring options less `backend` (the op runs on the CPU kernels). */
const OP_OPTION_KEYS = SCORING_OPTION_KEYS.filter((key) => key !== "backend");

/** Options of {@link sequenceLogProbsOp}: those of {@link luce/batch!sequenceLogProbs} on the CPU. */
export interface SequenceLogProbsOpOptions {
  /** [B, T], 0 where a token is not scored (an attention mask): a tensor or nested arrays. */
  readonly mask?: tf.Tensor2D | ArrayLike<number>[];
  /** Label value that is never scored; default −100. */
  readonly ignoreIndex?: number;
  /** Score labels[:, t + 1] with logits[:, t]; default true. */
  readonly shift?: boolean;
  /** Divide each sum by its number of scored tokens; default false. */
  readonly average?: boolean;
  /** `"float32"` (default): luce's float32 kernel; `"float64"`: the float64 kernel. The tensors stay float32. */
  readonly precision?: "float32" | "float64";
  /** Threads of the float32 kernel; default: the machine's parallelism, at most 4. */
  readonly threads?: number;
}

/** Labels or a mask, as a tensor or nested arrays, in the form readScoring takes. */
function matrixOf(fn: string, name: string, x: unknown): LabelsView | ArrayLike<number>[] {
  if (Array.isArray(x)) return x as ArrayLike<number>[];
  if (isTensor(x)) {
    if (x.rank !== 2) throw new LuceError(fn, name, `must have rank 2, not ${x.rank}`);
    return { data: x.dataSync() as ArrayLike<number> as Int32Array, shape: x.shape };
  }
  throw new LuceError(fn, name, "must be a tfjs Tensor or nested arrays of integers");
}

/**
 * Per-sequence log-probabilities from logits [B, T, V] as a differentiable tfjs op: the value of
 * {@link luce/batch!sequenceLogProbs} on luce's CPU kernels, and as the gradient its exact
 * ∂(Σ_b dy_b · logp_b)/∂logits = dy_b · (onehot(y) − softmax(logits[b, t])) at each scored
 * position (divided by the token count with `average`), from the same pass's statistics:
 *
 * $$\log \pi(y \mid x) = \sum_t \log \operatorname{softmax}(z_t)_{y_{t+1}}.$$
 *
 * The logits are read from the tensor's backend (a download on a GPU backend).
 *
 * @param logits - float32 tensor [B, T, V]
 * @param labels - [B, T] token ids, an int32 tensor or nested arrays (no gradient)
 * @param options - mask, ignoreIndex, shift, average, precision, threads
 * @returns the [B] sequence log-probabilities, float32
 * @throws {@link luce!LuceError} for logits that are not a float32 tensor of rank 3, and whatever
 *   sequenceLogProbs rejects (NaN or +∞ logits, labels out of range, shape mismatches), named as this op's
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * const logits = tf.tensor3d([[[0, 0, 0], [Math.log(3), 0, 0]]]);
 * sequenceLogProbsOp(logits, [[0, 1]]); // [log(1/3)]
 * tf.grad((z: tf.Tensor) => sequenceLogProbsOp(z as tf.Tensor3D, [[0, 1]]))(logits); // onehot − softmax at t = 0
 * ```
 */
export function sequenceLogProbsOp(
  logits: tf.Tensor3D,
  labels: tf.Tensor2D | ArrayLike<number>[],
  options: SequenceLogProbsOpOptions = {},
): tf.Tensor1D {
  if (typeof options !== "object" || options === null) throw new LuceError(OP, "options", "must be an object");
  options = snapshotOptions(OP, options, OP_OPTION_KEYS);
  const input = requireTensor(OP, "logits", logits, 3);
  const labelsView = matrixOf(OP, "labels", labels);
  const mask = options.mask === undefined ? undefined : matrixOf(OP, "options.mask", options.mask);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const z = args[0] as tf.Tensor;
    const scoring = readScoring(OP, { data: z.dataSync() as Float32Array, shape: z.shape }, labelsView, {
      ...options,
      mask,
      backend: "cpu",
    });
    const scores = scoreOnCpuSync(OP, scoring);
    const value = tf.tensor1d(Float32Array.from(scores.logps), "float32");
    const gradFunc = (dy: tf.Tensor): tf.Tensor => {
      const upstream = dy.dataSync();
      const grad = logitsGradientSync(OP, scoring, scores, (b) => upstream[b]);
      return tf.tensor(grad instanceof Float32Array ? grad : Float32Array.from(grad), z.shape, "float32");
    };
    return { value, gradFunc };
  });
  return op(input) as tf.Tensor1D;
}
