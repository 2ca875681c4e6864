import fc from "fast-check";
import { fRegularizedOptimalPolicy, type FRegularizer } from "../../theory/f-regularized-policy.js";
import { logSpace } from "../../theory/rows.js";
import { exact, preciseMax, preciseSigmoid, type Precise } from "../precise.js";
import { show } from "../residuals.js";
import type { Statement } from "../statement.js";
import {
  computeOptimum,
  lossInstanceArbitrary,
  optimumResiduals,
  preciseLabels,
  type LossOptimumInstance,
} from "./loss-optimum.js";

/** An f-DPO instance: the population problem and the divergence whose scores replace the log-ratios. */
export interface FDpoInstance extends LossOptimumInstance {
  /**
   * The f-divergence (TRL's `f_divergence_type`) as an index (an instance is numbers, arrays and objects only):
   * 0 `reverse_kl`, 1 `forward_kl`, 2 `js_divergence`, 3 `alpha_divergence`.
   */
  readonly divergence: number;
  /** α of `alpha_divergence`. */
  readonly alpha?: number;
}

/** The divergences an {@link FDpoInstance} indexes. */
export const F_DPO_DIVERGENCES: readonly FRegularizer[] = [
  "reverse_kl",
  "forward_kl",
  "js_divergence",
  "alpha_divergence",
];

/** The divergence an instance names; an index outside the list is reverse KL's (0). */
function divergenceOf(instance: FDpoInstance): FRegularizer {
  return F_DPO_DIVERGENCES[instance.divergence] ?? "reverse_kl";
}

/**
 * The inverse of the score s = f′(e^ℓ) at 50 digits: ℓ with s(ℓ) = z (z in the score's range, which the claimed
 * optimum's normaliser guarantees).
 */
function preciseInverseScore(divergence: FRegularizer, alpha: number, z: Precise): Precise {
  switch (divergence) {
    case "reverse_kl":
      return z;
    case "forward_kl":
      return z.neg().ln().neg();
    case "js_divergence":
      return z.minus(exact(1).minus(z.exp()).ln());
    default: {
      const a = exact(alpha).minus(1);
      return Math.abs(alpha - 1) < 1e-6 ? z : a.times(z).ln().div(a);
    }
  }
}

/** The score s(ℓ) at 50 digits (the loss-options kernel's, written out: TRL 1.x's f-DPO scores). */
function preciseScore(divergence: FRegularizer, alpha: number, l: Precise): Precise {
  switch (divergence) {
    case "reverse_kl":
      return l;
    case "forward_kl":
      return l.neg().exp().neg();
    case "js_divergence":
      return preciseSigmoid(l).ln();
    default: {
      const a = exact(alpha).minus(1);
      return Math.abs(alpha - 1) < 1e-6 ? l : a.times(l).exp().div(a);
    }
  }
}

/**
 * The divergences whose scores reach every value the stationarity condition asks for: forward KL, Jensen–Shannon,
 * α < 1. (For α > 1 the optimum may put no mass on some responses, which no finite log-ratio represents.)
 */
function fDpo(): Statement<FDpoInstance> {
  const divergence = fc.oneof(
    fc.constant<[FRegularizer, number | undefined]>(["forward_kl", undefined]),
    fc.constant<[FRegularizer, number | undefined]>(["js_divergence", undefined]),
    fc
      .double({ min: -1, max: 0.9, noNaN: true })
      .map((a): [FRegularizer, number | undefined] => ["alpha_divergence", a]),
  );
  const instances = fc
    .tuple(
      lossInstanceArbitrary({ responses: [2, 6], maxReward: 4, beta: [0.2, 5], minLogProbability: -30 }),
      divergence,
    )
    .map(([instance, [d, a]]) => ({
      ...instance,
      divergence: F_DPO_DIVERGENCES.indexOf(d),
      ...(a === undefined ? {} : { alpha: a }),
    }));
  const lossOptions = (instance: FDpoInstance) => ({
    fDivergence: divergenceOf(instance),
    ...(instance.alpha === undefined ? {} : { fAlphaDivergenceCoef: instance.alpha }),
  });
  return {
    id: "loss-f-dpo",
    title: "f-DPO (forward KL, Jensen–Shannon, α < 1): the population optimum is the f-regularised optimal policy",
    reference: "Wang et al. 2023, 'Beyond Reverse KL' (f-DPO), Theorem 1; DPO paper appendix A.1",
    definition: "KL(π_populationOptimum ‖ fRegularizedOptimalPolicy) ≤ 1e−10; at 50 digits |∇L| at the claimed scores",
    instances,
    runsFraction: 0.2,
    float64(instance) {
      const target = fRegularizedOptimalPolicy(
        [instance.reward],
        logSpace([instance.logReference]),
        instance.beta,
        divergenceOf(instance),
        instance.alpha,
      ).logPolicy[0];
      const solution = computeOptimum("sigmoid", instance, false, lossOptions(instance));
      return optimumResiduals(solution, target);
    },
    precise(instance) {
      const alpha = instance.alpha ?? 0.5;
      const { normalizer, logPolicy } = fRegularizedOptimalPolicy(
        [instance.reward],
        logSpace([instance.logReference]),
        instance.beta,
        divergenceOf(instance),
        instance.alpha,
      );
      const beta = exact(instance.beta);
      const lambda = exact(normalizer[0]);
      // the claimed log-ratios at 50 digits: s(ℓ_y) = (r_y − λ)/β where π > 0; the population gradient of the
      // sigmoid loss on scores, Σ μ q (σ(x) − 1)·(±β s′), vanishes where every compared pair has σ(x) = p
      const q = preciseLabels(instance);
      const k = instance.reward.length;
      const parts: Precise[] = [];
      const scores = instance.reward.map((r, y) =>
        logPolicy[0][y] === -Infinity
          ? null
          : preciseScore(
              divergenceOf(instance),
              alpha,
              preciseInverseScore(divergenceOf(instance), alpha, exact(r).minus(lambda).div(beta)),
            ),
      );
      for (let i = 0; i < k; i++)
        for (let j = i + 1; j < k; j++) {
          const mu = instance.pairWeights[i][j];
          if (mu === 0) continue;
          const si = scores[i];
          const sj = scores[j];
          // a response the claimed optimum gives no mass: f-DPO's scores cannot reach it (no finite log-ratio)
          if (si === null || sj === null) {
            parts.push(exact(mu));
            continue;
          }
          const x = beta.times(si.minus(sj));
          // ∂/∂x of q_ij(−log σ(x)) + q_ji(−log σ(−x)) = σ(x) − q_ij
          parts.push(exact(mu).times(preciseSigmoid(x).minus(q[i][j])).abs());
        }
      return preciseMax(parts);
    },
    show: (instance) => show({ ...instance, divergence: divergenceOf(instance) }),
  };
}

/**
 * Statement 7 (f-DPO, the analogue of appendix A.1 for an f-divergence): with Bradley–Terry labels and a connected μ,
 * the population f-DPO loss −log σ(β(s(h_w) − s(h_l))), s = f′ the divergence's score (`dpoLoss`'s `fDivergence`), is
 * minimised where β s(h_y) = r*_y − λ on every response, which is exactly the stationarity condition of
 * max E_π r − β D_f(π‖π_ref): the optimum is `fRegularizedOptimalPolicy`. Instances: forward KL, Jensen–Shannon and
 * α-divergences with α < 1, whose scores reach every value the condition asks for.
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossFDpo(), { runs: 20 })).verdict; // "holds"
 * ```
 */
export function lossFDpo(): Statement<FDpoInstance> {
  return fDpo();
}
