// Sequence log-probs from logits: luce's CPU kernel against numpy (max-shifted log-sum-exp plus a
// gather, on the same bytes, in a Python subprocess) and against a memory-read probe (summing the
// same Float32Array in JavaScript). Prints GB/s and ratios. Run: npm run bench:logprobs
// SHAPES="8x512x32000" overrides the shapes; each batch row is a separate array (a [4, 2048, 128256]
// batch is 4.2 GB, beyond one typed array).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRandom } from "../dist/index.js";
import { sequenceLogProbs } from "../dist/batch/index.js";

const shapes = (process.env.SHAPES ?? "8x512x32000,4x2048x128256").split(",").map((s) => s.split("x").map(Number));
const dir = mkdtempSync(join(tmpdir(), "luce-bench-"));
const numpyScript = `
import sys, time, numpy as np
paths, T, V = sys.argv[1].split(","), int(sys.argv[2]), int(sys.argv[3])
best = []
for path in paths:
    x = np.fromfile(path, dtype=np.float32).reshape(1, T, V)
    labels = np.fromfile(path + ".labels", dtype=np.int32).reshape(1, T)
    times = []
    for _ in range(3):
        t = time.perf_counter()
        m = x.max(axis=-1, keepdims=True)
        lse = np.log(np.exp(x - m).sum(axis=-1)) + m[..., 0]
        picked = np.take_along_axis(x[:, :-1], labels[:, 1:, None], axis=-1)[..., 0]
        total = (picked - lse[:, :-1]).astype(np.float64).sum(axis=-1)
        times.append(time.perf_counter() - t)
    best.append(min(times))
print(sum(best))
`;
console.log("shape                 luce s   GB/s   numpy s  luce/numpy  read-probe GB/s  luce/probe");
for (const [B, T, V] of shapes) {
  const random = createRandom(1);
  const rows = [];
  const paths = [];
  for (let b = 0; b < B; b++) {
    const data = new Float32Array(T * V);
    for (let i = 0; i < data.length; i++) data[i] = 4 * (random() - 0.5);
    const labels = Int32Array.from({ length: T }, () => Math.floor(random() * V));
    const path = join(dir, `row${b}.f32`);
    writeFileSync(path, data);
    writeFileSync(path + ".labels", labels);
    rows.push({ data, labels });
    paths.push(path);
  }
  const bytes = B * T * V * 4;
  const time = (f, repeats = 3) => {
    let best = Infinity;
    for (let r = 0; r < repeats; r++) {
      const t = performance.now();
      f();
      best = Math.min(best, performance.now() - t);
    }
    return best / 1000;
  };
  // one sequence per call, so that any batch size fits in memory
  let luce = 0;
  for (const row of rows) {
    const logits = { data: row.data, shape: [1, T, V] };
    const labels = { data: row.labels, shape: [1, T] };
    await sequenceLogProbs(logits, labels); // warm-up
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t = performance.now();
      await sequenceLogProbs(logits, labels);
      best = Math.min(best, performance.now() - t);
    }
    luce += best / 1000;
  }
  let probe = 0;
  for (const row of rows) {
    probe += time(() => {
      let s = 0;
      const d = row.data;
      for (let i = 0; i < d.length; i++) s += d[i];
      if (s === 42) console.log("");
    });
  }
  const numpy = Number(execFileSync("python3", ["-c", numpyScript, paths.join(","), String(T), String(V)], { encoding: "utf8" }));
  for (const p of paths) {
    rmSync(p);
    rmSync(p + ".labels");
  }
  const gbs = (s) => (bytes / s / 1e9).toFixed(2);
  console.log(`${`[${B}, ${T}, ${V}]`.padEnd(21)} ${luce.toFixed(3).padStart(6)}  ${gbs(luce).padStart(5)}  ${numpy.toFixed(3).padStart(7)}  ${(numpy / luce).toFixed(2).padStart(9)}x  ${gbs(probe).padStart(15)}  ${(probe / luce).toFixed(2).padStart(9)}`);
}
rmSync(dir, { recursive: true, force: true });
