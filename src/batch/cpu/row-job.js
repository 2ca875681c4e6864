// The one job of the CPU runtime and the layout it shares between threads: kernel-worker.js runs it in the worker
// threads and row-statistics.ts on the calling thread. Plain JavaScript so that a worker thread imports it from src/
// (under vitest) and from dist/ alike (see kernel-worker.js).

/** Bytes of one row's statistics as the kernel writes them: maximum, rest and ties, three float64. */
export const STATISTICS_BYTES = 3 * 8;
/** Bytes of one row's factors in a scale job: its maximum and its scale, two float64 where its statistics go. */
export const FACTOR_BYTES = 2 * 8;
/**
 * Bytes of one row's moments (a moments job): its maximum M in, then Σ exp(2(x − M)), Σ exp(x − M)·(x − M) (the
 * kernel's rowMoments, rowMoments64), the first index of the maximum and the mean of x out, four float64.
 */
export const MOMENT_BYTES = 4 * 8;
/** Bytes of one row's entry in a job's offset table: an Int32 byte offset into the shared memory. */
export const OFFSET_BYTES = 4;
/**
 * A call's control words (Int32, shared by its threads): the next chunk to claim, the chunks staged so far, the
 * chunks finished, then one word per chunk, set once it is finished.
 */
export const CALL_WORDS = { next: 0, staged: 1, finished: 2, chunkDone: 3 };

/**
 * Claims chunks of `job` (RowJob in worker-pool.ts) that are staged and not yet claimed, up to `limit` of them, and
 * runs each with `kernel`, the kernel's exports on the shared `memory`: the statistics of its rows, or their scaled
 * exponentials in place. Any thread may claim any chunk, so none waits while another has work. Returns the chunks run.
 * @param {any} kernel - the kernel's exports (rowStatisticsAt, rowStatistics64, scaledExp, scaledExp64, rowMoments,
 *   rowMoments64)
 * @param {{ buffer: ArrayBufferLike }} memory - the shared memory
 * @param {{ op: string, float64: boolean, offsetsAt: number, count: number, rowLength: number, outAt: number,
 *   chunkRows: number, control: SharedArrayBuffer }} job - the call's job
 * @param {number} scratchAt - the running thread's scratch block
 * @param {number} limit - chunks to run at most
 * @returns {number} the chunks run
 */
export function runChunks(kernel, memory, job, scratchAt, limit) {
  const control = new Int32Array(job.control);
  let ran = 0;
  while (ran < limit) {
    const chunk = Atomics.load(control, CALL_WORDS.next);
    if (chunk >= Atomics.load(control, CALL_WORDS.staged)) break;
    if (Atomics.compareExchange(control, CALL_WORDS.next, chunk, chunk + 1) !== chunk) continue;
    const first = chunk * job.chunkRows;
    runRows(kernel, memory, job, first, Math.min(job.chunkRows, job.count - first), scratchAt);
    Atomics.store(control, CALL_WORDS.chunkDone + chunk, 1);
    Atomics.add(control, CALL_WORDS.finished, 1);
    Atomics.notify(control, CALL_WORDS.finished);
    ran++;
  }
  return ran;
}

/** Runs `job` on its rows first..first+rows−1 (see {@link runChunks}). */
function runRows(kernel, memory, job, first, rows, scratchAt) {
  const { op, float64, rowLength } = job;
  const offsetsAt = job.offsetsAt + first * OFFSET_BYTES;
  if (op === "statistics") {
    const outAt = job.outAt + first * STATISTICS_BYTES;
    if (!float64) return kernel.rowStatisticsAt(offsetsAt, rows, rowLength, outAt, scratchAt);
    const offsets = new Int32Array(memory.buffer, offsetsAt, rows);
    for (let r = 0; r < rows; r++) kernel.rowStatistics64(offsets[r], rowLength, 1, outAt + r * STATISTICS_BYTES);
    return;
  }
  const offsets = new Int32Array(memory.buffer, offsetsAt, rows);
  if (op === "moments") {
    const moments = new Float64Array(memory.buffer, job.outAt + first * MOMENT_BYTES, 4 * rows);
    const Row = float64 ? Float64Array : Float32Array;
    const kernelMoments = float64 ? kernel.rowMoments64 : kernel.rowMoments;
    for (let r = 0; r < rows; r++) {
      const max = moments[4 * r];
      kernelMoments(offsets[r], rowLength, max, job.outAt + (first + r) * MOMENT_BYTES);
      const row = new Row(memory.buffer, offsets[r], rowLength);
      moments[4 * r + 2] = firstIndexOfMaximum(row, max);
      moments[4 * r + 3] /= rowLength;
    }
    return;
  }
  const factors = new Float64Array(memory.buffer, job.outAt + first * FACTOR_BYTES, 2 * rows);
  const scaled = float64 ? kernel.scaledExp64 : kernel.scaledExp;
  for (let r = 0; r < rows; r++) scaled(offsets[r], rowLength, factors[2 * r], factors[2 * r + 1], offsets[r]);
}

/**
 * The first index of the largest entry of `row`, whose maximum the statistics pass found as `max` (a row the float64
 * scan scored has its log-normaliser there instead, above every entry: then the row is searched).
 * @param {Float32Array | Float64Array} row - the row
 * @param {number} max - its maximum, as the statistics pass found it
 * @returns {number} the index
 */
function firstIndexOfMaximum(row, max) {
  const at = row.indexOf(max);
  if (at >= 0) return at;
  let best = 0;
  for (let v = 1; v < row.length; v++) if (row[v] > row[best]) best = v;
  return best;
}
