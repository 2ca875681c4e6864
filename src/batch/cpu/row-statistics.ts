import { arenaAllocate, arenaRelease } from "./arena.js";
import { ARENA_COUNTER, INBOX_BYTES, SLOTS, kernelPool, reserve, writeBytes, type PoolWorker } from "./worker-pool.js";

/** Logits the kernel reads: `count` rows of `vocabulary` values, each copied on demand. @internal */
export interface RowSource {
  readonly count: number;
  readonly vocabulary: number;
  /** Writes row `i` into `into[at .. at + vocabulary)` (rounded to float32, or widened to float64, by the array). */
  copyRow(i: number, into: Float32Array | Float64Array, at: number): void;
  /** Row `i`'s bytes where they lie, when they are already the kernel's element type (else absent). */
  readonly rowBytes?: (i: number) => Uint8Array;
}

/** Logits per block of the float32 kernel's statistics: rows are padded with −∞ to a multiple of it. */
const BLOCK = 128;

/** `vocabulary` rounded up to a multiple of `multiple`: a row's length in the kernel's memory. */
function padded(vocabulary: number, multiple: number): number {
  return Math.ceil(vocabulary / multiple) * multiple;
}

/** Bytes of rows per job: a few rows that stay in the core's L2 cache between the copy and the kernel. */
const CHUNK_BYTES = 1 << 18;
/** Chunks per worker job: larger jobs spend less on handing jobs over. */
const JOB_CHUNKS = 4;

/**
 * Rows per worker job for rows of `rowBytes` (each with `extraBytes` of results beside it): JOB_CHUNKS
 * chunks, or fewer where SLOTS such jobs would not fit an inbox (rows of over 48 MiB).
 * @internal
 */
export function rowsPerJob(rowBytes: number, extraBytes = 0): number {
  const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
  return Math.max(
    1,
    Math.min(chunkRows * JOB_CHUNKS, Math.floor((INBOX_BYTES / SLOTS - 1024) / (rowBytes + extraBytes))),
  );
}

/** What {@link shareRows} does with the rows it has written into a worker's inbox or the calling thread's memory. */
interface RowWork {
  /** Bytes of an inbox slot: a job's rows and what the job writes beside them. */
  readonly slotBytes: number;
  /** Called when one of `worker`'s slots is free, before it is written again (for results to be read back first). */
  reclaim?(worker: PoolWorker): void;
  /** Hands `worker` the job on rows first..first+rows−1, written into its inbox from byte `at`. */
  post(worker: PoolWorker, at: number, first: number, rows: number): void;
  /**
   * Works on rows first..first+rows−1, written into the calling thread's kernel memory from 0 (`chunkBytes` past them
   * is its own).
   */
  local(first: number, rows: number, chunkBytes: number): void;
}

/** The bytes of −∞ as float32 and as float64 (little-endian), the rows' padding. */
const NEGATIVE_INFINITY_BYTES = {
  float32: new Uint8Array(Float32Array.of(-Infinity).buffer),
  float64: new Uint8Array(Float64Array.of(-Infinity).buffer),
};

/**
 * Writes rows first..first+rows−1 of `source` into `target` from byte `at`, each padded with −∞ to
 * `rowLength`: as float32 (float64 with `float64`). A row already in that type is copied from
 * where it lies; any other goes through `staging` (the calling thread's, a row long).
 */
function writeRows(
  source: RowSource,
  first: number,
  rows: number,
  target: Buffer,
  at: number,
  rowLength: number,
  float64: boolean,
  staging: Float32Array | Float64Array,
): void {
  const bytes = float64 ? 8 : 4;
  const stagingBytes = new Uint8Array(staging.buffer, staging.byteOffset, source.vocabulary * bytes);
  for (let r = 0; r < rows; r++) {
    const rowAt = at + r * rowLength * bytes;
    if (source.rowBytes !== undefined) {
      writeBytes(target, rowAt, source.rowBytes(first + r));
    } else {
      source.copyRow(first + r, staging, 0);
      writeBytes(target, rowAt, stagingBytes);
    }
    if (rowLength > source.vocabulary)
      target.fill(
        NEGATIVE_INFINITY_BYTES[float64 ? "float64" : "float32"],
        rowAt + source.vocabulary * bytes,
        rowAt + rowLength * bytes,
      );
  }
}

/**
 * Shares `source`'s rows between the worker threads and the calling one: the kernel reads only
 * its own memory, so each row is written in ({@link writeRows}), as float32 (or float64 with
 * `float64`), padded with −∞ to `rowLength`. The calling thread writes a job of `jobRows` rows into
 * the free slot of each worker's inbox that has one and posts it (`work.post`), and works on a
 * chunk itself (`work.local`) when they are all busy; it returns when every row is done.
 * `localBytes` more bytes of the calling thread's memory follow its chunk.
 */
function shareRows(
  source: RowSource,
  rowLength: number,
  jobRows: number,
  threads: number,
  localBytes: (chunkRows: number) => number,
  work: RowWork,
  float64: boolean,
): void {
  const pool = kernelPool();
  const { count, vocabulary } = source;
  const rowBytes = rowLength * (float64 ? 8 : 4);
  const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
  const chunkBytes = chunkRows * rowBytes;
  const workers = pool.workersFor(Math.max(0, Math.min(threads - 1, Math.ceil(count / chunkRows) - 1)));
  const local = Buffer.from(reserve(pool.local.memory, chunkBytes + localBytes(chunkRows)));
  const staging = float64 ? new Float64Array(vocabulary) : new Float32Array(vocabulary);
  let next = 0;
  while (next < count) {
    for (const worker of workers) {
      while (next < count) {
        const at = pool.freeSlot(worker, work.slotBytes);
        if (at === null) break;
        work.reclaim?.(worker);
        const rows = Math.min(jobRows, count - next);
        writeRows(source, next, rows, worker.inboxBytes, at, rowLength, float64, staging);
        work.post(worker, at, next, rows);
        next += rows;
      }
    }
    if (next < count) {
      const rows = Math.min(chunkRows, count - next);
      writeRows(source, next, rows, local, 0, rowLength, float64, staging);
      work.local(next, rows, chunkBytes);
      next += rows;
    }
  }
  pool.drain();
}

/**
 * Statistics of every row, three float64 per row: the maximum M, the rest s = Σ_{x≠M} exp(x − M)
 * and the number of ties x = M (see log-sum-exp.wat), on the kernel's threads, rows copied in as
 * float32, or as float64 for the float64 path: the workers' rows into their inboxes, where they
 * score them in place. Each row's statistics depend on that row alone, so the result is the same,
 * bit for bit, for any number of threads.
 * @internal
 */
export function rowStatistics(
  source: RowSource,
  threads: number,
  precision: "float32" | "float64" = "float32",
): Float64Array {
  const pool = kernelPool();
  const float64 = precision === "float64";
  // float32 rows in whole blocks of the kernel, float64 rows in pairs
  const rowLength = padded(source.vocabulary, float64 ? 2 : BLOCK);
  const rowBytes = rowLength * (float64 ? 8 : 4);
  const jobRows = rowsPerJob(rowBytes, 24);
  const stats = new Float64Array(3 * source.count);
  const shared = new SharedArrayBuffer(source.count * 24); // the workers' statistics
  const posted: number[] = []; // first row and row count of each worker job
  shareRows(
    source,
    rowLength,
    jobRows,
    threads,
    (chunkRows) => chunkRows * 24 + 512,
    {
      slotBytes: padded(jobRows * (rowBytes + 24) + 512, 64), // the rows, their statistics, a scratch block
      post(worker, at, first, rows) {
        pool.post(worker, {
          kind: "statistics",
          float64,
          at,
          rows,
          rowLength,
          outAt: at + rows * rowBytes,
          stats: shared,
          statsAt: first * 24,
        });
        posted.push(first, rows);
      },
      local(first, rows, chunkBytes) {
        if (float64) pool.local.rowStatistics64(0, rowLength, rows, chunkBytes);
        else pool.local.rowStatistics(0, rowLength, rows, chunkBytes, chunkBytes + rows * 24);
        stats.set(new Float64Array(pool.local.memory.buffer, chunkBytes, 3 * rows), 3 * first);
      },
    },
    float64,
  );
  for (let j = 0; j < posted.length; j += 2)
    stats.set(new Float64Array(shared, posted[j] * 24, 3 * posted[j + 1]), 3 * posted[j]);
  return stats;
}

/** Rows per chunk of an arena job: enough to make taking a chunk cheap, few enough to share out evenly. */
const ARENA_CHUNK_BYTES = 1 << 20;

/**
 * {@link rowStatistics} for rows that lie in the arena, read in place: `offsets` holds each row's
 * byte offset there. Every thread takes chunks of rows from one atomic counter until none are
 * left, so the work is shared evenly and nothing is copied; the statistics are the same, bit for
 * bit, as for copied rows (the same blocks, the last one padded with −∞ in a scratch block).
 * Returns null when the arena cannot hold the call's bookkeeping (the caller copies instead).
 * @internal
 */
export function rowStatisticsInPlace(offsets: Int32Array, vocabulary: number, threads: number): Float64Array | null {
  const pool = kernelPool();
  const count = offsets.length;
  const work = arenaAllocate(count * 28 + 8);
  if (work === null) return null;
  try {
    const statsAt = Math.ceil((work + count * 4) / 8) * 8;
    new Int32Array(pool.arena.memory.buffer, work, count).set(offsets);
    const chunk = Math.max(1, Math.floor(ARENA_CHUNK_BYTES / (vocabulary * 4)));
    const chunks = Math.ceil(count / chunk);
    Atomics.store(pool.control, ARENA_COUNTER, 0);
    const job = {
      kind: "arena" as const,
      offsetsAt: work,
      count,
      rowLength: vocabulary,
      statsAt,
      chunk,
      counter: ARENA_COUNTER,
    };
    for (const worker of pool.workersFor(Math.max(0, Math.min(threads - 1, chunks - 1)))) pool.post(worker, job);
    for (
      let i = Atomics.add(pool.control, ARENA_COUNTER, 1);
      i < chunks;
      i = Atomics.add(pool.control, ARENA_COUNTER, 1)
    ) {
      const first = i * chunk;
      pool.arena.rowStatisticsAt(work + 4 * first, Math.min(chunk, count - first), vocabulary, statsAt + 24 * first, 0);
    }
    pool.drain();
    return new Float64Array(pool.arena.memory.buffer, statsAt, 3 * count).slice();
  } finally {
    arenaRelease(work);
  }
}

/**
 * The logits gradient's softmax part on the kernel's threads: for each row i of `source`,
 * scales[i]·exp(x − maxima[i]) (float32, exactly 0 below float32's normal range; or float64, 0
 * below e^-708), its bytes handed to `write(i, bytes)` (the calling thread's rows at once, a
 * worker's rows from its inbox once its job is done, before the slot is written again). Each row's
 * result depends on that row alone, so it is the same for any number of threads.
 * @internal
 */
export function scaledExpRows(
  source: RowSource,
  maxima: Float64Array,
  scales: Float64Array,
  threads: number,
  write: (i: number, bytes: Uint8Array) => void,
  precision: "float32" | "float64" = "float32",
): void {
  const pool = kernelPool();
  const { vocabulary } = source;
  const float64 = precision === "float64";
  const bytes = float64 ? 8 : 4;
  const rowLength = padded(vocabulary, float64 ? 2 : 4); // whole vectors
  const rowBytes = rowLength * bytes;
  const jobRows = rowsPerJob(rowBytes);
  const scaledExp = float64 ? pool.local.scaledExp64 : pool.local.scaledExp;
  /** Each worker's jobs not yet read back, in the order posted: post number, slot, first row, rows. */
  const pending = new Map<PoolWorker, { post: number; at: number; first: number; rows: number }[]>();
  const readBack = (worker: PoolWorker, upTo: number): void => {
    const jobs = pending.get(worker) ?? [];
    while (jobs.length > 0 && jobs[0].post < upTo) {
      const { at, first, rows } = jobs.shift()!;
      for (let r = 0; r < rows; r++)
        write(first + r, worker.inboxBytes.subarray(at + r * rowBytes, at + r * rowBytes + vocabulary * bytes));
    }
  };
  shareRows(
    source,
    rowLength,
    jobRows,
    threads,
    (chunkRows) => chunkRows * rowBytes,
    {
      slotBytes: padded(jobRows * rowBytes, 64),
      // the slot's last job is among those done: it was done before freeSlot gave the slot out
      reclaim: (worker) => readBack(worker, pool.done(worker)),
      post(worker, at, first, rows) {
        if (!pending.has(worker)) pending.set(worker, []);
        pending.get(worker)!.push({ post: worker.posted, at, first, rows });
        pool.post(worker, {
          kind: "scale",
          float64,
          at,
          rows,
          rowLength,
          maxima: maxima.slice(first, first + rows),
          scales: scales.slice(first, first + rows),
        });
      },
      local(first, rows, chunkBytes) {
        for (let r = 0; r < rows; r++)
          scaledExp(r * rowBytes, rowLength, maxima[first + r], scales[first + r], chunkBytes + r * rowBytes);
        for (let r = 0; r < rows; r++)
          write(first + r, new Uint8Array(pool.local.memory.buffer, chunkBytes + r * rowBytes, vocabulary * bytes));
      },
    },
    float64,
  );
  for (const worker of pending.keys()) readBack(worker, Infinity);
}
