import { expandFactors, type Factors } from "./factors.js";
import { evaluateGroups } from "./groups.js";

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
  for (let f = 0; f + 1 < start.length; f++) {
    const w = weight[f];
    const s = inverseSuffix[start[f]]; // one factor per group: p = e / S
    for (let a = start[f]; a < start[f + 1]; a++) {
      const row = info[members[a]];
      const pa = e[a] * s;
      // p_a(1 − p_a) with 1 − p_a as the others' share: p_a − p_a² cancels to 0 (or below) when p_a ≈ 1
      let others = 0;
      for (let b = start[f]; b < start[f + 1]; b++) if (b !== a) others += e[b];
      row[members[a]] += w * pa * (others * s);
      for (let b = start[f]; b < start[f + 1]; b++) if (b !== a) row[members[b]] -= w * pa * e[b] * s;
    }
  }
  return info;
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
 * Returns null when the matrix is not numerically positive definite there (a pivot ≤ 0 or not finite)
 * or an entry of the result is not finite: such errors are not reported as numbers.
 * Dense: O(n²) memory, O(n³) time.
 * @internal
 */
export function gaugeCovariance(
  info: Float64Array[],
  nItems: number,
  reference: number | undefined,
  identified: boolean,
): Float64Array[] | null {
  const size = info.length;
  if (identified) {
    const c = invertSymmetric(info);
    return finite(c === null || reference === undefined ? c : relativeTo(c, reference));
  }
  let grounded = reference ?? 0;
  if (reference === undefined) for (let i = 1; i < nItems; i++) if (info[i][i] > info[grounded][grounded]) grounded = i;
  const keep = Array.from({ length: size }, (_, i) => i).filter((i) => i !== grounded);
  const reduced = invertSymmetric(keep.map((i) => Float64Array.from(keep, (j) => info[i][j])));
  if (reduced === null) return null;
  const c = Array.from({ length: size }, () => new Float64Array(size));
  keep.forEach((i, a) => keep.forEach((j, b) => (c[i][j] = reduced[a][b])));
  if (reference !== undefined) return finite(c);
  // centre: subtract the log-strengths' mean from each side
  const columnMean = new Float64Array(size);
  for (let i = 0; i < nItems; i++) for (let j = 0; j < size; j++) columnMean[j] += c[i][j] / nItems;
  for (let i = 0; i < nItems; i++) for (let j = 0; j < size; j++) c[i][j] -= columnMean[j];
  for (let i = 0; i < size; i++) {
    let rowMean = 0;
    for (let j = 0; j < nItems; j++) rowMean += c[i][j] / nItems;
    for (let j = 0; j < nItems; j++) c[i][j] -= rowMean;
  }
  return finite(c);
}

function finite(c: Float64Array[] | null): Float64Array[] | null {
  return c !== null && c.every((row) => row.every(Number.isFinite)) ? c : null;
}

/** Covariance of θ_i − θ_k (for a MAP fit reported relative to a reference item k). */
function relativeTo(c: Float64Array[], k: number): Float64Array[] {
  const n = c.length;
  return Array.from({ length: n }, (_, i) =>
    Float64Array.from({ length: n }, (_, j) => c[i][j] - c[i][k] - c[k][j] + c[k][k]),
  );
}

/** Inverse of a symmetric positive-definite matrix by Cholesky factorisation; null if a pivot is ≤ 0 or not finite. */
function invertSymmetric(a: Float64Array[]): Float64Array[] | null {
  const n = a.length;
  const l = Array.from({ length: n }, () => new Float64Array(n));
  for (let j = 0; j < n; j++) {
    let d = a[j][j];
    const lj = l[j];
    for (let k = 0; k < j; k++) d -= lj[k] * lj[k];
    if (!(d > 0 && d < Infinity)) return null;
    const root = Math.sqrt(d);
    lj[j] = root;
    for (let i = j + 1; i < n; i++) {
      const li = l[i];
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= li[k] * lj[k];
      li[j] = s / root;
    }
  }
  // inverse of L (lower triangular), then L⁻ᵀ L⁻¹
  const inv = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    inv[i][i] = 1 / l[i][i];
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i][k] * inv[k][j];
      inv[i][j] = s / l[i][i];
    }
  }
  const out = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += inv[k][i] * inv[k][j];
      out[i][j] = s;
      out[j][i] = s;
    }
  }
  return out;
}
