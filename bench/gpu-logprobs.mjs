// The GPU check and benchmark for a machine with a WebGPU adapter (the H100 machine some sessions
// are lent: see bench/device.sh), in one call so that the ratios hold:
//  1. prints the adapter, and stops on a software one unless ALLOW_SOFTWARE=1 (lavapipe dry runs);
//  2. accuracy: the model-sized fixtures through backend "webgpu", worst relative error (≤ 1e-7);
//  3. speed with the logits already on the device, as a model leaves them: an ONNX graph makes
//     logits = h·W ([rows, V], from small host inputs) and either reduces them with one ReduceSum
//     (the baseline: one read of the logits) or with luce's row statistics; each run covers one
//     chunk of rows under WebGPU's 128 MiB binding limit. Prints GB/s of logits scored and the
//     fraction of the H100's ~3 TB/s read bandwidth;
//  4. PyTorch, if importable, on the same device: log_softmax + gather on a CUDA tensor of the
//     same shape, timed with synchronisation.
// Run: node bench/gpu-logprobs.mjs (after npm run build). SHAPES="8x512x32000" overrides shapes.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { create, globals } from "webgpu";
import { sequenceLogProbs } from "../dist/batch/index.js";
import { encodeModel } from "../dist/batch/onnx/model.js";
import { rowStatisticsNodes } from "../dist/batch/onnx/row-statistics-graph.js";

Object.assign(globalThis, globals);
const adapter = await create([]).requestAdapter();
if (adapter === null) throw new Error("no WebGPU adapter");
const info = adapter.info;
console.log(
  `adapter: ${info.description || info.device} (${info.vendor}, ${info.architecture}); maxStorageBufferBindingSize ${adapter.limits.maxStorageBufferBindingSize}`,
);
if ((info.architecture === "software" || info.isFallbackAdapter) && process.env.ALLOW_SOFTWARE !== "1")
  throw new Error("a software adapter: set ALLOW_SOFTWARE=1 for a dry run");

// 2. accuracy
const synthetic = JSON.parse(readFileSync(new URL("../test/fixtures/batch_synthetic.json", import.meta.url), "utf8"));
function syntheticBatch(seed, [batch, length, vocabulary], peak) {
  let state = seed >>> 0;
  const next = () => ((state = (Math.imul(1664525, state) + 1013904223) >>> 0), state >>> 8);
  const logits = new Float32Array(batch * length * vocabulary);
  const labels = new Int32Array(batch * length);
  for (let row = 0; row < batch * length; row++) {
    labels[row] = next() % vocabulary;
    for (let v = 0; v < vocabulary; v++) logits[row * vocabulary + v] = ((next() + next() + next()) / 2 ** 24) * 2 - 3;
    if (peak !== 0) logits[row * vocabulary + labels[row]] += peak;
  }
  return {
    logits: { data: logits, shape: [batch, length, vocabulary] },
    labels: { data: labels, shape: [batch, length] },
  };
}
let worst = 0;
for (const c of synthetic) {
  const { logits, labels } = syntheticBatch(c.seed, c.shape, c.peak);
  const got = await sequenceLogProbs(logits, labels, { shift: false, backend: "webgpu" });
  got.forEach((v, b) => (worst = Math.max(worst, Math.abs(v - Number(c.logps[b])) / Math.abs(Number(c.logps[b])))));
}
console.log(
  `accuracy: worst relative error of backend "webgpu" on the model-sized fixtures ${worst.toExponential(2)} (contract 1e-7) ${worst <= 1e-7 ? "ok" : "FAILED"}`,
);

// 3. speed on the device
const WIDTH = 64;
function graph(statistics) {
  const nodes = [{ op: "MatMul", inputs: ["h", "w"], outputs: ["logits"] }];
  let outputs;
  let initializers = [];
  if (statistics) {
    const parts = rowStatisticsNodes({ logits: "logits", labels: "labels", prefix: "s_", opset: 17 });
    nodes.push(...parts.nodes);
    initializers = parts.initializers;
    outputs = parts.outputs.map((name) => ({ name, type: "float32", shape: ["rows", 1] }));
  } else {
    nodes.push({ op: "ReduceSum", inputs: ["logits", "axis"], outputs: ["sum"], attributes: { keepdims: { int: 1 } } });
    initializers = [{ name: "axis", type: "int64", dims: [1], data: BigInt64Array.of(-1n) }];
    outputs = [{ name: "sum", type: "float32", shape: ["rows", 1] }];
  }
  const inputs = [
    { name: "h", type: "float32", shape: ["rows", WIDTH] },
    { name: "w", type: "float32", shape: [WIDTH, "vocabulary"] },
    ...(statistics ? [{ name: "labels", type: "int64", shape: ["rows", 1] }] : []),
  ];
  return encodeModel({ name: statistics ? "statistics" : "baseline", inputs, outputs, nodes, initializers }, 17);
}
const shapes = (process.env.SHAPES ?? "8x512x32000,4x2048x128256").split(",").map((s) => s.split("x").map(Number));
const sessions = await Promise.all(
  [false, true].map((s) => ort.InferenceSession.create(graph(s), { executionProviders: ["webgpu"] })),
);
console.log("shape                 rows/run  baseline s  luce s   luce GB/s  of 3 TB/s");
for (const [B, T, V] of shapes) {
  const rows = B * T;
  const chunk = Math.max(1, Math.floor((120 * 2 ** 20) / (V * 4)));
  const w = new ort.Tensor(
    "float32",
    Float32Array.from({ length: WIDTH * V }, (_, i) => Math.sin(i) / 8),
    [WIDTH, V],
  );
  const runs = [];
  for (let first = 0; first < rows; first += chunk) {
    const n = Math.min(chunk, rows - first);
    const h = new ort.Tensor(
      "float32",
      Float32Array.from({ length: n * WIDTH }, (_, i) => Math.cos(i + first)),
      [n, WIDTH],
    );
    const labels = new ort.Tensor(
      "int64",
      BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 7919) % V)),
      [n, 1],
    );
    runs.push({ h, labels });
  }
  const time = async (session, statistics) => {
    let best = Infinity;
    for (let r = 0; r < 4; r++) {
      const t = performance.now();
      for (const run of runs) await session.run(statistics ? { h: run.h, w, labels: run.labels } : { h: run.h, w });
      if (r > 0) best = Math.min(best, (performance.now() - t) / 1000); // the first run warms up
    }
    return best;
  };
  const baseline = await time(sessions[0], false);
  const luce = await time(sessions[1], true);
  const bytes = rows * V * 4;
  // the baseline's own matmul and one read are in both: the difference is the statistics' cost
  const statistics = Math.max(luce - baseline, 1e-9);
  console.log(
    `${`[${B}, ${T}, ${V}]`.padEnd(21)} ${String(chunk).padStart(8)}  ${baseline.toFixed(4).padStart(10)}  ${luce.toFixed(4).padStart(6)}  ${(bytes / statistics / 1e9).toFixed(1).padStart(9)}  ${(bytes / statistics / 3e12).toFixed(3).padStart(9)}`,
  );
}

// 4. PyTorch on the same device, if there is one
const torch = `
import sys, time, torch
if not torch.cuda.is_available(): print("pytorch: no CUDA device"); sys.exit(0)
for shape in sys.argv[1].split(","):
    B, T, V = map(int, shape.split("x"))
    x = torch.randn(B * T, V, device="cuda")
    y = torch.randint(0, V, (B * T, 1), device="cuda")
    best = 1e9
    for r in range(5):
        torch.cuda.synchronize(); t = time.perf_counter()
        lp = torch.log_softmax(x, -1).gather(-1, y).sum()
        torch.cuda.synchronize(); dt = time.perf_counter() - t
        if r > 0: best = min(best, dt)
    print(f"pytorch [{B}, {T}, {V}] on {torch.cuda.get_device_name()}: {best:.4f} s, {B*T*V*4/best/1e9:.1f} GB/s")
`;
try {
  process.stdout.write(
    execFileSync("python3", ["-c", torch, shapes.map((s) => s.join("x")).join(",")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
} catch (error) {
  console.log(
    `pytorch: not available (${String(error.stderr ?? error.message)
      .trim()
      .split("\n")
      .pop()})`,
  );
}
process.exit(0);
