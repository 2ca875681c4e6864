import { LuceError } from "../errors.js";
import { rowStatistics } from "./cpu/row-statistics.js";
import { rowSource, scoredPositions, scoreFromStatistics, type ScoredBatch, type Scoring } from "./scoring.js";

/**
 * Scores every position in float64: the kernel's threads find each row's maximum M, rest
 * s = Σ_{x≠M} exp(x − M) and ties n with its float64 function (rows copied in, widened to
 * float64), and {@link scoreFromStatistics} forms the log-probabilities. Each row's result depends
 * on that row alone: the same bits for any number of threads.
 * @internal
 */
export function scoreFloat64(fn: string, s: Scoring): ScoredBatch {
  // a row must fit the kernel's 32-bit memory with room to spare, as on the float32 path
  if (s.logits.shape[2] > 2 ** 26)
    throw new LuceError(
      fn,
      "logits.shape",
      `has a vocabulary of ${s.logits.shape[2]}, beyond the float64 kernel's 2^26`,
    );
  const positions = scoredPositions(fn, s);
  return scoreFromStatistics(fn, s, positions, rowStatistics(rowSource(s, positions), s.threads, "float64"));
}
