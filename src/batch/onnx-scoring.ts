import { LuceError } from "../errors.js";
import { rowStatisticsModel, TOTAL_SCALE } from "./onnx/row-statistics-graph.js";
import { graphSession, onnxRuntime, type ExecutionProvider } from "./onnx/runtime.js";
import { momentsOfRows } from "./logit-moments.js";
import { rowCopier, scoredPositions, scoreFromStatistics, type ScoredBatch, type Scoring } from "./scoring.js";

/** A WebGPU storage binding holds at most 128 MiB (maxStorageBufferBindingSize); chunks stay below it. */
const BINDING_BYTES = 128 * 2 ** 20;
const CHUNK_BYTES = 120 * 2 ** 20;

/**
 * Scores every position on ONNX Runtime (`provider` "webgpu", or "cpu" where no adapter is
 * needed) with the row-statistics graph, in chunks of scored rows under the WebGPU binding limit:
 * past it Dawn reports validation errors and returns garbage without throwing. Rows that lie
 * consecutively in float32 data are handed over as views; others are gathered first. With `withMoments`, the same
 * graph run gives each row's moments too (momentsOfRows).
 * @internal
 */
export async function scoreOnnx(
  fn: string,
  s: Scoring,
  provider: ExecutionProvider,
  withMoments = false,
): Promise<ScoredBatch> {
  const positions = scoredPositions(s);
  const vocabulary = s.logits.shape[2];
  if (vocabulary * 4 > BINDING_BYTES)
    throw new LuceError(
      fn,
      `${s.logits.name}.shape`,
      `has a vocabulary of ${vocabulary}: one float32 row exceeds the 128 MiB a WebGPU binding holds`,
    );
  const [runtime, session] = await Promise.all([
    onnxRuntime(fn, "options.backend"),
    graphSession(
      fn,
      "options.backend",
      withMoments ? "row-statistics-moments" : "row-statistics",
      () => rowStatisticsModel(withMoments),
      provider,
    ),
  ]);
  const { offset, stride, contiguous } = s.logits;
  const rowStart = (i: number) => offset + positions.b[i] * stride[0] + positions.t[i] * stride[1];
  const copyRow = rowCopier(s, positions);
  const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / (vocabulary * 4)));
  const stats = new Float64Array(3 * positions.count);
  const moments = withMoments ? new Float64Array(4 * positions.count) : null;
  for (let first = 0; first < positions.count; first += chunkRows) {
    const rows = Math.min(chunkRows, positions.count - first);
    let data: Float32Array;
    const start = rowStart(first);
    let consecutive = contiguous instanceof Float32Array && stride[2] === 1;
    for (let r = 1; consecutive && r < rows; r++) consecutive = rowStart(first + r) === start + r * vocabulary;
    if (consecutive) {
      data = (contiguous as Float32Array).subarray(start, start + rows * vocabulary);
    } else {
      data = new Float32Array(rows * vocabulary);
      for (let r = 0; r < rows; r++) copyRow(first + r, data, r * vocabulary);
    }
    const labels = BigInt64Array.from(positions.label.subarray(first, first + rows), (y) => BigInt(y));
    const out = await session.run({
      logits: new runtime.Tensor("float32", data, [rows, vocabulary]),
      labels: new runtime.Tensor("int64", labels, [rows, 1]),
    });
    const [max, rest, ties] = [out.max.data, out.rest.data, out.ties.data] as Float32Array[];
    for (let r = 0; r < rows; r++) {
      stats[3 * (first + r)] = max[r];
      stats[3 * (first + r) + 1] = rest[r];
      stats[3 * (first + r) + 2] = ties[r];
    }
    if (moments !== null) {
      const [squares, weighted, total] = [out.squares.data, out.weighted.data, out.total.data] as Float32Array[];
      const argmax = out.argmax.data as BigInt64Array;
      for (let r = 0; r < rows; r++)
        moments.set([squares[r], weighted[r], Number(argmax[r]), total[r] / TOTAL_SCALE], 4 * (first + r));
    }
  }
  const scores = scoreFromStatistics(fn, s, positions, stats);
  return moments === null ? scores : { ...scores, moments: momentsOfRows(vocabulary, scores, stats, moments, copyRow) };
}
