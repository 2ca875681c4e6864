import { expandFactors, type Factors } from "./factors.js";
import { dampedNewton, type NewtonProblem } from "../numerics/damped-newton.js";
import { addCompensated, settleCompensated } from "./compensated.js";
import { evaluateGroups, groupInformationDiagonal, groupInformationTimes, type GroupState } from "./groups.js";
import type { WinsAndLosses } from "./identifiability.js";
import { centre, itemExposure, largest, scaledGradientNorm, stallDetector } from "./stopping-rule.js";

/** What an estimator returns. @internal */
export interface Estimate {
  readonly theta: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  /** Why the estimator stopped without converging, when it did. */
  readonly stopped?: string;
}

/** Settings every estimator takes. @internal */
export interface EstimatorSettings {
  readonly tolerance: number;
  readonly maxIterations: number;
  /** Gaussian prior variance (MAP); Newton only. */
  readonly priorVariance?: number;
  /** Newton's starting point (not changed; the origin when absent), e.g. {@link winLossLogOdds}. */
  readonly start?: Float64Array;
}

/** Newton's state: the groups' sums at a point, and the objective's gradient (with the prior's term). */
interface NewtonState {
  readonly groups: GroupState;
  readonly gradient: Float64Array;
  readonly value: number;
}

/**
 * Newton's method on the log-likelihood (plus a Gaussian log-prior) through {@link dampedNewton}, with
 * the Newton system solved by conjugate gradients preconditioned by the information's diagonal,
 * matrix-free (the information is a sum over factors, so a product costs one pass over the data).
 * Without a prior the information is singular along the all-ones vector; the right-hand side and the
 * step are kept orthogonal to it. It stops when the scaled gradient is within the tolerance and the
 * Newton step is within √tolerance (then taken): on a flat tail of the likelihood the gradient is
 * tiny far from the maximum, but the step, which measures the distance to it, is not.
 * @internal
 */
export function newton(factors: Factors, settings: EstimatorSettings): Estimate {
  const n = factors.nItems;
  const variance = settings.priorVariance;
  const exposure = itemExposure(factors);
  const groups = factors;
  const stepTolerance = Math.sqrt(settings.tolerance);
  const problem: NewtonProblem<NewtonState> = {
    evaluate(x, withValue, reuse) {
      const state = evaluateGroups(groups, x, reuse?.groups, withValue);
      const gradient = reuse?.gradient ?? new Float64Array(n);
      let value = state.logLikelihood;
      for (let i = 0; i < n; i++)
        gradient[i] = variance === undefined ? state.gradient[i] : state.gradient[i] - x[i] / variance;
      if (variance !== undefined && withValue) for (let i = 0; i < n; i++) value -= (x[i] * x[i]) / (2 * variance);
      return { groups: state, gradient, value };
    },
    gradient: (state) => state.gradient,
    value: (state) => state.value,
    direction(state, x) {
      const g = state.gradient;
      const diagonal = groupInformationDiagonal(groups, state.groups);
      if (variance !== undefined) for (let i = 0; i < n; i++) diagonal[i] += 1 / variance;
      // inexact Newton (Eisenstat–Walker forcing): solve only as far as the gradient is small,
      // which keeps superlinear convergence at a fraction of the conjugate-gradient work; once the
      // gradient meets the rule the step only has to be measured (and taken: the point is already
      // within the tolerance), so a tenth of its size in residual is enough
      const forcing =
        scaledGradientNorm(state.groups.gradient, exposure, x, variance) <= settings.tolerance
          ? 0.1
          : Math.min(0.1, Math.sqrt(Math.sqrt(dot(g, g))));
      return conjugateGradient(
        n,
        (v, out) => {
          groupInformationTimes(groups, state.groups, v, out);
          if (variance !== undefined) for (let i = 0; i < n; i++) out[i] += v[i] / variance;
        },
        g,
        diagonal,
        variance === undefined,
        forcing,
      );
    },
    converged: (state, x, step) =>
      scaledGradientNorm(state.groups.gradient, exposure, x, variance) <= settings.tolerance &&
      largest(step) <= stepTolerance,
    normalize: variance === undefined ? centre : undefined,
  };
  const result = dampedNewton(problem, settings.start?.slice() ?? new Float64Array(n), settings.maxIterations);
  return { theta: result.x, iterations: result.iterations, converged: result.converged, stopped: result.stopped };
}

/**
 * The widest spread (largest minus smallest entry) of {@link winLossLogOdds} that Newton's method starts from:
 * within it every comparison's curvature w·σ(d)σ(−d) is at least e^−50 of its weight, so that a start beyond
 * the estimate is not on the likelihood's flat tail, where the gradient and the step both vanish and the stopping
 * rule cannot tell the point from the maximum. Wider data start from the origin and approach it from inside.
 */
const LOG_ODDS_START_SPREAD = 50;

/**
 * A starting point for Newton's method without a prior: each item's log-odds of winning, log(W_i / L_i) from its
 * wins and losses (see {@link WinsAndLosses}), centred and times (n − 1)/n: to first order log(W_i / L_i) is θ_i
 * less the mean of the others, n/(n − 1)·θ_i when centred (two items: exactly). It has the estimate's signs and
 * order of size, which spares Newton's method a step or two from the origin. The origin instead when an item lacks
 * wins or losses (which the fit's identifiability check excludes) or the spread exceeds
 * {@link LOG_ODDS_START_SPREAD}.
 * @internal
 */
export function winLossLogOdds({ wins, losses }: WinsAndLosses): Float64Array {
  const n = wins.length;
  const theta = new Float64Array(n);
  for (let i = 0; i < n; i++) theta[i] = ((n - 1) / n) * (Math.log(wins[i]) - Math.log(losses[i]));
  let low = Infinity;
  let high = -Infinity;
  for (const t of theta) {
    low = Math.min(low, t);
    high = Math.max(high, t);
  }
  // NaN or infinite entries fail the test too
  if (!(high - low <= LOG_ODDS_START_SPREAD)) return new Float64Array(n);
  centre(theta);
  return theta;
}

/**
 * The stopping rule of MM and ILSR, the same as Newton's: the scaled gradient within the tolerance and
 * the Newton step from θ within √tolerance. When it holds θ takes that step (a polish: the remaining
 * error is second order in it) and true is returned. The step is computed only once the gradient is
 * small, so it costs nothing on the way there.
 */
function polishedIfConverged(groups: Factors, theta: Float64Array, exposure: Float64Array, tolerance: number): boolean {
  const state = evaluateGroups(groups, theta, undefined, false);
  if (scaledGradientNorm(state.gradient, exposure, theta, undefined) > tolerance) return false;
  const step = conjugateGradient(
    theta.length,
    (v, out) => groupInformationTimes(groups, state, v, out),
    state.gradient,
    groupInformationDiagonal(groups, state),
    true,
    0,
  );
  if (largest(step) > Math.sqrt(tolerance)) return false;
  for (let i = 0; i < theta.length; i++) theta[i] += step[i];
  centre(theta);
  return true;
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
  // solve for b / max|b_i| and scale back: on a flat tail |b| can be 1e-254, whose square underflows
  const size = largest(b);
  if (size === 0 || !Number.isFinite(size)) return new Float64Array(n);
  // and A by its largest diagonal entry: a diagonal of 1e-309 would overflow the preconditioner's 1/d
  const scale = largest(diagonal);
  if (!(scale > 0 && scale < Infinity)) return new Float64Array(n);
  diagonal = diagonal.map((v) => v / scale);
  const unscaledTimes = times;
  times = (v, out) => {
    unscaledTimes(v, out);
    for (let i = 0; i < n; i++) out[i] /= scale;
  };
  const r = b.map((v) => v / size);
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
  for (let i = 0; i < n; i++) x[i] *= size / scale;
  return x;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * The MM and ILSR loops' stopping test at `theta`: converged (once Newton's polish confirms it), stalled, or
 * undefined to go on.
 */
function stopAt(
  groups: Factors,
  theta: Float64Array,
  exposure: Float64Array,
  tolerance: number,
  stall: ReturnType<typeof stallDetector>,
  iteration: number,
): Estimate | undefined {
  const norm = scaledGradientNorm(evaluateGroups(groups, theta, undefined, false).gradient, exposure, theta, undefined);
  if (norm <= tolerance && polishedIfConverged(groups, theta, exposure, tolerance))
    return { theta, iterations: iteration, converged: true };
  if (stall.observe(norm)) return { theta, iterations: iteration, converged: false, stopped: stalled(stall.best) };
  return undefined;
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
  const compensation = new Float64Array(n);
  for (let f = 0; f + 1 < start.length; f++) addCompensated(wins, compensation, members[start[f]], weight[f]);
  settleCompensated(wins, compensation);
  const theta = new Float64Array(n);
  const denominator = new Float64Array(n);
  const stall = stallDetector(MM_STALL_CHECKS);
  for (let iteration = 0; iteration < settings.maxIterations; iteration++) {
    if (iteration % MM_CHECK_EVERY === 0) {
      const stop = stopAt(groups, theta, exposure, settings.tolerance, stall, iteration);
      if (stop !== undefined) return stop;
    }
    denominator.fill(0);
    for (let f = 0; f + 1 < start.length; f++) {
      let sum = 0;
      for (let m = start[f]; m < start[f + 1]; m++) sum += Math.exp(theta[members[m]]);
      const share = weight[f] / sum;
      for (let m = start[f]; m < start[f + 1]; m++) addCompensated(denominator, compensation, members[m], share);
    }
    settleCompensated(denominator, compensation);
    for (let i = 0; i < n; i++) theta[i] = Math.log(wins[i]) - Math.log(denominator[i]);
    centre(theta);
  }
  return { theta, iterations: settings.maxIterations, converged: false, stopped: capped(settings.maxIterations) };
}

/** MM checks its stopping rule every this many sweeps (a check costs about one sweep). */
const MM_CHECK_EVERY = 5;
/** MM stops as stalled after this many checks without a new best scaled gradient. */
const MM_STALL_CHECKS = 200;
/** ILSR stops as stalled after this many iterations without a new best scaled gradient. */
const ILSR_STALL_ITERATIONS = 20;

const ILSR_UNDERFLOW =
  "its stationary distribution underflows float64 (strengths too far apart for ILSR): use Newton or MM";

function stalled(best: number): string {
  return `it stalled: the scaled gradient stopped decreasing at ${best.toPrecision(3)}, above the tolerance`;
}

function capped(maxIterations: number): string {
  return `it reached maxIterations (${maxIterations}) before the stopping rule held`;
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
  const compensation = new Float64Array(n);
  const inflow = new Float64Array(1);
  const lost = new Float64Array(1);
  const stall = stallDetector(ILSR_STALL_ITERATIONS);
  for (let iteration = 0; iteration < settings.maxIterations; iteration++) {
    const stop = stopAt(groups, theta, exposure, settings.tolerance, stall, iteration);
    if (stop !== undefined) return stop;
    outRate.fill(0);
    for (let f = 0; f + 1 < start.length; f++) {
      let sum = 0;
      for (let m = start[f]; m < start[f + 1]; m++) sum += Math.exp(theta[members[m]]);
      rate[f] = weight[f] / sum;
      for (let m = start[f] + 1; m < start[f + 1]; m++) addCompensated(outRate, compensation, members[m], rate[f]);
    }
    settleCompensated(outRate, compensation);
    // stationary distribution: π_i · out_i = Σ_{j → i} π_j · rate, by Gauss–Seidel from the current γ
    const pi = theta.map(Math.exp);
    for (let sweep = 0; sweep < 200; sweep++) {
      let change = 0;
      for (let i = 0; i < n; i++) {
        // compensated: an item can have millions of incoming rates
        inflow[0] = 0;
        lost[0] = 0;
        for (let e = inStart[i]; e < inStart[i + 1]; e++)
          addCompensated(inflow, lost, 0, pi[inFrom[e]] * rate[inFactor[e]]);
        const next = (inflow[0] + lost[0]) / outRate[i];
        change = Math.max(change, Math.abs(next - pi[i]) / next);
        pi[i] = next;
      }
      let total = 0;
      for (const v of pi) total += v;
      for (let i = 0; i < n; i++) pi[i] /= total;
      if (change < 1e-13) break;
    }
    // a stationary probability that underflows (strengths more than ~745 apart) has no logarithm:
    // keep the last finite iterate and say so rather than return −∞ or NaN
    if (!pi.every((p) => p > 0 && p < Infinity))
      return { theta, iterations: iteration + 1, converged: false, stopped: ILSR_UNDERFLOW };
    for (let i = 0; i < n; i++) theta[i] = Math.log(pi[i]);
    centre(theta);
  }
  return { theta, iterations: settings.maxIterations, converged: false, stopped: capped(settings.maxIterations) };
}
