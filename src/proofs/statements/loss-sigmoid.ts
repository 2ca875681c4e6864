import { logOptimalPolicyRow } from "../../theory/kernels.js";
import { exact, preciseMax, type Precise } from "../precise.js";
import { preciseRow, show } from "../residuals.js";
import { type Assumptions, type Statement, readAssumptions } from "../statement.js";
import { preciseLogOptimalPolicy } from "./lemma-2.js";
import {
  computeOptimum,
  lossInstanceArbitrary,
  optimumResiduals,
  precisePopulationGradient,
  preciseSigmoidDerivative,
  type LossOptimumInstance,
} from "./loss-optimum.js";

/** Connected components of μ's graph: a label per response. */
export function pairComponents(mu: number[][]): number[] {
  const parent = mu.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  mu.forEach((row, i) => row.forEach((w, j) => w > 0 && (parent[find(i)] = find(j))));
  return parent.map((_, i) => find(i));
}

/**
 * Statement 1 of the loss family (section 5's population DPO for the whole of μ's range): with Bradley–Terry labels
 * and a μ whose graph connects every response, the population `sigmoid` (DPO, eq. 7) loss is minimised exactly by
 * π_{r*} (eq. 4), whatever μ's weights, K, |r* / β| or π_ref. Each pair term −p log σ(x) − (1 − p) log σ(−x) is
 * minimised at σ(x) = p, which βh = r* attains on every pair at once; the loss is convex in h and strictly so
 * across a connected graph.
 *
 * float64: `populationOptimum` against π_{r*} (KL ≤ 1e−10) and its gradient certificate. 50 digits: the exact
 * minimiser the float64 answer identifies (r* plus its mean offset on each component of μ) has zero population
 * gradient and KL 0 to π_{r*}.
 *
 * @param assumptions - `connectedGraph: false` refutes it: responses never compared with the rest keep any offset
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossSigmoid(), { runs: 20 })).verdict; // "holds"
 * ```
 */
export function lossSigmoid(assumptions: Assumptions = {}): Statement<LossOptimumInstance> {
  assumptions = readAssumptions("lossSigmoid", assumptions);
  const connected = assumptions.connectedGraph ?? true;
  return {
    id: "loss-sigmoid",
    title: "DPO (sigmoid): the population optimum is π_r* for every connected μ",
    reference: "DPO paper, section 5 and eq. 7 (population DPO); Azar et al. 2023, section 4.2",
    definition: "KL(π_populationOptimum ‖ π_r*) ≤ 1e−10; at 50 digits |∇L| and KL at the minimiser it identifies",
    instances: lossInstanceArbitrary({ connected }),
    runsFraction: 0.25,
    float64(instance) {
      const target = logOptimalPolicyRow(instance.reward, instance.logReference, instance.beta);
      return optimumResiduals(computeOptimum("sigmoid", instance), target);
    },
    precise(instance) {
      const solution = computeOptimum("sigmoid", instance);
      const beta = exact(instance.beta);
      const r = preciseRow(instance.reward);
      const label = pairComponents(instance.pairWeights);
      // the exact minimiser the float64 answer identifies: r* + (mean of βh − r* on each component)
      const offsets = new Map<number, { sum: Precise; n: number }>();
      if (solution.kind === "optimum")
        label.forEach((c, y) => {
          const o = offsets.get(c) ?? { sum: exact(0), n: 0 };
          const implied = exact(solution.logPolicy[y]).minus(exact(instance.logReference[y])).times(beta);
          offsets.set(c, { sum: o.sum.plus(implied.minus(r[y])), n: o.n + 1 });
        });
      const s = r.map((ry, y) => {
        const o = offsets.get(label[y]);
        return o === undefined ? ry : ry.plus(o.sum.div(o.n));
      });
      const gradient = precisePopulationGradient(
        instance,
        s.map((v) => v.div(beta)),
        preciseSigmoidDerivative(instance.beta),
      );
      const ref = preciseRow(instance.logReference);
      const logPi = preciseLogOptimalPolicy(s, ref, beta);
      const logTarget = preciseLogOptimalPolicy(r, ref, beta);
      let kl = exact(0);
      logPi.forEach((lp, y) => (kl = kl.plus(lp.exp().times(lp.minus(logTarget[y])))));
      return preciseMax([gradient, kl.abs()]);
    },
    show: (instance) => show(instance),
  };
}
