import { requireBoolean } from "../validation/checks.js";
import { SCORING_OPTION_KEYS, snapshotOptions } from "./batch-validation.js";
import { scoreFloat32 } from "./float32-scoring.js";
import { scoreFloat64 } from "./float64-scoring.js";
import { scoreOnnx } from "./onnx-scoring.js";
import { readScoring, type ScoredBatch, type Scoring } from "./scoring.js";
import type { LabelsView, LogitsView } from "./tensor-view.js";

/** Options of {@link sequenceLogProbs}. */
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
   * Threads of the float32 path, the calling one included; default: the machine's parallelism, at most 4. Results do
   * not depend on it.
   */
  readonly threads?: number;
  /**
   * `"cpu"` (default): luce's own kernels. `"webgpu"`: ONNX Runtime's WebGPU execution provider
   * (the optional peer onnxruntime-node) runs the row statistics in float32, in chunks under the
   * 128 MiB binding limit; the same accuracy contract as the float32 path.
   */
  readonly backend?: "cpu" | "webgpu";
}

/** What {@link sequenceTokenLogProbs} returns. */
export interface TokenLogProbs {
  /** Per sequence: the sum (or mean) of the scored tokens' log-probabilities. */
  readonly logps: Float64Array;
  /** Per sequence, per position: the token's log-probability (0 where not scored). */
  readonly tokenLogps: Float64Array[];
  /** Per sequence: the number of scored tokens. */
  readonly counts: Int32Array;
}

/** Scores every position on the CPU with the kernel `precision` names (synchronously). @internal */
export function scoreOnCpu(fn: string, s: Scoring): ScoredBatch {
  return s.precision === "float64" ? scoreFloat64(fn, s) : scoreFloat32(fn, s);
}

/** Scores every position with the backend and kernel the options name. @internal */
export async function scoreAll(fn: string, s: Scoring): Promise<ScoredBatch> {
  return s.backend === "webgpu" ? scoreOnnx(fn, s, "webgpu") : scoreOnCpu(fn, s);
}

/**
 * Per-sequence log-probabilities from model logits of shape [B, T, V] and labels [B, T]:
 * Σ_t log softmax(logits[b, t])[labels[b, t + 1]] over the scored positions (shifted as causal
 * language models are), the quantity every DPO loss starts from.
 *
 * Each vocabulary row's log-sum-exp by a WebAssembly kernel (see `precision`), its maximum's terms
 * kept apart so that peaked rows keep their digits; sums over tokens in float64 with compensation,
 * so a sequence log-prob near −5000 keeps its digits. The float64 path computes in float64
 * throughout: it agrees with a float64 reference to 1e−12 relative. An all-masked
 * sequence sums to 0 (its average is an error). float16/bfloat16 logits are read from a
 * Uint16Array with `dtype`. Strided views (scijs ndarray) are read in place.
 *
 * @param logits - [B, T, V] view
 * @param labels - [B, T] token ids (a view, or nested arrays)
 * @param options - mask, ignoreIndex, shift, average, precision, threads, backend
 * @returns one log-probability per sequence
 * @throws {@link luce!LuceError} naming the position for NaN or +Infinity logits, rows of only
 *   −Infinity, labels out of range; for shape mismatches and views outside their data
 * @example
 * ```ts
 * const logits = { data: new Float32Array([0, 0, 0, 0, Math.log(3), 0]), shape: [1, 2, 3] };
 * await sequenceLogProbs(logits, [[0, 1]]); // [log(1/3)]: labels[0][1] = 1 scored by logits[0][0]
 * ```
 */
export async function sequenceLogProbs(
  logits: LogitsView,
  labels: LabelsView | ArrayLike<number>[],
  options?: SequenceLogProbsOptions & { readonly perToken?: false },
): Promise<Float64Array>;
/**
 * {@link sequenceLogProbs} with `perToken: true`: the per-sequence sums (or means) together with
 * each position's log-probability and each sequence's token count, as {@link sequenceTokenLogProbs}
 * gives them.
 *
 * @param logits - [B, T, V] view
 * @param labels - [B, T] token ids (a view, or nested arrays)
 * @param options - as above, with `perToken: true`
 * @returns the sums (or means) with the per-token values and token counts, as {@link sequenceTokenLogProbs}
 * @throws {@link luce!LuceError} as above
 * @example
 * ```ts
 * const logits = { data: new Float32Array([0, 0, 0, 0, Math.log(3), 0]), shape: [1, 2, 3] };
 * const { logps, tokenLogps, counts } = await sequenceLogProbs(logits, [[0, 1]], { perToken: true });
 * counts[0]; // 1
 * ```
 */
export async function sequenceLogProbs(
  logits: LogitsView,
  labels: LabelsView | ArrayLike<number>[],
  options: SequenceLogProbsOptions & { readonly perToken: true },
): Promise<TokenLogProbs>;
export async function sequenceLogProbs(
  logits: LogitsView,
  labels: LabelsView | ArrayLike<number>[],
  options: SequenceLogProbsOptions & { readonly perToken?: boolean } = {},
): Promise<Float64Array | TokenLogProbs> {
  const fn = "sequenceLogProbs";
  const given = snapshotOptions(fn, options, [...SCORING_OPTION_KEYS, "perToken"]);
  const perToken = given.perToken === undefined ? false : requireBoolean(fn, "options.perToken", given.perToken);
  const { logps, tokenLogps, counts } = await scoreAll(fn, readScoring(fn, logits, labels, given));
  return perToken ? { logps, tokenLogps, counts } : logps;
}

/**
 * {@link sequenceLogProbs} with the per-token log-probabilities and token counts.
 *
 * @param logits - [B, T, V] view
 * @param labels - [B, T] token ids
 * @param options - mask, ignoreIndex, shift, average
 * @returns sums (or means), per-token values and counts
 * @throws {@link luce!LuceError} as {@link sequenceLogProbs}
 * @example
 * ```ts
 * const r = await sequenceTokenLogProbs({ data: new Float32Array(6), shape: [1, 2, 3] }, [[0, 2]]);
 * r.counts[0]; // 1
 * ```
 */
export async function sequenceTokenLogProbs(
  logits: LogitsView,
  labels: LabelsView | ArrayLike<number>[],
  options: SequenceLogProbsOptions = {},
): Promise<TokenLogProbs> {
  const fn = "sequenceTokenLogProbs";
  const given = snapshotOptions(fn, options, SCORING_OPTION_KEYS);
  const { logps, tokenLogps, counts } = await scoreAll(fn, readScoring(fn, logits, labels, given));
  return { logps, tokenLogps, counts };
}
