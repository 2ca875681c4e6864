// Appendix A.2–A.3 (eq. 6): preferences from β log π_r/π_ref equal preferences from r.
import { expect } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { finiteProblemArbitrary, observationArbitrary } from "../src/arbitraries/index.js";
import { logOptimalPolicy, logPartition, logSpace, preferenceLogProbability } from "../src/index.js";
import { EPS, size } from "./helpers.js";

const instances = finiteProblemArbitrary().chain((problem) =>
  fc.tuple(fc.constant(problem), fc.tuple(...problem.reward.map((row) => observationArbitrary(row.length)))),
);

test.prop([instances])(
  "Z(x) cancels: same Bradley–Terry and Plackett–Luce probabilities",
  ([problem, observations]) => {
    const { beta, reward } = problem;
    const reference = logSpace(problem.logReference);
    const logPi = logOptimalPolicy(reward, reference, beta);
    const logZ = logPartition(reward, reference, beta);
    observations.forEach((obs, x) => {
      const fromReward = preferenceLogProbability({ reward }, x, obs);
      const fromPolicy = preferenceLogProbability({ policy: logSpace(logPi), reference, beta }, x, obs);
      const bound =
        64 *
          EPS *
          (size([reward[x]]) + beta * (size([problem.logReference[x]]) + size([logPi[x]]) + Math.abs(logZ[x]))) +
        8 * EPS * Math.abs(fromReward);
      expect(Math.abs(fromReward - fromPolicy)).toBeLessThanOrEqual(bound);
    });
  },
);
