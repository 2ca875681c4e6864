import { expandFactors, type Factors } from "./factors.js";
import { evaluate } from "./likelihood.js";

/**
 * The covariance of the log-strengths from the observed Fisher information (the negative Hessian
 * of the log-likelihood, plus the prior's precision for a MAP fit: the Laplace approximation), in
 * the requested gauge. Without a prior the information is singular along the all-ones vector:
 * centred log-strengths get its pseudo-inverse (J + 11ᵀ/n)⁻¹ − 11ᵀ/n; `reference` k gets the
 * inverse of J without row and column k (item k then has variance 0), as BradleyTerry2 reports.
 * Dense: O(n²) memory and O(n³) time.
 * @internal
 */
export function covariance(groups: Factors, theta: Float64Array, priorVariance: number | undefined, reference: number | undefined): Float64Array[] {
  const factors = expandFactors(groups);
  const n = factors.nItems;
  const { start, members, weight } = factors;
  const { p } = evaluate(factors, theta);
  const info = Array.from({ length: n }, () => new Float64Array(n));
  for (let f = 0; f + 1 < start.length; f++) {
    const w = weight[f];
    for (let a = start[f]; a < start[f + 1]; a++) {
      const row = info[members[a]];
      row[members[a]] += w * p[a];
      for (let b = start[f]; b < start[f + 1]; b++) row[members[b]] -= w * p[a] * p[b];
    }
  }
  if (priorVariance !== undefined) {
    for (let i = 0; i < n; i++) info[i][i] += 1 / priorVariance;
    const c = invertSymmetric(info);
    return reference === undefined ? c : relativeTo(c, reference);
  }
  if (reference !== undefined) {
    const keep = Array.from({ length: n }, (_, i) => i).filter((i) => i !== reference);
    const reduced = invertSymmetric(keep.map((i) => Float64Array.from(keep, (j) => info[i][j])));
    const c = Array.from({ length: n }, () => new Float64Array(n));
    keep.forEach((i, a) => keep.forEach((j, b) => (c[i][j] = reduced[a][b])));
    return c;
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) info[i][j] += 1 / n;
  const c = invertSymmetric(info);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c[i][j] -= 1 / n;
  return c;
}

/** Covariance of θ_i − θ_k (for a MAP fit reported relative to a reference item k). */
function relativeTo(c: Float64Array[], k: number): Float64Array[] {
  const n = c.length;
  return Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => c[i][j] - c[i][k] - c[k][j] + c[k][k]));
}

/** Inverse of a symmetric positive-definite matrix by Cholesky factorisation. @internal */
export function invertSymmetric(a: Float64Array[]): Float64Array[] {
  const n = a.length;
  const l = Array.from({ length: n }, () => new Float64Array(n));
  for (let j = 0; j < n; j++) {
    let d = a[j][j];
    const lj = l[j];
    for (let k = 0; k < j; k++) d -= lj[k] * lj[k];
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
