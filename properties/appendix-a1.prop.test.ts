// Appendix A.1: J(π) = β log Z − β KL(π‖π_r) for every π ≪ π_ref, so π_r maximises eq. 3.
import { expect } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { finiteProblemArbitrary, logPolicyArbitrary } from "../src/arbitraries/index.js";
import { klDivergence, klRegularizedObjective, logOptimalPolicy, logPartition, logSpace } from "../src/index.js";
import { EPS, size } from "./helpers.js";

const instances = finiteProblemArbitrary().chain((problem) =>
  fc.tuple(
    fc.constant(problem),
    fc.tuple(...problem.logReference.map((ref) => logPolicyArbitrary(ref.length, { supportOf: ref }))),
  ),
);

test.prop([instances])("the Gibbs variational identity, and π_r is the maximiser", ([problem, logPolicy]) => {
  const { beta, reward } = problem;
  const ref = logSpace(problem.logReference);
  const pi = logSpace(logPolicy);
  const piR = logSpace(logOptimalPolicy(reward, ref, beta));
  const lhs = klRegularizedObjective(pi, reward, ref, beta);
  const logZ = logPartition(reward, ref, beta);
  const klToOptimum = klDivergence(pi, piR);
  const best = klRegularizedObjective(piR, reward, ref, beta);
  lhs.forEach((j, x) => {
    const bound =
      16 *
      EPS *
      (size([reward[x]]) +
        beta * (Math.abs(logZ[x]) + klToOptimum[x] + size([problem.logReference[x]]) + size([logPolicy[x]]) + 1));
    expect(Math.abs(j - (beta * logZ[x] - beta * klToOptimum[x]))).toBeLessThanOrEqual(bound);
    expect(j).toBeLessThanOrEqual(best[x] + bound);
  });
});
