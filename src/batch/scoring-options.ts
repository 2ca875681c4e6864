import type { LabelsView } from "./tensor-view.js";

/** Options of {@link luce/batch!sequenceLogProbs}. */
export interface SequenceLogProbsOptions {
  /**
   * Which positions count, shape [B, T]: 1 scores the label at that position, 0 skips it. Entries must be 0 or 1
   * (booleans, and int64 0n/1n in a BigInt64Array as tokenizers give `attention_mask`, are read as such).
   */
  readonly mask?: LabelsView | ArrayLike<number>[];
  /** Label value that is never scored; default −100, as PyTorch and TRL. */
  readonly ignoreIndex?: number;
  /** Score labels[:, t + 1] with logits[:, t] (causal models, as TRL and the original DPO code); default true. */
  readonly shift?: boolean;
  /** Divide each sum by its number of scored tokens (TRL's `ipo` and length-normalised losses); default false. */
  readonly average?: boolean;
  /**
   * `"float32"`: the fast path, a WebAssembly SIMD kernel on worker threads that rounds logits to
   * float32 and sums each token's exponentials in float32 (within 1e−7 relative of float64 per
   * sequence on model-like logits; fused multiply-adds through relaxed SIMD, or
   * `LUCE_KERNEL=portable` for the same bits on every CPU); `"float64"`: a float64 kernel
   * throughout (1e−12 relative). Default `"float32"`, or `"float64"` for Float64Array logits.
   */
  readonly precision?: "float32" | "float64";
  /**
   * Threads that score the rows, the calling one included (it copies rows in for the workers and scores chunks of its
   * own, between turns of its event loop); default: the machine's parallelism, at most 4. Results do not depend on it.
   */
  readonly threads?: number;
  /**
   * `"cpu"` (default): luce's own kernels. `"webgpu"`: ONNX Runtime's WebGPU execution provider
   * (the optional peer onnxruntime-node) runs the row statistics in float32, in chunks under the
   * 128 MiB binding limit; the same accuracy contract as the float32 path.
   */
  readonly backend?: "cpu" | "webgpu";
}

/** What {@link luce/batch!sequenceTokenLogProbs} returns. */
export interface TokenLogProbs {
  /** Per sequence: the sum (or mean) of the scored tokens' log-probabilities. */
  readonly logps: Float64Array;
  /** Per sequence, per position: the token's log-probability (0 where not scored). */
  readonly tokenLogps: Float64Array[];
  /** Per sequence: the number of scored tokens. */
  readonly counts: Int32Array;
}
