import type { Factors } from "./factors.js";

/**
 * The Plackett–Luce log-likelihood of factors at log-strengths θ, with the per-member choice
 * probabilities p (the softmax of θ over each factor's members), computed once per iterate so that
 * the gradient and every Hessian-vector product reuse them.
 * @internal
 */
export interface LikelihoodState {
  readonly logLikelihood: number;
  /** p for every member slot of every factor. */
  readonly p: Float64Array;
  /** ∂ℓ/∂θ. */
  readonly gradient: Float64Array;
}

/** Evaluates ℓ, p and ∇ℓ at θ over one-factor groups (see `expandFactors`). The chosen member's 1 − p is −expm1(log p), exact for dominant items. @internal */
export function evaluate(factors: Factors, theta: Float64Array): LikelihoodState {
  const { start, members, weight } = factors;
  const p = new Float64Array(members.length);
  const gradient = new Float64Array(theta.length);
  let logLikelihood = 0;
  let compensation = 0;
  for (let f = 0; f + 1 < start.length; f++) {
    const a = start[f];
    const b = start[f + 1];
    if (b - a === 2) {
      // a pairwise comparison (Bradley–Terry): one exponential, log σ through softplus branches
      const w = weight[f];
      const d = theta[members[a]] - theta[members[a + 1]];
      const e = Math.exp(-Math.abs(d));
      const loser = d >= 0 ? e / (1 + e) : 1 / (1 + e); // σ(−d)
      p[a] = d >= 0 ? 1 / (1 + e) : e / (1 + e);
      p[a + 1] = loser;
      const logChosen = d >= 0 ? -Math.log1p(e) : d - Math.log1p(e);
      const term = w * logChosen - compensation;
      const total = logLikelihood + term;
      compensation = total - logLikelihood - term;
      logLikelihood = total;
      gradient[members[a]] += w * loser;
      gradient[members[a + 1]] -= w * loser;
      continue;
    }
    let max = -Infinity;
    for (let m = a; m < b; m++) max = Math.max(max, theta[members[m]]);
    let sum = 0;
    for (let m = a; m < b; m++) sum += (p[m] = Math.exp(theta[members[m]] - max));
    const logSum = max + Math.log(sum);
    const w = weight[f];
    const logChosen = theta[members[a]] - logSum;
    // Kahan-compensated total: ℓ sums up to millions of terms
    const term = w * logChosen - compensation;
    const total = logLikelihood + term;
    compensation = total - logLikelihood - term;
    logLikelihood = total;
    for (let m = a; m < b; m++) p[m] /= sum;
    gradient[members[a]] -= w * Math.expm1(logChosen);
    for (let m = a + 1; m < b; m++) gradient[members[m]] -= w * p[m];
  }
  return { logLikelihood, p, gradient };
}

/** Total weight of the factors each item takes part in: the scale of its gradient entry. @internal */
export function itemExposure(factors: Factors): Float64Array {
  const { start, members, weight } = factors;
  const e = new Float64Array(factors.nItems);
  for (let f = 0; f + 1 < start.length; f++) for (let m = start[f]; m < start[f + 1]; m++) e[members[m]] += weight[f];
  return e;
}

/**
 * The stopping rule shared by every estimator: max_i |∂ℓ/∂θ_i| / (1 + exposure_i) ≤ tolerance.
 * Each gradient entry sums exposure_i terms of size ≤ 1, so float64 can bring it to about
 * EPS·exposure_i: the rule is scaled to the data and reachable.
 * @internal
 */
export function scaledGradientNorm(gradient: Float64Array, exposure: Float64Array, theta: Float64Array, priorVariance: number | undefined): number {
  let worst = 0;
  for (let i = 0; i < gradient.length; i++) {
    const g = priorVariance === undefined ? gradient[i] : gradient[i] - theta[i] / priorVariance;
    worst = Math.max(worst, Math.abs(g) / (1 + exposure[i]));
  }
  return worst;
}

/** Shifts θ to mean zero (the log-likelihood is invariant). @internal */
export function centre(theta: Float64Array): void {
  let mean = 0;
  for (const t of theta) mean += t;
  mean /= theta.length;
  for (let i = 0; i < theta.length; i++) theta[i] -= mean;
}
