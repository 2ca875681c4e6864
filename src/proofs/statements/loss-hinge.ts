import { logOptimalPolicyRow } from "../../theory/kernels.js";
import { exact, preciseSigmoid, type Precise } from "../precise.js";
import { show } from "../residuals.js";
import type { Statement } from "../statement.js";
import { computeOptimum, lossInstanceArbitrary, optimumResiduals, type LossOptimumInstance } from "./loss-optimum.js";

/**
 * The distance of 0 from the subdifferential of f(x) = q max(0, 1 − x) + (1 − q) max(0, 1 + x) at x, at 50 digits:
 * max(0, f′(x⁻)) + max(0, −f′(x⁺)); 0 exactly where x minimises f.
 */
function preciseHingeResidual(q: Precise, x: Precise): Precise {
  const one = exact(1);
  const notQ = one.minus(q);
  const left = (x.lte(1) ? q.neg() : exact(0)).plus(x.gt(-1) ? notQ : exact(0));
  const right = (x.lt(1) ? q.neg() : exact(0)).plus(x.gte(-1) ? notQ : exact(0));
  return positivePart(left).plus(positivePart(right.neg()));
}

/** max(0, x). */
function positivePart(x: Precise): Precise {
  return x.gt(0) ? x : exact(0);
}

/** The claimed margin β(h_1 − h_2): ±1 by the order of r*, or r*_1 − r*_2 for the claim "π_r*". */
function claimedMargin(instance: LossOptimumInstance, recovers: boolean): number {
  const gap = instance.reward[0] - instance.reward[1];
  return recovers ? gap : Math.sign(gap);
}

function hinge(recovers: boolean): Statement<LossOptimumInstance> {
  const instances = lossInstanceArbitrary({ responses: 2, maxReward: 30 }).filter(
    (instance) => Math.abs(instance.reward[0] - instance.reward[1]) > 1e-9,
  );
  return {
    id: recovers ? "loss-hinge-optimal" : "loss-hinge",
    title: recovers
      ? "Hinge (SLiC), K = 2: the population optimum is π_r*"
      : "Hinge (SLiC), K = 2: the optimal margin β(h_w − h_l) is ±1 by the order of r*, whatever its gap",
    reference: "Zhao et al. 2023, 'SLiC-HF' (rank calibration loss); TRL's `hinge` loss type",
    definition:
      "KL(π_populationOptimum ‖ π_claimed) ≤ 1e−10; at 50 digits the distance of 0 from ∂L at the claimed margin",
    instances,
    runsFraction: 0.25,
    float64(instance) {
      const implied = [claimedMargin(instance, recovers), 0];
      const target = logOptimalPolicyRow(implied, instance.logReference, instance.beta);
      return optimumResiduals(computeOptimum("hinge", instance), target);
    },
    precise(instance) {
      const [r1, r2] = instance.reward.map(exact);
      const q = preciseSigmoid(r1.minus(r2));
      const x = recovers ? r1.minus(r2) : exact(claimedMargin(instance, false));
      return preciseHingeResidual(q, x);
    },
    show: (instance) => show(instance),
  };
}

/**
 * Statement 5: for K = 2 the population hinge loss of the margin x = β(h_1 − h_2),
 * q max(0, 1 − x) + (1 − q) max(0, 1 + x) with q = σ(r*_1 − r*_2), is piecewise linear with slopes −1, 1 − 2q and
 * 1 − q... so it is minimised at x = 1 when q > ½ and x = −1 when q < ½: the optimum keeps the order of r*, not its
 * scale (at q = ½ every x in [−1, 1] is optimal; the instances avoid it).
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossHinge(), { runs: 20 })).verdict; // "holds"
 * ```
 */
export function lossHinge(): Statement<LossOptimumInstance> {
  return hinge(false);
}

/**
 * Statement 5's consequence, as the claim it refutes: "the hinge optimum is π_{r*}" (it is only where
 * |r*_1 − r*_2| = 1). Expected verdict: refuted.
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossHingeOptimal(), { runs: 20 })).verdict; // "refuted"
 * ```
 */
export function lossHingeOptimal(): Statement<LossOptimumInstance> {
  return hinge(true);
}
