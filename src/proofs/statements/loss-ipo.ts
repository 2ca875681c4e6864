import { sigmoidUnchecked } from "../../numerics/sigmoid.js";
import { logOptimalPolicyRow } from "../../theory/kernels.js";
import { exact, type Precise } from "../precise.js";
import { show } from "../residuals.js";
import type { Statement } from "../statement.js";
import {
  computeOptimum,
  lossInstanceArbitrary,
  optimumResiduals,
  precisePopulationGradient,
  preciseLabels,
  preciseSolveLaplacian,
  solveLaplacian,
  type LossOptimumInstance,
  type PreciseKernelDerivative,
} from "./loss-optimum.js";

/** The IPO kernel's derivatives at 50 digits: (u − v − 1/(2β))², so ∂u = 2(u − v − 1/(2β)) = −∂v. */
function preciseIpoDerivative(beta: number): PreciseKernelDerivative {
  const half = exact(1).div(exact(beta).times(2));
  return (u, v) => {
    const g = u.minus(v).minus(half).times(2);
    return [g, g.neg()];
  };
}

/** Which IPO claim. */
type IpoClaim = "least-squares" | "independent-pairs" | "optimal";

/**
 * The claimed implied rewards βh: the μ-weighted least-squares fit of β(h_i − h_j) to p_ij − ½ (a Laplacian
 * system), the μ₀ closed form βh_i = Σ_j μ₀(j) p(y_i ≻ y_j) / Σ_j μ₀(j) with p_ii = ½, or r* itself.
 */
function claimedRewards(claim: IpoClaim, instance: LossOptimumInstance): number[] {
  const r = instance.reward;
  // p_ij − ½ = (σ(Δ) − σ(−Δ))/2, each sigmoid from its own branch
  const centred = (i: number, j: number) => (sigmoidUnchecked(r[i] - r[j]) - sigmoidUnchecked(r[j] - r[i])) / 2;
  if (claim === "optimal") return r;
  if (claim === "independent-pairs") {
    const mu0 = instance.responseWeights!;
    const total = mu0.reduce((a, w) => a + w, 0);
    return r.map((_, i) => mu0.reduce((a, w, j) => a + w * (i === j ? 0 : centred(i, j)), 0) / total);
  }
  const b = r.map((_, i) => instance.pairWeights[i].reduce((a, w, j) => a + (w === 0 ? 0 : w * centred(i, j)), 0));
  return Array.from(solveLaplacian(instance.pairWeights, b));
}

function preciseClaimedH(claim: IpoClaim, instance: LossOptimumInstance): Precise[] {
  const q = preciseLabels(instance);
  const half = exact(0.5);
  const beta = exact(instance.beta);
  const k = instance.reward.length;
  let implied: Precise[];
  if (claim === "optimal") implied = instance.reward.map(exact);
  else if (claim === "independent-pairs") {
    const mu0 = instance.responseWeights!.map(exact);
    const total = mu0.reduce((a, w) => a.plus(w), exact(0));
    implied = Array.from({ length: k }, (_, i) =>
      mu0.reduce((a, w, j) => (i === j ? a : a.plus(w.times(q[i][j].minus(half)))), exact(0)).div(total),
    );
  } else {
    const b = Array.from({ length: k }, (_, i) =>
      instance.pairWeights[i].reduce(
        (a, w, j) => (w === 0 ? a : a.plus(exact(w).times(q[i][j].minus(half)))),
        exact(0),
      ),
    );
    implied = preciseSolveLaplacian(instance.pairWeights, b);
  }
  return implied.map((v) => v.div(beta));
}

function ipo(claim: IpoClaim): Statement<LossOptimumInstance> {
  const instances = lossInstanceArbitrary(claim === "independent-pairs" ? { product: true } : {});
  const titles: Record<IpoClaim, string> = {
    "least-squares": "IPO: the population optimum is the μ-weighted least-squares fit of β(h_i − h_j) to p_ij − ½",
    "independent-pairs": "IPO with pairs drawn independently from μ₀: π ∝ π_ref·exp(E_{y′∼μ₀} p(y ≻ y′)/β)",
    optimal: "IPO: the population optimum is π_r*",
  };
  return {
    id: `loss-ipo-${claim}`,
    title: titles[claim],
    reference: "Azar et al. 2023, 'A General Theoretical Paradigm to Understand Learning from Human Preferences', §5",
    definition:
      "KL(π_populationOptimum ‖ π_claimed) ≤ 1e−10; at 50 digits |∇L| at the claimed h (Laplacian solved at 50 digits)",
    instances,
    runsFraction: 0.25,
    float64(instance) {
      const target = logOptimalPolicyRow(claimedRewards(claim, instance), instance.logReference, instance.beta);
      return optimumResiduals(computeOptimum("ipo", instance), target);
    },
    precise(instance) {
      const mu0 = instance.responseWeights;
      // μ₀(i) μ₀(j) at 50 digits: pairWeights holds rounded float64 products, the closed form is for the exact ones
      const weight =
        claim === "independent-pairs" && mu0 !== undefined
          ? (i: number, j: number) => exact(mu0[i]).times(exact(mu0[j]))
          : undefined;
      return precisePopulationGradient(
        instance,
        preciseClaimedH(claim, instance),
        preciseIpoDerivative(instance.beta),
        weight,
      );
    },
    show: (instance) => show(instance),
  };
}

/**
 * Statement 4: the IPO loss (h_w − h_l − 1/(2β))² (TRL's units: h = log π/π_ref) has, for a pair compared with weight
 * μ_ij and labelled i ≻ j with probability p_ij, the expected loss μ_ij[(d − τ)² p_ij + (−d − τ)² p_ji], τ = 1/(2β),
 * whose derivative in d = h_i − h_j is 2μ_ij(d − τ(p_ij − p_ji)): the population loss is the weighted least-squares
 * fit of β(h_i − h_j) to p_ij − ½ over the comparison graph, solved by its Laplacian system.
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossIpoLeastSquares(), { runs: 20 })).verdict; // "holds"
 * ```
 */
export function lossIpoLeastSquares(): Statement<LossOptimumInstance> {
  return ipo("least-squares");
}

/**
 * Statement 4, μ₀ form: with μ_ij = μ₀(i)μ₀(j) the Laplacian system has the closed-form solution
 * βh(y) = E_{y′∼μ₀}[p(y ≻ y′)] + const (Azar et al.'s eq. for Ψ = identity), so
 * π(y) ∝ π_ref(y) exp(E_{y′∼μ₀}[p(y ≻ y′)]/β).
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossIpoIndependentPairs(), { runs: 20 })).verdict; // "holds"
 * ```
 */
export function lossIpoIndependentPairs(): Statement<LossOptimumInstance> {
  return ipo("independent-pairs");
}

/**
 * Statement 4's consequence, as the claim it refutes: "the IPO optimum is π_{r*}". The least-squares targets are
 * p_ij − ½ ∈ (−½, ½), bounded, while r* differences are not. Expected verdict: refuted.
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(lossIpoOptimal(), { runs: 20 })).verdict; // "refuted"
 * ```
 */
export function lossIpoOptimal(): Statement<LossOptimumInstance> {
  return ipo("optimal");
}
