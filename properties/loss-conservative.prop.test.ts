// Statement 2: conservative DPO's closed form on trees; for K ≥ 3 its optimum depends on μ and is not π_r*.
import { expect, test as plainTest } from "vitest";
import { test } from "@fast-check/vitest";
import {
  checkInstance,
  lossConservativeComplete,
  lossConservativeOptimal,
  lossConservativeTree,
} from "../src/proofs/index.js";

const tree = lossConservativeTree();
test.prop([tree.instances], { numRuns: 15 })("tree μ: σ(β margin) = (1 − ε)p + εp̄ on every pair", (instance) => {
  expect(checkInstance(tree, instance).verdict).toBe("holds");
});

// a triangle with strong preferences: the per-pair targets logit q̃ do not add up around the cycle
const triangle = {
  beta: 1,
  reward: [2, 0, -2],
  logReference: [-1.0986122886681098, -1.0986122886681098, -1.0986122886681098],
  pairWeights: [
    [0, 1, 1],
    [1, 0, 1],
    [1, 1, 0],
  ],
  labelSmoothing: 0.2,
};
plainTest("K = 3: the optimum depends on μ (not the tree's) and is not π_r*", () => {
  expect(checkInstance(lossConservativeComplete(), triangle).verdict).toBe("refuted");
  expect(checkInstance(lossConservativeOptimal(), triangle).verdict).toBe("refuted");
});
