// Statement 3: robust DPO with the true flip rate recovers π_r*; plain DPO, a wrong rate, a rate above ½ do not.
import { expect, test as plainTest } from "vitest";
import { test } from "@fast-check/vitest";
import {
  checkInstance,
  lossRobust,
  lossRobustAboveHalf,
  lossRobustMisspecified,
  lossRobustPlain,
} from "../src/proofs/index.js";

for (const statement of [lossRobust(), lossRobustAboveHalf(true)])
  test.prop([statement.instances], { numRuns: 15 })(`${statement.id}: holds`, (instance) => {
    expect(checkInstance(statement, instance).verdict).toBe("holds");
  });

const two = (labelNoise: number, labelSmoothing?: number) => ({
  beta: 1,
  reward: [1.5, 0],
  logReference: [-0.6931471805599453, -0.6931471805599453],
  pairWeights: [
    [0, 1],
    [1, 0],
  ],
  labelNoise,
  ...(labelSmoothing === undefined ? {} : { labelSmoothing }),
});
plainTest("plain DPO on flipped labels, a wrong rate, a rate above ½: not π_r*", () => {
  expect(checkInstance(lossRobustPlain(), two(0.2)).verdict).toBe("refuted");
  expect(checkInstance(lossRobustMisspecified(), two(0.2, 0.1)).verdict).toBe("refuted");
  expect(checkInstance(lossRobustAboveHalf(false), two(0.8, 0.2)).verdict).toBe("refuted");
});
