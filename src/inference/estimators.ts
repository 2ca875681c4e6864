import { expandFactors, type Factors } from "./factors.js";
import { evaluateGroups, groupInformationDiagonal, groupInformationTimes, type GroupState } from "./groups.js";
import { centre, itemExposure, scaledGradientNorm } from "./stopping-rule.js";

/** What an estimator returns. @internal */
export interface Estimate {
  readonly theta: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
}

/** Settings every estimator takes. @internal */
export interface EstimatorSettings {
  readonly tolerance: number;
  readonly maxIterations: number;
  /** Gaussian prior variance (MAP); Newton only. */
  readonly priorVariance?: number;
}

/**
 * Newton's method on the log-likelihood (plus a Gaussian log-prior), with the Newton system solved
 * by conjugate gradients preconditioned by the information's diagonal, matrix-free (the
 * information is a sum over factors, so a product costs one pass over the data), and a
 * backtracking line search. Without a prior the information is singular along the all-ones
 * vector; the right-hand side and the step are kept orthogonal to it.
 * @internal
 */
export function newton(factors: Factors, settings: EstimatorSettings): Estimate {
  const n = factors.nItems;
  const variance = settings.priorVariance;
  const exposure = itemExposure(factors);
  const groups = factors;
  const theta = new Float64Array(n);
  const objective = (t: Float64Array, ll: number) =>
    variance === undefined ? ll : ll - t.reduce((a, x) => a + x * x, 0) / (2 * variance);
  // two work states, swapped when a trial step is accepted: no allocation per iteration
  let state = evaluateGroups(groups, theta, undefined, false);
  let spare: GroupState = {
    ...state,
    gradient: new Float64Array(n),
    e: new Float64Array(state.e.length),
    inverseSuffix: new Float64Array(state.e.length),
    prefixInverse: new Float64Array(state.e.length),
    scratch: new Float64Array(state.e.length),
  };
  for (let iteration = 0; iteration < settings.maxIterations; iteration++) {
    const g = Float64Array.from(state.gradient, (x, i) => (variance === undefined ? x : x - theta[i] / variance));
    if (scaledGradientNorm(state.gradient, exposure, theta, variance) <= settings.tolerance)
      return { theta, iterations: iteration, converged: true };
    const diagonal = groupInformationDiagonal(groups, state);
    // inexact Newton (Eisenstat–Walker forcing): solve only as far as the gradient is small,
    // which keeps superlinear convergence at a fraction of the conjugate-gradient work
    const forcing = Math.min(0.1, Math.sqrt(Math.sqrt(g.reduce((a, x) => a + x * x, 0))));
    const current = state;
    const step = conjugateGradient(
      n,
      (v, out) => {
        groupInformationTimes(groups, current, v, out);
        if (variance !== undefined) for (let i = 0; i < n; i++) out[i] += v[i] / variance;
      },
      g,
      diagonal.map((d) => d + (variance === undefined ? 0 : 1 / variance)),
      variance === undefined,
      forcing,
    );
    const slope = step.reduce((a, s, i) => a + s * g[i], 0);
    const currentNorm = scaledGradientNorm(state.gradient, exposure, theta, variance);
    let value = Number.NaN;
    let t = 1;
    for (let halvings = 0; halvings < 50; halvings++) {
      const trial = theta.map((x, i) => x + t * step[i]);
      // the objective is concave: if its slope along the step is still ≥ 0 at the trial point, it
      // increased all the way there, and ℓ need not be computed (its logarithms are half the cost)
      let next = evaluateGroups(groups, trial, spare, false);
      let along = 0;
      for (let i = 0; i < n; i++)
        along += step[i] * (variance === undefined ? next.gradient[i] : next.gradient[i] - trial[i] / variance);
      let accept = along >= 0 || scaledGradientNorm(next.gradient, exposure, trial, variance) < currentNorm;
      if (!accept) {
        // otherwise Armijo on the objective itself
        if (Number.isNaN(value)) value = objective(theta, evaluateGroups(groups, theta, undefined, true).logLikelihood);
        next = evaluateGroups(groups, trial, spare, true);
        accept = objective(trial, next.logLikelihood) >= value + 1e-4 * t * slope;
      }
      if (accept) {
        theta.set(trial);
        spare = state;
        state = next;
        break;
      }
      t /= 2;
    }
    if (t < 2 ** -49) return { theta, iterations: iteration + 1, converged: false };
    if (variance === undefined) centre(theta);
  }
  return { theta, iterations: settings.maxIterations, converged: false };
}

/**
 * Preconditioned conjugate gradients for A x = b with A symmetric positive semi-definite; with
 * `singular`, b and the iterates are projected orthogonally to the all-ones vector.
 */
function conjugateGradient(
  n: number,
  times: (v: Float64Array, out: Float64Array) => void,
  b: Float64Array,
  diagonal: Float64Array,
  singular: boolean,
  relativeResidual: number,
): Float64Array {
  const project = (v: Float64Array) => {
    if (!singular) return;
    let mean = 0;
    for (const x of v) mean += x;
    mean /= n;
    for (let i = 0; i < n; i++) v[i] -= mean;
  };
  const r = Float64Array.from(b);
  project(r);
  const x = new Float64Array(n);
  const z = r.map((v, i) => (diagonal[i] > 0 ? v / diagonal[i] : v));
  project(z);
  const p = Float64Array.from(z);
  const ap = new Float64Array(n);
  let rz = dot(r, z);
  const target = Math.max(relativeResidual ** 2, 1e-28) * dot(r, r);
  for (let it = 0; it < Math.max(50, 4 * Math.sqrt(n)) && dot(r, r) > target; it++) {
    times(p, ap);
    const pap = dot(p, ap);
    if (!(pap > 0)) break;
    const alpha = rz / pap;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
    }
    for (let i = 0; i < n; i++) z[i] = diagonal[i] > 0 ? r[i] / diagonal[i] : r[i];
    project(z);
    const next = dot(r, z);
    const beta = next / rz;
    rz = next;
    for (let i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
  }
  project(x);
  return x;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Hunter's (2004) minorisation–maximisation: γ_i ← W_i / Σ_{f ∋ i} w_f / Σ_{j ∈ f} γ_j, with W_i the
 * weight of the factors item i wins, in log space and re-centred each sweep. Monotone; linear rate.
 * @internal
 */
export function minorizeMaximize(groups: Factors, settings: EstimatorSettings): Estimate {
  const factors = expandFactors(groups);
  const { start, members, weight, nItems: n } = factors;
  const exposure = itemExposure(groups);
  const wins = new Float64Array(n);
  for (let f = 0; f + 1 < start.length; f++) wins[members[start[f]]] += weight[f];
  const theta = new Float64Array(n);
  const denominator = new Float64Array(n);
  for (let iteration = 0; iteration < settings.maxIterations; iteration++) {
    if (
      iteration % 5 === 0 &&
      scaledGradientNorm(evaluateGroups(groups, theta, undefined, false).gradient, exposure, theta, undefined) <=
        settings.tolerance
    ) {
      return { theta, iterations: iteration, converged: true };
    }
    denominator.fill(0);
    for (let f = 0; f + 1 < start.length; f++) {
      let sum = 0;
      for (let m = start[f]; m < start[f + 1]; m++) sum += Math.exp(theta[members[m]]);
      const share = weight[f] / sum;
      for (let m = start[f]; m < start[f + 1]; m++) denominator[members[m]] += share;
    }
    for (let i = 0; i < n; i++) theta[i] = Math.log(wins[i]) - Math.log(denominator[i]);
    centre(theta);
  }
  return { theta, iterations: settings.maxIterations, converged: false };
}

/**
 * Iterative Luce spectral ranking (Maystre and Grossglauser 2015): each outer step builds the
 * Markov chain with rate w_f / Σ_{j ∈ f} γ_j from every loser of factor f to its winner and takes
 * its stationary distribution as the new γ; the fixed point is the maximum-likelihood estimate.
 * The stationary distribution is found by Gauss–Seidel sweeps of the balance equations.
 * @internal
 */
export function iterativeLuceSpectralRanking(groups: Factors, settings: EstimatorSettings): Estimate {
  const factors = expandFactors(groups);
  const { start, members, weight, nItems: n } = factors;
  const exposure = itemExposure(groups);
  const theta = new Float64Array(n);
  // CSR of incoming rates: for each winner, (loser, factor) pairs
  const outRate = new Float64Array(n);
  const inStart = new Int32Array(n + 1);
  for (let f = 0; f + 1 < start.length; f++) inStart[members[start[f]] + 1] += start[f + 1] - start[f] - 1;
  for (let i = 0; i < n; i++) inStart[i + 1] += inStart[i];
  const inFrom = new Int32Array(inStart[n]);
  const inFactor = new Int32Array(inStart[n]);
  const cursor = inStart.slice(0, n);
  for (let f = 0; f + 1 < start.length; f++) {
    const winner = members[start[f]];
    for (let m = start[f] + 1; m < start[f + 1]; m++) {
      inFrom[cursor[winner]] = members[m];
      inFactor[cursor[winner]++] = f;
    }
  }
  const rate = new Float64Array(start.length - 1);
  for (let iteration = 0; iteration < settings.maxIterations; iteration++) {
    if (
      scaledGradientNorm(evaluateGroups(groups, theta, undefined, false).gradient, exposure, theta, undefined) <=
      settings.tolerance
    )
      return { theta, iterations: iteration, converged: true };
    outRate.fill(0);
    for (let f = 0; f + 1 < start.length; f++) {
      let sum = 0;
      for (let m = start[f]; m < start[f + 1]; m++) sum += Math.exp(theta[members[m]]);
      rate[f] = weight[f] / sum;
      for (let m = start[f] + 1; m < start[f + 1]; m++) outRate[members[m]] += rate[f];
    }
    // stationary distribution: π_i · out_i = Σ_{j → i} π_j · rate, by Gauss–Seidel from the current γ
    const pi = theta.map(Math.exp);
    for (let sweep = 0; sweep < 200; sweep++) {
      let change = 0;
      for (let i = 0; i < n; i++) {
        let inflow = 0;
        for (let e = inStart[i]; e < inStart[i + 1]; e++) inflow += pi[inFrom[e]] * rate[inFactor[e]];
        const next = inflow / outRate[i];
        change = Math.max(change, Math.abs(next - pi[i]) / next);
        pi[i] = next;
      }
      let total = 0;
      for (const v of pi) total += v;
      for (let i = 0; i < n; i++) pi[i] /= total;
      if (change < 1e-13) break;
    }
    for (let i = 0; i < n; i++) theta[i] = Math.log(pi[i]);
    centre(theta);
  }
  return { theta, iterations: settings.maxIterations, converged: false };
}
