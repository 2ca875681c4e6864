import { setImmediate as nextTurn } from "node:timers/promises";
import { LuceError } from "../../errors.js";
import { arenaAllocate, arenaRelease } from "./arena.js";
// plain JavaScript, shared with the worker threads (see kernel-worker.js)
import { runJob } from "./row-job.js";
import {
  FACTOR_BYTES,
  OFFSET_BYTES,
  STATISTICS_BYTES,
  kernelPool,
  writeBytes,
  type PoolWorker,
  type RowJob,
} from "./worker-pool.js";

/** Logits the kernel reads: `count` rows of `vocabulary` values. @internal */
export interface RowSource {
  readonly count: number;
  readonly vocabulary: number;
  /** Writes row `i` into `into[at .. at + vocabulary)` (rounded to float32, or widened to float64, by the array). */
  copyRow(i: number, into: Float32Array | Float64Array, at: number): void;
  /** Row `i`'s bytes where they lie, when they are already the kernel's element type (else absent). */
  readonly rowBytes?: (i: number) => Uint8Array;
  /** Row `i`'s byte offset in the arena, when the rows lie there as float32 (read in place, never copied). */
  readonly arenaOffset?: (i: number) => number;
}

/** Jobs in flight per worker: each has its own staging slot, so the calling thread fills one while others run. */
export const SLOTS = 8;
/** Bytes of rows the calling thread scores at a time: they stay in its L2 cache between the copy and the kernel. */
const CHUNK_BYTES = 1 << 18;
/** Chunks per worker job: larger jobs spend less on handing jobs over. */
const JOB_CHUNKS = 4;
/** Bytes of staging a call may take in the arena (of its 4 GiB); past it, fewer workers take part. */
const STAGING_LIMIT_BYTES = 2 ** 31;
/** Alignment of staging slots in the arena (a cache line). */
const SLOT_ALIGN = 64;
/** Milliseconds a failed call waits for its jobs still running on other workers before it returns its memory. */
const SETTLE_MS = 5000;
/** Milliseconds the calling thread works before it lets the event loop run (asynchronous calls). */
const SLICE_MS = 4;

/** The bytes of −∞ as float32 and as float64 (little-endian), the rows' padding. */
const NEGATIVE_INFINITY_BYTES = {
  float32: new Uint8Array(Float32Array.of(-Infinity).buffer),
  float64: new Uint8Array(Float64Array.of(-Infinity).buffer),
};

/** `n` rounded up to a multiple of `multiple`. */
function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

/**
 * What a transport run hands its driver at each step: null where the event loop may run, or a worker's job that must
 * be finished before the run goes on.
 * @internal
 */
export type Pause = { readonly worker: PoolWorker; readonly post: number } | null;
/** A transport run: a generator of {@link Pause}s that returns its result. @internal */
export type RowRun<T> = Generator<Pause, T, void>;

/**
 * Runs `run` to its end on the calling thread, blocking while it waits for workers (the synchronous variant, for
 * callers that cannot await, such as a tfjs kernel). @internal
 */
export function runBlocking<T>(fn: string, run: RowRun<T>): T {
  const pool = kernelPool(fn);
  try {
    for (let step = run.next(); ; step = run.next()) {
      if (step.done === true) return step.value;
      if (step.value !== null) pool.waitSync(fn, step.value.worker, step.value.post);
    }
  } catch (error) {
    run.return(undefined as T);
    throw error;
  }
}

/**
 * Runs `run` to its end, letting the event loop run at least every SLICE_MS of the calling thread's work and while
 * it waits for workers (Atomics.waitAsync); the workers hold the process open meanwhile. @internal
 */
export async function runInSlices<T>(fn: string, run: RowRun<T>): Promise<T> {
  const pool = kernelPool(fn);
  pool.hold();
  try {
    // the run starts at once (its logits are in use from the call on), then the event loop gets a turn: calls
    // awaited back to back would otherwise chain their work in microtasks
    let step = run.next();
    await nextTurn();
    let sliceStart = performance.now();
    for (;;) {
      if (step.done === true) return step.value;
      if (step.value !== null) {
        await pool.waitAsync(fn, step.value.worker, step.value.post);
        sliceStart = performance.now();
      } else if (performance.now() - sliceStart > SLICE_MS) {
        await nextTurn();
        sliceStart = performance.now();
      }
      step = run.next();
    }
  } catch (error) {
    run.return(undefined as T);
    throw error;
  } finally {
    pool.release();
  }
}

/** What {@link shareRows} does: the job's operation, element type and row length, and each finished row's reading. */
interface Transport {
  readonly op: RowJob["op"];
  readonly float64: boolean;
  /** Elements per row as the kernel reads it (the vocabulary, padded with −∞ where the kernel needs it). */
  readonly rowLength: number;
  /** Bytes per row of the job's `outAt` region: statistics written, or factors read. */
  readonly outBytes: number;
  /** Called once rows first..first+rows−1 are done, staged from `stagedAt` (for results left in place). */
  finished?(first: number, rows: number, stagedAt: number): void;
}

/**
 * The one transport from rows to the kernel, for every job: each row is found in the arena (in place when it lies
 * there, else copied once into a staging slot, padded with −∞ to `rowLength`), listed in the call's offset table,
 * and scored by a job of {@link RowJob}'s one shape on one of `threads` − 1 workers, or, while every worker has
 * SLOTS jobs in flight, by the calling thread itself, a chunk at a time (right after copying it, so it is read from
 * cache). `out` is the call's `outBytes`-per-row region, its factors written before (scale jobs). Each row's result
 * depends on that row alone: the same bits for any thread count.
 */
function* shareRows(fn: string, source: RowSource, threads: number, transport: Transport, out: number): RowRun<void> {
  const pool = kernelPool(fn);
  const { count, vocabulary } = source;
  if (count === 0) return;
  const { op, float64, rowLength, outBytes } = transport;
  const bytes = float64 ? 8 : 4;
  const rowBytes = rowLength * bytes;
  const inPlace = source.arenaOffset !== undefined && op === "statistics" && !float64;
  const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / Math.max(1, rowBytes)));
  let jobRows = chunkRows * JOB_CHUNKS;
  // a call of one chunk is scored at once on the calling thread: handing it over would cost more
  const chunks = Math.ceil(count / chunkRows);
  const workers = pool.workersFor(chunks <= 1 ? 0 : Math.min(threads - 1, chunks - 1));
  // staging: SLOTS slots per worker and one for the calling thread, fewer workers where it would not fit
  const slotBytes = () => roundUp(jobRows * rowBytes, SLOT_ALIGN);
  const stagingBytes = () => (inPlace ? 0 : (workers.length * SLOTS + 1) * slotBytes());
  while (stagingBytes() > STAGING_LIMIT_BYTES && workers.length > 0) workers.pop();
  if (stagingBytes() > STAGING_LIMIT_BYTES) jobRows = 1;
  const table = arenaAllocate(count * OFFSET_BYTES);
  const staging = inPlace ? 0 : arenaAllocate(stagingBytes());
  const posted = workers.map(() => [] as { post: number; first: number; rows: number; stagedAt: number }[]);
  try {
    if (table === null || staging === null)
      throw new LuceError(fn, "logits", "has rows that luce's arena (4 GiB in all) has no room left to stage");
    const memory = pool.arena.memory;
    const arenaBytes = Buffer.from(memory.buffer);
    const offsets = new Int32Array(memory.buffer, table, count);
    const row = float64 ? new Float64Array(vocabulary) : new Float32Array(vocabulary);
    const rowAsBytes = new Uint8Array(row.buffer, 0, vocabulary * bytes);
    const padding = NEGATIVE_INFINITY_BYTES[float64 ? "float64" : "float32"];
    /** Lists rows first..first+rows−1 in the offset table, copying them to `stagedAt` unless they lie in the arena. */
    const stage = (first: number, rows: number, stagedAt: number) => {
      for (let r = 0; r < rows; r++) {
        if (inPlace) {
          offsets[first + r] = source.arenaOffset!(first + r);
          continue;
        }
        const at = stagedAt + r * rowBytes;
        offsets[first + r] = at;
        if (source.rowBytes !== undefined) writeBytes(arenaBytes, at, source.rowBytes(first + r));
        else {
          source.copyRow(first + r, row, 0);
          writeBytes(arenaBytes, at, rowAsBytes);
        }
        if (rowLength > vocabulary) arenaBytes.fill(padding, at + vocabulary * bytes, at + rowBytes);
      }
    };
    const job = (first: number, rows: number): RowJob => ({
      op,
      float64,
      offsetsAt: table + first * OFFSET_BYTES,
      count: rows,
      rowLength,
      outAt: out + first * outBytes,
    });
    const retire = (w: number, upTo: (post: number) => boolean) => {
      const queue = posted[w];
      while (queue.length > 0 && upTo(queue[0].post)) {
        const { first, rows, stagedAt } = queue.shift()!;
        transport.finished?.(first, rows, stagedAt);
      }
    };
    const ownSlot = staging + workers.length * SLOTS * slotBytes();
    const postCounts = workers.map(() => 0);
    let next = 0;
    while (next < count) {
      for (let w = 0; w < workers.length && next < count; w++) {
        const worker = workers[w];
        const error = pool.failure(fn, worker);
        if (error !== null) throw error;
        retire(w, (post) => pool.isDone(worker, post));
        while (posted[w].length < SLOTS && next < count) {
          const rows = Math.min(jobRows, count - next);
          const stagedAt = staging + (w * SLOTS + (postCounts[w]++ % SLOTS)) * slotBytes();
          stage(next, rows, stagedAt);
          posted[w].push({ post: pool.post(worker, job(next, rows)), first: next, rows, stagedAt });
          next += rows;
          yield null;
        }
      }
      if (next < count) {
        const rows = Math.min(chunkRows, count - next);
        stage(next, rows, ownSlot);
        runJob(pool.arena.exports, memory, job(next, rows), 0, STATISTICS_BYTES);
        transport.finished?.(next, rows, ownSlot);
        next += rows;
      }
      yield null;
    }
    for (let w = 0; w < workers.length; w++) {
      for (const { post } of [...posted[w]]) {
        if (!pool.isDone(workers[w], post)) yield { worker: workers[w], post };
        retire(w, (p) => p <= post);
      }
    }
  } finally {
    // jobs of this call still running (a failure elsewhere) read and write these regions: they are released once
    // those jobs are done, and kept (lost to the arena) rather than risk another call's data where that takes long
    let settled = true;
    for (let w = 0; w < workers.length; w++) {
      const last = posted[w].at(-1);
      if (last === undefined || pool.failure(fn, workers[w]) !== null) continue;
      try {
        pool.waitSync(fn, workers[w], last.post, SETTLE_MS);
      } catch {
        settled = false;
      }
    }
    if (settled) {
      if (staging !== null && !inPlace) arenaRelease(staging);
      if (table !== null) arenaRelease(table);
    }
  }
}

/** The arena region of `bytes` for a call's results, or a LuceError naming the logits. */
function resultRegion(fn: string, bytes: number): number {
  const at = arenaAllocate(bytes);
  if (at === null)
    throw new LuceError(fn, "logits", "has more rows than luce's arena (4 GiB in all) has room left for");
  return at;
}

/**
 * Statistics of every row, three float64 per row: the maximum M, the rest s = Σ_{x≠M} exp(x − M) and the number of
 * ties x = M (see log-sum-exp.wat), from the float32 kernel (rows rounded to float32, read in place when they lie in
 * the arena) or the float64 one (rows widened to float64, padded to an even length).
 * @internal
 */
export function* rowStatistics(
  fn: string,
  source: RowSource,
  threads: number,
  precision: "float32" | "float64",
): RowRun<Float64Array> {
  const float64 = precision === "float64";
  const out = resultRegion(fn, Math.max(1, source.count) * STATISTICS_BYTES);
  try {
    const rowLength = float64 ? roundUp(source.vocabulary, 2) : source.vocabulary;
    yield* shareRows(fn, source, threads, { op: "statistics", float64, rowLength, outBytes: STATISTICS_BYTES }, out);
    return new Float64Array(kernelPool(fn).arena.memory.buffer, out, 3 * source.count).slice();
  } finally {
    arenaRelease(out);
  }
}

/**
 * The logits gradient's softmax part: for each row i of `source`, scales[i]·exp(x − maxima[i]) (float32, exactly 0
 * below float32's normal range; or float64, 0 below e^-708), its bytes handed to `write(i, bytes)` once its job is
 * done. Each row's result depends on that row alone, so it is the same for any number of threads.
 * @internal
 */
export function* scaledExpRows(
  fn: string,
  source: RowSource,
  maxima: Float64Array,
  scales: Float64Array,
  threads: number,
  write: (i: number, bytes: Uint8Array) => void,
  precision: "float32" | "float64",
): RowRun<void> {
  const float64 = precision === "float64";
  const bytes = float64 ? 8 : 4;
  // whole vectors of the kernel: four float32, two float64
  const rowLength = roundUp(source.vocabulary, float64 ? 2 : 4);
  const out = resultRegion(fn, Math.max(1, source.count) * FACTOR_BYTES);
  try {
    const factors = new Float64Array(kernelPool(fn).arena.memory.buffer, out, 2 * source.count);
    for (let i = 0; i < source.count; i++) {
      factors[2 * i] = maxima[i];
      factors[2 * i + 1] = scales[i];
    }
    const finished = (first: number, rows: number, stagedAt: number) => {
      const buffer = kernelPool(fn).arena.memory.buffer;
      for (let r = 0; r < rows; r++)
        write(first + r, new Uint8Array(buffer, stagedAt + r * rowLength * bytes, source.vocabulary * bytes));
    };
    const transport: Transport = { op: "scale", float64, rowLength, outBytes: FACTOR_BYTES, finished };
    yield* shareRows(fn, { ...source, arenaOffset: undefined }, threads, transport, out);
  } finally {
    arenaRelease(out);
  }
}
