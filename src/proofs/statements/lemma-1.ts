import fc from "fast-check";
import { finiteProblemArbitrary, type FiniteProblem } from "../../arbitraries/problem.js";
import { shiftArbitrary } from "../../arbitraries/rewards.js";
import { observationArbitrary } from "../../arbitraries/rankings.js";
import type { PlackettLuceObservation } from "../../ranking/observations.js";
import { exact, preciseMax } from "../precise.js";
import { EPS, maxAbs, observationLogProbabilities, preciseRow, show } from "../residuals.js";
import { type Assumptions, type Statement, readAssumptions } from "../statement.js";

/** An instance of Lemma 1: a problem, a shift, and one preference observation per prompt. */
export interface Lemma1Instance {
  /** The problem (its reward is used). */
  readonly problem: FiniteProblem;
  /** The shift f(x) (or g(x, y) in the variant). */
  readonly shift: number[][];
  /** One observation per prompt. */
  readonly observations: PlackettLuceObservation[];
}

/**
 * Lemma 1: equivalent rewards induce the same preference distribution, under Bradley–Terry
 * (pairs) and Plackett–Luce (full rankings, rankings of subsets, top-k, top-1 choices).
 *
 * Residual per prompt: |log p_r(τ) − log p_{r+f}(τ)|. Bound: the shifted scores are rounded
 * once (EPS/2 relative) and a k-factor log-probability moves by at most 2k times the largest
 * score change, plus a few EPS of each log-probability's evaluation:
 * 4·EPS·k·(max|r| + max|r+f|) + 8·EPS·(|log p| + |log p′|).
 *
 * @param assumptions - `shiftDependsOn: "response"` draws shifts that vary with y (refutes it)
 * @returns the checkable statement
 * @example
 * ```ts
 * const report = await checkStatement(lemma1(), { runs: 50, seed: 1 });
 * report.verdict; // "holds"
 * ```
 */
export function lemma1(assumptions: Assumptions = {}): Statement<Lemma1Instance> {
  assumptions = readAssumptions("lemma1", assumptions);
  const instances = finiteProblemArbitrary({ zeros: assumptions.referenceZeros, sign: assumptions.betaSign }).chain(
    (problem) =>
      fc.record({
        problem: fc.constant(problem),
        shift: shiftArbitrary(
          problem.reward.map((r) => r.length),
          { dependsOn: assumptions.shiftDependsOn, dyadic: assumptions.shiftDependsOn === "response" },
        ),
        observations: fc.tuple(...problem.reward.map((r) => observationArbitrary(r.length))),
      }),
  );
  return {
    id: "lemma-1",
    title: "Equivalent rewards induce the same Bradley–Terry and Plackett–Luce preferences",
    reference: "Section 5, Lemma 1; appendix A.5",
    definition:
      "max over prompts of |log p_r(τ) − log p_{r+f}(τ)|; bound 4·EPS·k·(max|r| + max|r+f|) + 8·EPS·(|log p| + |log p′|)",
    instances,
    float64({ problem, shift, observations }) {
      return problem.reward.map((r, x) => {
        const shifted = r.map((v, y) => v + shift[x][y]);
        const a = observationLogProbabilities(r, observations[x]);
        const b = observationLogProbabilities(shifted, observations[x]);
        const bound =
          4 * EPS * a.length * (maxAbs(r) + maxAbs(shifted)) + 8 * EPS * (Math.abs(a.float64) + Math.abs(b.float64));
        return { name: `prompt ${x}`, residual: Math.abs(a.float64 - b.float64), bound };
      });
    },
    precise({ problem, shift, observations }) {
      return preciseMax(
        problem.reward.map((r, x) => {
          const s = preciseRow(r);
          const shifted = s.map((v, y) => v.plus(exact(shift[x][y])));
          const lp = observationLogProbabilities(r, observations[x]);
          return lp.precise(s).minus(lp.precise(shifted)).abs();
        }),
      );
    },
    show: ({ problem, shift, observations }) => show({ reward: problem.reward, shift, observations }),
  };
}
