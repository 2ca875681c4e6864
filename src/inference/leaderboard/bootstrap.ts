import { Worker } from "node:worker_threads";
import { LuceError } from "../../errors.js";
import { roundWidth, type BootstrapProblem } from "./bootstrap-rounds.js";

const WORKER_URL = new URL("./bootstrap-worker.js", import.meta.url);

/**
 * The compiled rounds module the workers import. Beside the compiled host that is `bootstrap-rounds.js`; when the
 * host runs from its TypeScript source (the test runner), the worker cannot load TypeScript, so it takes the
 * compiled copy under dist/ (which `npm test` builds first).
 */
function roundsModule(): string {
  const here = import.meta.url;
  return here.endsWith(".ts")
    ? new URL("../../../dist/inference/leaderboard/bootstrap-rounds.js", here).href
    : new URL("./bootstrap-rounds.js", here).href;
}

/**
 * Bootstrap θ per round (then γ with style control), round-major (`theta[round · width + i]`, width =
 * {@link roundWidth}), and the rounds whose fit did not converge.
 */
export interface BootstrapThetas {
  readonly theta: Float64Array;
  readonly unconverged: number;
}

/** Rounds per job: small enough to share the work evenly and report progress, large enough to cost nothing. */
const MAX_ROUNDS_PER_JOB = 8;

/** Jobs posted ahead to each worker. */
const JOBS_IN_FLIGHT = 2;

interface Reply {
  readonly first?: number;
  readonly count?: number;
  readonly theta?: Float64Array;
  readonly converged?: Uint8Array;
  readonly error?: unknown;
}

/**
 * The worker threads of a bootstrap, started ahead of the rounds: each loads the rounds module as soon as it is
 * created, so a caller that starts them before its full-data fit has them ready when the problem is known. Rounds
 * are handed out in small jobs as threads become free; a round's result depends only on (seed, round index), never
 * on the thread that ran it, so the result is the same for every thread count. The calling thread only dispatches,
 * so its event loop keeps running. {@link close} ends the threads (run does when it settles); a caller that fails
 * before running calls it.
 * @internal
 */
export class BootstrapWorkers {
  private readonly workers: Worker[] = [];
  /** The first failure of a thread: an error it raised or an exit before the rounds were done. */
  private failure: { error: unknown } | undefined;
  /** Called on a thread's failure while rounds run. */
  private onFailure: ((error: unknown) => void) | undefined;
  private closed = false;

  /** Starts `threads` worker threads; if one cannot be started, those already started are ended. */
  constructor(threads: number) {
    try {
      for (let t = 0; t < threads; t++) {
        const worker = new Worker(WORKER_URL, { workerData: { module: roundsModule() } });
        this.workers.push(worker);
        worker.on("error", (error) => this.fail(error));
        worker.on("exit", (code) => {
          if (!this.closed)
            this.fail(new Error(`the worker thread exited with code ${code} before the rounds were done`));
        });
      }
    } catch (error) {
      this.close();
      throw error;
    }
  }

  private fail(error: unknown): void {
    this.failure ??= { error };
    this.onFailure?.(error);
  }

  /** Ends the threads. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.workers) void w.terminate();
  }

  /**
   * Runs `rounds` bootstrap rounds of `problem` on the threads and collects their θ; closes the threads when done.
   *
   * @param fn - the public function errors name
   * @throws {@link LuceError} (with the worker's error as `cause`) when a worker fails; whatever `onProgress`
   *   throws, as it is
   */
  run(
    fn: string,
    problem: BootstrapProblem,
    rounds: number,
    onProgress?: (done: number, total: number) => void,
  ): Promise<BootstrapThetas> {
    const n = roundWidth(problem);
    const theta = new Float64Array(rounds * n);
    const threads = this.workers.length;
    const perJob = Math.max(1, Math.min(MAX_ROUNDS_PER_JOB, Math.floor(rounds / (4 * JOBS_IN_FLIGHT * threads))));
    return new Promise<BootstrapThetas>((resolve, reject) => {
      let next = 0;
      let done = 0;
      let unconverged = 0;
      let settled = false;
      /** Ends the threads and settles: resolved without a failure, else rejected with it as it is. */
      const settle = (failure?: { reason: unknown }) => {
        if (settled) return;
        settled = true;
        this.onFailure = undefined;
        this.close();
        if (failure === undefined) resolve({ theta, unconverged });
        else reject(failure.reason);
      };
      /** Settles, a thread's error (if any) wrapped in a LuceError naming `fn`. */
      const finish = (error?: unknown) => {
        if (error === undefined) return settle();
        const failure = new LuceError(fn, "options.ci", `bootstrap: a worker thread failed: ${String(error)}`);
        settle({ reason: Object.assign(failure, { cause: error }) });
      };
      if (this.failure !== undefined) return finish(this.failure.error);
      if (this.closed) return finish(new Error("the worker threads were closed before the rounds ran"));
      this.onFailure = finish;
      const dispatch = (worker: Worker) => {
        if (next >= rounds) return;
        const count = Math.min(perJob, rounds - next);
        worker.postMessage({ first: next, count });
        next += count;
      };
      for (const worker of this.workers) {
        worker.on("message", (reply: Reply) => {
          if (settled) return;
          if (reply.error !== undefined) return finish(reply.error);
          if (reply.theta !== undefined && reply.converged !== undefined && reply.first !== undefined) {
            theta.set(reply.theta, reply.first * n);
            for (const c of reply.converged) if (c === 0) unconverged++;
            done += reply.converged.length;
            try {
              onProgress?.(done, rounds);
            } catch (error) {
              // the caller's own error: the rounds stop, and the promise (not the event loop) carries it
              return settle({ reason: error });
            }
            if (done === rounds) return finish();
          }
          dispatch(worker);
        });
        worker.postMessage({ problem });
        // two jobs in flight: the worker starts the second while the first's reply is on its way and the next job
        // is posted, so it never waits for the calling thread
        for (let queued = 0; queued < JOBS_IN_FLIGHT; queued++) dispatch(worker);
      }
    });
  }
}

/**
 * The q-quantile of sorted values by linear interpolation between order statistics (Hyndman–Fan type 7, numpy's
 * default `quantile`): position (R − 1)·q.
 * @internal
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}
