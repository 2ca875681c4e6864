import { LuceError } from "../errors.js";
import { NeumaierSum } from "../numerics/sum.js";
import { defaultThreads } from "./cpu/worker-pool.js";
import { scorePosition } from "./row-scan.js";
import type { RowSource } from "./cpu/row-statistics.js";
import type { SequenceLogProbsOptions, TokenLogProbs } from "./scoring-options.js";
import { readLabels, readMask, readScoringOptions } from "./batch-validation.js";
import { readView, type ReadableView } from "./tensor-view.js";

/** The validated problem, shared by the log-prob and gradient passes. @internal */
export interface Scoring {
  readonly logits: ReadableView;
  readonly labels: ReadableView;
  readonly mask: ReadableView | null;
  readonly ignoreIndex: number;
  readonly shift: boolean;
  readonly average: boolean;
  readonly precision: "float32" | "float64";
  readonly threads: number;
  readonly backend: "cpu" | "webgpu";
}

/** Validates the inputs of a log-prob computation (each read once; labels and mask copied). @internal */
export function readScoring(
  fn: string,
  logits: unknown,
  labels: unknown,
  options: SequenceLogProbsOptions,
  names: { readonly logits: string; readonly labels: string } = { logits: "logits", labels: "labels" },
): Scoring {
  const o = readScoringOptions(fn, options);
  const l = readView(fn, names.logits, logits, 3);
  const [b, t, vocabulary] = l.shape;
  const lab = readLabels(fn, names.labels, labels, [b, t], vocabulary, o.ignoreIndex);
  const mask = o.mask === undefined ? null : readMask(fn, "options.mask", o.mask, [b, t]);
  const precision = o.precision ?? (l.float64 ? "float64" : "float32");
  return {
    logits: l,
    labels: lab,
    mask,
    ignoreIndex: o.ignoreIndex,
    shift: o.shift,
    average: o.average,
    precision: o.backend === "webgpu" ? "float32" : precision,
    threads: o.threads ?? defaultThreads(),
    backend: o.backend,
  };
}

/** What the position bookkeeping reads of a {@link Scoring}: labels, mask and the logits' shape. @internal */
export type PositionSource = Pick<Scoring, "labels" | "mask" | "ignoreIndex" | "shift" | "average"> & {
  readonly logits: { readonly shape: readonly number[] };
};

/** Per-token results of a scoring pass, with each position's log-normaliser for the gradient. @internal */
export type ScoredBatch = TokenLogProbs & {
  /** The scored positions, in order; the arrays below are indexed like them. */
  readonly positions: ScoredPositions;
  /** Each position's log-normaliser. */
  readonly lse: Float64Array;
  /** Each position's row maximum M (the log-normaliser for rows the float64 scan scored), for the gradient. */
  readonly max: Float64Array;
  /**
   * Each position's log-normaliser above its maximum, log(n + s) (0 for rows the float64 scan scored), kept apart
   * from M so that the gradient's exp(M − lse) = 1/(n + s) keeps its digits however large M is.
   */
  readonly aboveMax: Float64Array;
  /**
   * When asked (TRL's metrics, WPO's weights), four per position from the same pass: log Σ_v p_v², the softmax's
   * entropy, the first index of the largest logit and the mean logit (see logit-moments.ts).
   */
  readonly moments?: Float64Array;
};

/** The scored positions of a batch, in (b, t) order, with their labels. @internal */
export interface ScoredPositions {
  readonly b: Int32Array;
  readonly t: Int32Array;
  readonly label: Int32Array;
  readonly count: number;
}

/**
 * Lists the positions to score, in order: logits position t scores labels[:, t + 1] (t with `shift` false) unless that
 * is past the end, masked, or `ignoreIndex`; labels were checked when read (readLabels, or the model's input ids).
 * @internal
 */
export function scoredPositions(s: PositionSource): ScoredPositions {
  const [batch, length] = s.logits.shape;
  const { labels, mask } = s;
  const b = new Int32Array(batch * length);
  const t = new Int32Array(batch * length);
  const label = new Int32Array(batch * length);
  let count = 0;
  for (let i = 0; i < batch; i++) {
    for (let j = 0; j < length; j++) {
      const target = s.shift ? j + 1 : j;
      if (target >= labels.shape[1]) continue;
      const y = labels.read(labels.offset + i * labels.stride[0] + target * labels.stride[1]);
      if (mask !== null && mask.read(mask.offset + i * mask.stride[0] + target * mask.stride[1]) === 0) continue;
      if (y === s.ignoreIndex) continue;
      b[count] = i;
      t[count] = j;
      label[count++] = y;
    }
  }
  return { b, t, label, count };
}

/** Sums per-token log-probabilities into sequences (float64, compensated, in token order). */
function sequenceSums(
  fn: string,
  s: PositionSource,
  positions: ScoredPositions,
  tokenLogp: Float64Array,
): TokenLogProbs {
  const [batch, length] = s.logits.shape;
  const counts = new Int32Array(batch);
  const tokenLogps = Array.from({ length: batch }, () => new Float64Array(length));
  const sums = Array.from({ length: batch }, () => new NeumaierSum());
  for (let i = 0; i < positions.count; i++) {
    const b = positions.b[i];
    tokenLogps[b][positions.t[i]] = tokenLogp[i];
    sums[b].add(tokenLogp[i]);
    counts[b]++;
  }
  const logps = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    if (s.average && counts[b] === 0)
      throw new LuceError(
        fn,
        `${s.labels.name}[${b}]`,
        "has no scored token: its average log-probability is undefined",
      );
    logps[b] = s.average ? sums[b].value() / counts[b] : sums[b].value();
  }
  return { logps, tokenLogps, counts };
}

/** Whether a row's kernel statistics (maximum M, rest s) describe a finite row the kernel could score. @internal */
export function isValidRow(max: number, rest: number): boolean {
  return Number.isFinite(max) && rest >= 0 && rest < Infinity;
}

/**
 * log(n + s), a row's log-normaliser above its maximum, written log1p(s) for a single maximum so that a peaked row
 * keeps its digits. @internal
 */
export function logTiesPlusRest(ties: number, rest: number): number {
  return ties === 1 ? Math.log1p(rest) : Math.log(ties) + Math.log1p(rest / ties);
}

/** Copies scored row i into `into` from `at` (rounded to float32, or widened to float64, by the array). @internal */
export function rowCopier(
  s: Scoring,
  positions: ScoredPositions,
): (i: number, into: Float32Array | Float64Array, at: number) => void {
  const { read, stride, offset, shape, contiguous } = s.logits;
  const vocabulary = shape[2];
  const rowStart = (i: number) => offset + positions.b[i] * stride[0] + positions.t[i] * stride[1];
  if (contiguous !== null) {
    return (i, into, at) => {
      const base = rowStart(i);
      into.set(contiguous.subarray(base, base + vocabulary), at);
    };
  }
  return (i, into, at) => {
    const base = rowStart(i);
    for (let v = 0; v < vocabulary; v++) into[at + v] = read(base + v * stride[2]);
  };
}

/**
 * The scored rows as the CPU kernels read them: copied on demand by {@link rowCopier}; where the logits lie
 * contiguously in the element type the kernel computes in (Float32Array for `precision` "float32", Float64Array for
 * "float64"), as their bytes where they lie; and where they lie in shared memory from byte `inShared`, by their offsets
 * there.
 * @internal
 */
export function rowSource(s: Scoring, positions: ScoredPositions, inShared: number | null = null): RowSource {
  const { stride, offset, shape, contiguous } = s.logits;
  const vocabulary = shape[2];
  const kernelType = s.precision === "float64" ? Float64Array : Float32Array;
  const raw = contiguous instanceof kernelType ? contiguous : null;
  const rowStart = (i: number) => offset + positions.b[i] * stride[0] + positions.t[i] * stride[1];
  return {
    ...(inShared === null || stride[2] !== 1 ? {} : { sharedOffset: (i: number) => inShared + 4 * rowStart(i) }),
    count: positions.count,
    vocabulary,
    copyRow: rowCopier(s, positions),
    rowBytes:
      raw === null
        ? undefined
        : (i) => {
            const base = rowStart(i);
            return new Uint8Array(
              raw.buffer,
              raw.byteOffset + base * raw.BYTES_PER_ELEMENT,
              vocabulary * raw.BYTES_PER_ELEMENT,
            );
          },
  };
}

/**
 * Token log-probabilities from each scored row's statistics (maximum M, rest s, ties n; three per position, as the
 * WebAssembly kernels and the ONNX graphs give them): log p = (x_label − M) − log(n + s) in float64, with x_label
 * rounded to float32 on the float32 path (as the kernel saw it), and log(n + s) written log1p(s) for a single maximum
 * so that a peaked row keeps its digits. A row flagged by a non-finite M or rest goes to the float64 scan, which names
 * a bad position (NaN, +∞, only −∞); a row the scan can score is kept on the float64 path (its plain sum overflowed)
 * and is an error on the float32 path (values beyond float32's range).
 * @internal
 */
export function scoreFromStatistics(
  fn: string,
  s: Scoring,
  positions: ScoredPositions,
  stats: Float64Array,
): ScoredBatch {
  const { read, stride, offset } = s.logits;
  const float32 = s.precision === "float32";
  const labelLogit = (i: number) => {
    const x = read(offset + positions.b[i] * stride[0] + positions.t[i] * stride[1] + positions.label[i] * stride[2]);
    return float32 ? Math.fround(x) : x;
  };
  return scoreRows(fn, s, positions, stats, labelLogit, (i, lse) => {
    const b = positions.b[i];
    const t = positions.t[i];
    const tokenLogp = scorePosition(fn, s.logits, b, t, positions.label[i], lse);
    if (float32)
      throw new LuceError(
        fn,
        `${s.logits.name}[${b}][${t}]`,
        'has values beyond the float32 range: use precision: "float64"',
      );
    return tokenLogp;
  });
}

/**
 * {@link scoreFromStatistics} with the label's logit of position i given by `labelLogit(i)`, and a row whose M or s is
 * not finite (NaN, +∞, only −∞) handed to `invalidRow(i, lse)`, which scores it (its log-normaliser in `lse[0]`) or
 * throws.
 * @internal
 */
export function scoreRows(
  fn: string,
  s: PositionSource,
  positions: ScoredPositions,
  stats: Float64Array,
  labelLogit: (i: number) => number,
  invalidRow: (i: number, lse: Float64Array) => number,
): ScoredBatch {
  const tokenLogp = new Float64Array(positions.count);
  const lse = new Float64Array(positions.count);
  const max = new Float64Array(positions.count);
  const aboveMax = new Float64Array(positions.count);
  const scanned = new Float64Array(1);
  for (let i = 0; i < positions.count; i++) {
    const m = stats[3 * i];
    const rest = stats[3 * i + 1];
    const ties = stats[3 * i + 2];
    if (!isValidRow(m, rest)) {
      tokenLogp[i] = invalidRow(i, scanned);
      lse[i] = max[i] = scanned[0];
      continue;
    }
    const shift = logTiesPlusRest(ties, rest);
    tokenLogp[i] = labelLogit(i) - m - shift;
    lse[i] = m + shift;
    max[i] = m;
    aboveMax[i] = shift;
  }
  return { ...sequenceSums(fn, s, positions, tokenLogp), positions, lse, max, aboveMax };
}
