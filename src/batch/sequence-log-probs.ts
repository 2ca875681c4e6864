import { LuceError } from "../errors.js";
import { NeumaierSum } from "../numerics/sum.js";
import { readMatrix, readView, type LabelsView, type LogitsView, type ReadableView } from "./tensor-view.js";

/** Options of {@link sequenceLogProbs}. */
export interface SequenceLogProbsOptions {
  /** Which positions count, shape [B, T]: 1 scores the label at that position, 0 skips it. */
  readonly mask?: LabelsView | ArrayLike<number>[];
  /** Label value that is never scored; default −100, as PyTorch and TRL. */
  readonly ignoreIndex?: number;
  /** Score labels[:, t + 1] with logits[:, t] (causal models, as TRL and the original DPO code); default true. */
  readonly shift?: boolean;
  /** Divide each sum by its number of scored tokens (TRL's `ipo` and length-normalised losses); default false. */
  readonly average?: boolean;
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

/** The validated problem, shared by the log-prob and gradient passes. @internal */
export interface Scoring {
  readonly logits: ReadableView;
  readonly labels: ReadableView;
  readonly mask: ReadableView | null;
  readonly ignoreIndex: number;
  readonly shift: boolean;
  readonly average: boolean;
}

/** Validates the inputs of a log-prob computation. @internal */
export function readScoring(fn: string, logits: unknown, labels: unknown, options: SequenceLogProbsOptions): Scoring {
  if (options === null || typeof options !== "object") throw new LuceError(fn, "options", "must be an object");
  const l = readView(fn, "logits", logits, 3);
  const [b, t] = l.shape;
  const lab = readMatrix(fn, "labels", labels, [b, t]);
  const mask = options.mask === undefined ? null : readMatrix(fn, "options.mask", options.mask, [b, t]);
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) throw new LuceError(fn, "options.ignoreIndex", "must be an integer");
  return { logits: l, labels: lab, mask, ignoreIndex, shift: options.shift ?? true, average: options.average ?? false };
}

/**
 * Scores one position: log softmax(logits[b, t])[label] by one pass over the vocabulary with an
 * online log-sum-exp (a running maximum, rescaling the sum when it grows). −Infinity logits are
 * valid (masked vocabulary); NaN, +Infinity or a row of only −Infinity is an error naming the
 * position. Returns the log-probability and writes the row's log-normaliser to `lse[0]`.
 * @internal
 */
export function scorePosition(fn: string, s: Scoring, b: number, t: number, label: number, lse: Float64Array): number {
  const { read, stride, offset, shape, contiguous } = s.logits;
  const vocabulary = shape[2];
  const base = offset + b * stride[0] + t * stride[1];
  if (contiguous !== null) return scoreRow(fn, contiguous, base, vocabulary, label, b, t, lse);
  // a strided, half-precision or otherwise indirect row: gather it once, then the same kernel
  const row = rowScratch(vocabulary);
  for (let v = 0; v < vocabulary; v++) row[v] = read(base + v * stride[2]);
  return scoreRow(fn, row, 0, vocabulary, label, b, t, lse);
}

let scratch = new Float64Array(0);
function rowScratch(length: number): Float64Array {
  if (scratch.length < length) scratch = new Float64Array(length);
  return scratch;
}

/** The online log-sum-exp over one unit-stride row `data[base .. base + vocabulary)`. */
function scoreRow(fn: string, data: Float32Array | Float64Array, base: number, vocabulary: number, label: number, b: number, t: number, lse: Float64Array): number {
  let max = -Infinity;
  let rest = 0;
  const end = base + vocabulary;
  for (let i = base; i < end; i++) {
    const x = data[i];
    if (x > max) {
      if (x === Infinity) throw new LuceError(fn, `logits[${b}][${t}][${i - base}]`, "is +Infinity");
      if (max !== -Infinity) {
        const shrink = Math.exp(max - x);
        rest = rest * shrink + shrink;
      }
      max = x;
    } else if (x === x) {
      if (x !== -Infinity) rest += Math.exp(x - max);
    } else {
      throw new LuceError(fn, `logits[${b}][${t}][${i - base}]`, "is NaN");
    }
  }
  if (max === -Infinity) throw new LuceError(fn, `logits[${b}][${t}]`, "is −Infinity everywhere: no token has probability");
  const shift = Math.log1p(rest);
  lse[0] = max + shift;
  return data[base + label] - max - shift;
}

/** The label scored by logits position t, or null when the position is skipped. @internal */
export function labelAt(fn: string, s: Scoring, b: number, t: number): number | null {
  const target = s.shift ? t + 1 : t;
  if (target >= s.labels.shape[1]) return null;
  const index = s.labels.offset + b * s.labels.stride[0] + target * s.labels.stride[1];
  const label = s.labels.read(index);
  if (s.mask !== null && s.mask.read(s.mask.offset + b * s.mask.stride[0] + target * s.mask.stride[1]) === 0) return null;
  if (label === s.ignoreIndex) return null;
  if (!Number.isInteger(label) || label < 0 || label >= s.logits.shape[2]) {
    throw new LuceError(fn, `labels[${b}][${target}]`, `is ${label}, not a token id in [0, ${s.logits.shape[2]}) or ignoreIndex ${s.ignoreIndex}`);
  }
  return label;
}

/** Scores every position. @internal */
export function scoreAll(fn: string, s: Scoring): TokenLogProbs & { readonly lse: Float64Array[] } {
  const [batch, length] = s.logits.shape;
  const logps = new Float64Array(batch);
  const counts = new Int32Array(batch);
  const tokenLogps: Float64Array[] = [];
  const lses: Float64Array[] = [];
  const lse = new Float64Array(1);
  for (let b = 0; b < batch; b++) {
    const tokens = new Float64Array(length);
    const rowLse = new Float64Array(length);
    const sum = new NeumaierSum();
    for (let t = 0; t < length; t++) {
      const label = labelAt(fn, s, b, t);
      if (label === null) continue;
      tokens[t] = scorePosition(fn, s, b, t, label, lse);
      rowLse[t] = lse[0];
      sum.add(tokens[t]);
      counts[b]++;
    }
    if (s.average && counts[b] === 0) throw new LuceError(fn, `labels[${b}]`, "has no scored token: its average log-probability is undefined");
    logps[b] = s.average ? sum.value() / counts[b] : sum.value();
    tokenLogps.push(tokens);
    lses.push(rowLse);
  }
  return { logps, tokenLogps, counts, lse: lses };
}

/**
 * Per-sequence log-probabilities from model logits of shape [B, T, V] and labels [B, T]:
 * Σ_t log softmax(logits[b, t])[labels[b, t + 1]] over the scored positions (shifted as causal
 * language models are), the quantity every DPO loss starts from.
 *
 * One pass over each vocabulary row with an online log-sum-exp; sums over tokens in float64 with
 * compensation, so a sequence log-prob near −5000 keeps its digits. The JavaScript kernel computes
 * in float64 throughout: it agrees with a float64 reference to 1e−12 relative. An all-masked
 * sequence sums to 0 (its average is an error). float16/bfloat16 logits are read from a
 * Uint16Array with `dtype`. Strided views (scijs ndarray) are read in place.
 *
 * @param logits - [B, T, V] view
 * @param labels - [B, T] token ids (a view, or nested arrays)
 * @param options - mask, ignoreIndex, shift, average
 * @returns one log-probability per sequence
 * @throws {@link luce!LuceError} naming the position for NaN or +Infinity logits, rows of only
 *   −Infinity, labels out of range; for shape mismatches and views outside their data
 * @example
 * ```ts
 * const logits = { data: new Float32Array([0, 0, 0, 0, Math.log(3), 0]), shape: [1, 2, 3] };
 * await sequenceLogProbs(logits, [[0, 1]]); // [log(1/3)]: labels[0][1] = 1 scored by logits[0][0]
 * ```
 */
export async function sequenceLogProbs(logits: LogitsView, labels: LabelsView | ArrayLike<number>[], options: SequenceLogProbsOptions = {}): Promise<Float64Array> {
  const fn = "sequenceLogProbs";
  return scoreAll(fn, readScoring(fn, logits, labels, options)).logps;
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
export async function sequenceTokenLogProbs(logits: LogitsView, labels: LabelsView | ArrayLike<number>[], options: SequenceLogProbsOptions = {}): Promise<TokenLogProbs> {
  const fn = "sequenceTokenLogProbs";
  const { logps, tokenLogps, counts } = scoreAll(fn, readScoring(fn, logits, labels, options));
  return { logps, tokenLogps, counts };
}
