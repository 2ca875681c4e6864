import { availableParallelism } from "node:os";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { logSumExpWasm } from "./log-sum-exp-wasm.js";

/** Buffers of rows in flight per worker: enough to cover the main thread's own chunk. */
export const SLOTS = 4;
/** Int32 words of control per worker: jobs posted, jobs done, failure flag. */
const WORDS_PER_WORKER = 16;
const MAX_WORKERS = 16;
const PAGE = 65536;

/** The parts of the WebAssembly API used here (TypeScript's ES libraries do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number }) => KernelMemory;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
/** A WebAssembly memory. */
interface KernelMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The kernel's export: statistics of `count` rows of `n` float32 from byte `p`, 24 bytes per row to `out`. */
export type RowStatistics = (p: number, n: number, count: number, out: number) => void;

/** A job: `rows` rows of `rowLength` float32 in `buffer`, their statistics to `stats` from byte `statsAt`. */
interface Job {
  readonly buffer: ArrayBuffer;
  readonly rows: number;
  readonly rowLength: number;
  readonly stats: SharedArrayBuffer;
  readonly statsAt: number;
}

/**
 * A worker's side, as source (a worker started from a string needs no file on disk, so it runs
 * the same from dist/ and from the TypeScript sources under test). It sleeps on its `posted`
 * word; for each job on its port it copies the rows into its own kernel memory, runs the kernel,
 * writes the statistics into the shared array, hands the buffer back and counts the job done.
 * Rows travel in transferred ArrayBuffers, not in shared memory, because V8 copies into a
 * SharedArrayBuffer at half the speed of a plain one.
 */
const workerSource = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { module, control: controlBuffer, base, port } = workerData;
const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536 });
const { rowStatistics } = new WebAssembly.Instance(module, { env: { memory }, math: { exp: Math.exp } }).exports;
const control = new Int32Array(controlBuffer);
let done = Atomics.load(control, base + 1);
for (;;) {
  Atomics.wait(control, base, done);
  for (let received = receiveMessageOnPort(port); received !== undefined; received = receiveMessageOnPort(port)) {
    const { buffer, rows, rowLength, stats, statsAt } = received.message;
    try {
      const bytes = rows * rowLength * 4;
      const missing = Math.ceil((bytes + rows * 24) / ${PAGE}) - memory.buffer.byteLength / ${PAGE};
      if (missing > 0) memory.grow(missing);
      new Uint8Array(memory.buffer).set(new Uint8Array(buffer, 0, bytes));
      rowStatistics(0, rowLength, rows, bytes);
      new Float64Array(stats, statsAt, 3 * rows).set(new Float64Array(memory.buffer, bytes, 3 * rows));
    } catch {
      Atomics.store(control, base + 2, 1);
    }
    port.postMessage(buffer, [buffer]);
    done++;
    Atomics.store(control, base + 1, done);
    Atomics.notify(control, base + 1);
  }
}
`;

/** One worker thread, its port, its free row buffers and the jobs posted to it. */
interface PoolWorker {
  readonly base: number;
  readonly port: MessagePort;
  readonly free: ArrayBuffer[];
  posted: number;
}

/** The kernel on one memory. @internal */
export interface KernelInstance {
  readonly memory: KernelMemory;
  readonly rowStatistics: RowStatistics;
}

/** Grows `memory` to at least `bytes`; returns a Float32Array over all of it. @internal */
export function reserve(memory: KernelMemory, bytes: number): Float32Array {
  const missing = Math.ceil(bytes / PAGE) - memory.buffer.byteLength / PAGE;
  if (missing > 0) memory.grow(missing);
  return new Float32Array(memory.buffer);
}

/**
 * The CPU kernel's runtime: the kernel on the main thread's own memory, and worker threads
 * (started on first use, kept, and unref'd so they never hold the process open) that run it on
 * rows the main thread copies into buffers it hands them.
 * @internal
 */
export class KernelPool {
  readonly local: KernelInstance;
  private readonly module: object;
  private readonly control = new Int32Array(new SharedArrayBuffer(MAX_WORKERS * WORDS_PER_WORKER * 4));
  private readonly workers: PoolWorker[] = [];

  constructor() {
    this.module = new wasm.Module(Buffer.from(logSumExpWasm, "base64"));
    const memory = new wasm.Memory({ initial: 16, maximum: 65536 });
    const instance = new wasm.Instance(this.module, { env: { memory }, math: { exp: Math.exp } });
    this.local = { memory, rowStatistics: instance.exports.rowStatistics as RowStatistics };
  }

  /** The first `count` workers (at most 16), started as needed. */
  workersFor(count: number): readonly PoolWorker[] {
    while (this.workers.length < Math.min(count, MAX_WORKERS)) {
      const base = this.workers.length * WORDS_PER_WORKER;
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(workerSource, { eval: true, workerData: { module: this.module, control: this.control.buffer, base, port: port2 }, transferList: [port2] });
      worker.unref();
      port1.unref();
      this.workers.push({ base, port: port1, free: [], posted: 0 });
    }
    return this.workers.slice(0, Math.min(count, MAX_WORKERS));
  }

  /**
   * A buffer of at least `bytes` for `worker`'s next job, or null while all its SLOTS buffers are
   * out (it is busy). Buffers come back through its port.
   */
  freeBuffer(worker: PoolWorker, bytes: number): ArrayBuffer | null {
    for (let back = receiveMessageOnPort(worker.port); back !== undefined; back = receiveMessageOnPort(worker.port)) worker.free.push(back.message as ArrayBuffer);
    const inFlight = worker.posted - Atomics.load(this.control, worker.base + 1);
    if (inFlight >= SLOTS) return null;
    let buffer = worker.free.pop();
    while (buffer !== undefined && buffer.byteLength < bytes) buffer = worker.free.pop(); // too small for this call's rows: drop
    return buffer ?? new ArrayBuffer(bytes);
  }

  /** Hands `job` to `worker`. */
  post(worker: PoolWorker, job: Job): void {
    worker.port.postMessage(job, [job.buffer]);
    worker.posted++;
    Atomics.store(this.control, worker.base, worker.posted);
    Atomics.notify(this.control, worker.base);
  }

  /** Blocks until every posted job is done; throws if a worker failed or stopped answering. */
  drain(): void {
    for (const worker of this.workers) {
      for (let done = Atomics.load(this.control, worker.base + 1); done !== worker.posted; done = Atomics.load(this.control, worker.base + 1)) {
        if (Atomics.wait(this.control, worker.base + 1, done, 60_000) === "timed-out") throw new Error("luce: a CPU worker thread stopped answering");
      }
      if (Atomics.exchange(this.control, worker.base + 2, 0) !== 0) throw new Error("luce: the CPU kernel failed in a worker thread");
    }
  }
}

let pool: KernelPool | null = null;

/** The process's kernel pool, created on first use. @internal */
export function kernelPool(): KernelPool {
  pool ??= new KernelPool();
  return pool;
}

/** Threads the float32 path uses by default: the machine's parallelism, at most 4 (the main thread copies rows for the others). */
export function defaultThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}
