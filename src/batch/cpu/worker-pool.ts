import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { LuceError } from "../../errors.js";
import { logSumExpFusedWasm, logSumExpWasm } from "./log-sum-exp-wasm.js";

/** Bytes in a WebAssembly page. @internal */
export const PAGE = 65536;
/** Pages of a 32-bit WebAssembly memory (4 GiB): the arena's maximum. @internal */
export const MAX_PAGES = 65536;
/** Worker threads at most, beside the calling thread. @internal */
export const MAX_WORKERS = 16;
/** Logits in a block of the float32 kernel (log-sum-exp.wat): a row's last partial block is padded to it. */
const KERNEL_BLOCK = 128;
/** Bytes of a thread's scratch block, where the float32 kernel pads a row's last partial block with −∞. */
const SCRATCH_BLOCK_BYTES = KERNEL_BLOCK * 4;
/** Bytes at the start of the arena: one scratch block per thread (the calling thread's first). @internal */
export const ARENA_SCRATCH_BYTES = (MAX_WORKERS + 1) * SCRATCH_BLOCK_BYTES;
/** Bytes of one row's statistics as the kernel writes them: maximum, rest and ties, three float64. @internal */
export const STATISTICS_BYTES = 3 * 8;
/** Bytes of one row's entry in a job's offset table: an Int32 byte offset into the arena. @internal */
export const OFFSET_BYTES = 4;
/** Bytes of one row's factors in a scale job: its maximum and its scale, two float64 where its statistics go. */
export const FACTOR_BYTES = 2 * 8;

/** A worker's control words (Int32, shared with it): jobs posted, jobs done, and whether its thread has ended. */
const WORDS = { posted: 0, done: 1, exited: 2 } as const;
/** The layout constants the worker needs, handed to it so that they are written once (here). */
const WORKER_LAYOUT = { statisticsBytes: STATISTICS_BYTES };

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

/** The kernel on the arena, as the calling thread runs it: its exports (see row-job.js). @internal */
export interface KernelInstance {
  readonly memory: KernelMemory;
  readonly exports: Record<string, unknown>;
}

/**
 * One job, the only shape there is: `count` rows at the byte offsets in the arena listed from `offsetsAt` (Int32),
 * each `rowLength` float32 (float64 with `float64`). "statistics" writes each row's statistics (STATISTICS_BYTES a
 * row) from `outAt`; "scale" reads each row's maximum and scale (FACTOR_BYTES a row) from `outAt` and replaces the
 * row by scale·exp(x − maximum), the logits gradient's softmax part.
 * @internal
 */
export interface RowJob {
  readonly op: "statistics" | "scale";
  readonly float64: boolean;
  readonly offsetsAt: number;
  readonly count: number;
  readonly rowLength: number;
  readonly outAt: number;
}

/** One worker thread, its port and its control words. @internal */
export interface PoolWorker {
  /** Its place in the pool: it uses the arena's scratch block `index + 1`. */
  readonly index: number;
  readonly thread: Worker;
  readonly port: MessagePort;
  readonly state: Int32Array;
  /** Jobs posted so far; job number p is done once the DONE word exceeds p (jobs finish in order). */
  posted: number;
  /** Why the thread ended (its error, or its exit code), once it has. */
  ended: unknown;
}

/** The WebAssembly API, or a LuceError for the caller `fn` where the process has none (`node --jitless`). */
function webAssembly(fn: string): WebAssemblyApi {
  const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined || typeof api.validate !== "function")
    throw new LuceError(
      fn,
      "options.backend",
      'is "cpu", whose kernel is WebAssembly, which this process does not have (node --jitless?); run without ' +
        '--jitless, or use backend: "webgpu"',
    );
  return api;
}

/**
 * The kernel's module on a shared memory, in the build to run: "fused" where the engine validates relaxed SIMD
 * (Node 22 and later), else "portable"; `LUCE_KERNEL=portable` in the environment asks for the portable build
 * everywhere (the same bits on every CPU, FMA or not). Node 20's V8 (11.3) has relaxed SIMD complete but behind
 * --experimental-wasm-relaxed-simd (it shipped in V8 11.4): there the flag is turned on for this compile only and
 * restored at once. A compiled module keeps the features it was compiled with, on every thread it is sent to.
 */
function compileKernel(wasm: WebAssemblyApi): { kernel: "fused" | "portable"; module: object } {
  const asked = process.env.LUCE_KERNEL;
  if (asked !== undefined && asked !== "" && asked !== "fused" && asked !== "portable")
    throw new Error(`luce: LUCE_KERNEL must be "fused" or "portable", not "${asked}"`);
  const compile = (bytes: Uint8Array) => new wasm.Module(bytes);
  if (asked !== "portable") {
    const fused = new Uint8Array(Buffer.from(logSumExpFusedWasm, "base64"));
    if (wasm.validate(fused)) return { kernel: "fused", module: compile(fused) };
    if (process.versions.node.startsWith("20.")) {
      setFlagsFromString("--experimental-wasm-relaxed-simd");
      try {
        if (wasm.validate(fused)) return { kernel: "fused", module: compile(fused) };
      } finally {
        setFlagsFromString("--no-experimental-wasm-relaxed-simd");
      }
    }
  }
  return { kernel: "portable", module: compile(new Uint8Array(Buffer.from(logSumExpWasm, "base64"))) };
}

/**
 * Copies `bytes` into `target` from byte `at`, either of them on shared memory (the arena). V8 copies to or from a
 * SharedArrayBuffer element by element with relaxed atomics (TypedArray.prototype.set and Buffer.copy alike), while
 * Buffer.fill with the bytes as its pattern is one memcpy.
 * @internal
 */
export function writeBytes(target: Buffer, at: number, bytes: Uint8Array): void {
  if (bytes.byteLength > 0) target.fill(bytes, at, at + bytes.byteLength);
}

/** Atomics.waitAsync (ES2024; Node 16 and later have it, TypeScript's ES2022 library does not declare it). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: Promise<unknown> | string };
  }
).waitAsync.bind(Atomics);

/** The worker module, next to this file both in dist/ and in src/ (see kernel-worker.js). */
const WORKER_URL = new URL("./kernel-worker.js", import.meta.url);

/**
 * Bytes of address space a worker thread reserves (its V8 isolate: code range and heap). V8 aborts the whole
 * process when it cannot reserve them, so a worker is started only where this much is left under the limit.
 */
const WORKER_ADDRESS_SPACE = 1.5 * 2 ** 30;

/**
 * Bytes of address space left to this process under its limit (`ulimit -v`), from /proc on Linux; Infinity where
 * there is no limit or it cannot be read.
 */
function addressSpaceLeft(): number {
  try {
    const limit = /^Max address space\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1];
    if (limit === undefined || limit === "unlimited") return Infinity;
    const used = /^VmSize:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    return used === undefined ? Infinity : Number(limit) - 1024 * Number(used);
  } catch {
    return Infinity;
  }
}

/** Milliseconds a blocking wait gives a worker's job before it gives up on the worker. */
const SYNC_WAIT_LIMIT_MS = 60_000;

/**
 * The CPU kernel's runtime: the kernel on the arena (one shared memory that every thread reads and writes, rows in
 * place) for the calling thread, and worker threads that run it on the same memory. Workers start on first use and
 * are kept, unref'd while idle so they never hold the process open; a worker whose thread ends is dropped, its
 * pending jobs' calls fail with a LuceError, and the next call starts a new one in its place.
 * @internal
 */
export class KernelPool {
  /** Which build of the kernel runs: "fused" (relaxed SIMD's multiply-adds) or "portable" (see compileKernel). */
  readonly kernel: "fused" | "portable";
  /** The kernel on the arena, for the calling thread. */
  readonly arena: KernelInstance;
  private readonly module: object;
  private readonly workers: (PoolWorker | undefined)[] = [];
  /** Why workers cannot be started in this process (the permission model, the address space), once seen. */
  private workerStartFailure: unknown = null;
  /** Calls in flight that wait for workers asynchronously: while any is, the workers hold the process open. */
  private held = 0;

  constructor(fn = "luce/batch") {
    const wasm = webAssembly(fn);
    const { kernel, module } = compileKernel(wasm);
    this.kernel = kernel;
    this.module = module;
    let memory: KernelMemory;
    try {
      memory = new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    } catch (error) {
      throw Object.assign(
        new LuceError(
          fn,
          "options.backend",
          `is "cpu", whose kernel needs a 4 GiB WebAssembly memory, which this process could not reserve (${String(error)}): ` +
            "raise the address-space limit (ulimit -v)",
        ),
        { cause: error },
      );
    }
    const { exports } = new wasm.Instance(module, { env: { memory }, math: { exp: Math.exp } });
    this.arena = { memory, exports };
  }

  /**
   * Up to `count` live workers (at most MAX_WORKERS), started as needed. Fewer where the process forbids threads
   * (the permission model without --allow-worker) or has too little address space left for another (`ulimit -v`):
   * the calling thread then does their share.
   */
  workersFor(count: number): PoolWorker[] {
    const wanted = Math.min(count, MAX_WORKERS);
    for (let index = 0; index < wanted && this.workerStartFailure === null; index++) {
      if (this.workers[index] !== undefined) continue;
      if (addressSpaceLeft() < WORKER_ADDRESS_SPACE) break;
      try {
        this.workers[index] = this.startWorker(index);
      } catch (error) {
        this.workerStartFailure = error;
      }
    }
    return this.workers.slice(0, wanted).filter((w): w is PoolWorker => w !== undefined);
  }

  private startWorker(index: number): PoolWorker {
    const { port1, port2 } = new MessageChannel();
    const state = new Int32Array(new SharedArrayBuffer(Object.keys(WORDS).length * 4));
    const thread = new Worker(WORKER_URL, {
      // the host's flags (--input-type, --eval, loaders) are not the worker's business
      execArgv: [],
      workerData: {
        kernelModule: this.module,
        arena: this.arena.memory,
        control: state.buffer,
        words: WORDS,
        layout: WORKER_LAYOUT,
        scratchAt: (index + 1) * SCRATCH_BLOCK_BYTES,
        port: port2,
      },
      transferList: [port2],
    });
    const worker: PoolWorker = { index, thread, port: port1, state, posted: 0, ended: undefined };
    const end = (why: unknown) => {
      worker.ended ??= why;
      Atomics.store(state, WORDS.exited, 1);
      Atomics.notify(state, WORDS.done);
      if (this.workers[worker.index] === worker) this.workers[worker.index] = undefined;
    };
    thread.on("error", (error) => end(error));
    thread.on("exit", (code) => end(`the thread exited with code ${code}`));
    if (this.held === 0) thread.unref();
    port1.unref();
    return worker;
  }

  /** Hands `job` to `worker`; returns its post number. */
  post(worker: PoolWorker, job: RowJob): number {
    worker.port.postMessage(job);
    const post = worker.posted++;
    Atomics.store(worker.state, WORDS.posted, worker.posted);
    Atomics.notify(worker.state, WORDS.posted);
    return post;
  }

  /** Whether `worker` has finished its job number `post`. */
  isDone(worker: PoolWorker, post: number): boolean {
    return Atomics.load(worker.state, WORDS.done) > post;
  }

  /**
   * A LuceError for the caller `fn` when `worker`'s thread has ended (its error as the cause), else null; a worker
   * found ended is dropped from the pool.
   */
  failure(fn: string, worker: PoolWorker): LuceError | null {
    if (Atomics.load(worker.state, WORDS.exited) === 0) return null;
    const posted = receiveMessageOnPort(worker.port);
    if (posted !== undefined) worker.ended = posted.message;
    worker.ended ??= "the thread ended";
    if (this.workers[worker.index] === worker) this.workers[worker.index] = undefined;
    const why = worker.ended instanceof Error ? worker.ended.message : String(worker.ended);
    return Object.assign(
      new LuceError(
        fn,
        "options.threads",
        `asked for worker threads, and one of them failed during the call (${why}); it has been replaced, so the ` +
          "next call runs normally",
      ),
      { cause: worker.ended },
    );
  }

  /**
   * Blocks until `worker` has finished its job number `post`; throws the LuceError of {@link failure}, or one after
   * `limitMs`, ending the worker (only a thread that never started, or hangs, takes that long).
   */
  waitSync(fn: string, worker: PoolWorker, post: number, limitMs = SYNC_WAIT_LIMIT_MS): void {
    const start = Date.now();
    for (let done = Atomics.load(worker.state, WORDS.done); done <= post;) {
      const error = this.failure(fn, worker);
      if (error !== null) throw error;
      if (Date.now() - start > limitMs) {
        void worker.thread.terminate();
        throw new LuceError(fn, "options.threads", "asked for worker threads, and one of them stopped answering");
      }
      Atomics.wait(worker.state, WORDS.done, done, 100);
      done = Atomics.load(worker.state, WORDS.done);
    }
  }

  /** Resolves once `worker` has finished its job number `post`, leaving the event loop free; rejects as waitSync. */
  async waitAsync(fn: string, worker: PoolWorker, post: number): Promise<void> {
    for (let done = Atomics.load(worker.state, WORDS.done); done <= post;) {
      const error = this.failure(fn, worker);
      if (error !== null) throw error;
      const wait = waitAsync(worker.state, WORDS.done, done);
      if (wait.async) await wait.value;
      done = Atomics.load(worker.state, WORDS.done);
    }
  }

  /**
   * Marks an asynchronous call in flight: the workers hold the process open until {@link release} (a pending
   * Atomics.waitAsync does not, so without this a script awaiting a call could exit before its result).
   */
  hold(): void {
    if (this.held++ === 0) for (const w of this.workers) w?.thread.ref();
  }

  /** Ends what {@link hold} began. */
  release(): void {
    if (--this.held === 0) for (const w of this.workers) w?.thread.unref();
  }
}

let pool: KernelPool | null = null;

/** The process's kernel pool, created on first use (`fn` names the caller in its errors). @internal */
export function kernelPool(fn?: string): KernelPool {
  pool ??= new KernelPool(fn);
  return pool;
}

/**
 * Threads that score a call's rows by default, the calling one included: the machine's parallelism, at most 4 (past
 * that, the calling thread's copying of rows into the arena limits the speed).
 */
export function defaultThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}
