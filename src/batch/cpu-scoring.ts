import { LuceError } from "../errors.js";
import { readInPlace } from "./cpu/shared-memory.js";
import { rowStatistics, type RowRun } from "./cpu/row-statistics.js";
import { momentsOfRows } from "./logit-moments.js";
import {
  rowCopier,
  rowSource,
  scoredPositions,
  scoreFromStatistics,
  type ScoredBatch,
  type Scoring,
} from "./scoring.js";

/**
 * The longest row each kernel takes: a row must fit the kernel's 32-bit memory with room to spare (2^27 float32 and
 * 2^26 float64 are 512 MiB each).
 */
const MAX_VOCABULARY = { float32: 2 ** 27, float64: 2 ** 26 } as const;

/**
 * Runs `body` with the logits' place in shared memory (null when they lie elsewhere), marked as read in place until it
 * ends and one step more, so that releaseLogits on them meanwhile is an error; logits given back already are a
 * LuceError. The extra step keeps the mark past the call's synchronous part even where the body ends within it (no
 * row to score, or the workers done with every chunk before the calling thread looks), so that releaseLogits right
 * after a call is a LuceError whatever the threads' speed.
 * @internal
 */
export function* withSharedLogits<T>(fn: string, s: Scoring, body: (inShared: number | null) => RowRun<T>): RowRun<T> {
  const place = s.logits.contiguous === null ? null : readInPlace(fn, s.logits.name, s.logits.contiguous);
  try {
    const result = yield* body(place === null ? null : place.offset);
    if (place !== null) yield null;
    return result;
  } finally {
    place?.done();
  }
}

/**
 * Scores every position on the CPU with the WebAssembly kernel of `s.precision`: each scored row's maximum M, rest
 * s = Σ_{x≠M} exp(x − M) and ties n are found on the kernel's threads, rows read in place for float32 logits in the
 * shared memory ({@link allocateLogits}), else copied in once (rounded to float32, or widened to float64), and
 * {@link scoreFromStatistics} forms the log-probabilities; with `withMoments`, the same pass gives each row's moments
 * (momentsOfRows). Each row's result depends on that row alone: the same bits for any number of threads. A run: drive
 * it with runInSlices (asynchronous) or runBlocking.
 * @internal
 */
export function scoreOnCpu(fn: string, s: Scoring, withMoments = false): RowRun<ScoredBatch> {
  const vocabulary = s.logits.shape[2];
  if (vocabulary > MAX_VOCABULARY[s.precision])
    throw new LuceError(
      fn,
      `${s.logits.name}.shape`,
      `has a vocabulary of ${vocabulary}, beyond the ${s.precision} kernel's 2^${Math.log2(MAX_VOCABULARY[s.precision])}`,
    );
  const positions = scoredPositions(s);
  return withSharedLogits(fn, s, function* (inShared) {
    const source = rowSource(s, positions, s.precision === "float32" ? inShared : null);
    const { statistics, moments } = yield* rowStatistics(fn, source, s.threads, s.precision, withMoments);
    const scores = scoreFromStatistics(fn, s, positions, statistics);
    return moments === undefined
      ? scores
      : { ...scores, moments: momentsOfRows(vocabulary, scores, statistics, moments, rowCopier(s, positions), true) };
  });
}
