// The one job the CPU runtime runs, on whichever thread: kernel-worker.js runs it in the worker threads and
// row-statistics.ts on the calling thread. Plain JavaScript so that a worker thread can import it from src/ (under
// vitest) and from dist/ alike (see kernel-worker.js).

/**
 * Runs `job` (RowJob in worker-pool.ts) with `kernel`, the kernel's exports on the arena `memory`: the statistics of
 * its rows, or their scaled exponentials in place. `scratchAt` is the running thread's scratch block in the arena.
 * @param {any} kernel - the kernel's exports (rowStatisticsAt, rowStatistics64, scaledExp, scaledExp64)
 * @param {{ buffer: ArrayBufferLike }} memory - the arena
 * @param {{ op: string, float64: boolean, offsetsAt: number, count: number, rowLength: number, outAt: number }} job
 * @param {number} scratchAt - the thread's scratch block
 * @param {number} statisticsBytes - bytes of one row's statistics
 * @returns {void}
 */
export function runJob(kernel, memory, job, scratchAt, statisticsBytes) {
  const { op, float64, offsetsAt, count, rowLength, outAt } = job;
  if (op === "statistics" && !float64) {
    kernel.rowStatisticsAt(offsetsAt, count, rowLength, outAt, scratchAt);
    return;
  }
  const offsets = new Int32Array(memory.buffer, offsetsAt, count);
  if (op === "statistics") {
    for (let r = 0; r < count; r++) kernel.rowStatistics64(offsets[r], rowLength, 1, outAt + r * statisticsBytes);
    return;
  }
  // the factors (maximum, scale) of each row lie where a statistics job's results would
  const factors = new Float64Array(memory.buffer, outAt, 2 * count);
  const scaled = float64 ? kernel.scaledExp64 : kernel.scaledExp;
  for (let r = 0; r < count; r++) scaled(offsets[r], rowLength, factors[2 * r], factors[2 * r + 1], offsets[r]);
}
