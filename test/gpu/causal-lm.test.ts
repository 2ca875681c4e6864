import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CausalLanguageModel, dpoModelBatch, sequenceTokenLogProbs } from "../../src/batch/index.js";
import { expectClose } from "../helpers/close.js";
import { expectModelMetrics, modelMetricsCase } from "../helpers/model-metrics-case.js";
import { tinyDpoBatch } from "../helpers/tiny-batch.js";
import { LENGTH, VOCABULARY, tinyCausalLm, tinyForward, tinyWeights } from "../helpers/tiny-transformer.js";

describe("the model path on the WebGPU provider", () => {
  it("gives the DPO losses of the independent float64 forward pass", async () => {
    const batch = tinyDpoBatch();
    const [pw, rw] = [tinyWeights(7), tinyWeights(8)];
    const [policy, reference] = await Promise.all([
      CausalLanguageModel.load(tinyCausalLm(pw), { backend: "webgpu" }),
      CausalLanguageModel.load(tinyCausalLm(rw), { backend: "webgpu" }),
    ]);
    const got = await dpoModelBatch({ policy, reference, ...batch }, { beta: 0.1 });
    const exact = async (w: typeof pw) =>
      (
        await sequenceTokenLogProbs(
          { data: tinyForward(w, batch.inputIds, batch.attentionMask), shape: [4, LENGTH, VOCABULARY] },
          batch.labels,
          { mask: batch.attentionMask, precision: "float64" },
        )
      ).logps;
    const [p, r] = await Promise.all([exact(pw), exact(rw)]);
    got.policyLogps.forEach((v, b) => expectClose(v, p[b], { rel: 1e-6 }, `policy ${b}`));
    got.referenceLogps.forEach((v, b) => expectClose(v, r[b], { rel: 1e-6 }, `reference ${b}`));
    const margin = (i: number) => 0.1 * (p[i] - r[i] - (p[i + 2] - r[i + 2]));
    got.losses.forEach((v, i) =>
      expectClose(v, -Math.log(1 / (1 + Math.exp(-margin(i)))), { rel: 1e-5, abs: 1e-6 }, `loss ${i}`),
    );
  });

  // the moments variant of the appended graph (the one session of a model loaded from bytes) on WebGPU against
  // dpoBatch on the model's own logits (the CPU kernel) and the float64 reference (model-metrics-case.ts); the bounds
  // are the CPU provider's test's (test/batch)
  it("useWeighting and metrics equal dpoBatch on the model's own logits and a float64 reference", async () => {
    const [pw, rw] = [tinyWeights(7), tinyWeights(8)];
    const c = await modelMetricsCase(pw, rw, 0.1);
    const [policy, reference] = await Promise.all([
      CausalLanguageModel.load(tinyCausalLm(pw), { backend: "webgpu", moments: true }),
      CausalLanguageModel.load(tinyCausalLm(rw), { backend: "webgpu" }),
    ]);
    const inputs = { policy, reference, ...c.batch };
    const got = await dpoModelBatch(inputs, { beta: 0.1, useWeighting: true, metrics: true });
    const plain = await dpoModelBatch(inputs, { beta: 0.1 });
    expectModelMetrics(got, plain, c, { weight: 1e-6, entropy: 1e-7, meanLogit: 2e-8 });
    // loaded from a path, the moments session is built from the re-read file on first use, on the same backend
    const path = join(mkdtempSync(join(tmpdir(), "luce-")), "policy.onnx");
    writeFileSync(path, tinyCausalLm(pw));
    const fromPath = { ...inputs, policy: await CausalLanguageModel.load(path, { backend: "webgpu" }) };
    const gotFromPath = await dpoModelBatch(fromPath, { beta: 0.1, useWeighting: true, metrics: true });
    const plainFromPath = await dpoModelBatch(fromPath, { beta: 0.1 });
    expectModelMetrics(gotFromPath, plainFromPath, c, { weight: 1e-6, entropy: 1e-7, meanLogit: 2e-8 });
  });

  it("runs the appended statistics, with and without the moments, on the GPU: the logits never reach the host", () => {
    const path = join(mkdtempSync(join(tmpdir(), "luce-")), "tiny-causal-lm.onnx");
    writeFileSync(path, tinyCausalLm(tinyWeights(7)));
    const log = spawnSync(process.execPath, ["test/gpu/model-placement.mjs", path], { encoding: "utf8" }).stderr;
    const sections = log.split(/Node\(s\) placed on |All nodes placed on /).slice(1);
    expect(sections.length, log.slice(-2000)).toBeGreaterThan(0);
    const onCpu = sections.filter((s) => s.startsWith("[CPUExecutionProvider]")).join("\n");
    // both variants (plain, with the moments) were placed; every luce node (and the Flatten of the logits) is on WebGPU
    expect(sections.filter((s) => s.startsWith("[WebGpuExecutionProvider]")).length, log.slice(-2000)).toBe(2);
    expect(onCpu).not.toMatch(/luce_/);
  });
});
