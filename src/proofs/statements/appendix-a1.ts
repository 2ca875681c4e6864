import fc from "fast-check";
import { finiteProblemArbitrary, type FiniteProblem } from "../../arbitraries/problem.js";
import { logPolicyArbitrary } from "../../arbitraries/policies.js";
import { logOptimalPolicyRow, logPartitionRow } from "../../theory/kernels.js";
import { expectedRewardRow, klRow } from "../../theory/kl.js";
import { exact, preciseLogSumExp, preciseMax, type Precise } from "../precise.js";
import { EPS, maxAbs, preciseRow, show } from "../residuals.js";
import { readAssumptions, type Assumptions, type Residual, type Statement } from "../statement.js";
import { preciseLogOptimalPolicy } from "./lemma-2.js";

/** An instance of appendix A.1: a problem and a policy π ≪ π_ref per prompt. */
export interface AppendixA1Instance {
  /** The problem. */
  readonly problem: FiniteProblem;
  /** π ≪ π_ref per prompt, log space. */
  readonly logPolicy: number[][];
}

function preciseKl(logP: readonly Precise[], logQ: readonly Precise[]): Precise {
  let s = exact(0);
  logP.forEach((lp, y) => {
    if (lp.isFinite()) s = s.plus(lp.exp().times(lp.minus(logQ[y])));
  });
  return s;
}

function preciseExpected(logP: readonly Precise[], r: readonly Precise[]): Precise {
  let s = exact(0);
  logP.forEach((lp, y) => {
    if (lp.isFinite()) s = s.plus(lp.exp().times(r[y]));
  });
  return s;
}

/**
 * Appendix A.1 (the Gibbs variational identity): for every π ≪ π_ref,
 * E_π r − β KL(π ‖ π_ref) = β log Z − β KL(π ‖ π_r), so π_r maximises eq. 3.
 *
 * Two residuals per prompt: |lhs − rhs| with bound 16·EPS·(|E_π r| + |β|·(KL(π‖π_ref) + KL(π‖π_r)
 * + |log Z| + Σ π |log π| + max|log π_ref| + max|r/β|)), the size of the terms that cancel; and
 * the optimality gap max(0, J(π) − J(π_r)) of eq. 3 with the same bound.
 *
 * @param assumptions - `betaSign: -1` refutes it (π_r then minimises eq. 3, appendix table)
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(appendixA1(), { runs: 50 })).verdict; // "holds"
 * ```
 */
export function appendixA1(assumptions: Assumptions = {}): Statement<AppendixA1Instance> {
  assumptions = readAssumptions("appendixA1", assumptions);
  const instances = finiteProblemArbitrary({ zeros: assumptions.referenceZeros, sign: assumptions.betaSign }).chain(
    (problem) =>
      fc.record({
        problem: fc.constant(problem),
        logPolicy: fc.tuple(...problem.logReference.map((ref) => logPolicyArbitrary(ref.length, { supportOf: ref }))),
      }),
  );
  return {
    id: "appendix-a1",
    title: "E_π r − β KL(π‖π_ref) = β log Z − β KL(π‖π_r) for all π ≪ π_ref, so π_r maximises eq. 3",
    reference: "Appendix A.1 (eq. 3, eq. 4)",
    definition: "|lhs − rhs| and max(0, J(π) − J(π_r)); bound 16·EPS times the size of the cancelling terms",
    instances,
    float64({ problem, logPolicy }) {
      const { beta } = problem;
      const out: Residual[] = [];
      problem.reward.forEach((r, x) => {
        const ref = problem.logReference[x];
        const pi = logPolicy[x];
        const logPiR = logOptimalPolicyRow(r, ref, beta);
        const logZ = logPartitionRow(r, ref, beta);
        const expected = expectedRewardRow(pi, r);
        const klRef = klRow(pi, ref);
        const klOpt = klRow(pi, logPiR);
        const lhs = expected - beta * klRef;
        const rhs = beta * logZ - beta * klOpt;
        const entropyScale = pi.reduce((a, v) => a + (v === -Infinity ? 0 : Math.exp(v) * Math.abs(v)), 0);
        const bound =
          16 *
          EPS *
          (Math.abs(expected) +
            Math.abs(beta) *
              (klRef + klOpt + Math.abs(logZ) + entropyScale + maxAbs(ref) + maxAbs(r) / Math.abs(beta)));
        out.push({ name: `prompt ${x}: Gibbs identity`, residual: Math.abs(lhs - rhs), bound });
        const objectiveOpt = expectedRewardRow(logPiR, r) - beta * klRow(logPiR, ref);
        out.push({ name: `prompt ${x}: π_r maximises eq. 3`, residual: Math.max(0, lhs - objectiveOpt), bound });
      });
      return out;
    },
    precise({ problem, logPolicy }) {
      const beta = exact(problem.beta);
      const parts: Precise[] = [];
      problem.reward.forEach((row, x) => {
        const ref = preciseRow(problem.logReference[x]);
        const r = preciseRow(row);
        const pi = preciseRow(logPolicy[x]);
        // the policy as the distribution it denotes: renormalised at 50 digits
        const total = preciseLogSumExp(pi);
        const p = pi.map((v) => (v.isFinite() ? v.minus(total) : v));
        const logPiR = preciseLogOptimalPolicy(r, ref, beta);
        const logZ = preciseLogSumExp(r.map((v, y) => ref[y].plus(v.div(beta))));
        const lhs = preciseExpected(p, r).minus(beta.times(preciseKl(p, ref)));
        const rhs = beta.times(logZ).minus(beta.times(preciseKl(p, logPiR)));
        parts.push(lhs.minus(rhs).abs());
        const objectiveOpt = preciseExpected(logPiR, r).minus(beta.times(preciseKl(logPiR, ref)));
        const gap = lhs.minus(objectiveOpt);
        parts.push(gap.gt(0) ? gap : exact(0));
      });
      return preciseMax(parts);
    },
    show: ({ problem, logPolicy }) =>
      show({ beta: problem.beta, reward: problem.reward, logReference: problem.logReference, logPolicy }),
  };
}
