import fc from "fast-check";
import { finiteProblemArbitrary, type FiniteProblem } from "../../arbitraries/problem.js";
import { shiftArbitrary } from "../../arbitraries/rewards.js";
import { logSumExpParts } from "../../numerics/log-sum-exp.js";
import { logOptimalPolicyRow } from "../../theory/kernels.js";
import { logOptimalPolicy } from "../../theory/optimal-policy.js";
import { logSpace } from "../../theory/rows.js";
import { exact, preciseLogSumExp, preciseMax, type Precise } from "../precise.js";
import { EPS, maxAbs, maxAbsDiff, preciseMaxAbsDiff, preciseRow, show } from "../residuals.js";
import { type Assumptions, type Statement, readAssumptions } from "../statement.js";

/** An instance of Lemma 2: a problem and a shift of its reward. */
export interface Lemma2Instance {
  /** The problem. */
  readonly problem: FiniteProblem;
  /** The shift f(x) (or g(x, y) in the variant). */
  readonly shift: number[][];
}

/** log π_r at 50 digits: log π_ref + r/β − log Z. @internal */
export function preciseLogOptimalPolicy(
  reward: readonly Precise[],
  logReference: readonly Precise[],
  beta: Precise,
): Precise[] {
  const a = reward.map((r, y) => (logReference[y].isFinite() ? logReference[y].plus(r.div(beta)) : logReference[y]));
  const logZ = preciseLogSumExp(a);
  return a.map((v) => (v.isFinite() ? v.minus(logZ) : v));
}

/**
 * Lemma 2: equivalent rewards induce the same optimal policy of the KL-constrained problem.
 *
 * Residual: max_y |log π_r(y) − log π_{r+f}(y)| (log space, so π_r below 1e−300 counts), the two sides through
 * different code paths: log π_r from the public `logOptimalPolicy` (its row kernel for β < 0, which the public
 * function refuses), log π_{r+f} as a_y − log Σ e^{a} with a_y = log π_ref + (r + f)/β written here, over the
 * log-sum-exp that the public `logSumExp` (vouched for by the oracle section) uses.
 * Bound: log π_r(y) = (a_y − m) − log1p(t) with a_y = log π_ref + r/β; each a_y is rounded at
 * EPS·(|log π_ref| + |r/β|) and the shift adds EPS·|r+f|/|β|, so
 * 8·EPS·(max|log π_ref| + (max|r| + max|r+f|)/|β|).
 *
 * @param assumptions - `shiftDependsOn: "response"` refutes it; `betaSign: -1` does not
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lemma2(), { runs: 50, seed: 1 })).verdict; // "holds"
 * ```
 */
export function lemma2(assumptions: Assumptions = {}): Statement<Lemma2Instance> {
  assumptions = readAssumptions("lemma2", assumptions);
  const instances = finiteProblemArbitrary({ zeros: assumptions.referenceZeros, sign: assumptions.betaSign }).chain(
    (problem) =>
      fc.record({
        problem: fc.constant(problem),
        shift: shiftArbitrary(
          problem.reward.map((r) => r.length),
          { dependsOn: assumptions.shiftDependsOn, dyadic: assumptions.shiftDependsOn === "response" },
        ),
      }),
  );
  return {
    id: "lemma-2",
    title: "Equivalent rewards induce the same optimal policy (eq. 4)",
    reference: "Section 5, Lemma 2; appendix A.5",
    definition: "max_y |log π_r(y) − log π_{r+f}(y)|; bound 8·EPS·(max|log π_ref| + (max|r| + max|r+f|)/|β|)",
    instances,
    float64({ problem, shift }) {
      const { beta } = problem;
      return problem.reward.map((r, x) => {
        const ref = problem.logReference[x];
        const shifted = r.map((v, y) => v + shift[x][y]);
        const tilted = shifted.map((v, y) => (ref[y] === -Infinity ? -Infinity : ref[y] + v / beta));
        const { max, rest } = logSumExpParts(tilted);
        const logZ = max + Math.log1p(rest);
        const direct = tilted.map((v) => (v === -Infinity ? v : v - logZ));
        const policy = beta > 0 ? logOptimalPolicy([r], logSpace([ref]), beta)[0] : logOptimalPolicyRow(r, ref, beta);
        const residual = maxAbsDiff(policy, direct);
        return {
          name: `prompt ${x}`,
          residual,
          bound: 8 * EPS * (maxAbs(ref) + (maxAbs(r) + maxAbs(shifted)) / Math.abs(beta)),
        };
      });
    },
    precise({ problem, shift }) {
      const beta = exact(problem.beta);
      return preciseMax(
        problem.reward.map((r, x) => {
          const ref = preciseRow(problem.logReference[x]);
          const s = preciseRow(r);
          const shifted = s.map((v, y) => v.plus(exact(shift[x][y])));
          return preciseMaxAbsDiff(preciseLogOptimalPolicy(s, ref, beta), preciseLogOptimalPolicy(shifted, ref, beta));
        }),
      );
    },
    show: ({ problem, shift }) =>
      show({ beta: problem.beta, reward: problem.reward, logReference: problem.logReference, shift }),
  };
}
