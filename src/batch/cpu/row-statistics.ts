import { setImmediate as nextTurn } from "node:timers/promises";
import { LuceError } from "../../errors.js";
import { sharedAllocate, sharedRelease } from "./shared-memory.js";
// plain JavaScript, shared with the worker threads (see kernel-worker.js)
import { CALL_WORDS, FACTOR_BYTES, MOMENT_BYTES, OFFSET_BYTES, STATISTICS_BYTES, runChunks } from "./row-job.js";
import { kernelPool, writeBytes, type Pause, type RowJob } from "./worker-pool.js";
/** Logits the kernel reads: `count` rows of `vocabulary` values. @internal */
export interface RowSource {
  readonly count: number;
  readonly vocabulary: number;
  /** Writes row `i` into `into[at .. at + vocabulary)` (rounded to float32, or widened to float64, by the array). */
  copyRow(i: number, into: Float32Array | Float64Array, at: number): void;
  /** Row `i`'s bytes where they lie, when they are already the kernel's element type (else absent). */
  readonly rowBytes?: (i: number) => Uint8Array;
  /** Row `i`'s byte offset in the shared memory, when the rows lie there as float32 (read in place, never copied). */
  readonly sharedOffset?: (i: number) => number;
}

/** Bytes of rows in a chunk, the unit threads claim: large enough that claiming costs little beside scoring. */
const CHUNK_BYTES = 1 << 20;
/** Staging slots (chunks) per thread: enough that the workers find staged rows while the calling thread scores. */
const SLOTS_PER_THREAD = 4;
/** Bytes of staging a call may take in the shared memory (of its 4 GiB). */
const STAGING_LIMIT_BYTES = 2 ** 31;
/** Alignment of staging slots in the shared memory (a cache line). */
const SLOT_ALIGN = 64;
/** Milliseconds a failed call waits for its chunks still running on other workers before it returns its memory. */
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
 * A run of the transport: a generator that yields null where the event loop may run, or a {@link Pause} to wait for
 * before it goes on, and returns its result. @internal
 */
export type RowRun<T> = Generator<Pause | null, T, void>;

/**
 * Runs `run` to its end on the calling thread, blocking while it waits for workers (the synchronous variant, for
 * callers that cannot await, such as a tfjs kernel). @internal
 */
export function runBlocking<T>(fn: string, run: RowRun<T>): T {
  const pool = kernelPool(fn);
  try {
    for (let step = run.next(); ; step = run.next()) {
      if (step.done === true) return step.value;
      if (step.value !== null) pool.waitSync(fn, step.value);
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
        await pool.waitAsync(fn, step.value);
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

/** What {@link shareRows} does: the job's operation, element type and row length, and each finished chunk's reading. */
interface Transport {
  readonly op: RowJob["op"];
  readonly float64: boolean;
  /** Elements per row as the kernel reads it (the vocabulary, padded with −∞ where the kernel needs it). */
  readonly rowLength: number;
  /** Called once rows first..first+rows−1 are done, staged from `stagedAt` (for results left in place). */
  finished?(first: number, rows: number, stagedAt: number): void;
}

/**
 * The one transport from rows to the kernel, for every job: the rows are listed in the call's offset table, in
 * chunks of CHUNK_BYTES, each found in shared memory (in place when it lies there, else copied once into a staging
 * slot, padded with −∞ to `rowLength`). Every thread, the calling one and up to `threads` − 1 workers, claims staged
 * chunks from one counter (runChunks) until none is left, so none waits while another has work; the calling thread
 * stages chunks as their slots come free and claims one itself when it cannot stage. `out` is the call's results
 * region, its factors written before (scale jobs). Each row's result depends on that row alone: the same bits for any
 * thread count.
 */
function* shareRows(fn: string, source: RowSource, threads: number, transport: Transport, out: number): RowRun<void> {
  const pool = kernelPool(fn);
  const { count, vocabulary } = source;
  if (count === 0) return;
  const { op, float64, rowLength } = transport;
  const bytes = float64 ? 8 : 4;
  const rowBytes = rowLength * bytes;
  const inPlace = source.sharedOffset !== undefined && op !== "scale" && !float64;
  const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
  const chunks = Math.ceil(count / chunkRows);
  const workers = pool.workersFor(Math.min(threads - 1, chunks - 1));
  const slotBytes = roundUp(chunkRows * rowBytes, SLOT_ALIGN);
  const slots = inPlace
    ? 0
    : Math.max(
        1,
        Math.min(chunks, SLOTS_PER_THREAD * (workers.length + 1), Math.floor(STAGING_LIMIT_BYTES / slotBytes)),
      );
  const table = sharedAllocate(count * OFFSET_BYTES);
  const staging = inPlace ? 0 : sharedAllocate(slots * slotBytes);
  const control = new Int32Array(new SharedArrayBuffer(4 * (CALL_WORDS.chunkDone + chunks)));
  const posts = workers.map(() => -1);
  let succeeded = false;
  try {
    if (table === null || staging === null)
      throw new LuceError(
        fn,
        "logits",
        "has rows that luce's shared logits memory (4 GiB in all) has no room left to stage",
      );
    const job: RowJob = {
      op,
      float64,
      offsetsAt: table,
      count,
      rowLength,
      outAt: out,
      chunkRows,
      control: control.buffer,
    };
    const memory = pool.memory;
    const sharedBytes = Buffer.from(memory.buffer);
    const offsets = new Int32Array(memory.buffer, table, count);
    const row = float64 ? new Float64Array(vocabulary) : new Float32Array(vocabulary);
    const rowAsBytes = new Uint8Array(row.buffer, 0, vocabulary * bytes);
    const padding = NEGATIVE_INFINITY_BYTES[float64 ? "float64" : "float32"];
    const slotOf = (chunk: number) => staging + (chunk % slots) * slotBytes;
    const rowsOf = (chunk: number) => Math.min(chunkRows, count - chunk * chunkRows);
    /** Copies chunk `chunk`'s rows into its slot and lists them in the offset table. */
    const stage = (chunk: number) => {
      for (let r = 0, i = chunk * chunkRows; r < rowsOf(chunk); r++, i++) {
        const at = slotOf(chunk) + r * rowBytes;
        offsets[i] = at;
        if (source.rowBytes !== undefined) writeBytes(sharedBytes, at, source.rowBytes(i));
        else {
          source.copyRow(i, row, 0);
          writeBytes(sharedBytes, at, rowAsBytes);
        }
        if (rowLength > vocabulary) sharedBytes.fill(padding, at + vocabulary * bytes, at + rowBytes);
      }
    };
    const finish = (chunk: number) => transport.finished?.(chunk * chunkRows, rowsOf(chunk), slotOf(chunk));
    /** Posts the job to each worker that has none of this call's left: it claims chunks until none is staged. */
    const wake = () => {
      for (let w = 0; w < workers.length; w++)
        if (posts[w] < 0 || pool.untilDone(workers[w], posts[w]) === null) posts[w] = pool.post(workers[w], job);
    };
    let staged = 0;
    if (inPlace) {
      for (let i = 0; i < count; i++) offsets[i] = source.sharedOffset!(i);
      Atomics.store(control, CALL_WORDS.staged, (staged = chunks));
      wake();
    }
    // `finished` is read before the checks below: a chunk finishing after them ends the wait at once
    for (let finished; (finished = Atomics.load(control, CALL_WORDS.finished)) < chunks;) {
      for (const worker of workers) {
        const error = pool.failure(fn, worker);
        if (error !== null) throw error;
      }
      const slotFree = () => staged < slots || Atomics.load(control, CALL_WORDS.chunkDone + staged - slots) === 1;
      if (staged < chunks && slotFree()) {
        if (staged >= slots) finish(staged - slots);
        stage(staged);
        Atomics.store(control, CALL_WORDS.staged, ++staged);
        wake();
      } else if (runChunks(pool.exports, memory, job, 0, 1) === 0) {
        // every staged chunk is claimed and no slot is free: wait for a chunk to finish
        yield {
          array: control,
          index: CALL_WORDS.finished,
          value: finished,
          workers,
        };
        continue;
      }
      yield null;
    }
    for (let chunk = Math.max(0, chunks - slots); chunk < chunks; chunk++) finish(chunk);
    succeeded = true;
  } finally {
    // after a failure, chunks still running on other workers read and write these regions: no more are claimed, and
    // the regions are released once those are done, or kept (lost to luce) rather than risk another call's data
    let settled = true;
    if (!succeeded) {
      Atomics.store(control, CALL_WORDS.next, chunks);
      for (let w = 0; w < workers.length; w++) {
        try {
          for (let p; posts[w] >= 0 && (p = pool.untilDone(workers[w], posts[w])) !== null;)
            pool.waitSync(fn, p, SETTLE_MS);
        } catch {
          settled = false;
        }
      }
    }
    if (settled) {
      if (staging !== null && !inPlace) sharedRelease(staging);
      if (table !== null) sharedRelease(table);
    }
  }
}

/** The shared memory region of `bytes` for a call's results, or a LuceError naming the logits. */
function resultRegion(fn: string, bytes: number): number {
  const at = sharedAllocate(bytes);
  if (at === null)
    throw new LuceError(
      fn,
      "logits",
      "has more rows than luce's shared logits memory (4 GiB in all) has room left for",
    );
  return at;
}

/** A statistics pass's results: three float64 per row, and with moments asked four more per row. @internal */
export interface RowStatistics {
  /** The maximum M, the rest s = Σ_{x≠M} exp(x − M) and the number of ties x = M of each row. */
  readonly statistics: Float64Array;
  /**
   * When asked, from the same pass: s₂ = Σ_{x≠M} exp(2(x − M)), w = Σ exp(x − M)·(x − M), the first index of M and
   * Σ x of each row (see log-sum-exp.wat).
   */
  readonly moments?: Float64Array;
}

/**
 * Statistics of every row (see {@link RowStatistics} and log-sum-exp.wat), with `withMoments` the moments too from the
 * same read of each row, from the float32 kernel (rows rounded to float32, read in place when they lie in the shared
 * memory) or the float64 one (rows widened to float64).
 * @internal
 */
export function* rowStatistics(
  fn: string,
  source: RowSource,
  threads: number,
  precision: "float32" | "float64",
  withMoments = false,
): RowRun<RowStatistics> {
  const float64 = precision === "float64";
  const rows = Math.max(1, source.count);
  const out = resultRegion(fn, rows * (STATISTICS_BYTES + (withMoments ? MOMENT_BYTES : 0)));
  try {
    const op = withMoments ? "moments" : "statistics";
    yield* shareRows(fn, source, threads, { op, float64, rowLength: source.vocabulary }, out);
    const { buffer } = kernelPool(fn).memory;
    const statistics = new Float64Array(buffer, out, 3 * source.count).slice();
    if (!withMoments) return { statistics };
    return {
      statistics,
      moments: new Float64Array(buffer, out + source.count * STATISTICS_BYTES, 4 * source.count).slice(),
    };
  } finally {
    sharedRelease(out);
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
    const factors = new Float64Array(kernelPool(fn).memory.buffer, out, 2 * source.count);
    for (let i = 0; i < source.count; i++) {
      factors[2 * i] = maxima[i];
      factors[2 * i + 1] = scales[i];
    }
    const finished = (first: number, rows: number, stagedAt: number) => {
      const buffer = kernelPool(fn).memory.buffer;
      for (let r = 0; r < rows; r++)
        write(first + r, new Uint8Array(buffer, stagedAt + r * rowLength * bytes, source.vocabulary * bytes));
    };
    const transport: Transport = { op: "scale", float64, rowLength, finished };
    yield* shareRows(fn, { ...source, sharedOffset: undefined }, threads, transport, out);
  } finally {
    sharedRelease(out);
  }
}
