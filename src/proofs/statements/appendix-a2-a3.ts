import fc from "fast-check";
import { finiteProblemArbitrary, type FiniteProblem } from "../../arbitraries/problem.js";
import { observationArbitrary } from "../../arbitraries/rankings.js";
import type { PlackettLuceObservation } from "../../ranking/observations.js";
import { impliedRewardRow, logOptimalPolicyRow, logPartitionRow } from "../../theory/kernels.js";
import { exact, preciseMax } from "../precise.js";
import { EPS, maxAbs, observationLogProbabilities, preciseRow, show } from "../residuals.js";
import { type Assumptions, type Statement, readAssumptions } from "../statement.js";
import { preciseLogOptimalPolicy } from "./lemma-2.js";

/** An instance of appendix A.2–A.3: a problem and one observation per prompt. */
export interface AppendixA2Instance {
  /** The problem. */
  readonly problem: FiniteProblem;
  /** One observation per prompt. */
  readonly observations: PlackettLuceObservation[];
}

/**
 * Appendix A.2 and A.3 (eq. 6): the Bradley–Terry and Plackett–Luce probabilities computed from
 * β log π_r/π_ref equal those computed from r, because Z(x) cancels in every factor.
 *
 * Residual per prompt: |log p_r(τ) − log p_{β log π_r/π_ref}(τ)|. Bound: the implied reward
 * differs from r by β log Z plus rounding EPS·(|r| + |β|(|log π_ref| + |log π_r|)) per entry,
 * and a k-factor log-probability moves by at most 2k times that:
 * 8·EPS·k·(max|r| + |β|(max|log π_ref| + max|log π_r| + |log Z|)).
 *
 * @param assumptions - `betaSign: -1` does not refute it (Z cancels whatever β's sign)
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(appendixA2A3(), { runs: 50 })).verdict; // "holds"
 * ```
 */
export function appendixA2A3(assumptions: Assumptions = {}): Statement<AppendixA2Instance> {
  assumptions = readAssumptions("appendixA2A3", assumptions);
  const instances = finiteProblemArbitrary({ sign: assumptions.betaSign }).chain((problem) =>
    fc.record({
      problem: fc.constant(problem),
      observations: fc.tuple(...problem.reward.map((r) => observationArbitrary(r.length))),
    }),
  );
  return {
    id: "appendix-a2-a3",
    title: "Preferences from β log π_r/π_ref equal preferences from r (Z cancels), Bradley–Terry and Plackett–Luce",
    reference: "Appendix A.2, A.3 (eq. 6)",
    definition:
      "|log p_r(τ) − log p_{β log π_r/π_ref}(τ)|; bound 8·EPS·k·(max|r| + |β|(max|log π_ref| + max|log π_r| + |log Z|))",
    instances,
    float64({ problem, observations }) {
      const { beta } = problem;
      return problem.reward.map((r, x) => {
        const ref = problem.logReference[x];
        const logPi = logOptimalPolicyRow(r, ref, beta);
        const implied = impliedRewardRow(logPi, ref, beta);
        const a = observationLogProbabilities(r, observations[x]);
        const b = observationLogProbabilities(implied, observations[x]);
        const size =
          maxAbs(r) + Math.abs(beta) * (maxAbs(ref) + maxAbs(logPi) + Math.abs(logPartitionRow(r, ref, beta)));
        return {
          name: `prompt ${x}`,
          residual: Math.abs(a.float64 - b.float64),
          bound: 8 * EPS * a.length * size + 8 * EPS * Math.abs(a.float64),
        };
      });
    },
    precise({ problem, observations }) {
      const beta = exact(problem.beta);
      return preciseMax(
        problem.reward.map((row, x) => {
          const ref = preciseRow(problem.logReference[x]);
          const r = preciseRow(row);
          const implied = preciseLogOptimalPolicy(r, ref, beta).map((v, y) => beta.times(v.minus(ref[y])));
          const lp = observationLogProbabilities(row, observations[x]);
          return lp.precise(r).minus(lp.precise(implied)).abs();
        }),
      );
    },
    show: ({ problem, observations }) =>
      show({ beta: problem.beta, reward: problem.reward, logReference: problem.logReference, observations }),
  };
}
