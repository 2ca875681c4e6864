import fc from "fast-check";
import { log1pExpUnchecked } from "../../numerics/log1p-exp.js";
import { logSigmoidUnchecked } from "../../numerics/log-sigmoid.js";
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
} from "./loss-optimum.js";

/** The rate ε of an instance: the loss's smoothing or the labels' flips (an instance has one of them). */
function rate(instance: LossOptimumInstance): number {
  return instance.labelSmoothing ?? instance.labelNoise ?? 0;
}

/**
 * logit q̃ for q̃ = (1 − ε) σ(Δ) + ε σ(−Δ), Δ = r*_i − r*_j: log q̃ − log(1 − q̃), each side a sum of two positive
 * terms formed in log space, so neither cancels.
 */
function smoothedLogit(delta: number, eps: number): number {
  const logMix = (a: number, b: number) => {
    // log((1 − ε) e^a + ε e^b)
    const x = Math.log1p(-eps) + a;
    if (eps === 0) return x;
    const y = Math.log(eps) + b;
    const hi = Math.max(x, y);
    return hi + log1pExpUnchecked(Math.min(x, y) - hi);
  };
  return (
    logMix(logSigmoidUnchecked(delta), logSigmoidUnchecked(-delta)) -
    logMix(logSigmoidUnchecked(-delta), logSigmoidUnchecked(delta))
  );
}

/** The same logit at 50 digits. */
function preciseSmoothedLogit(delta: Precise, eps: number): Precise {
  const e = exact(eps);
  const one = exact(1);
  const q = one
    .minus(e)
    .times(preciseSigmoid(delta))
    .plus(e.times(preciseSigmoid(delta.neg())));
  const notQ = one
    .minus(e)
    .times(preciseSigmoid(delta.neg()))
    .plus(e.times(preciseSigmoid(delta)));
  return q.ln().minus(notQ.ln());
}

/** Implied rewards βh along the path 0–1–…–(K−1) with β(h_i − h_{i+1}) = logit q̃_{i,i+1}, h_0 = 0. */
function pathRewards(instance: LossOptimumInstance): number[] {
  const out = [0];
  for (let i = 0; i + 1 < instance.reward.length; i++)
    out.push(out[i] - smoothedLogit(instance.reward[i] - instance.reward[i + 1], rate(instance)));
  return out;
}

function precisePathH(instance: LossOptimumInstance): Precise[] {
  const r = preciseRow(instance.reward);
  const beta = exact(instance.beta);
  const out = [exact(0)];
  for (let i = 0; i + 1 < r.length; i++)
    out.push(out[i].minus(preciseSmoothedLogit(r[i].minus(r[i + 1]), rate(instance))));
  return out.map((v) => v.div(beta));
}

/** Conservative DPO with smoothing ε on clean labels, or plain DPO on labels flipped at rate ε: one of the two. */
function withRate(instances: fc.Arbitrary<LossOptimumInstance>): fc.Arbitrary<LossOptimumInstance> {
  return fc
    .tuple(instances, fc.double({ min: 0.01, max: 0.49, noNaN: true }), fc.boolean())
    .map(([instance, eps, smoothing]) =>
      smoothing ? { ...instance, labelSmoothing: eps } : { ...instance, labelNoise: eps },
    );
}

function path(instance: LossOptimumInstance): LossOptimumInstance {
  const k = instance.reward.length;
  // the path's weights: the instance's own pair weights where they are positive, 1 elsewhere
  const w = (i: number) => instance.pairWeights[i][i + 1] || 1;
  const mu = Array.from({ length: k }, (_, i) =>
    Array.from({ length: k }, (_, j) => (Math.abs(i - j) === 1 ? w(Math.min(i, j)) : 0)),
  );
  return { ...instance, pairWeights: mu };
}

function complete(instance: LossOptimumInstance): LossOptimumInstance {
  const mu = instance.pairWeights.map((row, i) => row.map((w, j) => (i === j ? 0 : w || 1)));
  return { ...instance, pairWeights: mu.map((row, i) => row.map((_, j) => mu[Math.min(i, j)][Math.max(i, j)])) };
}

/** Which of the three conservative-DPO claims. */
type ConservativeClaim = "tree" | "complete" | "optimal";

function conservative(claim: ConservativeClaim): Statement<LossOptimumInstance> {
  const base = lossInstanceArbitrary({ responses: claim === "tree" ? [2, 8] : [3, 5] });
  const instances = withRate(base.map(claim === "tree" ? path : complete));
  const titles: Record<ConservativeClaim, string> = {
    tree: "Conservative DPO on a tree μ (K = 2 included): σ(β margin) = (1 − ε)p + εp̄ on every compared pair",
    complete: "Conservative DPO with K ≥ 3 on a complete μ: the optimum is the tree's (independent of μ)",
    optimal: "Conservative DPO with K ≥ 3: the optimum is π_r*",
  };
  return {
    id: `loss-conservative-${claim}`,
    title: titles[claim],
    reference: "Mitchell 2023, 'A note on DPO with noisy preferences' (cDPO); DPO paper eq. 7",
    definition:
      claim === "optimal"
        ? "KL(π_populationOptimum ‖ π_r*) ≤ 1e−10; at 50 digits |∇L| at βh = r*"
        : "KL(π_populationOptimum ‖ π_tree) ≤ 1e−10, π_tree from β(h_i − h_{i+1}) = logit q̃; at 50 digits |∇L| there",
    instances,
    runsFraction: 0.25,
    float64(instance) {
      const implied = claim === "optimal" ? instance.reward : pathRewards(instance);
      const target = logOptimalPolicyRow(implied, instance.logReference, instance.beta);
      const lossType = instance.labelSmoothing === undefined ? "sigmoid" : "conservative_sigmoid";
      return optimumResiduals(computeOptimum(lossType, instance), target);
    },
    precise(instance) {
      const h =
        claim === "optimal"
          ? preciseRow(instance.reward).map((r) => r.div(exact(instance.beta)))
          : precisePathH(instance);
      return precisePopulationGradient(
        instance,
        h,
        preciseSigmoidDerivative(instance.beta, instance.labelSmoothing ?? 0),
      );
    },
    show: (instance) => show(instance),
  };
}

/**
 * Statement 2 (conservative DPO, label smoothing ε), in the form that holds: on a μ whose graph is a tree (K = 2 is
 * the one-edge tree) each compared pair's margin solves its own first-order condition, σ(β(h_i − h_j)) =
 * (1 − ε)p_ij + εp_ji, and the tree leaves no cycle to contradict it. The same holds for plain DPO on labels
 * flipped at rate ε: in expectation the two losses are the same function of the margin.
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossConservativeTree(), { runs: 20 })).verdict; // "holds"
 * ```
 */
export function lossConservativeTree(): Statement<LossOptimumInstance> {
  return conservative("tree");
}

/**
 * Statement 2 for K ≥ 3, as the claim it refutes: "the conservative-DPO optimum does not depend on μ" (it would
 * then equal the tree's). On a cycle the per-pair targets logit q̃_ij do not add up (logit of a mixture is not
 * additive), so the optimum is a μ-weighted compromise: two weightings, two optima. Expected verdict: refuted.
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossConservativeComplete(), { runs: 20 })).verdict; // "refuted"
 * ```
 */
export function lossConservativeComplete(): Statement<LossOptimumInstance> {
  return conservative("complete");
}

/**
 * Statement 2, "for K ≥ 3 the optimum is not π_r*", as the claim it refutes: "the conservative-DPO optimum is
 * π_r*". Smoothing pulls every margin toward 0 (σ(βd) = q̃ ≠ p). Expected verdict: refuted.
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossConservativeOptimal(), { runs: 20 })).verdict; // "refuted"
 * ```
 */
export function lossConservativeOptimal(): Statement<LossOptimumInstance> {
  return conservative("optimal");
}
