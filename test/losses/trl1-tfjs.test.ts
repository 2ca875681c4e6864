import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import { beforeAll, describe, expect, it } from "vitest";
import { dpoLoss } from "../../src/index.js";
import { dpoLossOp } from "../../src/tfjs/index.js";
import { EPS, expectClose, expectLuceError } from "../helpers/close.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("dpoLossOp takes dpoLoss's TRL 1.x options", () => {
  const values = {
    policyChosenLogps: [-10, -20, -7],
    policyRejectedLogps: [-12, -18, -9],
    referenceChosenLogps: [-11, -19, -8],
    referenceRejectedLogps: [-11, -19, -8.5],
    chosenLengths: [5, 8, 3],
    rejectedLengths: [4, 6, 2],
  };
  const options = {
    beta: 0.3,
    lossType: ["sigmoid_norm", "bco_pair", "sft"] as const,
    lossWeights: [0.8, 0.2, 1],
    fDivergence: "js_divergence" as const,
  };
  it("a mixture under an f-divergence: the mean of dpoLoss's losses and its gradients, in float32", () => {
    const expected = dpoLoss(values, { ...options, lossType: [...options.lossType] });
    const [c, r] = [tf.tensor1d(values.policyChosenLogps), tf.tensor1d(values.policyRejectedLogps)];
    const op = (x: tf.Tensor, y: tf.Tensor) =>
      dpoLossOp(
        { ...values, policyChosenLogps: x as tf.Tensor1D, policyRejectedLogps: y as tf.Tensor1D },
        { ...options, lossType: [...options.lossType] },
      );
    // float32 output: within a float32 ulp of the float64 values
    expectClose(op(c, r).dataSync()[0], expected.loss, { rel: 2 ** -23 });
    const [gc, gr] = tf.grads(op)([c, r]);
    const n = values.policyChosenLogps.length;
    gc.dataSync().forEach((g, i) =>
      expectClose(g, expected.gradPolicyChosen[i] / n, { rel: 2 ** -23, abs: EPS }, `chosen ${i}`),
    );
    gr.dataSync().forEach((g, i) =>
      expectClose(g, expected.gradPolicyRejected[i] / n, { rel: 2 ** -23, abs: EPS }, `rejected ${i}`),
    );
  });
  it('reduction "none" is an error when sft couples the pairs', () => {
    const inputs = {
      ...values,
      policyChosenLogps: tf.tensor1d(values.policyChosenLogps),
      policyRejectedLogps: tf.tensor1d(values.policyRejectedLogps),
    };
    expectLuceError(
      () => dpoLossOp(inputs, { ...options, lossType: [...options.lossType], reduction: "none" }),
      "options.reduction",
      "dpoLossOp",
    );
    expect(dpoLossOp(inputs, { beta: 0.3, reduction: "none" }).shape).toEqual([3]);
  });
});
