import { matrixProduct } from "../../numerics/matrix-product.js";
import { inverse, inverseCholeskyFactor } from "../../numerics/cholesky.js";
import type { Battles } from "./battles.js";
import { outcomeValue, reducedLaplacian, type PairTotals } from "./pair-fit.js";

/** Covariances of θ in the reference's gauge (θ_reference fixed at 0, so its row and column are 0). @internal */
export interface ThetaCovariances {
  /** The model-based covariance: the inverse observed information H⁻¹. */
  readonly model: Float64Array[];
  /** The robust (HC0, "sandwich") covariance H⁻¹ G H⁻¹. */
  readonly sandwich: Float64Array[];
}

/**
 * The model-based and sandwich covariances of the maximum-likelihood θ, from the unique rows with counts:
 * H = Σ_b w_b p_b(1 − p_b) x_b x_bᵀ and G = Σ_b w_b² (o_b − p_b)² x_b x_bᵀ over battles b, where x_b = e_first −
 * e_second, p_b = σ(θ_first − θ_second), o_b ∈ {0, ½, 1}; rows the ties policy leaves out (`rowPair` −1) do not
 * count. Both are formed on the free parameters (every model but the reference) and returned with a zero row and
 * column for the reference. Returns null when H is not numerically positive definite.
 * @internal
 */
export function thetaCovariances(
  battles: Battles,
  pairs: PairTotals,
  theta: Float64Array,
  reference: number,
): ThetaCovariances | null {
  const nPairs = pairs.first.length;
  const h = new Float64Array(nPairs);
  const g = new Float64Array(nPairs);
  for (let r = 0; r < battles.first.length; r++) {
    const k = pairs.rowPair[r];
    if (k < 0) continue;
    const d = theta[battles.first[r]] - theta[battles.second[r]];
    const e = Math.exp(-Math.abs(d));
    const p = d >= 0 ? 1 / (1 + e) : e / (1 + e);
    const w = battles.weight[r];
    const count = battles.battles[r];
    h[k] += (count * w * e) / ((1 + e) * (1 + e));
    const residual = outcomeValue(battles.outcome[r]) - p;
    g[k] += count * w * w * residual * residual;
  }
  const size = pairs.nModels - 1;
  const factor = inverseCholeskyFactor(reducedLaplacian(pairs, h, reference), size);
  if (factor === null) return null;
  const hInverse = inverse(factor);
  const meat = reducedLaplacian(pairs, g, reference);
  // H⁻¹ G H⁻¹ as (H⁻¹ G) H⁻¹, both symmetric
  const meatRows = Array.from({ length: size }, (_, k) => meat.subarray(k * size, (k + 1) * size));
  const sandwich = matrixProduct(matrixProduct(hInverse, meatRows), hInverse);
  return { model: withReference(hInverse, reference), sandwich: withReference(sandwich, reference) };
}

/** A covariance over the free parameters, with the reference's zero row and column put back. */
function withReference(reduced: Float64Array[], reference: number): Float64Array[] {
  const n = reduced.length + 1;
  return Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n);
    if (i === reference) return row;
    const from = reduced[i < reference ? i : i - 1];
    for (let j = 0; j < n; j++) if (j !== reference) row[j] = from[j < reference ? j : j - 1];
    return row;
  });
}

/**
 * The variances of θ_i − mean(θ) from a covariance in any gauge: diag(C V C) with C = I − 11ᵀ/n, the gauge of
 * centred ratings. @internal
 */
export function centredVariances(covariance: Float64Array[]): Float64Array {
  const n = covariance.length;
  const rowMeans = covariance.map((row) => row.reduce((s, v) => s + v, 0) / n);
  const grand = rowMeans.reduce((s, v) => s + v, 0) / n;
  return Float64Array.from({ length: n }, (_, i) => covariance[i][i] - 2 * rowMeans[i] + grand);
}

/** The diagonal of a covariance. @internal */
export function diagonal(covariance: Float64Array[]): Float64Array {
  return Float64Array.from(covariance, (row, i) => row[i]);
}
