// The one job of the CPU runtime and the layout it shares between threads: kernel-worker.js runs it in the worker
// threads and row-statistics.ts on the calling thread. Plain JavaScript so that a worker thread imports it from src/
// (under vitest) and from dist/ alike (see kernel-worker.js).

/** Bytes of one row's statistics as the kernel writes them: maximum, rest and ties, three float64. */
export const STATISTICS_BYTES = 3 * 8;
/** Bytes of one row's factors in a scale job: its maximum and its scale, two float64 where its statistics go. */
export const FACTOR_BYTES = 2 * 8;
/**
 * Bytes of one row's moments (a moments job, after every row's statistics): s₂ = Σ_{x≠M} exp(2(x − M)),
 * w = Σ exp(x − M)·(x − M), the first index of the maximum M and Σ x, four float64 (log-sum-exp.wat).
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
 * exponentials in place, or (a moments job) their statistics and moments from the same pass. Any thread may claim
 * any chunk, so none waits while another has work. Returns the chunks run.
 * @param {any} kernel - the kernel's exports (rowStatisticsAt, rowStatistics64, scaledExp, scaledExp64, and the
 *   statistics' twins rowStatisticsAtMoments, rowStatistics64Moments)
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
  if (op === "scale") {
    const offsets = new Int32Array(memory.buffer, offsetsAt, rows);
    const factors = new Float64Array(memory.buffer, job.outAt + first * FACTOR_BYTES, 2 * rows);
    const scaled = float64 ? kernel.scaledExp64 : kernel.scaledExp;
    for (let r = 0; r < rows; r++) scaled(offsets[r], rowLength, factors[2 * r], factors[2 * r + 1], offsets[r]);
    return;
  }
  const outAt = job.outAt + first * STATISTICS_BYTES;
  // a moments job writes every row's moments after every row's statistics
  const momentsAt = job.outAt + job.count * STATISTICS_BYTES + first * MOMENT_BYTES;
  const moments = op === "moments";
  if (!float64)
    return moments
      ? kernel.rowStatisticsAtMoments(offsetsAt, rows, rowLength, outAt, scratchAt, momentsAt)
      : kernel.rowStatisticsAt(offsetsAt, rows, rowLength, outAt, scratchAt);
  const offsets = new Int32Array(memory.buffer, offsetsAt, rows);
  for (let r = 0; r < rows; r++) {
    const at = outAt + r * STATISTICS_BYTES;
    if (moments) kernel.rowStatistics64Moments(offsets[r], rowLength, 1, at, momentsAt + r * MOMENT_BYTES);
    else kernel.rowStatistics64(offsets[r], rowLength, 1, at);
  }
}
