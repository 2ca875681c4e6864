// Sequence log-probs from logits: luce's default CPU path (float32 kernel, default threads) against
// numpy (max-shifted log-sum-exp plus a gather, on the same bytes, in a Python subprocess: the
// faster of one call per sequence and one call for the whole batch, best of 5 each) and against a
// memory-read probe (memcpy of the same bytes into a cache-resident buffer, one thread); then the
// same batch in luce's shared logits memory (allocateLogits), read in place by the kernel's threads. GB/s, ratios.
// Run: npm run bench:logprobs (bench:logprobs:portable runs the kernel's portable build).
// SHAPES="8x512x32000" overrides the shapes. A batch up to 2 GiB is
// scored in one call; a larger one ([4, 2048, 128256] is 4.2 GB) one sequence per call.
import { execFileSync } from "node:child_process";
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRandom } from "../dist/index.js";
import { allocateLogits, releaseLogits, sequenceLogProbs } from "../dist/batch/index.js";
import { defaultThreads, kernelPool } from "../dist/batch/cpu/worker-pool.js";

/** Timed runs of each contender (luce, numpy, the probe); each reports its best, on a shared and noisy machine. */
const REPEATS = 5;
/** Writes `data` to `path` and waits until it is on disk, so that no writeback runs during the timings. */
function writeFileDurably(path, data) {
  const fd = openSync(path, "w");
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
  fsyncSync(fd);
  closeSync(fd);
}

const shapes = (process.env.SHAPES ?? "8x512x32000,4x2048x128256").split(",").map((s) => s.split("x").map(Number));
const dir = mkdtempSync(join(tmpdir(), "luce-bench-"));
const numpyScript = `
import sys, time, numpy as np
REPEATS = ${REPEATS}
paths, T, V = sys.argv[1].split(","), int(sys.argv[2]), int(sys.argv[3])
rows = [(np.fromfile(p, dtype=np.float32).reshape(1, T, V), np.fromfile(p + ".labels", dtype=np.int32).reshape(1, T)) for p in paths]
def score(x, labels):
    m = x.max(axis=-1, keepdims=True)
    lse = np.log(np.exp(x - m).sum(axis=-1)) + m[..., 0]
    picked = np.take_along_axis(x[:, :-1], labels[:, 1:, None], axis=-1)[..., 0]
    return (picked - lse[:, :-1]).astype(np.float64).sum(axis=-1)
def best(f):
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
    return min(times)
per_sequence = sum(best(lambda: score(x, y)) for x, y in rows)
# the whole batch in one call, when it fits in memory with numpy's temporaries
whole = best(lambda: score(np.concatenate([x for x, _ in rows]), np.concatenate([y for _, y in rows]))) if len(rows) * T * V * 4 <= 2**31 else float("inf")
print(min(per_sequence, whole))
`;
function joinRows(rows, T, V) {
  const data = new Float32Array(rows.length * T * V);
  const labels = new Int32Array(rows.length * T);
  rows.forEach((row, b) => {
    data.set(row.data, b * T * V);
    labels.set(row.labels, b * T);
  });
  return { logits: { data, shape: [rows.length, T, V] }, labels: { data: labels, shape: [rows.length, T] } };
}

console.log(
  `threads: ${defaultThreads()} (the float32 path's default on this machine); kernel: ${kernelPool().kernel} (fused: relaxed SIMD's multiply-adds; portable: LUCE_KERNEL=portable)`,
);
console.log(
  "shape                 luce s   GB/s   numpy s  luce/numpy  read-probe GB/s  luce/probe  | in the shared memory: s  GB/s  /numpy",
);
for (const [B, T, V] of shapes) {
  const random = createRandom(1);
  const rows = [];
  const paths = [];
  for (let b = 0; b < B; b++) {
    const data = new Float32Array(T * V);
    for (let i = 0; i < data.length; i++) data[i] = 4 * (random() - 0.5);
    const labels = Int32Array.from({ length: T }, () => Math.floor(random() * V));
    const path = join(dir, `row${b}.f32`);
    writeFileDurably(path, data);
    writeFileDurably(path + ".labels", labels);
    rows.push({ data, labels });
    paths.push(path);
  }
  const bytes = B * T * V * 4;
  const timeAsync = async (f, repeats = REPEATS) => {
    let best = Infinity;
    for (let r = 0; r < repeats; r++) {
      const t = performance.now();
      await f();
      best = Math.min(best, performance.now() - t);
    }
    return best / 1000;
  };
  const time = (f, repeats = REPEATS) => {
    let best = Infinity;
    for (let r = 0; r < repeats; r++) {
      const t = performance.now();
      f();
      best = Math.min(best, performance.now() - t);
    }
    return best / 1000;
  };
  // the whole batch in one call when it fits one typed array (2 GiB here), else one sequence per call
  const calls =
    bytes <= 2 ** 31
      ? [joinRows(rows, T, V)]
      : rows.map((row) => ({
          logits: { data: row.data, shape: [1, T, V] },
          labels: { data: row.labels, shape: [1, T] },
        }));
  // warm-up: starts the worker threads, tiers the code up
  for (let r = 0; r < 3; r++) for (const call of calls) await sequenceLogProbs(call.logits, call.labels);
  const luce = await timeAsync(async () => {
    for (const call of calls) await sequenceLogProbs(call.logits, call.labels);
  });
  // the same batch in luce's shared logits memory (allocateLogits), which the kernel's threads read in place: in one
  // call, or one sequence per call when the batch is over 2 GiB (the shared memory holds 4 GiB)
  let shared = 0;
  for (const call of calls) {
    const logits = allocateLogits(call.logits.shape);
    logits.data.set(call.logits.data);
    await sequenceLogProbs(logits, call.labels);
    shared += await timeAsync(() => sequenceLogProbs(logits, call.labels));
    releaseLogits(logits);
  }
  if (calls.length === 1) calls[0].logits.data = null; // free the joined copy before the next shape
  // the read probe: copy every byte once into a 256 KiB buffer that stays in cache (memcpy, one thread)
  const sink = new Float32Array(1 << 16);
  let probe = 0;
  for (const row of rows) {
    probe += time(() => {
      const d = row.data;
      for (let i = 0; i < d.length; i += sink.length) sink.set(d.subarray(i, Math.min(i + sink.length, d.length)));
    });
  }
  const numpy = Number(
    execFileSync("python3", ["-c", numpyScript, paths.join(","), String(T), String(V)], { encoding: "utf8" }),
  );
  for (const p of paths) {
    rmSync(p);
    rmSync(p + ".labels");
  }
  const gbs = (s) => (bytes / s / 1e9).toFixed(2);
  console.log(
    `${`[${B}, ${T}, ${V}]`.padEnd(21)} ${luce.toFixed(3).padStart(6)}  ${gbs(luce).padStart(5)}  ${numpy.toFixed(3).padStart(7)}  ${(numpy / luce).toFixed(2).padStart(9)}x  ${gbs(probe).padStart(15)}  ${(probe / luce).toFixed(2).padStart(9)}  | ${shared.toFixed(3).padStart(15)}  ${gbs(shared).padStart(4)}  ${(numpy / shared).toFixed(2).padStart(5)}x`,
  );
}
rmSync(dir, { recursive: true, force: true });
