import type { Factors } from "./factors.js";

/** Total weight of the observations (groups) each item takes part in: the scale of its gradient entry. @internal */
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
export function scaledGradientNorm(
  gradient: Float64Array,
  exposure: Float64Array,
  theta?: Float64Array,
  priorVariance?: number,
): number {
  let worst = 0;
  for (let i = 0; i < gradient.length; i++) {
    const g = priorVariance === undefined ? gradient[i] : gradient[i] - theta![i] / priorVariance;
    worst = Math.max(worst, Math.abs(g) / (1 + exposure[i]));
  }
  return worst;
}

/**
 * The damped-Newton fits' stopping test: the scaled gradient norm ({@link scaledGradientNorm}) within `tolerance`
 * and the last step's largest entry within `stepTolerance`.
 * @internal
 */
export function newtonConverged(
  gradient: Float64Array,
  exposure: Float64Array,
  step: ArrayLike<number>,
  tolerance: number,
  stepTolerance: number,
): boolean {
  return scaledGradientNorm(gradient, exposure) <= tolerance && largest(step) <= stepTolerance;
}

/** The largest |x_i|. @internal */
export function largest(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** Shifts θ to mean zero (the log-likelihood is invariant). @internal */
export function centre(theta: Float64Array): void {
  let mean = 0;
  for (const t of theta) mean += t;
  mean /= theta.length;
  for (let i = 0; i < theta.length; i++) theta[i] -= mean;
}

/**
 * Watches the scaled gradient norm of an iterative estimator: `observe` returns true once `window`
 * observations in a row have not improved on the best so far. An estimator whose rule cannot be met
 * (its fixed point is off by more rounding than the rule allows, or it crawls) then stops at once,
 * not after its iteration cap, and reports that it did not converge.
 * @internal
 */
export function stallDetector(window: number): { observe(norm: number): boolean; readonly best: number } {
  let best = Infinity;
  let since = 0;
  return {
    observe(norm: number): boolean {
      if (norm < best) {
        best = norm;
        since = 0;
        return false;
      }
      return ++since >= window;
    },
    get best() {
      return best;
    },
  };
}
