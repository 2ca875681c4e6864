// Lemma 1: equivalent rewards give the same Bradley–Terry and Plackett–Luce preferences.
import { expect } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { equivalentRewardsArbitrary, finiteProblemArbitrary, observationArbitrary } from "../src/arbitraries/index.js";
import { preferenceLogProbability } from "../src/index.js";
import { EPS, size } from "./helpers.js";

const instances = equivalentRewardsArbitrary(finiteProblemArbitrary()).chain((pair) =>
  fc.tuple(fc.constant(pair), fc.tuple(...pair.problem.reward.map((row) => observationArbitrary(row.length)))),
);

test.prop([instances])(
  "log p_r(τ) = log p_{r+f}(τ) for every observation form",
  ([{ problem, shifted }, observations]) => {
    observations.forEach((obs, x) => {
      const a = preferenceLogProbability({ reward: problem.reward }, x, obs);
      const b = preferenceLogProbability({ reward: shifted }, x, obs);
      // bound: 4·EPS·k·(max|r| + max|r+f|) + 8·EPS·(|a| + |b|), k ≤ 8
      const bound = 32 * EPS * (size([problem.reward[x]]) + size([shifted[x]])) + 8 * EPS * (Math.abs(a) + Math.abs(b));
      expect(Math.abs(a - b)).toBeLessThanOrEqual(bound);
    });
  },
);
