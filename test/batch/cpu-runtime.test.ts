import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";
import { LuceError } from "../../src/errors.js";
import { CALL_WORDS } from "../../src/batch/cpu/row-job.js";
import { kernelPool } from "../../src/batch/cpu/worker-pool.js";
import { allocateLogits, dpoBatch, releaseLogits, sequenceLogProbs } from "../../src/batch/index.js";
import { syntheticBatch } from "../helpers/synthetic-logits.js";
import { expectClose, expectLuceError, expectLuceRejection } from "../helpers/close.js";

// The CPU runtime: how the batch path runs (worker threads, launch modes, failures, overlapping calls, shared memory).
// Child processes run the built package (dist/, as `npm test` builds it first), the way a user's process does.

const root = resolve(import.meta.dirname, "../..");
const dist = pathToFileURL(join(root, "dist/batch/index.js")).href;
const scratch = mkdtempSync(join(tmpdir(), "luce-runtime-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** [2, 64, 32000]: more rows than one chunk of the calling thread, so worker threads take part. */
const [B, T, V] = [2, 64, 32000];
/** The batch every launch mode scores, built the same way in this process and in the child scripts. */
const makeBatch = `
const [B, T, V] = [${B}, ${T}, ${V}];
const data = new Float32Array(B * T * V).map((_, i) => Math.sin(i * 0.001) * 3);
const labels = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (t * 7 + b) % V));
`;
const batch = new Function(`${makeBatch}; return { data, labels };`)() as { data: Float32Array; labels: number[][] };

/**
 * The per-sequence log-probs in float64 by a plain max-shifted log-sum-exp over the float32 logits: an independent
 * reference for the kernel's float32 contract (1e-7 relative per sequence).
 */
function referenceLogps(data: Float32Array, labels: number[][], [b, t, v]: readonly number[]): number[] {
  return Array.from({ length: b }, (_, i) => {
    let sum = 0;
    for (let j = 0; j + 1 < t; j++) {
      const row = data.subarray((i * t + j) * v, (i * t + j + 1) * v);
      let max = -Infinity;
      for (const x of row) max = Math.max(max, x);
      let s = 0;
      for (const x of row) s += Math.exp(x - max);
      sum += row[labels[i][j + 1]] - max - Math.log(s);
    }
    return sum;
  });
}
const reference = referenceLogps(batch.data, batch.labels, [B, T, V]);

/** The script every launch mode runs: score the batch with 4 threads, print the log-probs as JSON. */
const scoreAndPrint = `
const { sequenceLogProbs } = await import(${JSON.stringify(dist)});
${makeBatch}
const logps = await sequenceLogProbs({ data, shape: [B, T, V] }, labels, { threads: 4 });
console.log(JSON.stringify(Array.from(logps)));
`;

/** Runs `node ...args` with `input` on stdin; returns its output, failing the test on a non-zero exit. */
function node(args: string[], input = ""): string {
  const child = spawnSync(process.execPath, args, { input, encoding: "utf8", timeout: 120_000, cwd: scratch });
  if (child.status !== 0) expect.fail(`node ${args.join(" ")} exited with ${child.status}: ${child.stderr}`);
  return child.stdout;
}

describe("launch modes: the same log-probs whatever runs the batch path", () => {
  // scored on first use, not while the tests are collected: a call left running would share the workers with tests
  // that kill them
  let inProcess: Promise<Float64Array> | undefined;
  const scoredInProcess = () =>
    (inProcess ??= sequenceLogProbs({ data: batch.data, shape: [B, T, V] }, batch.labels, { threads: 4 }));
  const expectSame = async (stdout: string) => {
    const got = JSON.parse(stdout.trim().split("\n").at(-1)!) as number[];
    got.forEach((x, b) => expectClose(x, reference[b], { rel: 1e-7 }, `sequence ${b}`));
    expect(got).toEqual(Array.from(await scoredInProcess())); // vitest runs the sources: the same bits
  };
  it("a module file", async () => {
    const file = join(scratch, "score.mjs");
    writeFileSync(file, scoreAndPrint);
    await expectSame(node([file]));
  });
  it("node --input-type=module -e (where the eval'd worker used to hang 60 s)", async () => {
    await expectSame(node(["--input-type=module", "-e", scoreAndPrint]));
  });
  it("ES module source on stdin", async () => {
    await expectSame(node(["--input-type=module"], scoreAndPrint));
  });
  it("node -e (CommonJS, importing the package)", async () => {
    await expectSame(node(["-e", `(async () => { ${scoreAndPrint} })()`]));
  });
  it("a worker thread that imports luce/batch", async () => {
    writeFileSync(join(scratch, "score.mjs"), scoreAndPrint);
    const file = join(scratch, "in-worker.mjs");
    writeFileSync(
      file,
      `import { Worker } from "node:worker_threads"; new Worker(new URL("./score.mjs", import.meta.url));`,
    );
    await expectSame(node([file]));
  });
  it("under the permission model without --allow-worker: the calling thread alone", async () => {
    const file = join(scratch, "score.mjs");
    writeFileSync(file, scoreAndPrint);
    await expectSame(node(["--experimental-permission", `--allow-fs-read=*`, "--no-warnings", file]));
  });
  it("under an address-space limit (ulimit -v): fewer threads, or a LuceError saying what to raise; never an abort", async () => {
    const file = join(scratch, "score.mjs");
    writeFileSync(file, scoreAndPrint);
    // shared memory reserves about 10 GiB of address space and each worker about 1: 12 GiB leaves room for no worker
    const limited = (kib: number) =>
      spawnSync("bash", ["-c", `ulimit -v ${kib} && exec "${process.execPath}" "${file}"`], {
        encoding: "utf8",
        timeout: 120_000,
      });
    for (const kib of [12_000_000, 4_000_000]) {
      const child = limited(kib);
      expect(child.signal).toBeNull();
      if (child.status === 0) await expectSame(child.stdout);
      else
        expect(child.stderr).toMatch(/LuceError: sequenceLogProbs: argument 'options.backend' .*address-space limit/);
    }
  });
  it("with --jitless (no WebAssembly): a LuceError saying so", () => {
    const child = spawnSync(process.execPath, ["--jitless", "--input-type=module", "-e", scoreAndPrint], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(child.status).not.toBe(0);
    expect(child.stderr).toMatch(/LuceError: sequenceLogProbs: argument 'options.backend' .*WebAssembly/);
  });
});

describe("a worker thread that fails", () => {
  const call = (threads = 2) =>
    sequenceLogProbs({ data: batch.data, shape: [B, T, V] }, batch.labels, { threads, precision: "float32" });

  it("killed while its call waits on its work: the call rejects with a LuceError at once, and the next call succeeds", async () => {
    // read in place, so that every chunk is staged before the call's first post to its worker
    const logits = allocateLogits([4, 64, 32000]);
    logits.data.set(syntheticBatch(3, [4, 64, 32000], 0).logits.data);
    const pool = kernelPool();
    const [worker] = pool.workersFor(1); // the worker the call will use
    const post = pool.post.bind(pool);
    // at the call's first post, the test claims every chunk (standing for work the worker took and never finished)
    // and kills the worker: the call can end only by seeing the death, whatever the threads' timing
    const rows = 4 * 63;
    let killed = false;
    const spy = vi.spyOn(pool, "post").mockImplementation((target, job) => {
      if (killed || job.count !== rows) return post(target, job);
      killed = true;
      expect(target).toBe(worker);
      const control = new Int32Array(job.control);
      Atomics.store(control, CALL_WORDS.next, Atomics.load(control, CALL_WORDS.staged));
      const posted = post(target, job);
      void target.thread.terminate();
      return posted;
    });
    try {
      const pending = sequenceLogProbs(logits, syntheticBatch(3, [4, 64, 32000], 0).labels, { threads: 2 });
      const error = await pending.then(
        () => expect.fail("the call should have failed"),
        (e: unknown) => e,
      );
      expect(killed).toBe(true);
      expect(error).toBeInstanceOf(LuceError);
      expect((error as LuceError).message).toMatch(/sequenceLogProbs: argument 'options.threads' .*failed/);
      expect((error as Error).cause).toBeDefined();
    } finally {
      spy.mockRestore();
    }
    releaseLogits(logits); // the failed call has let go of them
    // the pool has replaced the worker
    expect(pool.workersFor(1)[0]).not.toBe(worker);
    (await call()).forEach((x, b) => expectClose(x, reference[b], { rel: 1e-7 }, `sequence ${b}`));
  });

  it("killed at an arbitrary point of a call: the call rejects with that LuceError or gives the right log-probs (no work of it was lost); the next call succeeds", async () => {
    const shape = [4, 128, 32000];
    const { logits, labels } = syntheticBatch(3, shape, 0);
    const rows = Array.from({ length: shape[0] }, (_, b) =>
      Array.from(labels.data.subarray(b * shape[1], (b + 1) * shape[1])),
    );
    const [worker] = kernelPool().workersFor(1); // the worker the call will use
    const before = worker.posted;
    const pending = sequenceLogProbs(logits, labels, { threads: 2 });
    expect(worker.posted).toBeGreaterThan(before); // the call has handed it a job
    void worker.thread.terminate(); // the call may or may not have work on it still: both outcomes are allowed
    const outcome = await pending.catch((e: unknown) => e);
    if (outcome instanceof Float64Array) {
      const want = referenceLogps(logits.data, rows, shape);
      outcome.forEach((x, b) => expectClose(x, want[b], { rel: 1e-7 }, `sequence ${b}`));
    } else {
      expect(outcome).toBeInstanceOf(LuceError);
      expect((outcome as LuceError).message).toMatch(/sequenceLogProbs: argument 'options.threads' .*failed/);
    }
    // once the thread has ended, the pool has dropped it (the exit handler registered first has run)
    if (worker.ended === undefined) await once(worker.thread, "exit");
    (await call()).forEach((x, b) => expectClose(x, reference[b], { rel: 1e-7 }, `sequence ${b}`));
  });

  it("throwing inside a job: the error comes back as the LuceError's cause", async () => {
    const pool = kernelPool();
    const [worker] = pool.workersFor(1);
    // an offset table past the memory's end (the top of the 32-bit address space): the kernel traps in the worker
    const control = new Int32Array(new SharedArrayBuffer(4 * (CALL_WORDS.chunkDone + 1)));
    control[CALL_WORDS.staged] = 1;
    const post = pool.post(worker, {
      op: "statistics",
      float64: false,
      offsetsAt: 2 ** 32 - 16,
      count: 1,
      rowLength: 8,
      outAt: 0,
      chunkRows: 1,
      control: control.buffer,
    });
    const waited = async () => {
      for (let p; (p = pool.untilDone(worker, post)) !== null;) await pool.waitAsync("sequenceLogProbs", p);
    };
    const error = await waited().then(
      () => expect.fail("the job should have failed"),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LuceError);
    expect(String(((error as Error).cause as Error).message)).toMatch(/out of bounds/);
    (await call()).forEach((x, b) => expectClose(x, reference[b], { rel: 1e-7 }, `sequence ${b}`));
  });
});

describe("overlapping calls", () => {
  it("Promise.all of 20 calls (shapes, precisions, thread counts, shared memory or not, gradients) equals them one at a time", async () => {
    const shared = allocateLogits([2, 5, 4000]);
    shared.data.set(syntheticBatch(9, [2, 5, 4000], 0).logits.data);
    const calls = Array.from({ length: 20 }, (_, k) => {
      const shape = [
        [2, 5, 4000],
        [4, 7, 50257],
        [2, 4, 1001],
        [2, 3, 32000],
      ][k % 4];
      const { logits, labels } = syntheticBatch(100 + k, shape, 0);
      const precision = k % 3 === 0 ? "float64" : "float32";
      const threads = 1 + (k % 4);
      if (k % 5 === 4)
        return () =>
          dpoBatch(
            { policyLogits: logits, referenceLogps: new Float64Array(shape[0]), labels },
            { beta: 0.1, precision, threads, gradient: true },
          ).then((r) => [...r.policyLogps, ...r.gradLogits!]);
      const source = k % 5 === 1 && shape[2] === 4000 ? shared : logits;
      return () =>
        sequenceLogProbs(source, syntheticBatch(100 + k, shape, 0).labels, { precision, threads }).then((x) =>
          Array.from(x),
        );
    });
    const together = await Promise.all(calls.map((f) => f()));
    const oneAtATime: number[][] = [];
    for (const f of calls) oneAtATime.push(await f());
    together.forEach((values, k) => expect(values).toEqual(oneAtATime[k]));
    releaseLogits(shared);
  });
});

describe("the shared memory after releaseLogits (S6)", () => {
  // (a subarray made of the view before its release cannot be told from the new owner's data once the memory is
  // reused: docs/batches.md says so)
  it("a released view is a LuceError, not a read of memory that may be someone else's", async () => {
    const a = allocateLogits([2, 3, 5]);
    a.data.set(Float32Array.from({ length: 30 }, (_, i) => Math.sin(i)));
    const labels = [
      [0, 1, 2],
      [3, 4, 1],
    ];
    const before = await sequenceLogProbs(a, labels);
    before.forEach((x, b) => expectClose(x, referenceLogps(a.data, labels, [2, 3, 5])[b], { rel: 1e-7 }));
    releaseLogits(a);
    await expectLuceRejection(sequenceLogProbs(a, labels), "logits");
    const b = allocateLogits([2, 3, 5]); // reuses a's memory
    expect(b.data.byteOffset).toBe(a.data.byteOffset);
    await expectLuceRejection(sequenceLogProbs(a, labels), "logits");
    await expectLuceRejection(sequenceLogProbs(a, labels, { precision: "float64" }), "logits");
    releaseLogits(b);
  });

  it("releasing logits that a call in flight reads in place is a LuceError, whatever the threads' speed; after it settles, release works", async () => {
    const shape = [4, 64, 32000];
    const { logits: made, labels } = syntheticBatch(5, shape, 0);
    const rows = Array.from({ length: shape[0] }, (_, b) =>
      Array.from(labels.data.subarray(b * shape[1], (b + 1) * shape[1])),
    );
    const want = referenceLogps(made.data, rows, shape);
    for (const threads of [1, 2, 4]) {
      const logits = allocateLogits(shape);
      logits.data.set(made.data);
      const pending = sequenceLogProbs(logits, labels, { threads });
      expectLuceError(() => releaseLogits(logits), "logits", "releaseLogits");
      (await pending).forEach((x, b) => expectClose(x, want[b], { rel: 1e-7 }, `threads ${threads}, sequence ${b}`));
      releaseLogits(logits);
    }
  });

  it("a call with no position to score holds its logits until it settles too", async () => {
    // shifted, a length of 1 leaves nothing to score: the call's work is all done in its synchronous part
    const logits = allocateLogits([2, 1, 5]);
    logits.data.fill(0.5);
    const pending = sequenceLogProbs(logits, [[0], [1]]);
    expectLuceError(() => releaseLogits(logits), "logits", "releaseLogits");
    expect(Array.from(await pending)).toEqual([0, 0]); // an empty sum
    releaseLogits(logits);
  });

  it("a sparse shape is a LuceError", () => {
    // eslint-disable-next-line no-sparse-arrays
    expectLuceError(() => allocateLogits([, 2] as number[]), "shape", "allocateLogits");
  });
});

describe("the logits gradient at extreme row maxima (S7)", () => {
  // Row [0, M, M, 0, 0] with label 1: softmax is [0, 1/2, 1/2, 0, 0] exactly for M ≥ 1e4 (e^-M underflows), so the
  // gradient of the loss through sequence b's log-prob g is g·(onehot(1) − softmax) = [0, g/2, −g/2, 0, 0].
  for (const precision of ["float32", "float64"] as const) {
    for (const M of [1e4, 1e15, 1e16, 1e30]) {
      it(`${precision}, M = ${M}: g·(onehot − softmax), summing to 0`, async () => {
        const values = [0, M, M, 0, 0, 1, 2, 3, 4, 5];
        const data = precision === "float32" ? Float32Array.from(values) : Float64Array.from(values);
        const r = await dpoBatch(
          { policyLogits: { data, shape: [2, 1, 5] }, referenceLogps: [0, 0], labels: [[1], [3]] },
          { beta: 0.1, shift: false, gradient: true, precision },
        );
        const g = r.gradPolicyChosen[0];
        const row = Array.from(r.gradLogits!.subarray(0, 5));
        const want = [0, g / 2, -g / 2, 0, 0];
        const tolerance = precision === "float32" ? 2 ** -24 : 2 ** -53;
        row.forEach((x, v) => expectClose(x, want[v], { abs: 2 * tolerance * Math.abs(g) }, `entry ${v}`));
      });
    }
  }
});
