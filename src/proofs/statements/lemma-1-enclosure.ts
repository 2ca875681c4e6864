import { normalizeObservation } from "../../ranking/observations.js";
import { observationLogProbability } from "../../ranking/plackett-luce.js";
import { intervalRow, plackettLuceOf } from "../enclosures.js";
import { plackettLuceError } from "../function-errors.js";
import type { InstanceEnclosure } from "../instance-enclosure.js";
import { abs, add, sub } from "../interval/index.js";
import type { Lemma1Instance } from "./lemma-1.js";

/**
 * Lemma 1 enclosed: per prompt, |log p_r(τ) − log p_{r+f}(τ)| with r + f exact, and the float64 errors of
 * plackettLuceLogProbability on r and on r + f as float64 rounded it.
 * @internal
 */
export function lemma1Enclosure({ problem, shift, observations }: Lemma1Instance): InstanceEnclosure {
  const residuals: InstanceEnclosure["residuals"][number][] = [];
  const float64: InstanceEnclosure["float64"][number][] = [];
  problem.reward.forEach((r, x) => {
    const obs = normalizeObservation("check", "observation", observations[x], r.length);
    const s = intervalRow(r);
    const f = intervalRow(shift[x]);
    const shifted = s.map((v, y) => add(v, f[y]));
    const a = plackettLuceOf(s, obs.ranked, obs.unranked).value;
    const b = plackettLuceOf(shifted, obs.ranked, obs.unranked).value;
    residuals.push({ name: `prompt ${x}`, value: abs(sub(a, b)), claim: "= 0" });
    const shiftedDoubles = r.map((v, y) => v + shift[x][y]);
    for (const [row, which] of [
      [r, "r"],
      [shiftedDoubles, "r + f"],
    ] as const)
      float64.push(
        plackettLuceError(
          row,
          obs,
          observationLogProbability(row, obs, "check", "observation"),
          `prompt ${x}, ${which}`,
        ),
      );
  });
  return { residuals, float64 };
}
