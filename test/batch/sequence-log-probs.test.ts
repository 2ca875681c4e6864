import { describe, expect, it } from "vitest";
import fixtures from "../fixtures/batch.json" with { type: "json" };
import { dpoBatch, plackettLuceDpoBatch, sequenceLogProbs, sequenceTokenLogProbs } from "../../src/batch/index.js";
import { dpoLoss, plackettLuceDpoLoss } from "../../src/index.js";
import { expectClose, expectLuceRejection, num } from "../helpers/close.js";
import ndarray from "ndarray";
import synthetic from "../fixtures/batch_synthetic.json" with { type: "json" };
import { syntheticBatch } from "../helpers/synthetic-logits.js";

const logitsOf = (c: (typeof fixtures)[number]) => ({ data: Float32Array.from(c.logits.map(num)), shape: c.shape });

describe("sequence log-probs against 50-digit references", () => {
  for (const c of fixtures) {
    for (const shift of [true, false]) {
      for (const average of [false, true]) {
        const want = (c as unknown as Record<string, string[]>)[
          `shift=${shift ? "True" : "False"},average=${average ? "True" : "False"}`
        ].map(Number);
        it(`${c.name}, shift ${shift}, average ${average}: float64 to 1e-12 relative`, async () => {
          const got = await sequenceLogProbs(logitsOf(c), c.labels, {
            mask: c.mask,
            shift,
            average,
            precision: "float64",
          });
          got.forEach((v, b) => expectClose(v, want[b], { rel: 1e-12 }, `sequence ${b}`));
        });
        it(`${c.name}, shift ${shift}, average ${average}: float32 to 1e-7 relative`, async () => {
          const got = await sequenceLogProbs(logitsOf(c), c.labels, {
            mask: c.mask,
            shift,
            average,
            precision: "float32",
          });
          got.forEach((v, b) => expectClose(v, want[b], { rel: 1e-7 }, `sequence ${b}`));
        });
      }
    }
  }
});

describe("model-sized batches (V = 4000 and 50257) against float64 references", () => {
  for (const c of synthetic) {
    const { logits, labels } = syntheticBatch(c.seed, c.shape, c.peak);
    const want = c.logps.map(Number);
    it(`${c.name} ${c.shape.join("×")}: float32 to 1e-7 relative, float64 to 1e-12`, async () => {
      const fast = await sequenceLogProbs(logits, labels, { shift: false });
      fast.forEach((v, b) => expectClose(v, want[b], { rel: 1e-7 }, `float32, sequence ${b}`));
      const exact = await sequenceLogProbs(logits, labels, { shift: false, precision: "float64" });
      exact.forEach((v, b) => expectClose(v, want[b], { rel: 1e-12 }, `float64, sequence ${b}`));
    });
  }
  it("the float32 path gives the same bits on 1, 2 and 3 threads", async () => {
    const { logits, labels } = syntheticBatch(synthetic[0].seed, synthetic[0].shape, 0);
    const runs = await Promise.all(
      [1, 2, 3].map((threads) => sequenceTokenLogProbs(logits, labels, { shift: false, threads })),
    );
    for (const run of runs.slice(1)) {
      expect(Array.from(run.logps)).toEqual(Array.from(runs[0].logps));
      run.tokenLogps.forEach((tokens, b) => expect(Array.from(tokens)).toEqual(Array.from(runs[0].tokenLogps[b])));
    }
  });
});

describe("views, dtypes and token values", () => {
  const c = fixtures[0];
  const [B, T, V] = c.shape;
  it("a strided view (vocabulary reversed, batch reversed) reads the same values in place", async () => {
    const base = await sequenceLogProbs(logitsOf(c), c.labels, { mask: c.mask, precision: "float64" });
    const reversed = new Float32Array(B * T * V);
    const src = logitsOf(c).data;
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++)
        for (let v = 0; v < V; v++) reversed[((B - 1 - b) * T + t) * V + (V - 1 - v)] = src[(b * T + t) * V + v];
    const view = { data: reversed, shape: [B, T, V], stride: [-T * V, V, -1], offset: (B - 1) * T * V + V - 1 };
    expect(Array.from(await sequenceLogProbs(view, c.labels, { mask: c.mask, precision: "float64" }))).toEqual(
      Array.from(base),
    );
    // the float32 kernel sums a reversed row in another order: the same to float32 rounding
    const fast = await sequenceLogProbs(view, c.labels, { mask: c.mask });
    fast.forEach((v, b) => expectClose(v, base[b], { rel: 1e-7 }, `sequence ${b}`));
  });
  it("a scijs ndarray view and an ONNX Runtime-shaped tensor are read in place", async () => {
    const base = await sequenceLogProbs(logitsOf(c), c.labels, { mask: c.mask });
    const array = ndarray(logitsOf(c).data, [B, T, V]);
    expect(Array.from(await sequenceLogProbs(array, c.labels, { mask: c.mask }))).toEqual(Array.from(base));
    // a reversed-vocabulary view through ndarray's own step(): labels must be mirrored to match
    const mirrored = array.step(1, 1, -1);
    const mirroredLabels = c.labels.map((row) => row.map((y) => (y === -100 ? y : V - 1 - y)));
    const mirroredLogps = await sequenceLogProbs(mirrored, mirroredLabels, { mask: c.mask });
    mirroredLogps.forEach((v, b) => expectClose(v, base[b], { rel: 1e-7 }, `sequence ${b}`));
    const ortLike = { data: logitsOf(c).data, dims: [B, T, V], type: "float32" };
    expect(Array.from(await sequenceLogProbs(ortLike, c.labels, { mask: c.mask }))).toEqual(Array.from(base));
  });
  it("float16 and bfloat16 logits are read exactly", async () => {
    // 1.5 and -2 are exact in both formats: bits 0x3e00 / 0xc000 (float16), 0x3fc0 / 0xc000 (bfloat16)
    const f16 = { data: new Uint16Array([0x3e00, 0xc000]), shape: [1, 1, 2], dtype: "float16" as const };
    const bf16 = { data: new Uint16Array([0x3fc0, 0xc000]), shape: [1, 1, 2], dtype: "bfloat16" as const };
    const want = -Math.log1p(Math.exp(-3.5));
    for (const logits of [f16, bf16]) {
      expectClose((await sequenceLogProbs(logits, [[0]], { shift: false, precision: "float64" }))[0], want, {
        rel: 1e-15,
      });
      expectClose((await sequenceLogProbs(logits, [[0]], { shift: false }))[0], want, { rel: 1e-7 });
    }
  });
  it("per-token values on request: { perToken: true } gives sequenceTokenLogProbs's result; anything but a boolean is named", async () => {
    const asked = await sequenceLogProbs(logitsOf(c), c.labels, { mask: c.mask, perToken: true });
    const direct = await sequenceTokenLogProbs(logitsOf(c), c.labels, { mask: c.mask });
    expect(Array.from(asked.logps)).toEqual(Array.from(direct.logps));
    expect(Array.from(asked.counts)).toEqual(Array.from(direct.counts));
    asked.tokenLogps.forEach((tokens, b) => expect(Array.from(tokens)).toEqual(Array.from(direct.tokenLogps[b])));
    expect(await sequenceLogProbs(logitsOf(c), c.labels, { mask: c.mask, perToken: false })).toBeInstanceOf(
      Float64Array,
    );
    await expectLuceRejection(
      sequenceLogProbs(logitsOf(c), c.labels, { perToken: "yes" as unknown as true }),
      "options.perToken",
    );
  });
  it("per-token values and counts add up; an all-masked sequence sums to 0", async () => {
    const r = await sequenceTokenLogProbs(logitsOf(c), c.labels, { mask: c.mask });
    r.tokenLogps.forEach((tokens, b) =>
      expectClose(
        tokens.reduce((a, v) => a + v, 0),
        r.logps[b],
        { rel: 1e-14 },
      ),
    );
    const none = await sequenceLogProbs(
      logitsOf(c),
      c.labels.map((row) => row.map(() => -100)),
    );
    expect(Array.from(none)).toEqual([0, 0, 0]);
    await expectLuceRejection(
      sequenceLogProbs(
        logitsOf(c),
        c.labels.map((row) => row.map(() => -100)),
        { average: true },
      ),
      "labels[0]",
    );
  });
});

describe("dpoBatch", () => {
  const c = fixtures[1]; // 2 sequences: one chosen, one rejected
  const policy = logitsOf(c);
  const reference = { data: policy.data.map((x, i) => x + Math.sin(i)), shape: c.shape };
  it("equals dpoLoss on the sequence log-probs", async () => {
    const r = await dpoBatch({ policyLogits: policy, referenceLogits: reference, labels: c.labels }, { beta: 0.1 });
    const p = await sequenceLogProbs(policy, c.labels);
    const q = await sequenceLogProbs(reference, c.labels);
    const direct = dpoLoss(
      {
        policyChosenLogps: [p[0]],
        policyRejectedLogps: [p[1]],
        referenceChosenLogps: [q[0]],
        referenceRejectedLogps: [q[1]],
      },
      { beta: 0.1 },
    );
    expect(r.losses[0]).toBe(direct.losses[0]);
  });
  it("the logits gradient matches central differences", async () => {
    const small = { data: Float64Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.cos(1.7 * i)), shape: [2, 3, 4] };
    const labels = [
      [0, 3, 1],
      [2, 2, 0],
    ];
    const options = { beta: 0.5, gradient: true, lossType: "ipo" as const, average: true };
    const r = await dpoBatch({ policyLogits: small, referenceLogps: [-2, -3], labels }, options);
    const h = 1e-6;
    for (let i = 0; i < small.data.length; i++) {
      const plus = { ...small, data: small.data.slice() };
      const minus = { ...small, data: small.data.slice() };
      plus.data[i] += h;
      minus.data[i] -= h;
      const fd =
        ((await dpoBatch({ policyLogits: plus, referenceLogps: [-2, -3], labels }, options)).losses[0] -
          (await dpoBatch({ policyLogits: minus, referenceLogps: [-2, -3], labels }, options)).losses[0]) /
        (2 * h);
      expectClose(r.gradLogits![i], fd, { abs: 1e-8 }, `logit ${i}`);
    }
  });
});

describe("bad input names the position", () => {
  const ok = { data: new Float32Array(12), shape: [2, 2, 3] };
  it("rejects NaN, +Infinity, all −Infinity rows, bad labels and shapes", async () => {
    const nan = { ...ok, data: ok.data.slice() };
    nan.data[1] = Number.NaN;
    await expectLuceRejection(
      sequenceLogProbs(nan, [
        [0, 0],
        [0, 0],
      ]),
      "logits[0][0][1]",
    );
    const inf = { ...ok, data: ok.data.slice() };
    inf.data[0] = Infinity;
    await expectLuceRejection(
      sequenceLogProbs(inf, [
        [0, 0],
        [0, 0],
      ]),
      "logits[0][0][0]",
    );
    const dead = { ...ok, data: ok.data.slice() };
    dead.data.fill(-Infinity, 6, 9);
    await expectLuceRejection(
      sequenceLogProbs(dead, [
        [0, 0],
        [0, 1],
      ]),
      "logits[1][0]",
    );
    await expectLuceRejection(
      sequenceLogProbs(ok, [
        [0, 3],
        [0, 0],
      ]),
      "labels[0][1]",
    );
    await expectLuceRejection(
      sequenceTokenLogProbs(ok, [
        [0, 3],
        [0, 0],
      ]),
      "labels[0][1]",
    );
    await expectLuceRejection(
      sequenceTokenLogProbs(
        ok,
        [
          [0, 0],
          [0, 0],
        ],
        null as never,
      ),
      "options",
    );
    await expectLuceRejection(
      sequenceLogProbs(ok, [
        [0, 1.5],
        [0, 0],
      ]),
      "labels[0][1]",
    );
    await expectLuceRejection(sequenceLogProbs(ok, [[0, 0]]), "labels.shape");
    await expectLuceRejection(
      sequenceLogProbs({ data: new Float32Array(5), shape: [2, 2, 3] }, [
        [0, 0],
        [0, 0],
      ]),
      "logits",
    );
    await expectLuceRejection(
      sequenceLogProbs({ data: new Float32Array(12), shape: [2, 6] } as never, [
        [0, 0],
        [0, 0],
      ]),
      "logits.shape",
    );
    await expectLuceRejection(
      sequenceLogProbs({ data: new Uint16Array(12), shape: [2, 2, 3] }, [
        [0, 0],
        [0, 0],
      ]),
      "logits.dtype",
    );
    await expectLuceRejection(
      sequenceLogProbs(
        ok,
        [
          [0, 0],
          [0, 0],
        ],
        { mask: [[1, 1]] },
      ),
      "options.mask.shape",
    );
    await expectLuceRejection(
      dpoBatch(
        {
          policyLogits: { data: new Float32Array(9), shape: [3, 1, 3] },
          referenceLogps: [0, 0, 0],
          labels: [[0], [0], [0]],
        },
        { beta: 1 },
      ),
      "inputs.policyLogits.shape",
    );
    await expectLuceRejection(
      dpoBatch(
        {
          policyLogits: ok,
          labels: [
            [0, 0],
            [0, 0],
          ],
        },
        { beta: 1 },
      ),
      "inputs.referenceLogits",
    );
    await expectLuceRejection(
      dpoBatch(
        {
          policyLogits: ok,
          referenceLogps: [0],
          labels: [
            [0, 0],
            [0, 0],
          ],
        },
        { beta: 1 },
      ),
      "inputs.referenceLogps",
    );
  });
  it("−Infinity logits (masked vocabulary) are valid; a −Infinity label logit gives −Infinity", async () => {
    const masked = { ...ok, data: ok.data.slice() };
    masked.data[2] = -Infinity;
    const r = await sequenceLogProbs(masked, [
      [0, 2],
      [0, 0],
    ]);
    expect(r[0]).toBe(-Infinity);
    expectClose(r[1], -Math.log(3), { rel: 1e-15 });
  });
});

describe("plackettLuceDpoBatch", () => {
  const logits = { data: Float64Array.from({ length: 6 * 3 * 5 }, (_, i) => 2 * Math.sin(0.7 * i)), shape: [6, 3, 5] };
  const labels = [
    [0, 1, 2],
    [0, 3, 4],
    [0, 0, 1],
    [1, 2, 3],
    [2, 4, 0],
    [3, 1, 1],
  ];
  const referenceLogps = [-4, -5, -3.5, -6, -4.5, -5.5];
  it("equals plackettLuceDpoLoss on the sequence log-probs (K = 3, full and top-1)", async () => {
    const r = await plackettLuceDpoBatch(
      { policyLogits: logits, referenceLogps, labels, responses: 3, rankings: [[2, 0, 1], [1]] },
      { beta: 0.3 },
    );
    const p = await sequenceLogProbs(logits, labels);
    const direct = plackettLuceDpoLoss(
      {
        policyLogps: [p.subarray(0, 3), p.subarray(3)],
        referenceLogps: [referenceLogps.slice(0, 3), referenceLogps.slice(3)],
        rankings: [[2, 0, 1], [1]],
      },
      { beta: 0.3 },
    );
    expect(Array.from(r.losses)).toEqual(Array.from(direct.losses));
  });
  it("at K = 2 equals dpoBatch's sigmoid loss, and its logits gradient matches", async () => {
    const two = { data: logits.data.slice(0, 2 * 15), shape: [2, 3, 5] };
    const pl = await plackettLuceDpoBatch(
      { policyLogits: two, referenceLogps: [-4, -5], labels: labels.slice(0, 2), responses: 2, rankings: [[0, 1]] },
      { beta: 0.3, gradient: true },
    );
    const bt = await dpoBatch(
      { policyLogits: two, referenceLogps: [-4, -5], labels: labels.slice(0, 2) },
      { beta: 0.3, gradient: true },
    );
    expectClose(pl.losses[0], bt.losses[0], { rel: 1e-14 });
    pl.gradLogits!.forEach((g, i) => expectClose(g, bt.gradLogits![i], { rel: 1e-13, abs: 1e-16 }));
  });
  it("rejects a batch not divisible by K and mismatched rankings", async () => {
    await expectLuceRejection(
      plackettLuceDpoBatch(
        { policyLogits: logits, referenceLogps, labels, responses: 4, rankings: [[0]] },
        { beta: 1 },
      ),
      "inputs.policyLogits.shape",
    );
    await expectLuceRejection(
      plackettLuceDpoBatch(
        { policyLogits: logits, referenceLogps, labels, responses: 3, rankings: [[0, 1, 2]] },
        { beta: 1 },
      ),
      "inputs.rankings",
    );
    await expectLuceRejection(
      plackettLuceDpoBatch({ policyLogits: logits, referenceLogps, labels, responses: 1, rankings: [] }, { beta: 1 }),
      "inputs.responses",
    );
    await expectLuceRejection(
      plackettLuceDpoBatch(
        { policyLogits: logits, referenceLogps, labels, responses: 3, rankings: [[0, 0], [1]] },
        { beta: 1 },
      ),
      "inputs.rankings[0][1]",
    );
  });
  it("both batch losses reject inputs and options that are not objects, and a missing reference", async () => {
    const two = {
      policyLogits: { data: new Float32Array(6), shape: [2, 1, 3] },
      referenceLogps: [0, 0],
      labels: [[0], [0]],
    };
    await expectLuceRejection(dpoBatch(null as never, { beta: 1 }), "inputs");
    await expectLuceRejection(dpoBatch(two, null as never), "options");
    await expectLuceRejection(dpoBatch({ ...two, referenceLogps: undefined }, { beta: 1 }), "inputs.referenceLogits");
    await expectLuceRejection(plackettLuceDpoBatch(null as never, { beta: 1 }), "inputs");
    await expectLuceRejection(
      plackettLuceDpoBatch(
        {
          policyLogits: logits,
          referenceLogps,
          labels,
          responses: 3,
          rankings: [
            [0, 1, 2],
            [2, 1, 0],
          ],
        },
        null as never,
      ),
      "options",
    );
  });
});
