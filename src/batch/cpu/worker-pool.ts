import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { logSumExpFusedWasm, logSumExpWasm } from "./log-sum-exp-wasm.js";

/** Jobs in flight per worker (its inbox's slots): enough to cover the main thread's own chunk. @internal */
export const SLOTS = 4;
/** Bytes an inbox may grow to: its SLOTS slots stay within this, under the 4 GiB of a 32-bit memory. @internal */
export const INBOX_BYTES = 3 * 2 ** 30;
/** Int32 words of control per worker: jobs posted, jobs done, failure flag. */
const WORDS_PER_WORKER = 16;
const MAX_WORKERS = 16;
/** The control words: the workers', then the arena jobs' chunk counter. @internal */
export const ARENA_COUNTER = MAX_WORKERS * WORDS_PER_WORKER;
const CONTROL_WORDS = ARENA_COUNTER + 1;
/** Bytes in a WebAssembly page. @internal */
export const PAGE = 65536;

/** The parts of the WebAssembly API used here (TypeScript's ES libraries do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number; maximum: number; shared?: boolean }) => KernelMemory;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
/** A WebAssembly memory. */
interface KernelMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/**
 * The kernel's export: statistics of `count` consecutive rows of `n` float32 from byte `p`, 24 bytes per row to `out`.
 */
export type RowStatistics = (p: number, n: number, count: number, out: number, scratch: number) => void;
/** The kernel's export for rows where they lie: row i at the byte offset in the i32 at `offsets` + 4i. */
export type RowStatisticsAt = (offsets: number, count: number, n: number, out: number, scratch: number) => void;
/**
 * The kernel's export for float64 rows: statistics of `count` consecutive rows of `n` float64 (n even) from byte `p`,
 * 24 bytes per row to `out`.
 */
export type RowStatistics64 = (p: number, n: number, count: number, out: number) => void;
/**
 * The kernel's exports for the logits gradient: `scale`·exp(x − `max`) for `n` float32 (n a multiple of 4), or float64
 * (n even), from byte `p` to `out`.
 */
export type ScaledExp = (p: number, n: number, max: number, scale: number, out: number) => void;
/** Bytes at the start of the arena: one 512-byte scratch block per thread, for a row's last partial block. */
export const ARENA_SCRATCH_BYTES = (MAX_WORKERS + 1) * 512;

/**
 * A job on rows the main thread wrote into the worker's inbox: `rows` rows of `rowLength` float32
 * (float64 with `float64`) from byte `at`, scored in place; their statistics (24 bytes a row) go to
 * byte `outAt` of the inbox (a 512-byte scratch block follows) and then to `stats` from byte `statsAt`.
 */
interface StatisticsJob {
  readonly kind: "statistics";
  readonly float64: boolean;
  readonly at: number;
  readonly rows: number;
  readonly rowLength: number;
  readonly outAt: number;
  readonly stats: SharedArrayBuffer;
  readonly statsAt: number;
}
/**
 * A job for the logits gradient: `rows` rows of `rowLength` float32 (float64 with `float64`) from
 * byte `at` of the worker's inbox, each replaced in place by scales[r]·exp(x − maxima[r]), which
 * the main thread reads back once the job is done.
 */
interface ScaleJob {
  readonly kind: "scale";
  readonly float64: boolean;
  readonly at: number;
  readonly rows: number;
  readonly rowLength: number;
  readonly maxima: Float64Array;
  readonly scales: Float64Array;
}
/**
 * A job on rows in the arena: chunks of `chunk` rows, taken one at a time by every thread through
 * the atomic counter at control word `counter` (so no thread waits while another has work).
 */
interface ArenaJob {
  readonly kind: "arena";
  readonly offsetsAt: number;
  readonly count: number;
  readonly rowLength: number;
  readonly statsAt: number;
  readonly chunk: number;
  readonly counter: number;
}

/**
 * A worker's side, as source (a worker started from a string needs no file on disk, so it runs
 * the same from dist/ and from the TypeScript sources under test). It sleeps on its `posted`
 * word; for each job on its port it works in place on rows the main thread wrote into its inbox (a
 * shared memory of its own): their statistics, written into the shared array, or their scaled
 * exponentials for the logits gradient, left where the rows were; or it scores arena rows in
 * place, chunk by chunk. Then it counts the job done.
 */
const workerSource = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { sharedModule, arena, inbox, control: controlBuffer, base, index, port } = workerData;
const imports = (memory) => ({ env: { memory }, math: { exp: Math.exp } });
const { rowStatisticsAt } = new WebAssembly.Instance(sharedModule, imports(arena)).exports;
const { rowStatistics, rowStatistics64, scaledExp, scaledExp64 } = new WebAssembly.Instance(sharedModule, imports(inbox)).exports;
const control = new Int32Array(controlBuffer);
const scratch = (index + 1) * 512;
let done = Atomics.load(control, base + 1);
for (;;) {
  Atomics.wait(control, base, done);
  for (let received = receiveMessageOnPort(port); received !== undefined; received = receiveMessageOnPort(port)) {
    const job = received.message;
    try {
      if (job.kind === "arena") {
        for (let i = Atomics.add(control, job.counter, 1); i * job.chunk < job.count; i = Atomics.add(control, job.counter, 1)) {
          const first = i * job.chunk;
          rowStatisticsAt(job.offsetsAt + 4 * first, Math.min(job.chunk, job.count - first), job.rowLength, job.statsAt + 24 * first, scratch);
        }
      } else if (job.kind === "scale") {
        const scaled = job.float64 ? scaledExp64 : scaledExp;
        const rowBytes = job.rowLength * (job.float64 ? 8 : 4);
        for (let r = 0; r < job.rows; r++) scaled(job.at + r * rowBytes, job.rowLength, job.maxima[r], job.scales[r], job.at + r * rowBytes);
      } else {
        if (job.float64) rowStatistics64(job.at, job.rowLength, job.rows, job.outAt);
        else rowStatistics(job.at, job.rowLength, job.rows, job.outAt, job.outAt + 24 * job.rows);
        new Float64Array(job.stats, job.statsAt, 3 * job.rows).set(new Float64Array(inbox.buffer, job.outAt, 3 * job.rows));
      }
    } catch {
      Atomics.store(control, base + 2, 1);
    }
    done++;
    Atomics.store(control, base + 1, done);
    Atomics.notify(control, base + 1);
  }
}
`;

/** One worker thread, its port, its inbox and the jobs posted to it. */
export interface PoolWorker {
  readonly base: number;
  readonly port: MessagePort;
  /** A shared memory the main thread writes rows into and the worker's kernel reads in place, in SLOTS slots. */
  readonly inbox: KernelMemory;
  /** The inbox's bytes as a Buffer (remade when it grows), for {@link writeBytes}. */
  inboxBytes: Buffer;
  posted: number;
}

/**
 * The kernel's bytes with its memory import made shared: the import's limits flag goes from 0x01
 * (a maximum) to 0x03 (a maximum, shared), the one byte in which the two modules differ.
 * @internal
 */
export function sharedVariant(bytes: Uint8Array): Uint8Array {
  const name = [0x06, ...new TextEncoder().encode("memory"), 0x02]; // "memory", import kind: memory
  for (let i = 0; i + name.length < bytes.length; i++) {
    if (name.every((b, j) => bytes[i + j] === b) && bytes[i + name.length] === 0x01) {
      const out = bytes.slice();
      out[i + name.length] = 0x03;
      return out;
    }
  }
  throw new Error("luce: the kernel's memory import was not found");
}

/** The kernel on one memory. @internal */
export interface KernelInstance {
  readonly memory: KernelMemory;
  readonly rowStatistics: RowStatistics;
  readonly rowStatisticsAt: RowStatisticsAt;
  readonly rowStatistics64: RowStatistics64;
  readonly scaledExp: ScaledExp;
  readonly scaledExp64: ScaledExp;
}

function instantiate(module: object, memory: KernelMemory): KernelInstance {
  const { exports } = new wasm.Instance(module, { env: { memory }, math: { exp: Math.exp } });
  return {
    memory,
    rowStatistics: exports.rowStatistics as RowStatistics,
    rowStatisticsAt: exports.rowStatisticsAt as RowStatisticsAt,
    rowStatistics64: exports.rowStatistics64 as RowStatistics64,
    scaledExp: exports.scaledExp as ScaledExp,
    scaledExp64: exports.scaledExp64 as ScaledExp,
  };
}

/**
 * The kernel's modules (private and shared memory), in the build to run: "fused" where the engine
 * validates relaxed SIMD (Node 22 and later), else "portable"; `LUCE_KERNEL=portable` in the
 * environment asks for the portable build everywhere (the same bits on every CPU, FMA or not).
 * Node 20's V8 (11.3) has relaxed SIMD complete but behind --experimental-wasm-relaxed-simd (it
 * shipped in V8 11.4): there the flag is turned on for these two compiles only and restored at
 * once. A compiled module keeps the features it was compiled with, on every thread it is sent to.
 */
function compileKernel(): { kernel: "fused" | "portable"; module: object; sharedModule: object } {
  const asked = process.env.LUCE_KERNEL;
  if (asked !== undefined && asked !== "" && asked !== "fused" && asked !== "portable")
    throw new Error(`luce: LUCE_KERNEL must be "fused" or "portable", not "${asked}"`);
  const compile = (bytes: Uint8Array) => ({
    module: new wasm.Module(bytes),
    sharedModule: new wasm.Module(sharedVariant(bytes)),
  });
  if (asked !== "portable") {
    const fused = new Uint8Array(Buffer.from(logSumExpFusedWasm, "base64"));
    if (wasm.validate(fused)) return { kernel: "fused", ...compile(fused) };
    if (process.versions.node.startsWith("20.")) {
      setFlagsFromString("--experimental-wasm-relaxed-simd");
      try {
        if (wasm.validate(fused)) return { kernel: "fused", ...compile(fused) };
      } finally {
        setFlagsFromString("--no-experimental-wasm-relaxed-simd");
      }
    }
  }
  return { kernel: "portable", ...compile(new Uint8Array(Buffer.from(logSumExpWasm, "base64"))) };
}

/**
 * Copies `bytes` into `target` from byte `at`, either of them on shared memory (a worker's inbox).
 * V8 copies to or from a SharedArrayBuffer element by element with relaxed atomics
 * (TypedArray.prototype.set and Buffer.copy alike: 14.5 GB/s here, 5.8 GB/s while the other core
 * computes), while Buffer.fill with the bytes as its pattern is one memcpy (22 GB/s; bench/RESULTS.md).
 * @internal
 */
export function writeBytes(target: Buffer, at: number, bytes: Uint8Array): void {
  if (bytes.byteLength > 0) target.fill(bytes, at, at + bytes.byteLength);
}

/** Grows `memory` to at least `bytes`; returns its buffer (a new one after growing). @internal */
export function reserve(memory: KernelMemory, bytes: number): ArrayBuffer | SharedArrayBuffer {
  const missing = Math.ceil(bytes / PAGE) - memory.buffer.byteLength / PAGE;
  if (missing > 0) memory.grow(missing);
  return memory.buffer;
}

/**
 * The CPU kernel's runtime: the kernel on the main thread's own memory (rows copied in), the
 * kernel on the arena (a shared memory whose rows every thread reads in place), and worker
 * threads (started on first use, kept, and unref'd so they never hold the process open) that run
 * it on the arena and on their inboxes.
 * @internal
 */
export class KernelPool {
  /** Which build of the kernel runs: "fused" (relaxed SIMD's multiply-adds) or "portable" (see compileKernel). */
  readonly kernel: "fused" | "portable";
  readonly local: KernelInstance;
  readonly arena: KernelInstance;
  readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  /** The kernel's module on a shared memory: the arena's, and the workers' (on the arena and on their inboxes). */
  private readonly sharedModule: object;
  private readonly workers: PoolWorker[] = [];

  constructor() {
    const { kernel, module, sharedModule } = compileKernel();
    this.kernel = kernel;
    this.sharedModule = sharedModule;
    this.local = instantiate(module, new wasm.Memory({ initial: 16, maximum: 65536 }));
    this.arena = instantiate(sharedModule, new wasm.Memory({ initial: 1, maximum: 65536, shared: true }));
  }

  /** The first `count` workers (at most 16), started as needed. */
  workersFor(count: number): readonly PoolWorker[] {
    while (this.workers.length < Math.min(count, MAX_WORKERS)) {
      const base = this.workers.length * WORDS_PER_WORKER;
      const { port1, port2 } = new MessageChannel();
      const index = this.workers.length;
      const inbox = new wasm.Memory({ initial: 1, maximum: 65536, shared: true });
      const worker = new Worker(workerSource, {
        eval: true,
        workerData: {
          sharedModule: this.sharedModule,
          arena: this.arena.memory,
          inbox,
          control: this.control.buffer,
          base,
          index,
          port: port2,
        },
        transferList: [port2],
      });
      worker.unref();
      port1.unref();
      this.workers.push({ base, port: port1, inbox, inboxBytes: Buffer.from(inbox.buffer), posted: 0 });
    }
    return this.workers.slice(0, Math.min(count, MAX_WORKERS));
  }

  /**
   * The byte offset in `worker`'s inbox of a free slot of `slotBytes` for its next job (the inbox
   * grows to SLOTS of them), or null while all SLOTS slots hold jobs not yet done. Jobs finish in
   * the order they are posted, so the slot of post number p is p mod SLOTS.
   */
  freeSlot(worker: PoolWorker, slotBytes: number): number | null {
    if (worker.posted - this.done(worker) >= SLOTS) return null;
    const buffer = reserve(worker.inbox, SLOTS * slotBytes);
    if (worker.inboxBytes.byteLength !== buffer.byteLength) worker.inboxBytes = Buffer.from(buffer);
    return (worker.posted % SLOTS) * slotBytes;
  }

  /** The number of jobs `worker` has finished (they finish in the order they were posted). */
  done(worker: PoolWorker): number {
    return Atomics.load(this.control, worker.base + 1);
  }

  /** Hands `job` to `worker`. */
  post(worker: PoolWorker, job: StatisticsJob | ScaleJob | ArenaJob): void {
    worker.port.postMessage(job);
    worker.posted++;
    Atomics.store(this.control, worker.base, worker.posted);
    Atomics.notify(this.control, worker.base);
  }

  /** Blocks until every posted job is done; throws if a worker failed or stopped answering. */
  drain(): void {
    for (const worker of this.workers) {
      for (
        let done = Atomics.load(this.control, worker.base + 1);
        done !== worker.posted;
        done = Atomics.load(this.control, worker.base + 1)
      ) {
        if (Atomics.wait(this.control, worker.base + 1, done, 60_000) === "timed-out")
          throw new Error("luce: a CPU worker thread stopped answering");
      }
      if (Atomics.exchange(this.control, worker.base + 2, 0) !== 0)
        throw new Error("luce: the CPU kernel failed in a worker thread");
    }
  }
}

let pool: KernelPool | null = null;

/** The process's kernel pool, created on first use. @internal */
export function kernelPool(): KernelPool {
  pool ??= new KernelPool();
  return pool;
}

/**
 * Threads the float32 path uses by default: the machine's parallelism, at most 4 (the main thread copies rows for the
 * others).
 */
export function defaultThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}
