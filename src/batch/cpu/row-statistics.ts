import { CONTROL_BYTES, SLOTS, kernelPool } from "./worker-pool.js";

/** Logits the kernel reads: `count` rows of `vocabulary` values, each copied on demand as float32. @internal */
export interface RowSource {
  readonly count: number;
  readonly vocabulary: number;
  /** Writes row `i` (rounded to float32) into `into[at .. at + vocabulary)`. */
  copyRow(i: number, into: Float32Array, at: number): void;
}

/** Logits per kernel block: rows are padded with −∞ to a multiple of it. */
const BLOCK = 128;
/** Bytes of rows per job: a few rows that stay in the core's L2 cache between the copy and the kernel. */
const CHUNK_BYTES = 1 << 18;

/**
 * Statistics of every row, three float64 per row: the maximum M, the rest s = Σ_{x≠M} exp(x − M)
 * and the number of ties x = M (see log-sum-exp.wat). The kernel reads only its own memory, so
 * each row is copied in (the copy also rounds to float32 and pads); the main thread copies rows
 * for the worker threads into their slots and computes its own chunk whenever they are all busy.
 * Each row's statistics depend on that row alone, so the result is the same, bit for bit, for any
 * number of threads.
 * @internal
 */
export function rowStatistics(source: RowSource, threads: number): Float64Array {
  const pool = kernelPool();
  const { count, vocabulary } = source;
  const rowLength = Math.ceil(vocabulary / BLOCK) * BLOCK;
  const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / (rowLength * 4)));
  const slotBytes = chunkRows * rowLength * 4;
  const statsAt = CONTROL_BYTES;
  const slotsAt = statsAt + Math.ceil((count * 24) / 16) * 16;
  const workers = Math.min(threads - 1, Math.ceil(count / chunkRows) - 1);
  if (workers > 0) pool.ensureWorkers(workers);
  const active = pool.workers.slice(0, Math.max(0, workers));
  const end = slotsAt + (1 + active.length * SLOTS) * slotBytes;
  if (end > 2 ** 31) throw new RangeError("luce: a vocabulary row too large for the float32 kernel's memory");
  const memory = pool.reserve(end);

  const fill = (slot: number, first: number, rows: number): number => {
    const at = (slotsAt + slot * slotBytes) / 4;
    for (let r = 0; r < rows; r++) {
      const row = at + r * rowLength;
      source.copyRow(first + r, memory, row);
      if (rowLength > vocabulary) memory.fill(-Infinity, row + vocabulary, row + rowLength);
    }
    return at * 4;
  };

  let next = 0;
  while (next < count) {
    active.forEach((worker, w) => {
      while (next < count && pool.pending(worker) < SLOTS) {
        const rows = Math.min(chunkRows, count - next);
        const p = fill(1 + w * SLOTS + (worker.posted % SLOTS), next, rows);
        pool.post(worker, p, rowLength, rows, statsAt + next * 24);
        next += rows;
      }
    });
    if (next < count) {
      const rows = Math.min(chunkRows, count - next);
      pool.rowStatistics(fill(0, next, rows), rowLength, rows, statsAt + next * 24);
      next += rows;
    }
  }
  pool.drain();
  return new Float64Array(pool.memory.buffer, statsAt, 3 * count).slice();
}
