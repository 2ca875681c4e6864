// One DPO training step's CPU work on a [2N, T, V] float32 batch: dpoBatch's loss from the policy
// logits (reference log-probs given), then with the gradient with respect to the logits written
// into a buffer the caller reuses; against numpy doing the same (max-shifted log-sum-exp, gather,
// the sigmoid loss, and g·(onehot − softmax) into a preallocated array) on the same bytes in a
// Python subprocess, best of 5 each. Run: npm run bench:dpo-step. SHAPE="8x512x32000" by default.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRandom } from "../dist/index.js";
import { dpoBatch } from "../dist/batch/index.js";
import { defaultThreads, kernelPool } from "../dist/batch/cpu/worker-pool.js";

const REPEATS = 5;
const BETA = 0.1;
const [B, T, V] = (process.env.SHAPE ?? "8x512x32000").split("x").map(Number);
const random = createRandom(2);
const data = new Float32Array(B * T * V);
for (let i = 0; i < data.length; i++) data[i] = 4 * (random() - 0.5);
const labels = Int32Array.from({ length: B * T }, () => Math.floor(random() * V));
const referenceLogps = Float64Array.from({ length: B }, () => -T * Math.log(V) + 10 * (random() - 0.5));
const dir = mkdtempSync(join(tmpdir(), "luce-dpo-step-"));
writeFileSync(join(dir, "logits.f32"), data);
writeFileSync(join(dir, "labels.i32"), labels);
writeFileSync(join(dir, "reference.f64"), referenceLogps);

const numpyScript = `
import sys, time, numpy as np
d, B, T, V, beta, REPEATS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
x = np.fromfile(d + "/logits.f32", dtype=np.float32).reshape(B, T, V)
labels = np.fromfile(d + "/labels.i32", dtype=np.int32).reshape(B, T)
ref = np.fromfile(d + "/reference.f64", dtype=np.float64)
grad = np.zeros_like(x)
def step(with_gradient):
    lse = np.empty((B, T - 1), dtype=np.float32)
    for b in range(B):  # a sequence at a time: numpy's temporaries stay small
        row = x[b, :-1]
        m = row.max(axis=-1, keepdims=True)
        lse[b] = np.log(np.exp(row - m).sum(axis=-1)) + m[:, 0]
    picked = np.take_along_axis(x[:, :-1], labels[:, 1:, None], axis=-1)[..., 0]
    logps = (picked - lse).astype(np.float64).sum(axis=-1)
    n = B // 2
    z = beta * ((logps[:n] - ref[:n]) - (logps[n:] - ref[n:]))
    loss = np.logaddexp(0, -z)
    if with_gradient:
        s = beta / (1 + np.exp(z))  # -dloss/dz
        g = np.concatenate([-s, s])
        for b in range(B):
            out = grad[b, :-1]
            np.subtract(x[b, :-1], lse[b][:, None], out=out)
            np.exp(out, out=out)
            out *= -g[b]
            out[np.arange(T - 1), labels[b, 1:]] += g[b]
    return loss
def best(f):
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
    return min(times)
loss_time, gradient_time = best(lambda: step(False)), best(lambda: step(True))
loss = step(True)
# a few gradient entries, to check that both sides computed the same thing
probe = [(b, t, v) for b, t, v in ((0, 0, 0), (1, 7, int(labels[1, 8])), (B - 1, T - 2, V - 1))]
print(loss_time, gradient_time, *loss, *(float(grad[b, t, v]) for b, t, v in probe))
`;
const inputs = { policyLogits: { data, shape: [B, T, V] }, referenceLogps, labels: { data: labels, shape: [B, T] } };
const gradient = new Float32Array(data.length).fill(0); // touched once here, reused by every step
const time = async (options) => {
  let best = Infinity;
  for (let r = 0; r < REPEATS; r++) {
    const t = performance.now();
    await dpoBatch(inputs, options);
    best = Math.min(best, performance.now() - t);
  }
  return best / 1000;
};
await dpoBatch(inputs, { beta: BETA, gradient }); // warm-up: starts the worker threads
const lossOnly = await time({ beta: BETA });
const withGradient = await time({ beta: BETA, gradient });
const [numpyLoss, numpyGradient, ...numpyValues] = execFileSync(
  "python3",
  ["-c", numpyScript, dir, B, T, V, BETA, REPEATS].map(String),
  { encoding: "utf8" },
)
  .trim()
  .split(" ")
  .map(Number);
rmSync(dir, { recursive: true, force: true });
// the same losses and gradient entries on both sides (numpy's log-sum-exp is float32, hence 1e-4)
const result = await dpoBatch(inputs, { beta: BETA, gradient });
const probes = [
  [0, 0, 0],
  [1, 7, labels[1 * T + 8]],
  [B - 1, T - 2, V - 1],
].map(([b, t, v]) => gradient[(b * T + t) * V + v]);
const mismatch = [...result.losses, ...probes]
  .map((x, i) => Math.abs(x - numpyValues[i]) / Math.max(Math.abs(numpyValues[i]), 1e-30))
  .reduce((a, e) => Math.max(a, e), 0);
if (!(mismatch < 1e-4)) throw new Error(`luce and numpy disagree: relative difference ${mismatch}`);
console.log(
  `[${B}, ${T}, ${V}], threads ${defaultThreads()}, kernel ${kernelPool().kernel}; losses and sampled gradient entries agree with numpy's to ${mismatch.toExponential(1)}`,
);
console.log(
  `loss only:         luce ${lossOnly.toFixed(3)} s   numpy ${numpyLoss.toFixed(3)} s   ${(numpyLoss / lossOnly).toFixed(2)}x`,
);
console.log(
  `loss and gradient: luce ${withGradient.toFixed(3)} s   numpy ${numpyGradient.toFixed(3)} s   ${(numpyGradient / withGradient).toFixed(2)}x`,
);
