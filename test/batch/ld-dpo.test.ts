import { describe, expect, it } from "vitest";
import { dpoBatch } from "../../src/batch/index.js";
import { expectClose, expectLuceRejection } from "../helpers/close.js";

/**
 * LD-DPO in dpoBatch against a float64 reference formed from the logits directly: token log-softmax by a
 * max-shifted sum, TRL's completion positions by a running count of the shifted mask, shared = min of the pair's
 * counts, the sigmoid loss and its logits gradient g·w·(onehot − softmax) written out.
 */
const [B, T, V] = [4, 7, 11];
const BETA = 0.3;

function logitsOf(seed: number): Float64Array {
  return Float64Array.from({ length: B * T * V }, (_, i) => 3 * Math.sin(seed * 0.37 * i + seed) + Math.cos(1.3 * i));
}
const labels = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (5 * b + 3 * t + 1) % V));
// the completion masks: pair 0 has 6 and 3 scored tokens (shifted), pair 1 has 2 and 5
const mask = [
  [0, 1, 1, 1, 1, 1, 1],
  [0, 1, 1, 1, 1, 1, 1],
  [0, 0, 0, 0, 1, 1, 1],
  [0, 0, 1, 1, 1, 1, 1],
].map((row, b) => (b === 1 ? [0, 0, 0, 0, 0, 1, 1] : row));

/** Per sequence: TRL's LD-weighted log-prob; per position: weight and softmax, all in float64. */
function reference(logits: Float64Array, alpha: number) {
  const tokenLogp = (b: number, t: number) => {
    const row = logits.subarray((b * T + t) * V, (b * T + t + 1) * V);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, z) => s + Math.exp(z - m), 0));
    return { logp: row[labels[b][t + 1]] - lse, softmax: Array.from(row, (z) => Math.exp(z - lse)) };
  };
  const counts = mask.map((row) => row.slice(1).reduce((s, x) => s + x, 0));
  const n = B / 2;
  const weight: number[][] = [];
  const logps = mask.map((row, b) => {
    const shared = Math.min(counts[b % n], counts[(b % n) + n]);
    let position = 0;
    let sum = 0;
    weight.push(new Array(T).fill(0));
    for (let t = 0; t < T - 1; t++) {
      if (row[t + 1] === 0) continue;
      position++; // TRL's comp_pos: the cumulative sum of the shifted completion mask
      weight[b][t] = position <= shared ? 1 : alpha;
      sum += weight[b][t] * tokenLogp(b, t).logp;
    }
    return sum;
  });
  return { logps, weight, tokenLogp };
}

describe("dpoBatch ldAlpha (LD-DPO)", () => {
  const policy = logitsOf(1);
  const ref = logitsOf(2);
  for (const alpha of [0, 0.35, 1]) {
    it(`α = ${alpha}: log-probs, losses and the logits gradient match a float64 reference`, async () => {
      const r = await dpoBatch(
        { policyLogits: { data: policy, shape: [B, T, V] }, referenceLogits: { data: ref, shape: [B, T, V] }, labels },
        { beta: BETA, ldAlpha: alpha, mask, gradient: true },
      );
      const p = reference(policy, alpha);
      const q = reference(ref, alpha);
      for (let b = 0; b < B; b++) {
        expectClose(r.policyLogps[b], p.logps[b], { rel: 1e-13, abs: 1e-13 }, `policy ${b}`);
        expectClose(r.referenceLogps[b], q.logps[b], { rel: 1e-13, abs: 1e-13 }, `reference ${b}`);
      }
      const n = B / 2;
      const seqGrad: number[] = [];
      for (let i = 0; i < n; i++) {
        const u = BETA * (p.logps[i] - q.logps[i] - (p.logps[i + n] - q.logps[i + n]));
        expectClose(r.losses[i], Math.log1p(Math.exp(-u)), { rel: 1e-12 }, `loss ${i}`);
        const s = 1 / (1 + Math.exp(u)); // σ(−u)
        seqGrad[i] = -BETA * s;
        seqGrad[i + n] = BETA * s;
      }
      const grad = r.gradLogits as Float64Array;
      let checked = 0;
      for (let b = 0; b < B; b++)
        for (let t = 0; t < T; t++)
          for (let v = 0; v < V; v++) {
            const w = p.weight[b][t];
            const expected =
              w === 0 ? 0 : seqGrad[b] * w * ((v === labels[b][t + 1] ? 1 : 0) - p.tokenLogp(b, t).softmax[v]);
            expectClose(grad[(b * T + t) * V + v], expected, { rel: 1e-11, abs: 1e-15 }, `grad ${b} ${t} ${v}`);
            checked += expected !== 0 ? 1 : 0;
          }
      expect(checked).toBeGreaterThan(0);
    });
  }

  it("α = 1 equals plain sums; float32 logits agree with the float64 reference to 1e-6; any thread count", async () => {
    const plain = await dpoBatch(
      { policyLogits: { data: policy, shape: [B, T, V] }, referenceLogps: [-9, -8, -7, -6], labels },
      { beta: BETA, mask },
    );
    const one = await dpoBatch(
      { policyLogits: { data: policy, shape: [B, T, V] }, referenceLogps: [-9, -8, -7, -6], labels },
      { beta: BETA, mask, ldAlpha: 1 },
    );
    expect(Array.from(one.policyLogps)).toEqual(Array.from(plain.policyLogps));
    const f32 = Float32Array.from(policy);
    const p = reference(Float64Array.from(f32), 0.5);
    const runs = [];
    for (const threads of [1, 2, 3])
      runs.push(
        await dpoBatch(
          { policyLogits: { data: f32, shape: [B, T, V] }, referenceLogps: [-9, -8, -7, -6], labels },
          { beta: BETA, mask, ldAlpha: 0.5, threads, gradient: true },
        ),
      );
    for (let b = 0; b < B; b++) expectClose(runs[0].policyLogps[b], p.logps[b], { rel: 1e-6 }, `float32 ${b}`);
    for (const r of runs.slice(1)) {
      expect(Array.from(r.policyLogps)).toEqual(Array.from(runs[0].policyLogps));
      expect(Array.from(r.gradLogits!)).toEqual(Array.from(runs[0].gradLogits!));
    }
  });

  it("bad ldAlpha and unsupported combinations are named errors", async () => {
    const inputs = { policyLogits: { data: policy, shape: [B, T, V] }, referenceLogps: [-9, -8, -7, -6], labels };
    for (const bad of [-0.1, 1.5, Number.NaN, "0.5"])
      await expectLuceRejection(dpoBatch(inputs, { beta: BETA, ldAlpha: bad as number }), "options.ldAlpha");
    await expectLuceRejection(dpoBatch(inputs, { beta: BETA, ldAlpha: 0.5, average: true }), "options.ldAlpha");
    await expectLuceRejection(dpoBatch(inputs, { beta: BETA, ldAlpha: 0.5, lossType: "sft" }), "options.ldAlpha");
  });
});
