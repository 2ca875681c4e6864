// The ONNX row-statistics graph with moments (the webgpu backend's and the causal-LM model path's) against another
// build's, on ONNX Runtime's CPU provider, the same float32 logits, runs interleaved round by round so that both see
// the same load; wall-time medians and their ratio. LUCE_DIST=/path/to/dist is the baseline build.
// Run: npm run build && LUCE_DIST=/path/to/other/dist node bench/onnx-moments.mjs (SHAPE=RxV, ROUNDS override).
import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";

if (process.env.LUCE_DIST === undefined) throw new Error("set LUCE_DIST to the baseline build's dist folder");
const builds = {
  this: new URL("../dist/", import.meta.url),
  baseline: pathToFileURL(`${process.env.LUCE_DIST}/`),
};
const [R, V] = (process.env.SHAPE ?? "1024x32000").split("x").map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const ort = (await import("onnxruntime-node")).default;
let state = 20261202;
const next = () => (state = (Math.imul(1664525, state) + 1013904223) >>> 0) / 2 ** 32;
const logits = new ort.Tensor(
  "float32",
  Float32Array.from({ length: R * V }, () => 6 * next() - 3),
  [R, V],
);
const labels = new ort.Tensor(
  "int64",
  BigInt64Array.from({ length: R }, () => BigInt(Math.floor(next() * V))),
  [R, 1],
);
const sessions = {};
for (const [name, dist] of Object.entries(builds)) {
  const { rowStatisticsModel } = await import(new URL("batch/onnx/row-statistics-graph.js", dist));
  sessions[name] = await ort.InferenceSession.create(rowStatisticsModel(true), { intraOpNumThreads: 2 });
}
const times = Object.fromEntries(Object.keys(sessions).map((name) => [name, []]));
const loadBefore = loadavg()[0];
for (const session of Object.values(sessions)) await session.run({ logits, labels }); // warm-up
for (let round = 0; round < ROUNDS; round++)
  for (const [name, session] of Object.entries(sessions)) {
    const start = performance.now();
    await session.run({ logits, labels });
    times[name].push(performance.now() - start);
  }
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const gb = (R * V * 4) / 1e9;
for (const [name, xs] of Object.entries(times))
  console.log(
    `${name.padEnd(9)} ${median(xs).toFixed(1).padStart(8)} ms  ${(gb / (median(xs) / 1e3)).toFixed(2)} GB/s`,
  );
console.log(`this / baseline: ${(median(times.this) / median(times.baseline)).toFixed(3)}`);
console.log(`shape ${R}x${V}, ${ROUNDS} rounds, load ${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
