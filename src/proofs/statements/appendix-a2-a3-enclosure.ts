import { normalizeObservation } from "../../ranking/observations.js";
import { observationLogProbability } from "../../ranking/plackett-luce.js";
import { impliedRewardRow, logOptimalPolicyRow } from "../../theory/kernels.js";
import { intervalRow, logPolicyOf, plackettLuceOf } from "../enclosures.js";
import { impliedRewardErrors, logOptimalPolicyErrors, plackettLuceError } from "../function-errors.js";
import type { InstanceEnclosure, ResidualEnclosure } from "../instance-enclosure.js";
import { abs, fromDouble, mul, sub } from "../interval/index.js";
import type { AppendixA2Instance } from "./appendix-a2-a3.js";

/**
 * Appendix A.2–A.3 enclosed: per prompt, |log p_r(τ) − log p_{β log π_r/π_ref}(τ)|, and the float64 errors of
 * logOptimalPolicy, impliedReward and plackettLuceLogProbability (on r and on the implied reward float64 computed).
 * @internal
 */
export function appendixA2A3Enclosure({ problem, observations }: AppendixA2Instance): InstanceEnclosure {
  const beta = fromDouble(problem.beta);
  const residuals: ResidualEnclosure[] = [];
  const float64: InstanceEnclosure["float64"][number][] = [];
  problem.reward.forEach((row, x) => {
    const refRow = problem.logReference[x];
    const ref = intervalRow(refRow);
    const r = intervalRow(row);
    const implied = logPolicyOf(r, ref, beta).map((v, y) => mul(beta, sub(v, ref[y])));
    const obs = normalizeObservation("check", "observation", observations[x], row.length);
    const a = plackettLuceOf(r, obs.ranked, obs.unranked).value;
    const b = plackettLuceOf(implied, obs.ranked, obs.unranked).value;
    residuals.push({ name: `prompt ${x}`, value: abs(sub(a, b)), claim: "= 0" });
    const prefix = `prompt ${x}`;
    const logPi = logOptimalPolicyRow(row, refRow, problem.beta);
    const impliedDoubles = impliedRewardRow(logPi, refRow, problem.beta);
    // the public theory functions refuse β ≤ 0 and document no bound there: their kernels' errors are not certified
    if (problem.beta > 0) {
      float64.push(...logOptimalPolicyErrors(row, refRow, problem.beta, logPi, prefix));
      float64.push(...impliedRewardErrors(logPi, refRow, problem.beta, impliedDoubles, prefix));
    }
    for (const [scores, which] of [
      [row, "r"],
      [impliedDoubles, "β log π_r/π_ref"],
    ] as const)
      float64.push(
        plackettLuceError(
          scores,
          obs,
          observationLogProbability(scores, obs, "check", "observation"),
          `${prefix}, ${which}`,
        ),
      );
  });
  return { residuals, float64 };
}
