import { LuceError } from "../errors.js";
import { arenaOffset } from "./cpu/arena.js";
import { rowStatistics, rowStatisticsInPlace } from "./cpu/row-statistics.js";
import { scorePosition } from "./float64-scoring.js";
import { collectSequences, isValidRow, logTiesPlusRest, rowCopier, scoredPositions, type ScoredBatch, type ScoredPositions, type Scoring } from "./scoring.js";

/**
 * Scores every position with the WebAssembly kernel: each scored row's maximum M, rest
 * s = Σ_{x≠M} exp(x − M) and ties n are found on the kernel's threads, in place for logits in the
 * arena ({@link allocateLogits}), else after copying each row in (rounded to float32).
 * @internal
 */
export function scoreFloat32(fn: string, s: Scoring): ScoredBatch {
  if (s.logits.shape[2] > 2 ** 27) throw new LuceError(fn, "logits.shape", `has a vocabulary of ${s.logits.shape[2]}, beyond the float32 kernel's 2^27: use precision: "float64"`);
  const positions = scoredPositions(fn, s);
  const vocabulary = s.logits.shape[2];
  const { contiguous, offset, stride } = s.logits;
  const inArena = contiguous === null ? null : arenaOffset(contiguous);
  if (inArena !== null) {
    // logits in the arena: every thread reads them where they lie
    const offsets = Int32Array.from({ length: positions.count }, (_, i) => inArena + 4 * (offset + positions.b[i] * stride[0] + positions.t[i] * stride[1]));
    const stats = rowStatisticsInPlace(offsets, vocabulary, s.threads);
    if (stats !== null) return scoreFromStatistics(fn, s, positions, stats);
  }
  return scoreFromStatistics(fn, s, positions, rowStatistics({ count: positions.count, vocabulary, copyRow: rowCopier(s, positions) }, s.threads));
}

/**
 * Token log-probabilities from each scored row's statistics (maximum M, rest s, ties n; three per
 * position, as the WebAssembly kernel and the ONNX graph give them): log p = (x_label − M) −
 * log(n + s) in float64, written as log1p(s) for a single maximum so that a peaked row keeps its
 * digits. A row with a non-finite M or rest (NaN, +∞, only −∞) is rescanned by the float64
 * kernel, which throws the error naming the position.
 * @internal
 */
export function scoreFromStatistics(fn: string, s: Scoring, positions: ScoredPositions, stats: Float64Array): ScoredBatch {
  const { read, stride, offset } = s.logits;
  const tokenLogp = new Float64Array(positions.count);
  const lse = new Float64Array(positions.count);
  const maxima = new Float64Array(positions.count);
  for (let i = 0; i < positions.count; i++) {
    const max = stats[3 * i];
    maxima[i] = max;
    const rest = stats[3 * i + 1];
    const ties = stats[3 * i + 2];
    const b = positions.b[i];
    const t = positions.t[i];
    if (!isValidRow(max, rest)) reportRow(fn, s, b, t, positions.label[i]);
    const shift = logTiesPlusRest(ties, rest);
    tokenLogp[i] = Math.fround(read(offset + b * stride[0] + t * stride[1] + positions.label[i] * stride[2])) - max - shift;
    lse[i] = max + shift;
  }
  return collectSequences(fn, s, positions, tokenLogp, lse, maxima);
}

/** Throws the error for a row flagged as bad: the float64 scan names the position. */
function reportRow(fn: string, s: Scoring, b: number, t: number, label: number): never {
  scorePosition(fn, s, b, t, label, new Float64Array(1));
  // finite in float64 but not in float32
  throw new LuceError(fn, `logits[${b}][${t}]`, 'has values beyond the float32 range: use precision: "float64"');
}
