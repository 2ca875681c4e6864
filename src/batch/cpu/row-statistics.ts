import { kernelPool, reserve } from "./worker-pool.js";

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
/** Chunks per worker job: larger jobs spend less on handing buffers back and forth. */
const JOB_CHUNKS = 4;

/**
 * Statistics of every row, three float64 per row: the maximum M, the rest s = Σ_{x≠M} exp(x − M)
 * and the number of ties x = M (see log-sum-exp.wat). The kernel reads only its own memory, so
 * each row is copied in (the copy also rounds to float32 and pads). The main thread fills a free
 * buffer for each worker thread that has one and scores a chunk itself when they are all busy.
 * Each row's statistics depend on that row alone, so the result is the same, bit for bit, for any
 * number of threads.
 * @internal
 */
export function rowStatistics(source: RowSource, threads: number): Float64Array {
  const pool = kernelPool();
  const { count, vocabulary } = source;
  const rowLength = Math.ceil(vocabulary / BLOCK) * BLOCK;
  const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / (rowLength * 4)));
  const chunkBytes = chunkRows * rowLength * 4;
  const workers = pool.workersFor(Math.max(0, Math.min(threads - 1, Math.ceil(count / chunkRows) - 1)));
  const local = reserve(pool.local.memory, chunkBytes + chunkRows * 24);
  const shared = new SharedArrayBuffer(workers.length > 0 ? count * 24 : 0);
  const stats = new Float64Array(3 * count);

  const fill = (memory: Float32Array, first: number, rows: number): void => {
    for (let r = 0; r < rows; r++) {
      const at = r * rowLength;
      source.copyRow(first + r, memory, at);
      if (rowLength > vocabulary) memory.fill(-Infinity, at + vocabulary, at + rowLength);
    }
  };

  const posted: number[] = []; // first row and row count of each worker job
  let next = 0;
  while (next < count) {
    for (const worker of workers) {
      while (next < count) {
        const buffer = pool.freeBuffer(worker, chunkBytes * JOB_CHUNKS);
        if (buffer === null) break;
        const rows = Math.min(chunkRows * JOB_CHUNKS, count - next);
        fill(new Float32Array(buffer), next, rows);
        pool.post(worker, { buffer, rows, rowLength, stats: shared, statsAt: next * 24 });
        posted.push(next, rows);
        next += rows;
      }
    }
    if (next < count) {
      const rows = Math.min(chunkRows, count - next);
      fill(local, next, rows);
      pool.local.rowStatistics(0, rowLength, rows, chunkBytes);
      stats.set(new Float64Array(pool.local.memory.buffer, chunkBytes, 3 * rows), 3 * next);
      next += rows;
    }
  }
  pool.drain();
  for (let j = 0; j < posted.length; j += 2) stats.set(new Float64Array(shared, posted[j] * 24, 3 * posted[j + 1]), 3 * posted[j]);
  return stats;
}
