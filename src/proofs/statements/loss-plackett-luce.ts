import fc from "fast-check";
import { logReferenceArbitrary } from "../../arbitraries/problem.js";
import { logOptimalPolicyRow } from "../../theory/kernels.js";
import { listwiseRankings } from "../../theory/population-loss.js";
import { readPopulationOptimumProblem } from "../../theory/population-optimum.js";
import { exact, preciseLogSumExp, preciseMax, precisePlackettLuce, type Precise } from "../precise.js";
import { preciseRow, show } from "../residuals.js";
import type { Statement } from "../statement.js";
import { computeOptimum, optimumResiduals, type LossOptimumInstance } from "./loss-optimum.js";

/**
 * The expected gradient of the listwise loss −log PL(τ | s) in s over τ ~ PL(r*), at 50 digits: at step k the
 * gradient is softmax(s over the responses still in play) − the indicator of the one placed there.
 */
function preciseListwiseGradient(instance: LossOptimumInstance, s: readonly Precise[]): Precise {
  const read = readPopulationOptimumProblem("populationOptimum", {
    lossType: "plackett_luce",
    beta: instance.beta,
    reward: [instance.reward],
    logReference: [instance.logReference],
  });
  const { rankings } = listwiseRankings(read.prompts[0]);
  const r = preciseRow(instance.reward);
  const grad = s.map(() => exact(0));
  for (const tau of rankings) {
    const p = precisePlackettLuce(r, tau, []).exp();
    for (let k = 0; k < tau.length; k++) {
      const rest = tau.slice(k);
      const logDenominator = preciseLogSumExp(rest.map((j) => s[j]));
      for (const j of rest) grad[j] = grad[j].plus(p.times(s[j].minus(logDenominator).exp()));
      grad[tau[k]] = grad[tau[k]].minus(p);
    }
  }
  return preciseMax(grad.map((g) => g.abs()));
}

/**
 * Statement 1, listwise: with full rankings drawn from Plackett–Luce(r*), the population Plackett–Luce DPO loss
 * (appendix A.3) is minimised by π_{r*}: its expectation is the cross-entropy of PL(βh) against PL(r*), smallest
 * where the two rankings distributions agree, that is where βh − r* is constant (Lemma 1), and the log-likelihood
 * of Plackett–Luce is strictly concave in the scores up to that shift. K = 2 to 5 (the expectation enumerates K!
 * rankings).
 *
 * float64: `populationOptimum` with `lossType: "plackett_luce"` against π_{r*}; 50 digits: the expected listwise
 * gradient at βh = r* vanishes.
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossPlackettLuce(), { runs: 20 })).verdict; // "holds"
 * ```
 */
export function lossPlackettLuce(): Statement<LossOptimumInstance> {
  const instances = fc.integer({ min: 2, max: 5 }).chain((k) =>
    fc.record({
      beta: fc.double({ min: Math.log(0.05), max: Math.log(10), noNaN: true }).map(Math.exp),
      reward: fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: k, maxLength: k }),
      logReference: logReferenceArbitrary({ responses: k }),
      pairWeights: fc.constant([] as number[][]),
    }),
  );
  return {
    id: "loss-plackett-luce",
    title: "Listwise Plackett–Luce DPO on PL(r*) rankings: the population optimum is π_r*",
    reference: "DPO paper, appendix A.3 (Plackett–Luce DPO loss) and Lemma 1",
    definition: "KL(π_populationOptimum ‖ π_r*) ≤ 1e−10; at 50 digits the expected listwise gradient at βh = r*",
    instances,
    runsFraction: 0.1,
    float64(instance) {
      const target = logOptimalPolicyRow(instance.reward, instance.logReference, instance.beta);
      return optimumResiduals(computeOptimum("plackett_luce", instance, true), target);
    },
    precise: (instance) => preciseListwiseGradient(instance, preciseRow(instance.reward)),
    show: (instance) => show({ ...instance, pairWeights: undefined }),
  };
}
