// Lemma 2: equivalent rewards give the same optimal policy (eq. 4), in log space.
import { expect } from "vitest";
import { test } from "@fast-check/vitest";
import { equivalentRewardsArbitrary, finiteProblemArbitrary } from "../src/arbitraries/index.js";
import { logOptimalPolicy, logSpace } from "../src/index.js";
import { EPS, size } from "./helpers.js";

test.prop([equivalentRewardsArbitrary(finiteProblemArbitrary())])("log π_r = log π_{r+f}", ({ problem, shifted }) => {
  const ref = logSpace(problem.logReference);
  const a = logOptimalPolicy(problem.reward, ref, problem.beta);
  const b = logOptimalPolicy(shifted, ref, problem.beta);
  a.forEach((row, x) => {
    const bound =
      8 * EPS * (size([problem.logReference[x]]) + (size([problem.reward[x]]) + size([shifted[x]])) / problem.beta);
    row.forEach((v, y) => expect(Math.abs(v - b[x][y])).toBeLessThanOrEqual(bound));
  });
});
