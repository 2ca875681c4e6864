import { requireBoolean } from "../validation/checks.js";
import { SCORING_OPTION_KEYS, snapshotOptions } from "./batch-validation.js";
import { runBlocking, runInSlices } from "./cpu/row-statistics.js";
import { scoreOnCpu } from "./cpu-scoring.js";
import { scoreOnnx } from "./onnx-scoring.js";
import { readScoring, type ScoredBatch, type Scoring } from "./scoring.js";
import type { SequenceLogProbsOptions, TokenLogProbs } from "./scoring-options.js";
import type { LabelsView, LogitsView } from "./tensor-view.js";

export type { SequenceLogProbsOptions, TokenLogProbs };

/**
 * Scores every position on the CPU, blocking the calling thread until done: the synchronous variant, for callers
 * that cannot await (a tfjs kernel). @internal
 */
export function scoreOnCpuSync(fn: string, s: Scoring): ScoredBatch {
  return runBlocking(fn, scoreOnCpu(fn, s));
}

/**
 * Scores every position with the backend and kernel the options name, with `withMoments` each row's moments too (from
 * the same pass); on the CPU the event loop keeps running meanwhile (the calling thread works in short slices and
 * waits for the workers asynchronously). @internal
 */
export async function scoreAll(fn: string, s: Scoring, withMoments = false): Promise<ScoredBatch> {
  return s.backend === "webgpu"
    ? scoreOnnx(fn, s, "webgpu", withMoments)
    : runInSlices(fn, scoreOnCpu(fn, s, withMoments));
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
