// The issue's "measure and choose" for the cpu backend: luce's default CPU path against ONNX Runtime's
// CPU execution provider (onnxruntime-node, the optional peer) on the same float32 logits, in the same
// process, [8, 512, 32000] by default. ONNX Runtime runs three graphs, all on 2 intra-op threads
// (this machine's cores) and reading the caller's Float32Array in place:
//   statistics     luce's own row-statistics graph (the webgpu backend's; the float32 path's accuracy
//                  contract: M, the rest s and the ties, the exp spelled in ONNX operators)
//   logsoftmax     LogSoftmax + GatherElements: ONNX Runtime's fused kernel (AVX-512 on this CPU); log-probs
//                  in float32, which cannot keep a peaked row's digits
//   logsumexp      ReduceLogSumExp + GatherElements + Sub: float32 log-sum-exp per row
// Each prints its time (best of REPEATS), GB/s, its time over luce's, and its largest relative error per
// sequence against luce's float64 path. Run: npm run bench:ort-cpu (SHAPE=BxTxV overrides the shape).
import { encodeModel } from "../dist/batch/onnx/model.js";
import { rowStatisticsModel } from "../dist/batch/onnx/row-statistics-graph.js";
import { sequenceLogProbs } from "../dist/batch/index.js";
import { createRandom } from "../dist/index.js";

const REPEATS = 5;
const [B, T, V] = (process.env.SHAPE ?? "8x512x32000").split("x").map(Number);
const ort = (await import("onnxruntime-node")).default;
const random = createRandom(1);
const data = new Float32Array(B * T * V);
for (let i = 0; i < data.length; i++) data[i] = 4 * (random() - 0.5);
const labels = Int32Array.from({ length: B * T }, () => Math.floor(random() * V));
// PEAK=p raises each label's logit by p: peaked rows whose label is the argmax, as a trained model's
const peak = Number(process.env.PEAK ?? 0);
for (let i = 0; i < B * T; i++) data[i * V + labels[i]] += peak;
// every position scored (shift: false), so that ONNX Runtime's rows are the batch's rows as they lie
const logits = { data, shape: [B, T, V] };
const labelView = { data: labels, shape: [B, T] };
const rows = B * T;
const reference = await sequenceLogProbs(logits, labelView, { shift: false, precision: "float64" });

async function best(f) {
  await f();
  let time = Infinity;
  let result;
  for (let r = 0; r < REPEATS; r++) {
    const t = performance.now();
    result = await f();
    time = Math.min(time, (performance.now() - t) / 1000);
  }
  return { time, result };
}
/** The largest relative error of per-sequence sums against the float64 path. */
function worst(logps) {
  let e = 0;
  for (let b = 0; b < B; b++) e = Math.max(e, Math.abs(logps[b] - reference[b]) / Math.abs(reference[b]));
  return e;
}
/** Per-sequence sums (float64) of per-row float32 log-probs. */
function sequences(perRow) {
  const out = new Float64Array(B);
  for (let i = 0; i < rows; i++) out[Math.floor(i / T)] += perRow[i];
  return out;
}

const float = (name, ...shape) => ({ name, type: "float32", shape });
const int64 = (name, ...shape) => ({ name, type: "int64", shape });
const graphs = {
  logsoftmax: encodeModel({
    name: "logsoftmax",
    inputs: [float("logits", "rows", V), int64("labels", "rows", 1)],
    outputs: [float("logp", "rows", 1)],
    nodes: [
      { op: "LogSoftmax", inputs: ["logits"], outputs: ["all"], attributes: { axis: { int: -1 } } },
      { op: "GatherElements", inputs: ["all", "labels"], outputs: ["logp"], attributes: { axis: { int: -1 } } },
    ],
  }),
  logsumexp: encodeModel({
    name: "logsumexp",
    inputs: [float("logits", "rows", V), int64("labels", "rows", 1)],
    outputs: [float("logp", "rows", 1)],
    nodes: [
      {
        op: "ReduceLogSumExp",
        inputs: ["logits"],
        outputs: ["lse"],
        attributes: { axes: { ints: [-1] }, keepdims: { int: 1 } },
      },
      { op: "GatherElements", inputs: ["logits", "labels"], outputs: ["picked"], attributes: { axis: { int: -1 } } },
      { op: "Sub", inputs: ["picked", "lse"], outputs: ["logp"] },
    ],
  }),
};
const options = { executionProviders: ["cpu"], graphOptimizationLevel: "all", intraOpNumThreads: 2 };
const feeds = {
  logits: new ort.Tensor("float32", data, [rows, V]),
  labels: new ort.Tensor("int64", BigInt64Array.from(labels, BigInt), [rows, 1]),
};

const luce = await best(() => sequenceLogProbs(logits, labelView, { shift: false }));
const gb = (seconds) => (data.byteLength / seconds / 1e9).toFixed(2);
console.log(
  `[${B}, ${T}, ${V}] float32 (uniform in [-2, 2]${peak === 0 ? "" : `, label logits raised by ${peak}`}), every position scored; best of ${REPEATS}; errors: largest relative, per sequence, against luce's float64 path`,
);
console.log(
  `luce default (float32 kernel, 2 threads)  ${luce.time.toFixed(3)} s  ${gb(luce.time)} GB/s  error ${worst(luce.result).toExponential(1)}`,
);

const statistics = await ort.InferenceSession.create(rowStatisticsModel(), options);
const stats = await best(() => statistics.run(feeds));
const logpStats = new Float64Array(rows);
{
  const { max, rest, ties, label_logit: picked } = stats.result;
  for (let i = 0; i < rows; i++)
    logpStats[i] =
      picked.data[i] -
      max.data[i] -
      (ties.data[i] === 1
        ? Math.log1p(rest.data[i])
        : Math.log(ties.data[i]) + Math.log1p(rest.data[i] / ties.data[i]));
}
console.log(
  `ONNX Runtime CPU, luce's statistics graph  ${stats.time.toFixed(3)} s  ${gb(stats.time)} GB/s  ${(stats.time / luce.time).toFixed(2)}× luce's time  error ${worst(sequences(logpStats)).toExponential(1)}`,
);
for (const [name, model] of Object.entries(graphs)) {
  const session = await ort.InferenceSession.create(model, options);
  const run = await best(() => session.run(feeds));
  console.log(
    `ONNX Runtime CPU, ${name.padEnd(27)} ${run.time.toFixed(3)} s  ${gb(run.time)} GB/s  ${(run.time / luce.time).toFixed(2)}× luce's time  error ${worst(sequences(run.result.logp.data)).toExponential(1)}`,
  );
}
