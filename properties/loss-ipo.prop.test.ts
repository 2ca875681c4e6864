// Statement 4: IPO's optimum is a μ-weighted least-squares fit (closed form for independent pairs), not π_r*.
import { expect, test as plainTest } from "vitest";
import { test } from "@fast-check/vitest";
import { checkInstance, lossIpoIndependentPairs, lossIpoLeastSquares, lossIpoOptimal } from "../src/proofs/index.js";

for (const statement of [lossIpoLeastSquares(), lossIpoIndependentPairs()])
  test.prop([statement.instances], { numRuns: 15 })(`${statement.id}: holds`, (instance) => {
    expect(checkInstance(statement, instance).verdict).toBe("holds");
  });

plainTest("IPO is not π_r*: with K = 2 its margin is p − ½, not r*_1 − r*_2", () => {
  const report = checkInstance(lossIpoOptimal(), {
    beta: 1,
    reward: [2, 0],
    logReference: [-0.6931471805599453, -0.6931471805599453],
    pairWeights: [
      [0, 1],
      [1, 0],
    ],
  });
  expect(report.verdict).toBe("refuted");
});
