import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { logSumExpWasm } from "./log-sum-exp-wasm.js";

/** Jobs a worker may have queued: enough to cover the main thread's own chunk. */
export const SLOTS = 4;
/** Int32 words of control per worker: posted, done, error, spare, then SLOTS job descriptors of 4 words. */
const WORDS_PER_WORKER = 64;
/** Bytes at the start of the memory for the control words (room for 16 workers). */
export const CONTROL_BYTES = 4096;
const MAX_WORKERS = CONTROL_BYTES / 4 / WORDS_PER_WORKER;
const PAGE = 65536;

/** The parts of the WebAssembly API used here (TypeScript's ES libraries do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => SharedMemory;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
/** A shared WebAssembly memory. */
interface SharedMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The kernel's export: statistics of `count` rows of `n` float32 from byte `p`, 24 bytes per row to `out`. */
export type RowStatistics = (p: number, n: number, count: number, out: number) => void;

/**
 * A worker's side of the protocol, as source (a worker started from a string needs no file on
 * disk, so it runs the same from dist/ and from the TypeScript sources under test). It sleeps on
 * its `posted` word, runs each job the main thread describes, and publishes `done`.
 */
const workerSource = `
const { workerData } = require("node:worker_threads");
const { module, memory, base } = workerData;
const { rowStatistics } = new WebAssembly.Instance(module, { env: { memory }, math: { exp: Math.exp } }).exports;
const control = new Int32Array(memory.buffer, 0, ${CONTROL_BYTES / 4});
let done = Atomics.load(control, base + 1);
for (;;) {
  Atomics.wait(control, base, done);
  const posted = Atomics.load(control, base);
  while (done !== posted) {
    const job = base + 4 + (done % ${SLOTS}) * 4;
    try {
      rowStatistics(control[job], control[job + 1], control[job + 2], control[job + 3]);
    } catch {
      Atomics.store(control, base + 2, 1);
    }
    done++;
    Atomics.store(control, base + 1, done);
    Atomics.notify(control, base + 1);
  }
}
`;

/** One worker thread and the main thread's count of the jobs posted to it. */
export interface PoolWorker {
  /** Index of its first control word. */
  readonly base: number;
  posted: number;
}

/**
 * The CPU kernel's runtime: one shared WebAssembly memory, the kernel instantiated on the main
 * thread, and worker threads (started on first use, kept, and unref'd so they never hold the
 * process open) that run the same kernel on the same memory.
 * @internal
 */
export class KernelPool {
  readonly memory: SharedMemory;
  readonly rowStatistics: RowStatistics;
  readonly control: Int32Array;
  readonly workers: PoolWorker[] = [];
  private readonly module: object;

  constructor() {
    this.module = new wasm.Module(Buffer.from(logSumExpWasm, "base64"));
    this.memory = new wasm.Memory({ initial: 16, maximum: 65536, shared: true });
    const instance = new wasm.Instance(this.module, { env: { memory: this.memory }, math: { exp: Math.exp } });
    this.rowStatistics = instance.exports.rowStatistics as RowStatistics;
    this.control = new Int32Array(this.memory.buffer, 0, CONTROL_BYTES / 4);
  }

  /** Starts workers until there are `count` (at most 16). */
  ensureWorkers(count: number): void {
    while (this.workers.length < Math.min(count, MAX_WORKERS)) {
      const base = this.workers.length * WORDS_PER_WORKER;
      const worker = new Worker(workerSource, { eval: true, workerData: { module: this.module, memory: this.memory, base } });
      worker.unref();
      this.workers.push({ base, posted: Atomics.load(this.control, base + 1) });
    }
  }

  /** Grows the memory to at least `bytes`; returns a Float32Array over all of it. */
  reserve(bytes: number): Float32Array {
    const missing = Math.ceil(bytes / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (missing > 0) this.memory.grow(missing);
    return new Float32Array(this.memory.buffer);
  }

  /** Posts a job to a worker's next slot (the caller checked that one is free). */
  post(worker: PoolWorker, p: number, n: number, count: number, out: number): void {
    const job = worker.base + 4 + (worker.posted % SLOTS) * 4;
    this.control[job] = p;
    this.control[job + 1] = n;
    this.control[job + 2] = count;
    this.control[job + 3] = out;
    worker.posted++;
    Atomics.store(this.control, worker.base, worker.posted);
    Atomics.notify(this.control, worker.base);
  }

  /** Jobs posted to `worker` and not yet done. */
  pending(worker: PoolWorker): number {
    return worker.posted - Atomics.load(this.control, worker.base + 1);
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
