import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CausalLanguageModel, dpoModelBatch, sequenceTokenLogProbs } from "../../src/batch/index.js";
import { dpoLoss } from "../../src/index.js";
import { encodeModel } from "../../src/batch/onnx/model.js";
import { scoreOnnx } from "../../src/batch/onnx-scoring.js";
import { readScoring } from "../../src/batch/scoring.js";
import { expectClose, expectLuceRejection } from "../helpers/close.js";
import { expectModelMetrics, modelMetricsCase } from "../helpers/model-metrics-case.js";
import { tinyDpoBatch } from "../helpers/tiny-batch.js";
import { LENGTH, VOCABULARY, tinyCausalLm, tinyForward, tinyWeights } from "../helpers/tiny-transformer.js";

const policyWeights = tinyWeights(7);
const referenceWeights = tinyWeights(8);
const batch = tinyDpoBatch();

/** DPO from the independent float64 forward pass: logits in float64, scored in float64. */
async function float64Dpo(options: Parameters<typeof dpoLoss>[1]) {
  const score = async (weights: typeof policyWeights) =>
    sequenceTokenLogProbs(
      { data: tinyForward(weights, batch.inputIds, batch.attentionMask), shape: [4, LENGTH, VOCABULARY] },
      batch.labels,
      { mask: batch.attentionMask, precision: "float64" },
    );
  const [p, r] = await Promise.all([score(policyWeights), score(referenceWeights)]);
  // as dpoBatch does, token counts are the lengths of ipo's length normalisation
  const lengths =
    options.lossType === "ipo" ? { chosenLengths: p.counts.subarray(0, 2), rejectedLengths: p.counts.subarray(2) } : {};
  const loss = dpoLoss(
    {
      policyChosenLogps: p.logps.subarray(0, 2),
      policyRejectedLogps: p.logps.subarray(2),
      referenceChosenLogps: r.logps.subarray(0, 2),
      referenceRejectedLogps: r.logps.subarray(2),
      ...lengths,
    },
    options,
  );
  return { policy: p.logps, reference: r.logps, loss };
}

describe("an ONNX causal language model (built here: V = 1000, T = 64, 2 attention blocks) on ONNX Runtime's CPU provider", () => {
  let policy: CausalLanguageModel;
  let reference: CausalLanguageModel;
  beforeAll(async () => {
    [policy, reference] = await Promise.all([
      CausalLanguageModel.load(tinyCausalLm(policyWeights)),
      CausalLanguageModel.load(tinyCausalLm(referenceWeights)),
    ]);
  });

  // The model computes in float32: its sequence log-probs (sums of ~40 tokens near −7) differ from
  // the float64 pass by ~1e-8 relative (measured 5e-9); the bounds leave a factor of 10 or more.
  it("gives the DPO losses of the independent float64 forward pass", async () => {
    for (const lossType of ["sigmoid", "ipo", "hinge"] as const) {
      const options = { beta: 0.1, lossType };
      const got = await dpoModelBatch({ policy, reference, ...batch }, options);
      const want = await float64Dpo(options);
      got.policyLogps.forEach((v, b) => expectClose(v, want.policy[b], { rel: 1e-7 }, `policy ${b}`));
      got.referenceLogps.forEach((v, b) => expectClose(v, want.reference[b], { rel: 1e-7 }, `reference ${b}`));
      got.losses.forEach((v, i) =>
        expectClose(v, want.loss.losses[i], { rel: 1e-5, abs: 1e-7 }, `${lossType} loss ${i}`),
      );
      got.chosenRewards.forEach((v, i) =>
        expectClose(v, want.loss.chosenRewards[i], { abs: 1e-5 }, `${lossType} chosen reward ${i}`),
      );
    }
  });

  // WPO's weights and TRL's metrics from the policy's appended moments graph, against (a) dpoBatch on the logits the
  // model gives (run out of ONNX Runtime without luce: the CPU kernel, a separate pass) and (b) the float64 reference
  // formed from those logits row by row (model-metrics-case.ts). Both sides read the same float32 logits; the model
  // path sums each row's moments in float32 in ONNX Runtime, the kernel in float32 SIMD lanes, the reference in
  // float64. Measured: the weights within 6e-8 relative, the entropy (≈ 6.3) 5e-9, the mean logits 1.3e-9 of the mean
  // |logit| (≈ 0.9, the scale of a float32 sum's rounding); the bounds leave a factor of 10 or more.
  it("useWeighting and metrics equal dpoBatch on the model's own logits and a float64 reference", async () => {
    const c = await modelMetricsCase(policyWeights, referenceWeights, 0.1);
    const withMoments = await CausalLanguageModel.load(tinyCausalLm(policyWeights), { moments: true });
    const inputs = { policy: withMoments, reference, ...c.batch };
    const got = await dpoModelBatch(inputs, { beta: 0.1, useWeighting: true, metrics: true });
    const plain = await dpoModelBatch(inputs, { beta: 0.1 });
    expectModelMetrics(got, plain, c, { weight: 1e-6, entropy: 1e-7, meanLogit: 2e-8 });
    expect(got.logitMetrics!.num_tokens).toBe(21 + 7 + 38 + 50); // the padding test's counts
    // without the options nothing is added, and metrics alone change no loss
    expect(plain.pairWeights).toBeUndefined();
    expect(plain.logitMetrics).toBeUndefined();
    const metricsOnly = await dpoModelBatch(inputs, { beta: 0.1, metrics: true });
    expect(Array.from(metricsOnly.losses)).toEqual(Array.from(plain.losses));
    expect(metricsOnly.pairWeights).toBeUndefined();
    // a model loaded from bytes without options.moments has no session that gives them: refused, named
    await expectLuceRejection(dpoModelBatch({ ...inputs, policy }, { beta: 0.1, metrics: true }), "inputs.policy");
    await expectLuceRejection(
      CausalLanguageModel.load(tinyCausalLm(policyWeights), { moments: 1 as never }),
      "options.moments",
    );
  });

  // a model loaded from a path runs the plain graph and builds the moments one from the re-read file on first use:
  // the same bounds against the same references, and a file changed since the load is refused, not read
  it("from a path: useWeighting and metrics from the re-read file; a changed file is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "luce-"));
    const path = join(dir, "policy.onnx");
    writeFileSync(path, tinyCausalLm(policyWeights));
    const c = await modelMetricsCase(policyWeights, referenceWeights, 0.1);
    const fromPath = await CausalLanguageModel.load(path);
    const inputs = { policy: fromPath, reference, ...c.batch };
    const plain = await dpoModelBatch(inputs, { beta: 0.1 });
    const got = await dpoModelBatch(inputs, { beta: 0.1, useWeighting: true, metrics: true });
    expectModelMetrics(got, plain, c, { weight: 1e-6, entropy: 1e-7, meanLogit: 2e-8 });
    const changed = join(dir, "changed.onnx");
    writeFileSync(changed, tinyCausalLm(policyWeights));
    const stale = await CausalLanguageModel.load(changed);
    writeFileSync(changed, tinyCausalLm(tinyWeights(9)));
    utimesSync(changed, new Date(0), new Date(0));
    await expectLuceRejection(
      dpoModelBatch({ ...inputs, policy: stale }, { beta: 0.1, metrics: true }),
      "inputs.policy",
    );
  });

  it("rejects bad useWeighting and metrics as dpoBatch does", async () => {
    const inputs = { policy, reference, ...batch };
    await expectLuceRejection(dpoModelBatch(inputs, { beta: 0.1, useWeighting: 1 as never }), "options.useWeighting");
    await expectLuceRejection(dpoModelBatch(inputs, { beta: 0.1, metrics: "yes" as never }), "options.metrics");
    await expectLuceRejection(
      dpoModelBatch(inputs, { beta: 0.1, useWeighting: true, lossType: ["sigmoid", "sft"] }),
      "options.useWeighting",
    );
    await expectLuceRejection(
      dpoModelBatch(inputs, { beta: 0.1, useWeighting: true, lossType: "aot" }),
      "options.useWeighting",
    );
    await expectLuceRejection(dpoModelBatch(inputs, { beta: 0.1, ldAlpha: 0.5 } as never), "options");
  });

  it("honours the padding mask: what padding holds changes nothing", async () => {
    const padded = tinyDpoBatch(VOCABULARY - 1);
    const a = await policy.sequenceLogProbs(batch.inputIds, {
      attentionMask: batch.attentionMask,
      labels: batch.labels,
    });
    const b = await policy.sequenceLogProbs(padded.inputIds, {
      attentionMask: padded.attentionMask,
      labels: padded.labels,
    });
    expect(Array.from(b.logps)).toEqual(Array.from(a.logps));
    expect(Array.from(a.counts)).toEqual([21, 7, 38, 50]);
  });

  it("rejects bad ids, masks and models, naming the argument", async () => {
    const ids = batch.inputIds.map((row) => row.slice());
    ids[1][3] = VOCABULARY;
    await expectLuceRejection(policy.sequenceLogProbs(ids), "inputIds[1][3]");
    await expectLuceRejection(
      policy.sequenceLogProbs(batch.inputIds, { attentionMask: [[1]] }),
      "options.attentionMask.shape",
    );
    await expectLuceRejection(CausalLanguageModel.load(new Uint8Array([1, 2, 3])), "model");
    await expectLuceRejection(CausalLanguageModel.load(tinyCausalLm(policyWeights), { logits: "scores" }), "model");
    await expectLuceRejection(
      CausalLanguageModel.load(tinyCausalLm(policyWeights), { inputIds: "tokens" }),
      "options.inputIds",
    );
    await expectLuceRejection(
      CausalLanguageModel.load(tinyCausalLm(policyWeights), { backend: "cuda" as never }),
      "options.backend",
    );
    const old = encodeModel(
      {
        name: "old",
        inputs: [{ name: "x", type: "float32", shape: [1] }],
        outputs: [{ name: "logits", type: "float32", shape: [1] }],
        nodes: [{ op: "Identity", inputs: ["x"], outputs: ["logits"] }],
      },
      11,
    );
    await expectLuceRejection(CausalLanguageModel.load(old), "model");
    await expectLuceRejection(
      dpoModelBatch({ policy, reference, inputIds: batch.inputIds.slice(0, 3) }, { beta: 0.1 }),
      "inputs.inputIds",
    );
    await expectLuceRejection(
      dpoModelBatch({ policy: {} as never, reference, inputIds: batch.inputIds }, { beta: 0.1 }),
      "inputs.policy",
    );
    await expectLuceRejection(
      dpoModelBatch({ policy, reference: {} as never, inputIds: batch.inputIds }, { beta: 0.1 }),
      "inputs.reference",
    );
    await expectLuceRejection(dpoModelBatch(null as never, { beta: 0.1 }), "inputs");
    await expectLuceRejection(policy.sequenceLogProbs(batch.inputIds, null as never), "options");
    const mask: number[][] = batch.attentionMask.map((row) => row.slice());
    mask[2][5] = 2;
    await expectLuceRejection(
      policy.sequenceLogProbs(batch.inputIds, { attentionMask: mask }),
      "options.attentionMask[2][5]",
    );
    await expectLuceRejection(policy.sequenceLogProbs(batch.inputIds, { ignoreIndex: 0.5 }), "options.ignoreIndex");
    const labels = batch.labels.map((row) => row.slice());
    labels[0][20] = VOCABULARY + 3;
    await expectLuceRejection(
      policy.sequenceLogProbs(batch.inputIds, { attentionMask: batch.attentionMask, labels }),
      "options.labels[0][20]",
    );
    await expectLuceRejection(policy.sequenceLogProbs([]), "inputIds");
    await expectLuceRejection(CausalLanguageModel.load(42 as never), "model");
    const missing = join(mkdtempSync(join(tmpdir(), "luce-")), "missing.onnx");
    await expectLuceRejection(CausalLanguageModel.load(missing), "model");
  });
});

describe("a model whose float32 logits rows sum past the float range", () => {
  // a lookup model: logits[b][t] = table[input_ids[b][t]]; tokens 1 and 4 give rows whose float32 Σ x overflows
  // (three entries of ±3e38), valid rows with finite means ±1e38
  const V = 8;
  const table = new Float32Array(V * V).map((_, i) => Math.sin(i));
  table.set([3e38, 3e38, 3e38, -1e38, 0.5, 0, -2, 0], 1 * V);
  table.set([-3e38, 1e38, -3e38, 7, -3e38, 0, 0, 1e30], 4 * V);
  const model = encodeModel({
    name: "lookup",
    inputs: [{ name: "input_ids", type: "int64", shape: ["batch", "length"] }],
    outputs: [{ name: "logits", type: "float32", shape: ["batch", "length", V] }],
    initializers: [{ name: "table", type: "float32", dims: [V, V], data: table }],
    nodes: [{ op: "Gather", inputs: ["table", "input_ids"], outputs: ["logits"], attributes: { axis: { int: 0 } } }],
  });
  const row = (y: number) => table.subarray(y * V, (y + 1) * V);
  // the reference: Σ (x / V) in float64, whose partial sums stay within the float64 range
  const mean = (y: number) => row(y).reduce((a, x) => a + x / V, 0);
  // a float32 sum of V terms in any order errs by at most (V − 1)·2^−24 times Σ |x|
  const bound = (y: number) => ((V - 1) * 2 ** -24 * row(y).reduce((a, x) => a + Math.abs(x), 0)) / V;

  it("dpoModelBatch's mean logits are finite and correct (the chosen row's +1e38, the rejected's −1e38)", async () => {
    const policy = await CausalLanguageModel.load(model, { moments: true });
    const inputIds = [
      [1, 5],
      [4, 6],
    ];
    const r = await dpoModelBatch({ policy, reference: policy, inputIds }, { beta: 0.1, metrics: true });
    expectClose(r.logitMetrics!["logits/chosen"], mean(1), { abs: bound(1) }, "logits/chosen");
    expectClose(r.logitMetrics!["logits/rejected"], mean(4), { abs: bound(4) }, "logits/rejected");
  });

  it("the ONNX graph on logits gives the same rows' means", async () => {
    const logits = { data: Float32Array.from([...row(1), ...row(4)]), shape: [2, 1, V] };
    const { moments } = await scoreOnnx("test", readScoring("test", logits, [[0], [5]], { shift: false }), "cpu", true);
    expectClose(moments![3], mean(1), { abs: bound(1) }, "row 1");
    expectClose(moments![7], mean(4), { abs: bound(4) }, "row 4");
  });
});
