import { requireBoolean } from "../../validation/checks.js";
import { logOptimalPolicyRow } from "../../theory/kernels.js";
import { exact, preciseSigmoid, type Precise } from "../precise.js";
import { preciseRow, show } from "../residuals.js";
import type { Statement } from "../statement.js";
import {
  computeOptimum,
  lossInstanceArbitrary,
  optimumResiduals,
  precisePopulationGradient,
  preciseSigmoidDerivative,
  type LossOptimumInstance,
  type PreciseKernelDerivative,
} from "./loss-optimum.js";

/** The robust kernel's derivatives at 50 digits: ∂/∂x = −((1−ε)σ(−x) + εσ(x))/(1 − 2ε), x = β(u − v). */
function preciseRobustDerivative(beta: number, eps: number): PreciseKernelDerivative {
  const b = exact(beta);
  const e = exact(eps);
  const one = exact(1);
  return (u, v) => {
    const x = b.times(u.minus(v));
    const d = one
      .minus(e)
      .times(preciseSigmoid(x.neg()))
      .plus(e.times(preciseSigmoid(x)))
      .neg()
      .div(one.minus(e.times(2)));
    return [b.times(d), b.times(d).neg()];
  };
}

/** Which robust-DPO claim. */
type RobustClaim = "true-rate" | "plain" | "misspecified" | "above-half" | "above-half-reversed";

/** The instance's loss options for each claim: the flip rate ε is `labelNoise`; the loss's ε is `labelSmoothing`. */
function lossOf(claim: RobustClaim, instance: LossOptimumInstance): { lossType: "robust" | "sigmoid"; eps: number } {
  const noise = instance.labelNoise ?? 0;
  if (claim === "plain") return { lossType: "sigmoid", eps: 0 };
  if (claim === "misspecified") return { lossType: "robust", eps: noise / 2 };
  if (claim === "above-half" || claim === "above-half-reversed") return { lossType: "robust", eps: 1 - noise };
  return { lossType: "robust", eps: noise };
}

function robust(claim: RobustClaim): Statement<LossOptimumInstance> {
  const noise: [number, number] =
    claim === "above-half" || claim === "above-half-reversed"
      ? [0.55, 0.95]
      : claim === "true-rate"
        ? [0, 0.45]
        : [0.05, 0.45];
  const instances = lossInstanceArbitrary({ labelNoise: noise }).map((instance) => {
    const { lossType, eps } = lossOf(claim, instance);
    return lossType === "robust" ? { ...instance, labelSmoothing: eps } : instance;
  });
  const titles: Record<RobustClaim, string> = {
    "true-rate": "Robust DPO with the true flip rate ε < ½: the population optimum is π_r*",
    plain: "Plain DPO on labels flipped at rate ε: the population optimum is π_r*",
    misspecified: "Robust DPO told ε/2 when labels flip at rate ε: the population optimum is π_r*",
    "above-half": "Robust DPO with labels flipped at rate ε > ½ (told 1 − ε): the population optimum is π_r*",
    "above-half-reversed": "Robust DPO with labels flipped at rate ε > ½ (told 1 − ε): the optimum is π_(−r*)",
  };
  const reversed = claim === "above-half-reversed";
  return {
    id: `loss-robust-${claim}`,
    title: titles[claim],
    reference: "Chowdhury, Kini, Natarajan 2024, 'Provably Robust DPO' (rDPO), Lemma 3.1; DPO paper eq. 7",
    definition: "KL(π_populationOptimum ‖ π_claimed) ≤ 1e−10; at 50 digits |∇L| at βh = ±r*",
    instances,
    runsFraction: 0.25,
    float64(instance) {
      const implied = reversed ? instance.reward.map((r) => -r) : instance.reward;
      const target = logOptimalPolicyRow(implied, instance.logReference, instance.beta);
      return optimumResiduals(computeOptimum(lossOf(claim, instance).lossType, instance), target);
    },
    precise(instance) {
      const sign = exact(reversed ? -1 : 1);
      const h: Precise[] = preciseRow(instance.reward).map((r) => r.times(sign).div(exact(instance.beta)));
      const { lossType, eps } = lossOf(claim, instance);
      const derivative =
        lossType === "robust" ? preciseRobustDerivative(instance.beta, eps) : preciseSigmoidDerivative(instance.beta);
      return precisePopulationGradient(instance, h, derivative);
    },
    show: (instance) => show(instance),
  };
}

/**
 * Statement 3: robust DPO with the true flip rate ε < ½ recovers π_{r*} from flipped labels. Its loss is unbiased:
 * for a label observed through flips at rate ε, E[ℓ_rob(x)] = −p log σ(x) − (1 − p) log σ(−x) (Chowdhury et al.,
 * Lemma 3.1), the clean DPO loss, minimised at σ(x) = p on every pair.
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossRobust(), { runs: 20 })).verdict; // "holds"
 * ```
 */
export function lossRobust(): Statement<LossOptimumInstance> {
  return robust("true-rate");
}

/**
 * Statement 3's other half, as the claim it refutes: plain DPO on labels flipped at rate ε recovers π_{r*}. It fits
 * the flipped preference instead (σ(β margin) = (1 − ε)p + εp̄ for K = 2, see `lossConservativeTree`).
 * Expected verdict: refuted.
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossRobustPlain(), { runs: 20 })).verdict; // "refuted"
 * ```
 */
export function lossRobustPlain(): Statement<LossOptimumInstance> {
  return robust("plain");
}

/**
 * An assumption variant of statement 3: robust DPO told a wrong rate (ε/2) does not recover π_{r*}. Expected
 * verdict: refuted.
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossRobustMisspecified(), { runs: 20 })).verdict; // "refuted"
 * ```
 */
export function lossRobustMisspecified(): Statement<LossOptimumInstance> {
  return robust("misspecified");
}

/**
 * The assumption ε < ½ dropped: labels flipped at ε > ½ are labels of the reversed preferences p̄ flipped at 1 − ε,
 * so robust DPO (which takes rates below ½ only) told 1 − ε recovers π_{−r*}, not π_{r*}. `reversed: false` checks
 * the claim "π_{r*}" (expected refuted); `reversed: true` the corrected statement "π_{−r*}" (expected to hold).
 *
 * @param reversed - check the corrected statement
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossRobustAboveHalf(true), { runs: 20 })).verdict; // "holds"
 * ```
 */
export function lossRobustAboveHalf(reversed = false): Statement<LossOptimumInstance> {
  requireBoolean("lossRobustAboveHalf", "reversed", reversed);
  return robust(reversed ? "above-half-reversed" : "above-half");
}
