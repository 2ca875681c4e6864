import { logOptimalPolicyRow } from "../../theory/kernels.js";
import { klRow } from "../../theory/kl.js";
import { intervalRow, klOf, logPolicyOf } from "../enclosures.js";
import { klDivergenceError, logOptimalPolicyErrors } from "../function-errors.js";
import type { InstanceEnclosure, ResidualEnclosure } from "../instance-enclosure.js";
import { abs, add, div, fromConstant, fromDouble, mul, neg, sigmoid, sub, type Interval } from "../interval/index.js";
import { components, newtonPopulationDpo, type PopulationDpoInstance } from "./population-dpo.js";

/**
 * Population DPO enclosed: at the exact minimiser Newton's answer identifies (r* plus the mean of v − r* on each
 * connected component), each entry of the population loss gradient and KL(π_s ‖ π_r*) (both claim = 0: the gradient
 * vanishes, so s minimises the convex loss, and the KL is 0 only if π_s = π_r*); and the float64 errors of
 * logOptimalPolicy and klDivergence on the policies luce compares.
 * @internal
 */
export function populationDpoEnclosure(instance: PopulationDpoInstance): InstanceEnclosure {
  const v = newtonPopulationDpo(instance);
  const label = components(instance.graph);
  const beta = fromDouble(instance.beta);
  const r = intervalRow(instance.reward);
  const offsets = new Map<number, { sum: Interval; n: number }>();
  label.forEach((c, y) => {
    const o = offsets.get(c) ?? { sum: fromConstant(0), n: 0 };
    offsets.set(c, { sum: add(o.sum, sub(fromDouble(v[y]), r[y])), n: o.n + 1 });
  });
  const s = r.map((ry, y) => {
    const o = offsets.get(label[y])!;
    return add(ry, div(o.sum, fromConstant(o.n)));
  });
  const grad = s.map(() => fromConstant(0));
  for (const [i, j, mu] of instance.graph.edges) {
    const target = sub(r[i], r[j]);
    const d = sub(s[i], s[j]);
    const g = mul(fromDouble(mu), sub(mul(sigmoid(neg(target)), sigmoid(d)), mul(sigmoid(target), sigmoid(neg(d)))));
    grad[i] = add(grad[i], g);
    grad[j] = sub(grad[j], g);
  }
  const ref = intervalRow(instance.logReference);
  const kl = klOf(logPolicyOf(s, ref, beta), logPolicyOf(r, ref, beta)).value;
  const residuals: ResidualEnclosure[] = [
    ...grad.map((g, y) => ({ name: `∂L/∂v${y} at the minimiser`, value: abs(g), claim: "= 0" as const })),
    { name: "KL(π_s ‖ π_r*)", value: kl, claim: "= 0" },
  ];
  const logPi = logOptimalPolicyRow(v, instance.logReference, instance.beta);
  const logTarget = logOptimalPolicyRow(instance.reward, instance.logReference, instance.beta);
  const float64 = [
    ...logOptimalPolicyErrors(v, instance.logReference, instance.beta, logPi, "π_Newton"),
    ...logOptimalPolicyErrors(instance.reward, instance.logReference, instance.beta, logTarget, "π_r*"),
    klDivergenceError(logPi, logTarget, klRow(logPi, logTarget), "π_Newton ‖ π_r*"),
  ];
  return { residuals, float64 };
}
