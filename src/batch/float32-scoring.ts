import { LuceError } from "../errors.js";
import { arenaOffset } from "./cpu/arena.js";
import { rowStatistics, rowStatisticsInPlace } from "./cpu/row-statistics.js";
import { rowSource, scoredPositions, scoreFromStatistics, type ScoredBatch, type Scoring } from "./scoring.js";

/**
 * Scores every position with the WebAssembly kernel: each scored row's maximum M, rest
 * s = Σ_{x≠M} exp(x − M) and ties n are found on the kernel's threads, in place for logits in the
 * arena ({@link allocateLogits}), else after copying each row in (rounded to float32).
 * @internal
 */
export function scoreFloat32(fn: string, s: Scoring): ScoredBatch {
  if (s.logits.shape[2] > 2 ** 27)
    throw new LuceError(
      fn,
      "logits.shape",
      `has a vocabulary of ${s.logits.shape[2]}, beyond the float32 kernel's 2^27`,
    );
  const positions = scoredPositions(fn, s);
  const vocabulary = s.logits.shape[2];
  const { contiguous, offset, stride } = s.logits;
  const inArena = contiguous === null ? null : arenaOffset(contiguous);
  if (inArena !== null) {
    // logits in the arena: every thread reads them where they lie
    const offsets = Int32Array.from(
      { length: positions.count },
      (_, i) => inArena + 4 * (offset + positions.b[i] * stride[0] + positions.t[i] * stride[1]),
    );
    const stats = rowStatisticsInPlace(offsets, vocabulary, s.threads);
    if (stats !== null) return scoreFromStatistics(fn, s, positions, stats);
  }
  return scoreFromStatistics(fn, s, positions, rowStatistics(rowSource(s, positions), s.threads));
}
