import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { LuceError } from "../../errors.js";
import { logSumExpFusedWasm, logSumExpWasm } from "./log-sum-exp-wasm.js";

/** Bytes in a WebAssembly page. @internal */
export const PAGE = 65536;
/** Pages of a 32-bit WebAssembly memory (4 GiB): the shared memory's maximum. @internal */
export const MAX_PAGES = 65536;
/** Worker threads at most, beside the calling thread. @internal */
export const MAX_WORKERS = 16;
/** Logits in a block of the float32 kernel (log-sum-exp.wat): a row's last partial block is padded to it. */
const KERNEL_BLOCK = 128;
/** Bytes of a thread's scratch block, where the float32 kernel pads a row's last partial block with −∞. */
const SCRATCH_BLOCK_BYTES = KERNEL_BLOCK * 4;
/** Bytes at the start of the shared memory: one scratch block per thread (the calling thread's first). @internal */
export const SCRATCH_BYTES = (MAX_WORKERS + 1) * SCRATCH_BLOCK_BYTES;

/** A worker's control words (Int32, shared with it): jobs posted, jobs done, and whether its thread has ended. */
const WORDS = { posted: 0, done: 1, exited: 2 } as const;

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

/**
 * One job, the only shape there is: `count` rows at the byte offsets in the shared memory listed from `offsetsAt`
 * (Int32), each `rowLength` float32 (float64 with `float64`), in chunks of `chunkRows` rows that threads claim through
 * the call's `control` words (CALL_WORDS in row-job.js). "statistics" writes each row's statistics (STATISTICS_BYTES a
 * row) from `outAt`, "moments" the same and then each row's moments (MOMENT_BYTES a row) from the same pass; "scale"
 * reads each row's maximum and scale (FACTOR_BYTES a row) from `outAt` and replaces the row by scale·exp(x − maximum),
 * the logits gradient's softmax part.
 * @internal
 */
export interface RowJob {
  readonly op: "statistics" | "scale" | "moments";
  readonly float64: boolean;
  readonly offsetsAt: number;
  readonly count: number;
  readonly rowLength: number;
  readonly outAt: number;
  readonly chunkRows: number;
  readonly control: SharedArrayBuffer;
}

/** What a call waits for: `array[index]` to change from `value`, while any of `workers` may fail. @internal */
export interface Pause {
  readonly array: Int32Array;
  readonly index: number;
  readonly value: number;
  readonly workers: readonly PoolWorker[];
}

/** One worker thread, its port and its control words. @internal */
export interface PoolWorker {
  /** Its place in the pool: it uses the shared memory's scratch block `index + 1`. */
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
 * The kernel's module, in the build to run: "fused" where the engine validates relaxed SIMD, else "portable"
 * (`LUCE_KERNEL=portable` asks for it everywhere: the same bits on every CPU). Node 20's V8 has relaxed SIMD behind
 * --experimental-wasm-relaxed-simd: the flag is on for this compile only; the module keeps its features everywhere.
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
 * Copies `bytes` into `target` from byte `at`, either of them on shared memory. V8 copies to or from a
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
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
      timeout: number,
    ): { async: boolean; value: Promise<unknown> | string };
  }
).waitAsync.bind(Atomics);

/** The worker module, next to this file both in dist/ and in src/ (see kernel-worker.js). */
const WORKER_URL = new URL("./kernel-worker.js", import.meta.url);

/** Bytes of address space a worker's V8 isolate reserves: V8 aborts the process when it cannot, so none starts then. */
const WORKER_ADDRESS_SPACE = 1.5 * 2 ** 30;

/** Bytes of address space left under `ulimit -v` (from /proc on Linux); Infinity where unlimited or unknown. */
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
/** Milliseconds between two looks at whether a worker waited for has failed. */
const POLL_MS = 20;

/**
 * The CPU kernel's runtime: the kernel on one shared memory for the calling thread, and worker threads that run it on
 * the same memory. Workers start on first use and are kept, unref'd while idle; a worker whose thread ends is
 * dropped, its calls fail with a LuceError, and the next call starts a new one in its place.
 * @internal
 */
export class KernelPool {
  /** Which build of the kernel runs: "fused" (relaxed SIMD's multiply-adds) or "portable" (see compileKernel). */
  readonly kernel: "fused" | "portable";
  /** The shared memory: logits from allocateLogits, staged rows, offset tables and results. */
  readonly memory: KernelMemory;
  /** The kernel's exports on the shared memory, for the calling thread (see row-job.js). */
  readonly exports: Record<string, unknown>;
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
    try {
      this.memory = new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
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
    this.exports = new wasm.Instance(module, { env: { memory: this.memory }, math: { exp: Math.exp } }).exports;
  }

  /**
   * Up to `count` live workers (at most MAX_WORKERS), started as needed; fewer where the process forbids threads
   * (the permission model) or lacks address space (`ulimit -v`): the calling thread then does their share.
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
        memory: this.memory,
        control: state.buffer,
        words: WORDS,
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

  /** What to wait for until `worker` has finished its job number `post`, or null once it has. */
  untilDone(worker: PoolWorker, post: number): Pause | null {
    const done = Atomics.load(worker.state, WORDS.done);
    return done > post ? null : { array: worker.state, index: WORDS.done, value: done, workers: [worker] };
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

  /** Throws the LuceError of {@link failure} for the first of `workers` that has failed. */
  private throwIfFailed(fn: string, workers: readonly PoolWorker[]): void {
    for (const worker of workers) {
      const error = this.failure(fn, worker);
      if (error !== null) throw error;
    }
  }

  /**
   * Blocks until `pause` is over; throws the LuceError of {@link failure}, or one after `limitMs`, ending the workers
   * (only a thread that never started, or hangs, takes that long).
   */
  waitSync(fn: string, pause: Pause, limitMs = SYNC_WAIT_LIMIT_MS): void {
    const start = Date.now();
    while (Atomics.load(pause.array, pause.index) === pause.value) {
      this.throwIfFailed(fn, pause.workers);
      if (Date.now() - start > limitMs) {
        for (const worker of pause.workers) void worker.thread.terminate();
        throw new LuceError(fn, "options.threads", "asked for worker threads, and one of them stopped answering");
      }
      Atomics.wait(pause.array, pause.index, pause.value, POLL_MS);
    }
  }

  /** Resolves once `pause` is over, leaving the event loop free; rejects as {@link waitSync}. */
  async waitAsync(fn: string, pause: Pause): Promise<void> {
    while (Atomics.load(pause.array, pause.index) === pause.value) {
      this.throwIfFailed(fn, pause.workers);
      const wait = waitAsync(pause.array, pause.index, pause.value, POLL_MS);
      if (wait.async) await wait.value;
    }
  }

  /** Marks an asynchronous call in flight: the workers hold the process open (a pending waitAsync does not). */
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
 * that, the calling thread's copying of rows into the shared memory limits the speed).
 */
export function defaultThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}
