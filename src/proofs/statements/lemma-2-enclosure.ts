import { logOptimalPolicyRow } from "../../theory/kernels.js";
import { intervalRow, logPolicyOf, maxAbsDiffOf } from "../enclosures.js";
import { logOptimalPolicyErrors } from "../function-errors.js";
import type { InstanceEnclosure } from "../instance-enclosure.js";
import { add, fromDouble } from "../interval/index.js";
import type { Lemma2Instance } from "./lemma-2.js";

/**
 * Lemma 2 enclosed: per prompt, max_y |log π_r(y) − log π_{r+f}(y)| with r + f exact, and the float64 errors of
 * logOptimalPolicy on r.
 * @internal
 */
export function lemma2Enclosure({ problem, shift }: Lemma2Instance): InstanceEnclosure {
  const beta = fromDouble(problem.beta);
  const residuals: InstanceEnclosure["residuals"][number][] = [];
  const float64: InstanceEnclosure["float64"][number][] = [];
  problem.reward.forEach((r, x) => {
    const refRow = problem.logReference[x];
    const ref = intervalRow(refRow);
    const s = intervalRow(r);
    const f = intervalRow(shift[x]);
    const shifted = s.map((v, y) => add(v, f[y]));
    const value = maxAbsDiffOf(logPolicyOf(s, ref, beta), logPolicyOf(shifted, ref, beta));
    residuals.push({ name: `prompt ${x}`, value, claim: "= 0" });
    // the public theory functions refuse β ≤ 0 and document no bound there: only the residual is certified
    if (problem.beta < 0) return;
    const policy = logOptimalPolicyRow(r, refRow, problem.beta);
    float64.push(...logOptimalPolicyErrors(r, refRow, problem.beta, policy, `prompt ${x}`));
  });
  return { residuals, float64 };
}
