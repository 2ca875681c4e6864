import { expandFactors, type Factors } from "./factors.js";
import { evaluateGroups } from "./groups.js";
import { inverse, inverseDiagonal, inverseTimes, withInverseFactor, type InverseFactor } from "../numerics/cholesky.js";

/**
 * The observed Fisher information of the log-strengths (the negative Hessian of the
 * log-likelihood), dense: Σ_f w_f (diag(p_f) − p_f p_fᵀ) over every factor.
 * @internal
 */
export function information(groups: Factors, theta: Float64Array): Float64Array[] {
  const factors = expandFactors(groups);
  const n = factors.nItems;
  const { start, members, weight } = factors;
  const { e, inverseSuffix } = evaluateGroups(factors, theta, undefined, false);
  const info = Array.from({ length: n }, () => new Float64Array(n));
  // The diagonal is summed apart and the off-diagonal terms gathered by row (a counting sort), then added row by
  // row: added in the factors' order they would land all over the n² matrix, one cache miss each.
  const perRow = new Int32Array(n + 1);
  for (let f = 0; f + 1 < start.length; f++)
    for (let a = start[f]; a < start[f + 1]; a++) perRow[members[a] + 1] += start[f + 1] - start[f] - 1;
  for (let i = 0; i < n; i++) perRow[i + 1] += perRow[i];
  const next = perRow.slice(0, n);
  const diagonal = new Float64Array(n);
  const column = new Int32Array(perRow[n]);
  const value = new Float64Array(perRow[n]);
  for (let f = 0; f + 1 < start.length; f++) {
    const w = weight[f];
    const s = inverseSuffix[start[f]]; // one factor per group: p = e / S
    for (let a = start[f]; a < start[f + 1]; a++) {
      const i = members[a];
      const pa = e[a] * s;
      // p_a(1 − p_a) with 1 − p_a as the others' share: p_a − p_a² cancels to 0 (or below) when p_a ≈ 1
      let others = 0;
      for (let b = start[f]; b < start[f + 1]; b++) if (b !== a) others += e[b];
      diagonal[i] += w * pa * (others * s);
      for (let b = start[f]; b < start[f + 1]; b++) {
        if (b === a) continue;
        column[next[i]] = members[b];
        value[next[i]++] = w * pa * e[b] * s;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const row = info[i];
    row[i] = diagonal[i];
    for (let k = perRow[i]; k < perRow[i + 1]; k++) row[column[k]] -= value[k];
  }
  return info;
}

/**
 * What the fit reports of the covariance: the variances of every parameter (the diagonal), and the
 * full covariance when it is read.
 * @internal
 */
export interface GaugeErrors {
  /** The variances of all parameters in the reported gauge (0 for a reference item); finite. */
  readonly variance: Float64Array;
  /** The full covariance in the same gauge, computed when called: size³/2 multiply-adds (see gaugeErrors). */
  covariance(): Float64Array[];
}

/**
 * The covariance in the reported gauge from an information matrix whose first `nItems` rows and
 * columns belong to the log-strengths (any further ones to other parameters: an order effect, a
 * tie parameter). With `identified` (a prior) it is the inverse (the Laplace approximation),
 * reported relative to `reference` if given. Otherwise the information is singular along the
 * log-strengths' all-ones direction: `reference` k gets the inverse of J without row and column k
 * (item k then has variance 0), as BradleyTerry2 reports; centred log-strengths get the same with the
 * best-conditioned item grounded, then projected to mean zero (P C Pᵀ with P = I − 11ᵀ/n on the
 * log-strengths): the pseudo-inverse, without adding 11ᵀ/n to entries of 2^53 where it would be lost.
 *
 * One Cholesky factorisation A = L Lᵀ of the (reduced) information and W = L⁻¹ give the variances
 * as column sums of squares of W, and the projection's terms as A⁻¹ applied to one vector:
 * size³/3 multiply-adds. The full covariance Wᵀ W is formed only when asked for, from a second factorisation
 * (the factor lives in a reused work space, see withInverseFactor): size³/3 + size³/6 multiply-adds then.
 * Returns null when the matrix is not numerically positive definite there (a pivot ≤ 0 or not finite)
 * or a variance is not finite: such errors are not reported as numbers. With every variance finite,
 * every covariance is too (|C_ij| ≤ √(C_ii C_jj)).
 * @internal
 */
export function gaugeErrors(
  info: Float64Array[],
  nItems: number,
  reference: number | undefined,
  identified: boolean,
): GaugeErrors | null {
  const size = info.length;
  // the factor lives in a reused work space: what is kept is computed inside, and the full covariance, when
  // read, comes from factorising again (size³/3 multiply-adds, on top of the size³/6 of forming it)
  const factorise = <T>(keep: readonly number[], use: (factor: InverseFactor) => T) =>
    withInverseFactor(keep.length, (i, j) => info[keep[i]][keep[j]], use);
  const all = allIndices(size);
  if (identified) {
    // Var(θ_i − θ_k) = C_ii − 2 C_ik + C_kk, with column k of C = A⁻¹ e_k
    const unit = new Float64Array(size);
    if (reference !== undefined) unit[reference] = 1;
    const both = factorise(all, (factor) => ({
      diagonal: inverseDiagonal(factor),
      column: reference === undefined ? null : inverseTimes(factor, unit),
    }));
    if (both === null) return null;
    const full = () => factorise(all, inverse)!;
    const { diagonal, column } = both;
    if (reference === undefined || column === null) return finiteErrors(diagonal, full);
    const variance = diagonal.map((d, i) => d - 2 * column[i] + diagonal[reference]);
    variance[reference] = 0;
    return finiteErrors(variance, () => relativeTo(full(), reference));
  }
  let grounded = reference ?? 0;
  if (reference === undefined) for (let i = 1; i < nItems; i++) if (info[i][i] > info[grounded][grounded]) grounded = i;
  const keep = all.filter((i) => i !== grounded);
  // centring needs A⁻¹ applied to the log-strengths' mean vector: computed with the diagonal, from one factor
  const meanVector = Float64Array.from(keep, (i) => (i < nItems ? 1 / nItems : 0));
  const reduced = factorise(keep, (factor) => ({
    diagonal: inverseDiagonal(factor),
    rowMean: reference === undefined ? inverseTimes(factor, meanVector) : null,
  }));
  if (reduced === null) return null;
  const expand = (values: ArrayLike<number>) => {
    const out = new Float64Array(size);
    keep.forEach((i, a) => (out[i] = values[a]));
    return out;
  };
  const groundedCovariance = () => {
    const inner = factorise(keep, inverse)!;
    const c = Array.from({ length: size }, () => new Float64Array(size));
    keep.forEach((i, a) => keep.forEach((j, b) => (c[i][j] = inner[a][b])));
    return c;
  };
  const diagonal = expand(reduced.diagonal);
  if (reduced.rowMean === null) return finiteErrors(diagonal, groundedCovariance);
  // centring: with m_i = Σ_{j<nItems} C_ij / nItems and μ = Σ_{i,j<nItems} C_ij / nItems², P C Pᵀ has
  // C_ii − 2 m_i + μ on the log-strengths' diagonal and C_ii on the other parameters'
  const rowMean = expand(reduced.rowMean);
  let grandMean = 0;
  for (let i = 0; i < nItems; i++) grandMean += rowMean[i] / nItems;
  const variance = diagonal.map((d, i) => (i < nItems ? d - 2 * rowMean[i] + grandMean : d));
  return finiteErrors(variance, () => centred(groundedCovariance(), nItems));
}

function allIndices(size: number): number[] {
  return Array.from({ length: size }, (_, i) => i);
}

function finiteErrors(variance: Float64Array, covariance: () => Float64Array[]): GaugeErrors | null {
  return variance.every(Number.isFinite) ? { variance, covariance } : null;
}

/** P C Pᵀ with P = I − 11ᵀ/n on the first n rows and columns: each side's log-strength mean subtracted. */
function centred(c: Float64Array[], n: number): Float64Array[] {
  const size = c.length;
  const columnMean = new Float64Array(size);
  for (let i = 0; i < n; i++) for (let j = 0; j < size; j++) columnMean[j] += c[i][j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < size; j++) c[i][j] -= columnMean[j];
  for (let i = 0; i < size; i++) {
    let rowMean = 0;
    for (let j = 0; j < n; j++) rowMean += c[i][j] / n;
    for (let j = 0; j < n; j++) c[i][j] -= rowMean;
  }
  return c;
}

/** Covariance of θ_i − θ_k (for a MAP fit reported relative to a reference item k). */
function relativeTo(c: Float64Array[], k: number): Float64Array[] {
  const n = c.length;
  return Array.from({ length: n }, (_, i) =>
    Float64Array.from({ length: n }, (_, j) => c[i][j] - c[i][k] - c[k][j] + c[k][k]),
  );
}
