// Statement 1: population DPO recovers π_r* for every connected μ; a disconnected μ leaves it undetermined.
import { expect, test as plainTest } from "vitest";
import { test } from "@fast-check/vitest";
import { checkInstance, lossSigmoid } from "../src/proofs/index.js";

const connected = lossSigmoid();
test.prop([connected.instances], { numRuns: 15 })("connected μ: the population DPO optimum is π_r*", (instance) => {
  expect(checkInstance(connected, instance).verdict).toBe("holds");
});

plainTest("disconnected μ: two responses never compared keep π_ref's ratio, not π_r*'s", () => {
  const report = checkInstance(lossSigmoid({ connectedGraph: false }), {
    beta: 1,
    reward: [1, 0],
    logReference: [-0.6931471805599453, -0.6931471805599453],
    pairWeights: [
      [0, 0],
      [0, 0],
    ],
  });
  expect(report.verdict).toBe("refuted");
  // Newton stays at π_ref = (½, ½); π_r* = (σ(1), σ(−1)): KL = log ½ − (½ log σ(1) + ½ log σ(−1))
  const s = (x: number) => 1 / (1 + Math.exp(-x));
  expect(report.worst.residual).toBeCloseTo(Math.log(0.5) - 0.5 * Math.log(s(1)) - 0.5 * Math.log(s(-1)), 12);
});
