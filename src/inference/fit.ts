import { LuceError } from "../errors.js";
import type { Comparison, PlackettLuceObservation } from "../ranking/observations.js";
import { requireIndex, requirePositive } from "../validation/checks.js";
import { covariance } from "./covariance.js";
import { iterativeLuceSpectralRanking, minorizeMaximize, newton, type Estimate, type EstimatorSettings } from "./estimators.js";
import { comparisonFactors, observationFactors, type Factors } from "./factors.js";
import { requireIdentifiable } from "./identifiability.js";
import { evaluateGroups } from "./groups.js";
import { centre } from "./likelihood.js";

/** The estimators: all converge to the same maximum-likelihood estimate. */
export type FitMethod = "newton" | "mm" | "ilsr";

/** A Gaussian prior on each log-strength. */
export interface GaussianPrior {
  /** Its variance σ² > 0 (the prior is N(0, σ²)). */
  readonly variance: number;
}

/** Options of {@link fitBradleyTerry} and {@link fitPlackettLuce}. */
export interface FitOptions {
  /** Number of items (default: the largest index in the data plus one). */
  readonly nItems?: number;
  /** Report log-strengths with this item fixed at 0 (BradleyTerry2's `refcat`); default: centred to mean zero. */
  readonly reference?: number;
  /** A Gaussian prior N(0, variance) on each log-strength: a MAP fit by Newton, fittable on any data. */
  readonly prior?: GaussianPrior;
  /** Estimator; default `"newton"` (the same every time: no choice by timing). */
  readonly method?: FitMethod;
  /**
   * Stop when max_i |∂ℓ/∂θ_i| / (1 + n_i) ≤ tolerance, with n_i the weight of the observations
   * involving item i: scaled to the data, so reachable in float64. Default 1e−12.
   */
  readonly tolerance?: number;
  /** Iteration cap; default 100 for Newton, 100000 for MM and ILSR. */
  readonly maxIterations?: number;
  /** Compute standard errors and the covariance (dense, O(n³)); default: when nItems ≤ 2000. */
  readonly standardErrors?: boolean;
  /** `"elo"` reports log-strengths and errors times 400 / ln 10 (Elo points); default `"log"`. */
  readonly scale?: "log" | "elo";
}

/** A fitted model. */
export interface FitResult {
  /** Estimated log-strengths (centred, or 0 at `reference`), on the requested scale. */
  readonly logStrength: Float64Array;
  /** Standard errors from the observed Fisher information (Laplace with a prior); absent when not computed. */
  readonly stdError?: Float64Array;
  /** Covariance of the log-strengths in the reported gauge; absent when not computed. */
  readonly covariance?: Float64Array[];
  /** The log-likelihood at the estimate (without the prior). */
  readonly logLikelihood: number;
  /** Iterations the estimator took. */
  readonly iterations: number;
  /** Whether the stopping rule was met. */
  readonly converged: boolean;
  /** The estimator used. */
  readonly method: FitMethod;
  /** The multiplier applied to log-strengths: 1, or 400 / ln 10 on the Elo scale. */
  readonly scaleFactor: number;
}

const ELO = 400 / Math.LN10;

/**
 * Maximum-likelihood (or MAP) Bradley–Terry strengths from pairwise comparisons:
 * P(i beats j) = σ(θ_i − θ_j) (eq. 1).
 *
 * Without a prior the data must identify the strengths: every item must win and lose, and the
 * "beats" graph must be strongly connected; otherwise a `LuceError` names the item or the
 * components. Standard errors come from the observed information, as BradleyTerry2's `BTabilities`.
 *
 * @param comparisons - `[winner, loser]` or `[winner, loser, count]` (fractional counts allowed)
 * @param options - gauge, prior, estimator, stopping rule, scale
 * @returns the fit
 * @throws {@link LuceError} for malformed data, non-identifiable data without a prior, bad options
 * @example
 * ```ts
 * const fit = fitBradleyTerry([[0, 1, 3], [1, 0, 1], [1, 2, 2], [2, 1, 2], [0, 2], [2, 0]]);
 * fit.logStrength; // centred log-strengths; fit.stdError their standard errors
 * ```
 */
export function fitBradleyTerry(comparisons: readonly Comparison[], options: FitOptions = {}): FitResult {
  const fn = "fitBradleyTerry";
  return fit(fn, "comparisons", comparisonFactors(fn, comparisons, options.nItems), options);
}

/**
 * Maximum-likelihood (or MAP) Plackett–Luce strengths from rankings: a ranking `[a, b, c]` ranks
 * exactly the items it lists (choix's convention), `{ ranking, of }` is a top-k of a listed set,
 * `[chosen, [others]]` a top-1 choice.
 *
 * @param observations - the rankings and choices
 * @param options - gauge, prior, estimator, stopping rule, scale
 * @returns the fit
 * @throws {@link LuceError} for malformed data, non-identifiable data without a prior, bad options
 * @example
 * ```ts
 * const fit = fitPlackettLuce([[0, 1, 2], [1, 2, 0], [2, 0, 1], [0, 2, 1]]);
 * fit.logStrength;
 * ```
 */
export function fitPlackettLuce(observations: readonly PlackettLuceObservation[], options: FitOptions = {}): FitResult {
  const fn = "fitPlackettLuce";
  return fit(fn, "observations", observationFactors(fn, observations, options.nItems), options);
}

function fit(fn: string, argument: string, factors: Factors, options: FitOptions): FitResult {
  if (options === null || typeof options !== "object") throw new LuceError(fn, "options", "must be an object");
  const method = options.method ?? "newton";
  if (method !== "newton" && method !== "mm" && method !== "ilsr") throw new LuceError(fn, "options.method", `must be "newton", "mm" or "ilsr", got '${String(method)}'`);
  const priorVariance = options.prior === undefined ? undefined : requirePositive(fn, "options.prior.variance", options.prior?.variance);
  if (priorVariance !== undefined && method !== "newton") throw new LuceError(fn, "options.method", "must be 'newton' with a prior (MAP is fitted by Newton)");
  const reference = options.reference === undefined ? undefined : requireIndex(fn, "options.reference", options.reference, factors.nItems);
  const tolerance = options.tolerance === undefined ? 1e-12 : requirePositive(fn, "options.tolerance", options.tolerance);
  const maxIterations = options.maxIterations === undefined ? (method === "newton" ? 100 : 100_000) : requireIndex(fn, "options.maxIterations", options.maxIterations);
  const scale = options.scale ?? "log";
  if (scale !== "log" && scale !== "elo") throw new LuceError(fn, "options.scale", `must be "log" or "elo", got '${String(scale)}'`);
  if (priorVariance === undefined) requireIdentifiable(fn, argument, factors);

  const settings: EstimatorSettings = { tolerance, maxIterations, priorVariance };
  const estimate: Estimate = method === "newton" ? newton(factors, settings) : method === "mm" ? minorizeMaximize(factors, settings) : iterativeLuceSpectralRanking(factors, settings);
  const theta = estimate.theta;
  if (priorVariance === undefined) centre(theta);
  const logLikelihood = evaluateGroups(factors, theta).logLikelihood;
  const wantErrors = options.standardErrors ?? factors.nItems <= 2000;
  const cov = wantErrors ? covariance(factors, theta, priorVariance, reference) : undefined;
  const reported = reference === undefined ? theta : theta.map((t) => t - theta[reference]);
  const factor = scale === "elo" ? ELO : 1;
  return {
    logStrength: reported.map((t) => t * factor),
    ...(cov === undefined
      ? {}
      : { stdError: Float64Array.from(cov, (row, i) => Math.sqrt(Math.max(0, row[i])) * factor), covariance: cov.map((row) => row.map((v) => v * factor * factor)) }),
    logLikelihood,
    iterations: estimate.iterations,
    converged: estimate.converged,
    method,
    scaleFactor: factor,
  };
}
