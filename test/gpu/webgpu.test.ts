import { execFileSync, spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import fixtures from "../fixtures/batch.json" with { type: "json" };
import synthetic from "../fixtures/batch_synthetic.json" with { type: "json" };
import { dpoBatch, sequenceLogProbs, sequenceTokenLogProbs } from "../../src/batch/index.js";
import { expectClose, expectLuceRejection } from "../helpers/close.js";
import { hardRowsBatch, referenceBatch } from "../helpers/logit-metrics-reference.js";
import { syntheticBatch } from "../helpers/synthetic-logits.js";
import { webgpuAdapter } from "./adapter.js";

beforeAll(async () => {
  const adapter = await webgpuAdapter();
  if (adapter === null)
    throw new Error(
      'no WebGPU adapter: on a machine without a GPU, set up lavapipe first (eval "$(scripts/lavapipe.sh .cache/lavapipe)")',
    );
  console.log(
    `WebGPU adapter: ${adapter.description} (${adapter.vendor}, ${adapter.architecture}${adapter.fallback ? ", software fallback" : ""})`,
  );
});

describe("backend webgpu: the float32 contract, on the GPU", () => {
  for (const c of fixtures) {
    const logits = { data: Float32Array.from(c.logits.map(Number)), shape: c.shape };
    for (const shift of [true, false]) {
      for (const average of [false, true]) {
        it(`${c.name}, shift ${shift}, average ${average}: 1e-7 relative of the 50-digit reference`, async () => {
          const want = (c as unknown as Record<string, string[]>)[
            `shift=${shift ? "True" : "False"},average=${average ? "True" : "False"}`
          ].map(Number);
          const got = await sequenceLogProbs(logits, c.labels, { mask: c.mask, shift, average, backend: "webgpu" });
          got.forEach((v, b) => expectClose(v, want[b], { rel: 1e-7 }, `sequence ${b}`));
        });
      }
    }
  }
  for (const c of synthetic) {
    it(`${c.name} ${c.shape.join("×")}: 1e-7 relative of float64`, async () => {
      const { logits, labels } = syntheticBatch(c.seed, c.shape, c.peak);
      const got = await sequenceLogProbs(logits, labels, { shift: false, backend: "webgpu" });
      got.forEach((v, b) => expectClose(v, Number(c.logps[b]), { rel: 1e-7 }, `sequence ${b}`));
    });
  }

  it("splits a batch over 128 MiB into chunks under the binding limit and agrees with the CPU kernel", async () => {
    const { logits, labels } = syntheticBatch(21, [2, 560, 32000], 0); // 143 MB of logits
    const gpu = await sequenceTokenLogProbs(logits, labels, { backend: "webgpu" });
    const cpu = await sequenceTokenLogProbs(logits, labels, { precision: "float64" });
    gpu.logps.forEach((v, b) => expectClose(v, cpu.logps[b], { rel: 1e-7 }, `sequence ${b}`));
    // the last position of each chunk and the first of the next agree too
    for (const t of [1047, 1048, 1049].map((i) => i - 560))
      expectClose(gpu.tokenLogps[1][t], cpu.tokenLogps[1][t], { rel: 1e-6 }, `token ${t}`);
  });

  it("strided and float16 views, and dpoBatch, take the same path", async () => {
    const c = fixtures[0];
    const [B, T, V] = c.shape;
    const data = Float32Array.from(c.logits.map(Number));
    const reversed = new Float32Array(data.length);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++)
        for (let v = 0; v < V; v++) reversed[((B - 1 - b) * T + t) * V + (V - 1 - v)] = data[(b * T + t) * V + v];
    const view = { data: reversed, shape: [B, T, V], stride: [-T * V, V, -1], offset: (B - 1) * T * V + V - 1 };
    const base = await sequenceLogProbs({ data, shape: c.shape }, c.labels, { mask: c.mask, precision: "float64" });
    const got = await sequenceLogProbs(view, c.labels, { mask: c.mask, backend: "webgpu" });
    got.forEach((v, b) => expectClose(v, base[b], { rel: 1e-7 }, `sequence ${b}`));
    const pair = syntheticBatch(5, [2, 8, 1000], 0);
    const onGpu = await dpoBatch(
      { policyLogits: pair.logits, referenceLogps: [-50, -60], labels: pair.labels },
      { beta: 0.1, backend: "webgpu" },
    );
    const onCpu = await dpoBatch(
      { policyLogits: pair.logits, referenceLogps: [-50, -60], labels: pair.labels },
      { beta: 0.1, precision: "float64" },
    );
    expectClose(onGpu.losses[0], onCpu.losses[0], { rel: 1e-7 });
  });

  for (const V of [5, 129, 1003])
    it(`TRL's metrics and WPO's weights from the same graph run, hard rows, V = ${V}: a float64 reference's`, async () => {
      const { logits, labels } = hardRowsBatch(V);
      const ref = referenceBatch(logits.data, logits.shape, labels);
      const r = await dpoBatch(
        { policyLogits: logits, referenceLogps: [-1, -1], labels },
        { beta: 0.1, useWeighting: true, metrics: true, backend: "webgpu" },
      );
      expectClose(r.pairWeights![0], ref.pairWeights[0], { rel: 2e-6 }, "pair weight");
      const m = r.logitMetrics!;
      expectClose(m.entropy, ref.metrics.entropy, { rel: 2e-6 }, "entropy");
      expect(m.mean_token_accuracy).toBe(ref.metrics.accuracy);
      // Σ z is a float32 sum on the GPU: its rounding is relative to the mean |z|
      expectClose(m["logits/chosen"], ref.metrics.chosen, { abs: 1e-6 * ref.metrics.chosenScale }, "logits/chosen");
      expectClose(m["logits/rejected"], ref.metrics.rejected, { abs: 1e-6 * ref.metrics.rejectedScale }, "rejected");
      expect(m.num_tokens).toBe(ref.metrics.tokens);
    });

  it("names the position of NaN, +Infinity and all −Infinity rows; rejects float64 precision", async () => {
    const ok = { data: new Float32Array(12), shape: [2, 2, 3] };
    const nan = { ...ok, data: ok.data.slice() };
    nan.data[1] = Number.NaN;
    await expectLuceRejection(
      sequenceLogProbs(
        nan,
        [
          [0, 0],
          [0, 0],
        ],
        { backend: "webgpu" },
      ),
      "logits[0][0][1]",
    );
    const inf = { ...ok, data: ok.data.slice() };
    inf.data[0] = Infinity;
    await expectLuceRejection(
      sequenceLogProbs(
        inf,
        [
          [0, 0],
          [0, 0],
        ],
        { backend: "webgpu" },
      ),
      "logits[0][0][0]",
    );
    const dead = { ...ok, data: ok.data.slice() };
    dead.data.fill(-Infinity, 6, 9);
    await expectLuceRejection(
      sequenceLogProbs(
        dead,
        [
          [0, 0],
          [0, 1],
        ],
        { backend: "webgpu" },
      ),
      "logits[1][0]",
    );
    await expectLuceRejection(
      sequenceLogProbs(
        ok,
        [
          [0, 0],
          [0, 0],
        ],
        { backend: "webgpu", precision: "float64" },
      ),
      "options.precision",
    );
  });

  it("places every node of the graphs, with and without the moments, on the WebGPU provider (ONNX Runtime's verbose log)", () => {
    execFileSync("npm", ["run", "build"], { stdio: "ignore" });
    // ONNX Runtime logs to stderr: run the session in a child process and read it
    const log = spawnSync(process.execPath, ["test/gpu/node-placement.mjs"], { encoding: "utf8" }).stderr;
    const placements = log.split("\n").filter((line) => line.includes("placed on ["));
    expect(placements.length, log.slice(-2000)).toBeGreaterThan(0);
    expect(placements.length, log.slice(-2000)).toBe(2);
    for (const line of placements) expect(line).toMatch(/placed on \[WebGpuExecutionProvider\]/);
  });
});
