import * as ort from "onnxruntime-node";
import { expect } from "vitest";
import { dpoBatch, type DpoModelBatchResult } from "../../src/batch/index.js";
import { expectClose } from "./close.js";
import { referenceBatch } from "./logit-metrics-reference.js";
import { tinyDpoBatch } from "./tiny-batch.js";
import { LENGTH, VOCABULARY, tinyCausalLm, type Weights } from "./tiny-transformer.js";

/** The logits [4, T, V] the tiny model itself gives for a batch, run on ONNX Runtime's CPU provider without luce. */
async function modelLogits(weights: Weights, batch: ReturnType<typeof tinyDpoBatch>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(tinyCausalLm(weights));
  const int64 = (rows: number[][]) => new ort.Tensor("int64", BigInt64Array.from(rows.flat(), BigInt), [4, LENGTH]);
  const out = await session.run({ input_ids: int64(batch.inputIds), attention_mask: int64(batch.attentionMask) });
  return out.logits.data as Float32Array;
}

/**
 * The independent sides for dpoModelBatch's `useWeighting` and `metrics` on the tiny model: the model's own logits,
 * scored by dpoBatch (the CPU kernel, a separate pass) and by the float64 reference of logit-metrics-reference.ts.
 * A third of the chosen half's labels are made the row's first largest logit (found here from the logits), so that
 * the token accuracy is neither 0 nor 1; the model's logits do not depend on the labels.
 */
export async function modelMetricsCase(policyWeights: Weights, referenceWeights: Weights, beta: number) {
  const batch = tinyDpoBatch();
  const [policyLogits, referenceLogits] = await Promise.all([
    modelLogits(policyWeights, batch),
    modelLogits(referenceWeights, batch),
  ]);
  const labels = batch.labels.map((row) => row.slice());
  for (const b of [0, 1])
    for (let t = 0; t + 1 < LENGTH; t += 3)
      if (labels[b][t + 1] !== -100) {
        const row = policyLogits.subarray((b * LENGTH + t) * VOCABULARY, (b * LENGTH + t + 1) * VOCABULARY);
        labels[b][t + 1] = row.indexOf(Math.max(...row));
      }
  const shape = [4, LENGTH, VOCABULARY];
  const viaLogits = await dpoBatch(
    { policyLogits: { data: policyLogits, shape }, referenceLogits: { data: referenceLogits, shape }, labels },
    { beta, useWeighting: true, metrics: true, mask: batch.attentionMask },
  );
  // the reference scores where its mask is 1: the attention mask without the prompt's −100 labels
  const scored = labels.map((row, b) => row.map((y, t) => (y === -100 ? 0 : batch.attentionMask[b][t])));
  const want = referenceBatch(
    policyLogits,
    shape,
    labels.map((row) => row.map((y) => Math.max(y, 0))),
    scored,
  );
  expect(want.metrics.accuracy).toBeGreaterThan(0);
  expect(want.metrics.accuracy).toBeLessThan(1);
  return { batch: { ...batch, labels }, viaLogits, want };
}

/**
 * Asserts that `got` (dpoModelBatch with `useWeighting` and `metrics`) has the pair weights, weighted losses and
 * metrics of both sides of `c`, within relative bounds for the weights (and losses) and the entropy, and for the mean
 * logits a bound relative to the mean |logit| (the scale of a float32 sum's rounding); `plain` is the same call
 * without the options.
 */
export function expectModelMetrics(
  got: DpoModelBatchResult,
  plain: DpoModelBatchResult,
  c: Awaited<ReturnType<typeof modelMetricsCase>>,
  bounds: { weight: number; entropy: number; meanLogit: number },
): void {
  const { viaLogits, want } = c;
  for (const [name, weights] of [
    ["dpoBatch", viaLogits.pairWeights!],
    ["float64 reference", want.pairWeights],
  ] as const) {
    got.pairWeights!.forEach((w, i) => expectClose(w, weights[i], { rel: bounds.weight }, `${name} weight ${i}`));
    got.losses.forEach((v, i) =>
      expectClose(v, plain.losses[i] * weights[i], { rel: bounds.weight }, `${name} weighted loss ${i}`),
    );
  }
  got.losses.forEach((v, i) => expectClose(v, viaLogits.losses[i], { rel: bounds.weight }, `dpoBatch loss ${i}`));
  const m = got.logitMetrics!;
  const reference = {
    entropy: want.metrics.entropy,
    mean_token_accuracy: want.metrics.accuracy,
    "logits/chosen": want.metrics.chosen,
    "logits/rejected": want.metrics.rejected,
    num_tokens: want.metrics.tokens,
  };
  for (const [name, side] of [
    ["dpoBatch", viaLogits.logitMetrics!],
    ["float64 reference", reference],
  ] as const) {
    expectClose(m.entropy, side.entropy, { rel: bounds.entropy }, `${name} entropy`);
    expect(m.mean_token_accuracy, name).toBe(side.mean_token_accuracy);
    const chosenBound = { abs: bounds.meanLogit * want.metrics.chosenScale };
    expectClose(m["logits/chosen"], side["logits/chosen"], chosenBound, `${name} logits/chosen`);
    const rejectedBound = { abs: bounds.meanLogit * want.metrics.rejectedScale };
    expectClose(m["logits/rejected"], side["logits/rejected"], rejectedBound, `${name} logits/rejected`);
    expect(m.num_tokens, name).toBe(side.num_tokens);
  }
  // the rewards are not weighted
  expect(Array.from(got.chosenRewards)).toEqual(Array.from(plain.chosenRewards));
}
