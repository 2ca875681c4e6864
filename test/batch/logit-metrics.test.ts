import { describe, expect, it } from "vitest";
import { allocateLogits, dpoBatch, releaseLogits } from "../../src/batch/index.js";
import { expectClose, expectLuceRejection } from "../helpers/close.js";
import { hardRowsBatch, referenceBatch, referenceRow } from "../helpers/logit-metrics-reference.js";
import { scoreOnnx } from "../../src/batch/onnx-scoring.js";
import { readScoring } from "../../src/batch/scoring.js";
import { scoreAll } from "../../src/batch/sequence-log-probs.js";
import { syntheticBatch } from "../helpers/synthetic-logits.js";

/**
 * WPO weighting and TRL's logged metrics in dpoBatch against a float64 reference formed from the logits directly:
 * each row's softmax by a max-shifted sum, Σ p², the entropy −Σ p log p, the argmax and the mean logit written out,
 * then TRL's definitions (dpo_trainer.py: weights exp(mean(log p − log Σ p²)), entropy over every completion token,
 * accuracy over the chosen half, mean logits per half).
 */
const [B, T, V] = [4, 6, 37];
const BETA = 0.2;
const labels = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (7 * b + 11 * t + 3) % V));
const mask = [
  [0, 1, 1, 1, 1, 1],
  [0, 0, 1, 1, 1, 1],
  [0, 0, 0, 1, 1, 1],
  [0, 1, 1, 0, 1, 1],
];

/** Logits with texture: smooth values, a masked vocabulary (−∞) on one row, label-peaked rows, a tie, a large row. */
function logitsOf(seed: number): Float64Array {
  const x = Float64Array.from(
    { length: B * T * V },
    (_, i) => 2.5 * Math.sin(seed * 0.61 * i + seed) + Math.cos(0.9 * i),
  );
  const row = (b: number, t: number) => (b * T + t) * V;
  for (let v = 0; v < V; v += 3) x[row(0, 2) + v] = -Infinity;
  x[row(0, 2) + labels[0][3]] = 1; // the label stays finite
  for (const [b, t] of [
    [0, 0],
    [0, 3],
    [1, 2],
    [2, 4],
  ])
    x[row(b, t) + labels[b][t + 1]] += 9; // the label is the argmax
  // a tie for the largest logit at the label and the index before it: the first index counts, so it is not correct
  x[row(1, 3) + labels[1][4]] = x[row(1, 3) + labels[1][4] - 1] = 20;
  for (let v = 0; v < V; v++) x[row(3, 4) + v] += 400;
  return x;
}

/** The reference batch, with the sigmoid losses and each sequence's loss gradient, weighted as WPO weights them. */
function reference(logits: Float64Array, referenceLogps: number[]) {
  const batch = referenceBatch(logits, [B, T, V], labels, mask);
  const { logps, pairWeights } = batch;
  const n = B / 2;
  const u = Array.from(
    { length: n },
    (_, i) => BETA * (logps[i] - referenceLogps[i] - logps[i + n] + referenceLogps[i + n]),
  );
  return {
    ...batch,
    losses: u.map((x, i) => pairWeights[i] * Math.log1p(Math.exp(-x))),
    sequenceGradient: (b: number) => {
      const i = b % n;
      const g = (BETA / (1 + Math.exp(u[i]))) * pairWeights[i];
      return b < n ? -g : g;
    },
  };
}

const referenceLogps = [-30, -28, -25, -33];

describe("dpoBatch useWeighting (WPO) and metrics", () => {
  for (const float32 of [false, true]) {
    const rel = float32 ? 2e-6 : 1e-12;
    it(`${float32 ? "float32" : "float64"} logits: weights, losses, gradient and metrics match a float64 reference`, async () => {
      const exact = logitsOf(1);
      const data = float32 ? Float32Array.from(exact) : exact;
      const ref = reference(Float64Array.from(data), referenceLogps);
      const runs = [];
      for (const threads of [1, 2, 4])
        runs.push(
          await dpoBatch(
            { policyLogits: { data, shape: [B, T, V] }, referenceLogps, labels },
            { beta: BETA, mask, useWeighting: true, metrics: true, gradient: true, threads },
          ),
        );
      const r = runs[0];
      for (let i = 0; i < B / 2; i++) {
        expectClose(r.pairWeights![i], ref.pairWeights[i], { rel }, `weight ${i}`);
        expectClose(r.losses[i], ref.losses[i], { rel }, `loss ${i}`);
      }
      expect(r.pairWeights!.some((w) => Math.abs(w - 1) > 0.1)).toBe(true);
      expectClose(r.loss, (ref.losses[0] + ref.losses[1]) / 2, { rel }, "loss");
      const m = r.logitMetrics!;
      expectClose(m.entropy, ref.metrics.entropy, { rel }, "entropy");
      expect(m.mean_token_accuracy).toBe(ref.metrics.accuracy);
      expect(ref.metrics.accuracy).toBeGreaterThan(0);
      expectClose(m["logits/chosen"], ref.metrics.chosen, { rel }, "logits/chosen");
      expectClose(m["logits/rejected"], ref.metrics.rejected, { rel }, "logits/rejected");
      expect(m.num_tokens).toBe(ref.metrics.tokens);
      const grad = r.gradLogits!;
      for (let b = 0; b < B; b++)
        for (let t = 0; t < T - 1; t++) {
          if (mask[b][t + 1] === 0) continue;
          const { p } = ref.rows(b, t);
          for (let v = 0; v < V; v++) {
            const expected = ref.sequenceGradient(b) * ((v === labels[b][t + 1] ? 1 : 0) - p[v]);
            expectClose(
              grad[(b * T + t) * V + v],
              expected,
              { rel: float32 ? 1e-5 : 1e-11, abs: float32 ? 1e-9 : 1e-16 },
              `grad ${b} ${t} ${v}`,
            );
          }
        }
      for (const other of runs.slice(1)) {
        expect(Array.from(other.pairWeights!)).toEqual(Array.from(r.pairWeights!));
        expect(other.logitMetrics).toEqual(r.logitMetrics);
        expect(Array.from(other.gradLogits!)).toEqual(Array.from(grad));
      }
    });
  }

  // TRL 0.x clamped the pair weight at 1 (torch.clamp(exp(w_w + w_l), max=1)); TRL 1.x does not
  it('semantics "trl-0": the pair weights clamped at 1, the losses weighted by them', async () => {
    const data = logitsOf(1);
    // pair 0's labels made likely, so that its weight exceeds 1 and the clamp acts; pair 1's stays below 1
    for (const b of [0, B / 2]) for (let t = 0; t < T - 1; t++) data[(b * T + t) * V + labels[b][t + 1]] += 8;
    const ref = reference(data, referenceLogps);
    const inputs = { policyLogits: { data, shape: [B, T, V] }, referenceLogps, labels };
    const r = await dpoBatch(inputs, { beta: BETA, mask, useWeighting: true, semantics: "trl-0" });
    const plain = await dpoBatch(inputs, { beta: BETA, mask, semantics: "trl-0" });
    expect(ref.pairWeights[0]).toBeGreaterThan(1);
    expect(ref.pairWeights[1]).toBeLessThan(1);
    for (let i = 0; i < B / 2; i++) {
      const want = Math.min(1, ref.pairWeights[i]);
      expectClose(r.pairWeights![i], want, { rel: 1e-12 }, `weight ${i}`);
      expectClose(r.losses[i], plain.losses[i] * want, { rel: 1e-12 }, `loss ${i}`);
    }
  });

  it("a model-sized vocabulary in many chunks: the same bits on 1, 2 and 3 threads (float64, float32 kernels)", async () => {
    const shape = [4, 9, 32000];
    const { logits, labels: ids } = syntheticBatch(20231129, shape, 4);
    const runs = [];
    for (const precision of ["float64", "float32"] as const) {
      runs.length = 0;
      for (const threads of [1, 2, 3])
        runs.push(
          await dpoBatch(
            { policyLogits: logits, referenceLogps: [-1, -2, -3, -4], labels: ids },
            { beta: 0.1, useWeighting: true, metrics: true, threads, shift: false, precision },
          ),
        );
      for (const other of runs.slice(1)) {
        expect(Array.from(other.pairWeights!)).toEqual(Array.from(runs[0].pairWeights!));
        expect(other.logitMetrics).toEqual(runs[0].logitMetrics);
      }
    }
    // the entropy and the chosen mean logit from the logits directly (unshifted: every position scored)
    const [batch, length, vocabulary] = shape;
    let entropy = 0;
    let chosenLogit = 0;
    let correct = 0;
    for (let b = 0; b < batch; b++)
      for (let t = 0; t < length; t++) {
        const row = Array.from(logits.data.subarray((b * length + t) * vocabulary, (b * length + t + 1) * vocabulary));
        const m = Math.max(...row);
        const lse = m + Math.log(row.reduce((a, z) => a + Math.exp(z - m), 0));
        entropy -= row.reduce((a, z) => a + Math.exp(z - lse) * (z - lse), 0);
        if (b < batch / 2) chosenLogit += row.reduce((a, z) => a + z, 0) / vocabulary;
        if (b < batch / 2 && row.indexOf(m) === ids.data[b * length + t]) correct++;
      }
    const tokens = batch * length;
    expectClose(runs[0].logitMetrics!.entropy, entropy / tokens, { rel: 1e-6 }, "entropy");
    expectClose(runs[0].logitMetrics!["logits/chosen"], chosenLogit / (tokens / 2), { rel: 1e-9 }, "logits/chosen");
    expect(runs[0].logitMetrics!.mean_token_accuracy).toBe(correct / (tokens / 2));
    expect(correct).toBeGreaterThan(0);
  });

  for (const V of [5, 129, 1003])
    for (const precision of ["float64", "float32"] as const)
      it(`hard rows (peaked by 100, ties at the maximum, ±1e4), V = ${V}, ${precision}: weights and metrics match a float64 reference`, async () => {
        const { logits, labels: ids } = hardRowsBatch(V);
        const ref = referenceBatch(logits.data, logits.shape, ids);
        const r = await dpoBatch(
          { policyLogits: logits, referenceLogps: [-1, -1], labels: ids },
          { beta: BETA, useWeighting: true, metrics: true, precision },
        );
        // float32: the kernel's exp (2.5e-7 at most) and float32 sums within a block
        const rel = precision === "float32" ? 2e-6 : 1e-12;
        expectClose(r.pairWeights![0], ref.pairWeights[0], { rel }, "pair weight");
        const m = r.logitMetrics!;
        expectClose(m.entropy, ref.metrics.entropy, { rel }, "entropy");
        expect(m.mean_token_accuracy).toBe(ref.metrics.accuracy);
        // Σ z is summed in float64 on both paths: relative to the mean |z|, as any sum's rounding
        expectClose(m["logits/chosen"], ref.metrics.chosen, { abs: 1e-13 * ref.metrics.chosenScale }, "logits/chosen");
        expectClose(
          m["logits/rejected"],
          ref.metrics.rejected,
          { abs: 1e-13 * ref.metrics.rejectedScale },
          "logits/rejected",
        );
        expect(m.num_tokens).toBe(ref.metrics.tokens);
        // the rows' own quantities are finite (the peaked row's entropy and log Σ p² are about 1e-40, and 0 on
        // float32, whose kernel drops terms below its normal range)
        expect(Number.isFinite(m.entropy) && m.entropy > 0).toBe(true);
        expect(ref.metrics.accuracy).toBeGreaterThan(0);
        expect(ref.metrics.accuracy).toBeLessThan(1);
      });

  // each row's own moments, as the scoring pass hands them to the metrics: the CPU kernel in both precisions and the
  // ONNX graph behind the webgpu backend (here on ONNX Runtime's CPU provider; test/gpu runs it on WebGPU)
  const scorers = {
    "float64 kernel": (logits: unknown, labels: unknown) =>
      scoreAll("test", readScoring("test", logits, labels, { precision: "float64" }), true),
    "float32 kernel": (logits: unknown, labels: unknown) =>
      scoreAll("test", readScoring("test", logits, labels, { precision: "float32" }), true),
    "float32 kernel, logits read in place in the shared memory": async (
      logits: { data: Float32Array; shape: number[] },
      labels: unknown,
    ) => {
      const inShared = allocateLogits(logits.shape);
      inShared.data.set(logits.data);
      try {
        return await scoreAll("test", readScoring("test", inShared, labels, {}), true);
      } finally {
        releaseLogits(inShared);
      }
    },
    "ONNX graph": (logits: unknown, labels: unknown) =>
      scoreOnnx("test", readScoring("test", logits, labels, {}), "cpu", true),
  };
  for (const [name, score] of Object.entries(scorers))
    it(`${name}: each hard row's log Σ p², entropy, argmax and mean logit, against the float64 reference`, async () => {
      const tolerance = name === "float64 kernel" ? 1e-12 : 2e-6;
      for (const V of [5, 129, 1003]) {
        const { logits, labels: ids } = hardRowsBatch(V);
        const { positions, moments } = await score(logits, ids);
        expect(positions.count).toBe(2 * (logits.shape[1] - 1));
        for (let i = 0; i < positions.count; i++) {
          const [b, t] = [positions.b[i], positions.t[i]];
          const row = logits.data.subarray((b * logits.shape[1] + t) * V, (b * logits.shape[1] + t + 1) * V);
          const want = referenceRow(row, ids[b][t + 1]);
          const at = `V ${V}, row ${b} ${t}`;
          // near 0 on peaked rows (about 1e-40): absolute there, and no finer than the reference's own rounding of
          // z − lse (ε·|lse|, 2e-12 for logits of 1e4)
          const abs = Math.max(tolerance, 16 * Number.EPSILON * Math.max(...Array.from(row, Math.abs)));
          expectClose(moments![4 * i], Math.log(want.squares), { rel: tolerance, abs }, `log Σ p², ${at}`);
          // the float64 kernel keeps a peaked row's digits (entropy about 1e-40): relative alone there
          const entropyAbs = name === "float64 kernel" ? 0 : abs;
          expectClose(moments![4 * i + 1], want.entropy, { rel: tolerance, abs: entropyAbs }, `entropy, ${at}`);
          expect(moments![4 * i + 2], `argmax, ${at}`).toBe(row.indexOf(Math.max(...row)));
          const sumTolerance = name === "ONNX graph" ? 1e-6 : 1e-13;
          expectClose(moments![4 * i + 3], want.meanLogit, { abs: sumTolerance * want.meanAbsLogit }, `mean, ${at}`);
        }
      }
    });

  it("a float64 row the float64 scan scores (its plain sum overflows): its moments from the row itself", async () => {
    // 1e308 twice and −∞ in the kernel's same lane: its plain sum is NaN, so the float64 scan scores the row
    const V = 301;
    const row = Array.from({ length: V }, (_, v) =>
      v === 0 || v === 2 ? 1e308 : v === 4 ? -Infinity : 1e306 * Math.sin(v),
    );
    const logits = { data: Float64Array.from(row), shape: [1, 1, V] };
    const { moments } = await scoreAll("test", readScoring("test", logits, [[0]], { shift: false }), true);
    // a reference against the maximum (a log-normaliser rounded at 1e308 would lose every digit of z − lse): the two
    // maxima have p = 1/2, the rest e^(−9.9e307) = 0
    expectClose(moments![0], Math.log(0.5), { rel: 1e-15 }, "log Σ p²");
    expectClose(moments![1], Math.log(2), { rel: 1e-15 }, "entropy");
    expect(moments![2]).toBe(0);
    expect(moments![3]).toBe(-Infinity); // the −∞ logit's row has mean −∞, as torch's mean gives
  });

  it("a valid float64 row whose plain Σ x overflows: its mean logit from Σ (x / V), finite", async () => {
    const row = [1e308, 1e308, 1e308, 1e308, 0, 0, 0, -1e307]; // Σ x overflows in any order of addition
    const logits = { data: Float64Array.from(row), shape: [1, 1, row.length] };
    const r = await dpoBatch(
      {
        policyLogits: { data: Float64Array.from([...row, ...row]), shape: [2, 1, row.length] },
        referenceLogps: [0, 0],
        labels: [[0], [1]],
      },
      { beta: BETA, shift: false, metrics: true, precision: "float64" },
    );
    const mean = row.reduce((a, x) => a + x / row.length, 0); // no partial sum leaves the float range
    expectClose(r.logitMetrics!["logits/chosen"], mean, { rel: 1e-15 }, "logits/chosen");
    expectClose(r.logitMetrics!["logits/rejected"], mean, { rel: 1e-15 }, "logits/rejected");
    const { moments } = await scoreAll("test", readScoring("test", logits, [[0]], { shift: false }), true);
    expectClose(moments![3], mean, { rel: 1e-15 }, "the row's mean");
  });

  it("without the options: no weights, no metrics, and the same losses as before", async () => {
    const data = logitsOf(2);
    const inputs = { policyLogits: { data, shape: [B, T, V] }, referenceLogps, labels };
    const plain = await dpoBatch(inputs, { beta: BETA, mask });
    const metricsOnly = await dpoBatch(inputs, { beta: BETA, mask, metrics: true });
    expect(plain.pairWeights).toBeUndefined();
    expect(plain.logitMetrics).toBeUndefined();
    expect(Array.from(metricsOnly.losses)).toEqual(Array.from(plain.losses));
  });

  it("bad options and unsupported combinations are named errors", async () => {
    const inputs = { policyLogits: { data: logitsOf(3), shape: [B, T, V] }, referenceLogps, labels };
    await expectLuceRejection(dpoBatch(inputs, { beta: BETA, useWeighting: 1 as never }), "options.useWeighting");
    await expectLuceRejection(dpoBatch(inputs, { beta: BETA, metrics: "yes" as never }), "options.metrics");
    await expectLuceRejection(
      dpoBatch(inputs, { beta: BETA, useWeighting: true, lossType: ["sigmoid", "sft"] }),
      "options.useWeighting",
    );
    await expectLuceRejection(
      dpoBatch(inputs, { beta: BETA, useWeighting: true, lossType: "aot" }),
      "options.useWeighting",
    );
  });
});
