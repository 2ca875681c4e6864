import { logSumExpParts } from "../../numerics/log-sum-exp.js";
import { logOptimalPolicyRow } from "../../theory/kernels.js";
import { exact, preciseSigmoid } from "../precise.js";
import { preciseRow, show } from "../residuals.js";
import type { Statement } from "../statement.js";
import {
  computeOptimum,
  lossInstanceArbitrary,
  optimumResiduals,
  precisePopulationGradient,
  type LossOptimumInstance,
  type PreciseKernelDerivative,
} from "./loss-optimum.js";

/** Bisection steps for the normaliser c: a bracket of width 2^60 shrinks to adjacent doubles in fewer. */
const BISECTIONS = 200;

/**
 * log π(y) = log π_ref(y) + L_y (r*_y + c)/β with c such that Σ π = 1: the total mass is increasing in c, so c is
 * bracketed by doubling and bisected.
 */
export function lengthNormalizedLogPolicy(instance: LossOptimumInstance): Float64Array {
  const { reward, logReference, beta } = instance;
  const lengths = instance.lengths!;
  const terms = (c: number) => Float64Array.from(reward, (r, y) => logReference[y] + (lengths[y] * (r + c)) / beta);
  const logMass = (c: number) => {
    const { max, rest } = logSumExpParts(terms(c));
    return max + Math.log1p(rest);
  };
  let lo = -1;
  let hi = 1;
  while (logMass(lo) > 0) lo *= 2;
  while (logMass(hi) < 0) hi *= 2;
  for (let i = 0; i < BISECTIONS; i++) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (logMass(mid) < 0) lo = mid;
    else hi = mid;
  }
  const t = terms(hi);
  const shift = logMass(hi);
  return t.map((v) => v - shift);
}

/** The `sigmoid_norm` kernel's derivatives at 50 digits, u and v already divided by the lengths. */
function preciseNormalizedDerivative(beta: number): PreciseKernelDerivative {
  const b = exact(beta);
  return (u, v) => {
    const g = b.times(preciseSigmoid(b.times(u.minus(v)).neg()));
    return [g.neg(), g];
  };
}

function lengthNormalized(claim: "form" | "equal-lengths"): Statement<LossOptimumInstance> {
  const equal = claim === "equal-lengths";
  const instances = lossInstanceArbitrary({ responses: [2, 6], lengths: equal ? "equal" : "varied", maxReward: 4 });
  return {
    id: `loss-length-normalized-${claim}`,
    title: equal
      ? "Length-normalised DPO (sigmoid_norm) with all lengths equal: the population optimum is π_r*"
      : "Length-normalised DPO (sigmoid_norm): the optimum is π(y) ∝ π_ref(y)·exp(L_y (r*(y) + c)/β), c normalising",
    reference: "Meng et al. 2024 (SimPO), §2; Park et al. 2024 (R-DPO); TRL's `sigmoid_norm` loss type",
    definition: "KL(π_populationOptimum ‖ π_claimed) ≤ 1e−10; at 50 digits |∇L| at the claimed h",
    instances,
    runsFraction: 0.25,
    float64(instance) {
      const target = equal
        ? logOptimalPolicyRow(instance.reward, instance.logReference, instance.beta)
        : lengthNormalizedLogPolicy(instance);
      return optimumResiduals(computeOptimum("sigmoid_norm", instance), target);
    },
    precise(instance) {
      const beta = exact(instance.beta);
      const lengths = preciseRow(instance.lengths!);
      // the claimed log-ratios up to their normaliser, which the loss of differences of h/L does not see
      const h = preciseRow(instance.reward).map((r, y) => (equal ? r : r.times(lengths[y])).div(beta));
      return precisePopulationGradient(instance, h, preciseNormalizedDerivative(instance.beta));
    },
    show: (instance) => show(instance),
  };
}

/**
 * Statement 6, corrected: the `sigmoid_norm` loss sees s_y = h_y / L_y (h = log π/π_ref, L_y the length), so its
 * population optimum fits β(s_i − s_j) = r*_i − r*_j on every compared pair (each pair term at its minimum), that
 * is h_y = L_y (r*_y + c)/β with the one c that normalises π: π(y) ∝ π_ref(y) exp(L_y (r*_y + c)/β).
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossLengthNormalized(), { runs: 20 })).verdict; // "holds"
 * ```
 */
export function lossLengthNormalized(): Statement<LossOptimumInstance> {
  return lengthNormalized("form");
}

/**
 * Statement 6 as the issue states it, "π_r* when all lengths are equal", which the checker refutes: with every
 * length L the optimum is π(y) ∝ π_ref(y) exp(L r*(y)/β), the optimal policy of eq. 4 at β/L, which is π_{r*} only
 * when L = 1 (or r* is constant). Expected verdict: refuted.
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossLengthNormalizedEqual(), { runs: 20 })).verdict; // "refuted"
 * ```
 */
export function lossLengthNormalizedEqual(): Statement<LossOptimumInstance> {
  return lengthNormalized("equal-lengths");
}
