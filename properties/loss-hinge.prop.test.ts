// Statement 5: hinge (SLiC), K = 2: the optimal margin is ±1 whatever the reward gap.
import { expect, test as plainTest } from "vitest";
import { test } from "@fast-check/vitest";
import { checkInstance, lossHinge, lossHingeOptimal } from "../src/proofs/index.js";

const statement = lossHinge();
test.prop([statement.instances], { numRuns: 20 })("K = 2: the optimal margin is ±1", (instance) => {
  expect(checkInstance(statement, instance).verdict).toBe("holds");
});

plainTest("hinge is not π_r* unless the reward gap is 1", () => {
  const instance = (gap: number) => ({
    beta: 1,
    reward: [gap, 0],
    logReference: [-0.6931471805599453, -0.6931471805599453],
    pairWeights: [
      [0, 1],
      [1, 0],
    ],
  });
  expect(checkInstance(lossHingeOptimal(), instance(5)).verdict).toBe("refuted");
  expect(checkInstance(lossHingeOptimal(), instance(1)).verdict).toBe("holds");
});
