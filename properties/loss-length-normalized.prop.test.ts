// Statement 6: length-normalised DPO's optimum π ∝ π_ref exp(L (r* + c)/β); π_r* only when every L = 1.
import { expect, test as plainTest } from "vitest";
import { test } from "@fast-check/vitest";
import { checkInstance, lossLengthNormalized, lossLengthNormalizedEqual } from "../src/proofs/index.js";

const statement = lossLengthNormalized();
test.prop([statement.instances], { numRuns: 15 })("π ∝ π_ref exp(L (r* + c)/β)", (instance) => {
  expect(checkInstance(statement, instance).verdict).toBe("holds");
});

plainTest("equal lengths L > 1 give π_r* at β/L, not π_r*; L = 1 gives π_r*", () => {
  const instance = (length: number) => ({
    beta: 1,
    reward: [1, 0],
    logReference: [-0.6931471805599453, -0.6931471805599453],
    pairWeights: [
      [0, 1],
      [1, 0],
    ],
    lengths: [length, length],
  });
  expect(checkInstance(lossLengthNormalizedEqual(), instance(3)).verdict).toBe("refuted");
  expect(checkInstance(lossLengthNormalizedEqual(), instance(1)).verdict).toBe("holds");
});
