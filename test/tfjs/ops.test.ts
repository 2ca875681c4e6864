import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core registers no gradients of its own ops by itself (@tensorflow/tfjs does): the reference
// implementations below need them; luce's ops bring their own
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import { beforeAll, describe, expect, it } from "vitest";
import { dpoLoss, LuceError, plackettLuceDpoLoss } from "../../src/index.js";
import { dpoBatch, sequenceLogProbs } from "../../src/batch/index.js";
import { dpoLossOp, plackettLuceDpoLossOp, sequenceLogProbsOp } from "../../src/tfjs/index.js";
import { expectLuceError } from "../helpers/close.js";
import { DPO_LOSS_TYPES } from "../helpers/loss-types.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Each value within float32 rounding of the expected (the ops return float32). */
function expectFloat32Close(actual: ArrayLike<number>, expected: ArrayLike<number>, scale = 1): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(2 ** -23 * (Math.abs(expected[i]) + scale) * 2);
}

const pairs = {
  policyChosen: [-10.5, -7.25, -31, -3.5, -12],
  policyRejected: [-12, -7, -29.5, -8, -12.25],
  referenceChosen: [-11, -7.5, -30, -4, -11.5],
  referenceRejected: [-11.5, -7.25, -30.25, -7, -12.5],
  chosenLengths: [10, 7, 30, 4, 12],
  rejectedLengths: [11, 8, 29, 7, 12],
};
const inputsOf = (c: tf.Tensor1D, r: tf.Tensor1D) => ({
  policyChosenLogps: c,
  policyRejectedLogps: r,
  referenceChosenLogps: pairs.referenceChosen,
  referenceRejectedLogps: tf.tensor1d(pairs.referenceRejected),
  chosenLengths: pairs.chosenLengths,
  rejectedLengths: pairs.rejectedLengths,
});
const typesWithLengths = new Set(["ipo", "sigmoid_norm"]);

describe("dpoLossOp", () => {
  const types = DPO_LOSS_TYPES;
  it.each(types)("%s: the mean of dpoLoss's losses, and its exact gradients through tf.grads", (lossType) => {
    const options = { beta: 0.3, lossType, ...(lossType === "robust" ? { labelSmoothing: 0.1 } : {}) };
    const expected = dpoLoss(
      {
        policyChosenLogps: pairs.policyChosen,
        policyRejectedLogps: pairs.policyRejected,
        referenceChosenLogps: pairs.referenceChosen,
        referenceRejectedLogps: pairs.referenceRejected,
        ...(typesWithLengths.has(lossType)
          ? { chosenLengths: pairs.chosenLengths, rejectedLengths: pairs.rejectedLengths }
          : {}),
      },
      options,
    );
    const n = pairs.policyChosen.length;
    const f = (c: tf.Tensor, r: tf.Tensor) => {
      const inputs = inputsOf(c as tf.Tensor1D, r as tf.Tensor1D);
      return dpoLossOp(
        typesWithLengths.has(lossType) ? inputs : { ...inputs, chosenLengths: undefined, rejectedLengths: undefined },
        options,
      );
    };
    const { value, grads } = tf.valueAndGrads(f)([tf.tensor1d(pairs.policyChosen), tf.tensor1d(pairs.policyRejected)]);
    expectFloat32Close(value.dataSync(), [expected.losses.reduce((a, b) => a + b, 0) / n]);
    expectFloat32Close(
      grads[0].dataSync(),
      Array.from(expected.gradPolicyChosen, (g) => g / n),
      1e-3,
    );
    expectFloat32Close(
      grads[1].dataSync(),
      Array.from(expected.gradPolicyRejected, (g) => g / n),
      1e-3,
    );
  });

  it("has the closed-form gradient of −log σ(β d), ∓β σ(−β d) per pair over n (computed here, not by dpoLoss)", () => {
    const beta = 0.7;
    const n = pairs.policyChosen.length;
    const { value, grads } = tf.valueAndGrads((c: tf.Tensor, r: tf.Tensor) =>
      dpoLossOp(inputsOf(c as tf.Tensor1D, r as tf.Tensor1D), { beta }),
    )([tf.tensor1d(pairs.policyChosen), tf.tensor1d(pairs.policyRejected)]);
    const d = pairs.policyChosen.map(
      (c, i) => c - pairs.referenceChosen[i] - (pairs.policyRejected[i] - pairs.referenceRejected[i]),
    );
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    expectFloat32Close(value.dataSync(), [d.reduce((a, x) => a + Math.log1p(Math.exp(-beta * x)), 0) / n]);
    expectFloat32Close(
      grads[0].dataSync(),
      d.map((x) => (-beta * sigmoid(-beta * x)) / n),
      1e-3,
    );
    expectFloat32Close(
      grads[1].dataSync(),
      d.map((x) => (beta * sigmoid(-beta * x)) / n),
      1e-3,
    );
  });

  it('"sum" and "none" (weighted by the upstream gradient) give the matching gradients', () => {
    const weights = tf.tensor1d([1, -2, 0.5, 3, 0]);
    const at = [tf.tensor1d(pairs.policyChosen), tf.tensor1d(pairs.policyRejected)];
    const none = tf.grads((c: tf.Tensor, r: tf.Tensor) =>
      tf.sum(
        tf.mul(dpoLossOp(inputsOf(c as tf.Tensor1D, r as tf.Tensor1D), { beta: 0.3, reduction: "none" }), weights),
      ),
    )(at);
    const exact = dpoLoss(
      {
        policyChosenLogps: pairs.policyChosen,
        policyRejectedLogps: pairs.policyRejected,
        referenceChosenLogps: pairs.referenceChosen,
        referenceRejectedLogps: pairs.referenceRejected,
      },
      { beta: 0.3 },
    );
    const w = weights.dataSync();
    expectFloat32Close(
      none[0].dataSync(),
      Array.from(exact.gradPolicyChosen, (g, i) => g * w[i]),
      1e-3,
    );
    const sum = tf.grads((c: tf.Tensor, r: tf.Tensor) =>
      dpoLossOp(inputsOf(c as tf.Tensor1D, r as tf.Tensor1D), { beta: 0.3, reduction: "sum" }),
    )(at);
    expectFloat32Close(sum[1].dataSync(), exact.gradPolicyRejected, 1e-3);
    expectFloat32Close(
      dpoLossOp(inputsOf(at[0] as tf.Tensor1D, at[1] as tf.Tensor1D), { beta: 0.3, reduction: "none" }).dataSync(),
      exact.losses,
    );
  });

  it("names bad input as its own: non-tensors, ranks, dtypes, reductions, and what dpoLoss rejects", () => {
    const c = tf.tensor1d(pairs.policyChosen);
    const r = tf.tensor1d(pairs.policyRejected);
    const ok = inputsOf(c, r);
    expectLuceError(
      () => dpoLossOp({ ...ok, policyChosenLogps: [1, 2] as unknown as tf.Tensor1D }, { beta: 0.1 }),
      "inputs.policyChosenLogps",
      "dpoLossOp",
    );
    expectLuceError(
      () => dpoLossOp({ ...ok, policyRejectedLogps: tf.tensor2d([[1]]) as unknown as tf.Tensor1D }, { beta: 0.1 }),
      "inputs.policyRejectedLogps",
      "dpoLossOp",
    );
    expectLuceError(
      () => dpoLossOp({ ...ok, policyChosenLogps: tf.tensor1d([1, 2], "int32") }, { beta: 0.1 }),
      "inputs.policyChosenLogps",
      "dpoLossOp",
    );
    expectLuceError(() => dpoLossOp(ok, { beta: 0.1, reduction: "max" as "sum" }), "options.reduction", "dpoLossOp");
    expectLuceError(
      () => dpoLossOp(ok, { beta: 0.1, lossType: "aot", reduction: "none" }),
      "options.reduction",
      "dpoLossOp",
    );
    expectLuceError(() => dpoLossOp(ok, { beta: -1 }), "options.beta", "dpoLossOp");
    expectLuceError(() => dpoLossOp(ok, { beta: 0.1, lossTyp: "ipo" } as never), "options.lossTyp", "dpoLossOp");
    expectLuceError(
      () => dpoLossOp({ ...ok, referenceChosenLogps: [1] }, { beta: 0.1 }),
      "inputs.referenceChosenLogps",
      "dpoLossOp",
    );
    expectLuceError(
      () => dpoLossOp({ ...ok, policyChosenLogps: tf.tensor1d([NaN, 1, 2, 3, 4]) }, { beta: 0.1 }),
      "inputs.policyChosenLogps[0]",
      "dpoLossOp",
    );
  });
});

describe("plackettLuceDpoLossOp", () => {
  const policy = [
    [-5, -6, -9, -7],
    [-20, -18.5, -19, -25],
  ];
  const reference = [
    [-6, -6, -6, -6],
    [-19, -19, -19.5, -22],
  ];
  const rankings = [
    [0, 1, 3, 2],
    [1, 2],
  ]; // a full ranking and a top-2

  it("is plackettLuceDpoLoss's mean with its exact gradient, and at K = 2 the sigmoid DPO loss", () => {
    const exact = plackettLuceDpoLoss({ policyLogps: policy, referenceLogps: reference, rankings }, { beta: 0.5 });
    const { value, grad } = tf.valueAndGrad((p: tf.Tensor) =>
      plackettLuceDpoLossOp(
        { policyLogps: p as tf.Tensor2D, referenceLogps: tf.tensor2d(reference), rankings },
        { beta: 0.5 },
      ),
    )(tf.tensor2d(policy));
    expectFloat32Close(value.dataSync(), [(exact.losses[0] + exact.losses[1]) / 2]);
    expectFloat32Close(
      grad.dataSync(),
      exact.gradPolicy.flatMap((row) => Array.from(row, (g) => g / 2)),
      1e-3,
    );
    // K = 2 with ranking [0, 1]: the pairwise sigmoid loss of chosen 0 over rejected 1
    const two = tf.tensor2d([
      [-10.5, -12],
      [-7.25, -7],
    ]);
    const listwise = tf.valueAndGrad((p: tf.Tensor) =>
      plackettLuceDpoLossOp(
        {
          policyLogps: p as tf.Tensor2D,
          referenceLogps: [
            [-11, -11.5],
            [-7.5, -7.25],
          ],
          rankings: [
            [0, 1],
            [0, 1],
          ],
        },
        { beta: 0.5, reduction: "sum" },
      ),
    )(two);
    const pairwise = tf.valueAndGrads((c: tf.Tensor, r: tf.Tensor) =>
      dpoLossOp(
        {
          policyChosenLogps: c as tf.Tensor1D,
          policyRejectedLogps: r as tf.Tensor1D,
          referenceChosenLogps: [-11, -7.5],
          referenceRejectedLogps: [-11.5, -7.25],
        },
        { beta: 0.5, reduction: "sum" },
      ),
    )([tf.tensor1d([-10.5, -7.25]), tf.tensor1d([-12, -7])]);
    expectFloat32Close(listwise.value.dataSync(), pairwise.value.dataSync());
    const g = listwise.grad.dataSync();
    expectFloat32Close([g[0], g[2]], pairwise.grads[0].dataSync(), 1e-3);
    expectFloat32Close([g[1], g[3]], pairwise.grads[1].dataSync(), 1e-3);
  });

  it('"none" weights each example by its upstream gradient; bad input is named', () => {
    const exact = plackettLuceDpoLoss({ policyLogps: policy, referenceLogps: reference, rankings }, { beta: 0.5 });
    const grad = tf.grad((p: tf.Tensor) =>
      tf.sum(
        tf.mul(
          plackettLuceDpoLossOp(
            { policyLogps: p as tf.Tensor2D, referenceLogps: reference, rankings },
            { beta: 0.5, reduction: "none" },
          ),
          tf.tensor1d([2, -1]),
        ),
      ),
    )(tf.tensor2d(policy));
    expectFloat32Close(
      grad.dataSync(),
      [...Array.from(exact.gradPolicy[0], (g) => 2 * g), ...Array.from(exact.gradPolicy[1], (g) => -g)],
      1e-3,
    );
    expectLuceError(
      () =>
        plackettLuceDpoLossOp(
          { policyLogps: tf.tensor1d([1, 2]) as unknown as tf.Tensor2D, referenceLogps: reference, rankings },
          { beta: 0.5 },
        ),
      "inputs.policyLogps",
      "plackettLuceDpoLossOp",
    );
    expectLuceError(
      () =>
        plackettLuceDpoLossOp(
          { policyLogps: tf.tensor2d(policy), referenceLogps: tf.tensor2d([[1, 2]]), rankings },
          { beta: 0.5 },
        ),
      "inputs.referenceLogps",
      "plackettLuceDpoLossOp",
    );
    expectLuceError(
      () =>
        plackettLuceDpoLossOp({ policyLogps: tf.tensor2d(policy), referenceLogps: reference, rankings }, {
          beta: 0.5,
          reductoin: "sum",
        } as never),
      "options.reductoin",
      "plackettLuceDpoLossOp",
    );
    expectLuceError(
      () =>
        plackettLuceDpoLossOp(
          {
            policyLogps: tf.tensor2d(policy),
            referenceLogps: reference,
            rankings: [
              [0, 0],
              [1, 2],
            ],
          },
          { beta: 0.5 },
        ),
      "inputs.rankings[0][1]",
      "plackettLuceDpoLossOp",
    );
  });
});

describe("sequenceLogProbsOp", () => {
  // B = 2, T = 5, V = 7: logits from a sine, one label ignored, a mask
  const [B, T, V] = [2, 5, 7];
  const logitsData = Float32Array.from({ length: B * T * V }, (_, i) => 3 * Math.sin(0.7 * i + 1));
  const labels = [
    [1, 4, 6, -100, 2],
    [0, 3, 3, 5, 1],
  ];
  const mask = [
    [1, 1, 1, 1, 1],
    [1, 1, 1, 0, 1],
  ];
  /** The same quantity written in tfjs ops: log-softmax, a one-hot gather, the mask: tfjs differentiates it itself. */
  function reference(z: tf.Tensor, average: boolean): tf.Tensor {
    const shifted = labels.map((row, b) => row.slice(1).map((y, t) => (y === -100 || mask[b][t + 1] === 0 ? 0 : y)));
    const weights = tf.tensor2d(
      labels.map((row, b) => row.slice(1).map((y, t) => (y === -100 || mask[b][t + 1] === 0 ? 0 : 1))),
    );
    const picked = tf.sum(
      tf.mul(
        tf.logSoftmax(tf.slice(z, [0, 0, 0], [B, T - 1, V])),
        tf.oneHot(tf.tensor2d(shifted, undefined, "int32"), V),
      ),
      -1,
    );
    const sums = tf.sum(tf.mul(picked, weights), -1);
    return average ? tf.div(sums, tf.sum(weights, -1)) : sums;
  }

  it.each([false, true])(
    "gives sequenceLogProbs's values, and gradients equal to tfjs's autodiff of the same sum (average: %s)",
    async (average) => {
      const logits = tf.tensor3d(logitsData, [B, T, V]);
      const upstream = tf.tensor1d([0.75, -1.5]);
      const op = (z: tf.Tensor) =>
        tf.sum(
          tf.mul(
            sequenceLogProbsOp(z as tf.Tensor3D, tf.tensor2d(labels, undefined, "int32"), { mask, average }),
            upstream,
          ),
        );
      const ours = tf.valueAndGrad(op)(logits);
      const theirs = tf.valueAndGrad((z: tf.Tensor) => tf.sum(tf.mul(reference(z, average), upstream)))(logits);
      const expected = await sequenceLogProbs({ data: logitsData, shape: [B, T, V] }, labels, {
        mask,
        average,
        precision: "float64",
      });
      expectFloat32Close(sequenceLogProbsOp(logits, labels, { mask, average }).dataSync(), expected);
      expect(ours.value.dataSync()[0]).toBeCloseTo(theirs.value.dataSync()[0], 4);
      expectFloat32Close(ours.grad.dataSync(), theirs.grad.dataSync(), 4);
    },
  );

  it("composes with dpoLossOp into dpoBatch's gradient with respect to the policy logits", async () => {
    const logits = tf.tensor3d(logitsData, [B, T, V]);
    const referenceLogps = [-9.5, -11.25];
    const loss = (z: tf.Tensor) => {
      const logps = sequenceLogProbsOp(z as tf.Tensor3D, labels, { mask });
      const [chosen, rejected] = tf.split(logps, 2) as tf.Tensor1D[];
      return dpoLossOp(
        {
          policyChosenLogps: chosen,
          policyRejectedLogps: rejected,
          referenceChosenLogps: [referenceLogps[0]],
          referenceRejectedLogps: [referenceLogps[1]],
        },
        { beta: 0.4, reduction: "sum" },
      );
    };
    const { value, grad } = tf.valueAndGrad(loss)(logits);
    const batch = await dpoBatch(
      { policyLogits: { data: logitsData, shape: [B, T, V] }, referenceLogps, labels },
      { beta: 0.4, mask, gradient: true, precision: "float64" },
    );
    expectFloat32Close(value.dataSync(), [batch.losses[0]]);
    expectFloat32Close(grad.dataSync(), batch.gradLogits!, 1e-3);
  });

  it("names bad input as its own", () => {
    const logits = tf.tensor3d(logitsData, [B, T, V]);
    expectLuceError(
      () => sequenceLogProbsOp(logitsData as unknown as tf.Tensor3D, labels),
      "logits",
      "sequenceLogProbsOp",
    );
    expectLuceError(
      () => sequenceLogProbsOp(tf.tensor2d([[1]]) as unknown as tf.Tensor3D, labels),
      "logits",
      "sequenceLogProbsOp",
    );
    expectLuceError(() => sequenceLogProbsOp(logits, [[1, 2]]), "labels.shape", "sequenceLogProbsOp");
    expectLuceError(
      () => sequenceLogProbsOp(logits, labels, { averge: true } as never),
      "options.averge",
      "sequenceLogProbsOp",
    );
    expectLuceError(
      () =>
        sequenceLogProbsOp(
          logits,
          labels.map((row) => row.map(() => 99)),
        ),
      "labels[0][0]", // every label is checked, also the one the shift never scores
      "sequenceLogProbsOp",
    );
    expectLuceError(
      () =>
        sequenceLogProbsOp(
          tf.tensor3d(
            Float32Array.from(logitsData, (x, i) => (i === 3 ? NaN : x)),
            [B, T, V],
          ),
          labels,
        ),
      "logits[0][0][3]",
      "sequenceLogProbsOp",
    );
    expect(() => sequenceLogProbsOp(logits, labels, { precision: "float16" as "float32" })).toThrow(LuceError);
    expectLuceError(
      () => sequenceLogProbsOp(logits, labels, { precision: "float16" as "float32" }),
      "options.precision",
      "sequenceLogProbsOp",
    );
    expectLuceError(
      () => sequenceLogProbsOp(logits, tf.tensor1d([1, 2], "int32") as unknown as tf.Tensor2D),
      "labels",
      "sequenceLogProbsOp",
    );
    expectLuceError(() => sequenceLogProbsOp(logits, 5 as unknown as tf.Tensor2D), "labels", "sequenceLogProbsOp");
    expectLuceError(
      () => sequenceLogProbsOp(logits, labels, { mask: "all" as unknown as tf.Tensor2D }),
      "options.mask",
      "sequenceLogProbsOp",
    );
    expectLuceError(
      () => sequenceLogProbsOp(logits, labels, null as unknown as object),
      "options",
      "sequenceLogProbsOp",
    );
  });
});
