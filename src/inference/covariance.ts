import { expandFactors, type Factors } from "./factors.js";
import { allPairs, evaluateGroups, type GroupState } from "./groups.js";
import { inverse, inverseDiagonalAndProduct, withInverseFactorOf, type InverseFactor } from "../numerics/cholesky.js";

/**
 * A symmetric matrix held as its diagonal and a sum of off-diagonal terms: term k subtracts value[k] from the
 * entries (i, j) and (j, i), i = ends[2k], j = ends[2k + 1], in either order (a term with i = j adds nothing). The
 * observed information of a fit takes this form (one term per pair of items in a factor), at a cost in the data's
 * size rather than the n² of a dense matrix; it is written straight into the factorisation's work space.
 * @internal
 */
export interface SparseSymmetric {
  readonly size: number;
  /** The diagonal entries; a caller may add to them (a prior's 1/σ²). */
  readonly diagonal: Float64Array;
  /** The two indices of each term. */
  readonly ends: Int32Array;
  /** The value of each term, subtracted from its two entries. */
  readonly value: Float64Array;
}

/**
 * The observed Fisher information of the log-strengths (the negative Hessian of the log-likelihood):
 * Σ_f w_f (diag(p_f) − p_f p_fᵀ) over every factor, as a {@link SparseSymmetric}. `state` is the groups'
 * evaluation at `theta` when the caller has it (used when every group is one factor, as for comparisons).
 * @internal
 */
export function information(groups: Factors, theta: Float64Array, state?: GroupState): SparseSymmetric {
  const factors = expandFactors(groups);
  const n = factors.nItems;
  const { start, members, weight } = factors;
  const { e, inverseSuffix, curvature } =
    state !== undefined && factors === groups ? state : evaluateGroups(factors, theta, undefined, false);
  if (allPairs(start)) return pairInformation(n, members, curvature);
  let terms = 0;
  for (let f = 0; f + 1 < start.length; f++) terms += ((start[f + 1] - start[f]) * (start[f + 1] - start[f] - 1)) / 2;
  const diagonal = new Float64Array(n);
  const ends = new Int32Array(2 * terms);
  const value = new Float64Array(terms);
  let k = 0;
  const addTerm = (i: number, j: number, x: number) => {
    ends[2 * k] = i;
    ends[2 * k + 1] = j;
    value[k++] = x;
  };
  for (let f = 0; f + 1 < start.length; f++) {
    if (start[f + 1] - start[f] === 2) {
      // a pair: w·p_a·p_b both on the diagonal and off it, kept from the log-odds (see GroupState.curvature);
      // an item against itself has no information
      const i = members[start[f]];
      const j = members[start[f] + 1];
      if (i !== j) {
        diagonal[i] += curvature[f];
        diagonal[j] += curvature[f];
      }
      addTerm(i, j, curvature[f]);
      continue;
    }
    const w = weight[f];
    const s = inverseSuffix[start[f]]; // one factor per group: p = e / S
    for (let a = start[f]; a < start[f + 1]; a++) {
      const pa = e[a] * s;
      // p_a(1 − p_a) with 1 − p_a as the others' share: p_a − p_a² cancels to 0 (or below) when p_a ≈ 1
      let others = 0;
      for (let b = start[f]; b < start[f + 1]; b++) if (b !== a) others += e[b];
      diagonal[members[a]] += w * pa * (others * s);
      for (let b = start[f]; b < a; b++) addTerm(members[a], members[b], w * pa * e[b] * s);
    }
  }
  return { size: n, diagonal, ends, value };
}

/**
 * {@link information} when every factor is a pair: the terms are the pairs themselves (their members, 2f and
 * 2f + 1, and their curvatures w·p_a·p_b, kept from the log-odds: see GroupState.curvature), which also go on the
 * diagonal; an item against itself has no information.
 */
function pairInformation(n: number, members: Int32Array, curvature: Float64Array): SparseSymmetric {
  const diagonal = new Float64Array(n);
  for (let f = 0; f < curvature.length; f++) {
    const i = members[2 * f];
    const j = members[2 * f + 1];
    if (i === j) continue;
    diagonal[i] += curvature[f];
    diagonal[j] += curvature[f];
  }
  return { size: n, diagonal, ends: members, value: curvature };
}

/** The information as {@link gaugeErrors} reads it: dense rows, or a {@link SparseSymmetric}. @internal */
export type Information = Float64Array[] | SparseSymmetric;

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
  info: Information,
  nItems: number,
  reference: number | undefined,
  identified: boolean,
): GaugeErrors | null {
  const size = Array.isArray(info) ? info.length : info.size;
  const diagonalEntry = (i: number) => (Array.isArray(info) ? info[i][i] : info.diagonal[i]);
  const writer = (keep: readonly number[]) => (add: (a: number, b: number, x: number) => void) => {
    if (!Array.isArray(info)) return writeLower(info, keep, add);
    for (let a = 0; a < keep.length; a++) for (let b = 0; b <= a; b++) add(a, b, info[keep[a]][keep[b]]);
  };
  // the variances and one product with A⁻¹ come from one factorisation; the full covariance, when read, from
  // factorising again (size³/3 multiply-adds, on top of the size³/6 of forming it)
  const diagonalAndProduct = (keep: readonly number[], x: ArrayLike<number>) =>
    inverseDiagonalAndProduct(keep.length, writer(keep), x);
  const factorise = <T>(keep: readonly number[], use: (factor: InverseFactor) => T) =>
    withInverseFactorOf(keep.length, writer(keep), use);
  const all = allIndices(size);
  if (identified) {
    // Var(θ_i − θ_k) = C_ii − 2 C_ik + C_kk, with column k of C = A⁻¹ e_k
    const unit = new Float64Array(size);
    if (reference !== undefined) unit[reference] = 1;
    const both = diagonalAndProduct(all, unit);
    if (both === null) return null;
    const full = () => factorise(all, inverse)!;
    const { diagonal, product: column } = both;
    if (reference === undefined) return finiteErrors(diagonal, full);
    const variance = diagonal.map((d, i) => d - 2 * column[i] + diagonal[reference]);
    variance[reference] = 0;
    return finiteErrors(variance, () => relativeTo(full(), reference));
  }
  let grounded = reference ?? 0;
  if (reference === undefined)
    for (let i = 1; i < nItems; i++) if (diagonalEntry(i) > diagonalEntry(grounded)) grounded = i;
  const keep = all.filter((i) => i !== grounded);
  // centring needs A⁻¹ applied to the log-strengths' mean vector: computed with the diagonal, from one factor
  const meanVector = Float64Array.from(keep, (i) => (i < nItems ? 1 / nItems : 0));
  const reduced = diagonalAndProduct(keep, meanVector);
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
  if (reference !== undefined) return finiteErrors(diagonal, groundedCovariance);
  // centring: with m_i = Σ_{j<nItems} C_ij / nItems and μ = Σ_{i,j<nItems} C_ij / nItems², P C Pᵀ has
  // C_ii − 2 m_i + μ on the log-strengths' diagonal and C_ii on the other parameters'
  const rowMean = expand(reduced.product);
  let grandMean = 0;
  for (let i = 0; i < nItems; i++) grandMean += rowMean[i] / nItems;
  const variance = diagonal.map((d, i) => (i < nItems ? d - 2 * rowMean[i] + grandMean : d));
  return finiteErrors(variance, () => centred(groundedCovariance(), nItems));
}

/**
 * The lower triangle of the matrix `m` restricted to the rows and columns `keep` (ascending), handed to `add` as
 * add(a, b, x) for entry (keep[a], keep[b]), b ≤ a, in parts that sum to it.
 */
function writeLower(m: SparseSymmetric, keep: readonly number[], add: (a: number, b: number, x: number) => void): void {
  const position = new Int32Array(m.size).fill(-1);
  keep.forEach((i, a) => (position[i] = a));
  const { diagonal, ends, value } = m;
  for (let a = 0; a < keep.length; a++) add(a, a, diagonal[keep[a]]);
  for (let k = 0; k < value.length; k++) {
    const a = position[ends[2 * k]];
    const b = position[ends[2 * k + 1]];
    if (a >= 0 && b >= 0 && a !== b) add(Math.max(a, b), Math.min(a, b), -value[k]);
  }
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
