import { LuceError } from "../errors.js";
import type { Comparison, PlackettLuceObservation } from "../ranking/observations.js";
import {
  describe,
  requireArrayLike,
  requireBoolean,
  requireIndex,
  requireOptions,
  requirePositive,
} from "../validation/checks.js";
import { gaugeErrors, information, type GaugeErrors, type SparseSymmetric } from "./covariance.js";
import {
  iterativeLuceSpectralRanking,
  minorizeMaximize,
  newton,
  winLossLogOdds,
  type Estimate,
  type EstimatorSettings,
} from "./estimators.js";
import {
  comparisonFactors,
  observationFactors,
  readNumberColumn,
  type ComparisonColumns,
  type Factors,
} from "./factors.js";
import { requireExtendedIdentifiable, requireIdentifiable } from "./identifiability.js";
import { allPairs, evaluateGroups, type GroupState } from "./groups.js";
import { centre } from "./stopping-rule.js";
import { fitExtended, type ExtendedData } from "./bradley-terry-extended.js";
import { normalizeComparisons } from "../ranking/observations.js";

/** The estimators: all converge to the same maximum-likelihood estimate. */
export type FitMethod = "newton" | "mm" | "ilsr";

/** A Gaussian prior on each log-strength. */
export interface GaussianPrior {
  /** Its variance σ² > 0 (the prior is N(0, σ²)). */
  readonly variance: number;
}

/** Options of {@link fitBradleyTerry} and {@link fitPlackettLuce}. */
export interface FitOptions {
  /**
   * Number of items, at most 2^24 (default: the largest index in the data plus one, which may be at most
   * twice the number of distinct items in the data, or 1024: a larger gap needs `nItems`).
   */
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
  /**
   * Iteration cap; default 100 for Newton, 100000 for MM, 1000 for ILSR. MM and ILSR also stop early,
   * not converged, when their scaled gradient has stopped decreasing (see {@link FitResult.warning}).
   */
  readonly maxIterations?: number;
  /**
   * Compute standard errors (one dense Cholesky factorisation, O(n³)) and offer the covariance; default:
   * when nItems ≤ 2000.
   */
  readonly standardErrors?: boolean;
  /** `"elo"` reports log-strengths and errors times 400 / ln 10 (Elo points); default `"log"`. */
  readonly scale?: "log" | "elo";
}

/** Options of {@link fitBradleyTerry}: those of every fit, plus an order effect. */
export interface BradleyTerryFitOptions extends FitOptions {
  /**
   * Fit an order effect (home advantage) α: P(w beats l) = σ(θ_w − θ_l + α·h_c), one h_c per
   * comparison: +1 when the winner had the advantage (played at home), −1 when the loser did,
   * 0 when neither. As BradleyTerry2's `~ team + at.home`. Newton only, no prior.
   */
  readonly orderEffect?: ArrayLike<number>;
  /**
   * Tied pairs `[a, b]` or `[a, b, count]`: fits Davidson's (1970) model, where a, tie, b have
   * probabilities proportional to π_a, ν√(π_a π_b), π_b, and estimates log ν. Newton only, no prior.
   */
  readonly ties?: readonly Comparison[];
  /** Order effect of each tie: +1 when its first item had the advantage, −1 the second, 0 neither. */
  readonly tieOrderEffect?: ArrayLike<number>;
}

/** Davidson's tie parameter, on the log scale: δ = log ν. */
export interface TieParameter {
  /** log ν. */
  readonly estimate: number;
  /** Its standard error, when standard errors were computed. */
  readonly stdError?: number;
}

/** An estimated order effect (home advantage) on the log-strength scale (or Elo). */
export interface OrderEffect {
  /** α: the log-odds added for the advantaged side. */
  readonly estimate: number;
  /** Its standard error, when standard errors were computed. */
  readonly stdError?: number;
}

/** A fitted model. */
export interface FitResult {
  /** Estimated log-strengths (centred, or 0 at `reference`), on the requested scale. */
  readonly logStrength: Float64Array;
  /** Standard errors from the observed Fisher information (Laplace with a prior); absent when not computed. */
  readonly stdError?: Float64Array;
  /**
   * Covariance of the log-strengths in the reported gauge, on the requested scale; present exactly when
   * `stdError` is. Formed when first read (O(n³), from the factorisation the standard errors came from,
   * which the result holds until then: O(n²) memory) and the same arrays on every later read.
   */
  readonly covariance?: Float64Array[];
  /** The log-likelihood at the estimate (without the prior). */
  readonly logLikelihood: number;
  /** Iterations the estimator took. */
  readonly iterations: number;
  /**
   * Whether the stopping rule was met: the scaled gradient within the tolerance, and for Newton also its
   * last step within √tolerance (a flat tail of the likelihood has a tiny gradient far from the maximum).
   */
  readonly converged: boolean;
  /** Why the result is not to be trusted as it stands (no convergence, no standard errors), when it is not. */
  readonly warning?: string;
  /** The estimator used. */
  readonly method: FitMethod;
  /** The multiplier applied to log-strengths: 1, or 400 / ln 10 on the Elo scale. */
  readonly scaleFactor: number;
  /** The order effect, when `orderEffect` was given. */
  readonly orderEffect?: OrderEffect;
  /** Davidson's tie parameter, when `ties` were given. */
  readonly tieParameter?: TieParameter;
}

const ELO = 400 / Math.LN10;

/** The keys of {@link FitOptions}: any other key is a misspelling, refused rather than ignored. */
const FIT_OPTION_KEYS = [
  "nItems",
  "reference",
  "prior",
  "method",
  "tolerance",
  "maxIterations",
  "standardErrors",
  "scale",
] as const;

/** The keys of {@link BradleyTerryFitOptions}. */
const BRADLEY_TERRY_OPTION_KEYS = [...FIT_OPTION_KEYS, "orderEffect", "ties", "tieOrderEffect"] as const;

/** The keys of {@link GaussianPrior}. */
const PRIOR_KEYS = ["variance"] as const;

/**
 * Maximum-likelihood (or MAP) Bradley–Terry strengths from pairwise comparisons:
 * P(i beats j) = σ(θ_i − θ_j) (eq. 1).
 *
 * Without a prior the data must identify the strengths: every item must win and lose, and the
 * "beats" graph must be strongly connected; otherwise a `LuceError` names the item or the
 * components. Standard errors come from the observed information, as BradleyTerry2's `BTabilities`.
 *
 * @param comparisons - `[winner, loser]` or `[winner, loser, count]` tuples (fractional counts
 *   allowed), or {@link ComparisonColumns} for data in the millions
 * @param options - gauge, prior, estimator, stopping rule, scale, order effect
 * @returns the fit
 * @throws {@link LuceError} for malformed data, non-identifiable data without a prior, bad options
 * @example
 * ```ts
 * const fit = fitBradleyTerry([[0, 1, 3], [1, 0, 1], [1, 2, 2], [2, 1, 2], [0, 2], [2, 0]]);
 * fit.logStrength; // centred log-strengths; fit.stdError their standard errors
 * ```
 */
export function fitBradleyTerry(
  comparisons: readonly Comparison[] | ComparisonColumns,
  options: BradleyTerryFitOptions = {},
): FitResult {
  const fn = "fitBradleyTerry";
  // one read of every option into a plain object: getters cannot change a value after its check
  options = { ...requireOptions(fn, "options", options, BRADLEY_TERRY_OPTION_KEYS) };
  const factors = comparisonFactors(fn, comparisons, options.nItems);
  if (options.orderEffect !== undefined || options.ties !== undefined || options.tieOrderEffect !== undefined)
    return fitExtendedModel(fn, factors, options);
  return fit(fn, "comparisons", factors, options);
}

function fitExtendedModel(fn: string, factors: Factors, options: BradleyTerryFitOptions): FitResult {
  const n = factors.nItems;
  const advantage = (values: unknown, name: string, count: number): Float64Array => {
    const length = requireArrayLike(fn, name, values).length;
    if (length !== count)
      throw new LuceError(
        fn,
        name,
        `has ${length} entries for ${count} ${name.includes("tie") ? "ties" : "comparisons"}`,
      );
    const h = readNumberColumn(fn, name, values, count);
    h.forEach((v, c) => {
      if (v !== 1 && v !== -1 && v !== 0) throw new LuceError(fn, `${name}[${c}]`, `must be +1, -1 or 0, got ${v}`);
    });
    return h;
  };
  let ties: ExtendedData["ties"] = null;
  if (options.ties !== undefined) {
    const t = normalizeComparisons(fn, options.ties, n, "options.ties");
    if (t.winners.length === 0)
      throw new LuceError(fn, "options.ties", "is empty: leave it out for a model without ties");
    ties = {
      a: t.winners,
      b: t.losers,
      weight: t.counts,
      advantage:
        options.tieOrderEffect === undefined
          ? new Float64Array(t.winners.length)
          : advantage(options.tieOrderEffect, "options.tieOrderEffect", t.winners.length),
    };
  } else if (options.tieOrderEffect !== undefined) {
    throw new LuceError(fn, "options.tieOrderEffect", "needs options.ties");
  }
  const winAdvantage =
    options.orderEffect === undefined
      ? options.tieOrderEffect === undefined
        ? null
        : new Float64Array(factors.weight.length)
      : advantage(options.orderEffect, "options.orderEffect", factors.weight.length);
  if (options.prior !== undefined)
    throw new LuceError(fn, "options.prior", "is not supported with an order effect or ties");
  if ((options.method ?? "newton") !== "newton")
    throw new LuceError(fn, "options.method", "must be 'newton' with an order effect or ties");
  const { reference, tolerance, maxIterations, factor, wantErrors } = commonOptions(fn, factors, options);
  requireIdentifiable(fn, "comparisons", ties === null ? factors : withTiesBothWays(factors, ties));
  requireExtendedIdentifiable(fn, "comparisons", factors, winAdvantage, ties);
  const est = fitExtended({ wins: factors, winAdvantage, ties }, tolerance, maxIterations);
  const size = est.information.length;
  const errors = wantErrors ? gaugeErrors(est.information, n, reference, false) : undefined;
  const theta = reference === undefined ? est.theta : est.theta.map((t) => t - est.theta[reference]);
  const se = (i: number, scale = factor) => (errors == null ? {} : { stdError: standardError(errors, i) * scale });
  return withCovariance(errors, n, factor, {
    logStrength: theta.map((t) => t * factor),
    ...stdErrors(errors, n, factor),
    logLikelihood: est.logLikelihood,
    iterations: est.iterations,
    ...outcome(fn, "newton", est.converged, est.stopped, errors),
    method: "newton",
    scaleFactor: factor,
    ...(winAdvantage === null ? {} : { orderEffect: { estimate: est.alpha * factor, ...se(n) } }),
    ...(ties === null
      ? {}
      : {
          tieParameter: { estimate: est.delta, ...se(size - 1, 1) },
        }),
  });
}

/** √variance of parameter i; a variance rounded below zero (a true one of about 0) reads as 0. */
function standardError(errors: GaugeErrors, i: number): number {
  return Math.sqrt(Math.max(0, errors.variance[i]));
}

/** The log-strengths' standard errors on the reported scale, when computed. */
function stdErrors(errors: GaugeErrors | null | undefined, n: number, factor: number): { stdError?: Float64Array } {
  return errors == null
    ? {}
    : { stdError: Float64Array.from({ length: n }, (_, i) => standardError(errors, i) * factor) };
}

/**
 * The result with `covariance` (the log-strengths' block, on the reported scale) as an enumerable
 * getter when errors were computed: formed on its first read, then kept. It costs half as much again as
 * the factorisation the standard errors took, which callers who read only `stdError` never pay.
 */
function withCovariance(
  errors: GaugeErrors | null | undefined,
  n: number,
  factor: number,
  result: FitResult,
): FitResult {
  if (errors == null) return result;
  let covariance: Float64Array[] | undefined;
  return Object.defineProperty(result, "covariance", {
    enumerable: true,
    get: () =>
      (covariance ??= errors
        .covariance()
        .slice(0, n)
        .map((row) => row.slice(0, n).map((v) => v * factor * factor))),
  });
}

/** Wins plus each tie as a win both ways: the graph whose strong connectivity identifies the Davidson model. */
function withTiesBothWays(wins: Factors, ties: NonNullable<ExtendedData["ties"]>): Factors {
  const m = ties.a.length;
  const count = wins.weight.length + 2 * m;
  const start = Int32Array.from({ length: count + 1 }, (_, i) => 2 * i);
  const members = new Int32Array(2 * count);
  members.set(wins.members);
  for (let t = 0; t < m; t++) {
    const at = wins.members.length + 4 * t;
    members[at] = ties.a[t];
    members[at + 1] = ties.b[t];
    members[at + 2] = ties.b[t];
    members[at + 3] = ties.a[t];
  }
  return {
    nItems: wins.nItems,
    start,
    members,
    factors: new Int32Array(count).fill(1),
    weight: new Float64Array(count).fill(1),
  };
}

/**
 * `converged` and `warning` of a fit: not converged when the estimator stopped early, or when standard
 * errors were asked for and the information at the estimate is not numerically positive definite (a
 * NaN, infinite or negative variance is never reported as a number: the errors are left out instead).
 */
function outcome(
  fn: string,
  method: FitMethod,
  converged: boolean,
  stopped: string | undefined,
  errors: GaugeErrors | null | undefined,
): { converged: boolean; warning?: string } {
  const reasons: string[] = [];
  if (stopped !== undefined)
    reasons.push(`the ${method} estimator did not converge (${stopped}); the estimate is its last iterate`);
  if (errors === null)
    reasons.push(
      "no standard errors: the observed information at the estimate is numerically singular " +
        "(the data barely identify it, or counts are too extreme for float64)",
    );
  return reasons.length === 0
    ? { converged }
    : { converged: converged && errors !== null, warning: `${fn}: ${reasons.join("; ")}` };
}

/** Validates the options every fit shares. */
function commonOptions(fn: string, factors: Factors, options: FitOptions) {
  const method = options.method ?? "newton";
  const reference =
    options.reference === undefined
      ? undefined
      : requireIndex(fn, "options.reference", options.reference, factors.nItems);
  const tolerance =
    options.tolerance === undefined ? 1e-12 : requirePositive(fn, "options.tolerance", options.tolerance);
  const maxIterations =
    options.maxIterations === undefined
      ? method === "newton"
        ? 100
        : method === "mm"
          ? 100_000
          : 1_000
      : requireIndex(fn, "options.maxIterations", options.maxIterations);
  const scale = options.scale ?? "log";
  if (scale !== "log" && scale !== "elo")
    throw new LuceError(fn, "options.scale", `must be "log" or "elo", got ${describe(scale)}`);
  const wantErrors =
    options.standardErrors === undefined
      ? factors.nItems <= 2000
      : requireBoolean(fn, "options.standardErrors", options.standardErrors);
  return { method, reference, tolerance, maxIterations, factor: scale === "elo" ? ELO : 1, wantErrors };
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
  options = { ...requireOptions(fn, "options", options, FIT_OPTION_KEYS) };
  return fit(fn, "observations", observationFactors(fn, observations, options.nItems), options);
}

/** The information at θ, plus the prior's precision 1/σ² on the diagonal when there is one. */
function informationWithPrior(
  factors: Factors,
  theta: Float64Array,
  state: GroupState,
  priorVariance: number | undefined,
): SparseSymmetric {
  const info = information(factors, theta, state);
  if (priorVariance !== undefined) for (let i = 0; i < info.size; i++) info.diagonal[i] += 1 / priorVariance;
  return info;
}

function fit(fn: string, argument: string, factors: Factors, options: FitOptions): FitResult {
  const { method, reference, tolerance, maxIterations, factor, wantErrors } = commonOptions(fn, factors, options);
  if (method !== "newton" && method !== "mm" && method !== "ilsr")
    throw new LuceError(fn, "options.method", `must be "newton", "mm" or "ilsr", got ${describe(method)}`);
  const prior =
    options.prior === undefined ? undefined : requireOptions(fn, "options.prior", options.prior, PRIOR_KEYS);
  const priorVariance = prior === undefined ? undefined : requirePositive(fn, "options.prior.variance", prior.variance);
  if (priorVariance !== undefined && method !== "newton")
    throw new LuceError(fn, "options.method", "must be 'newton' with a prior (MAP is fitted by Newton)");
  const counted = priorVariance === undefined ? requireIdentifiable(fn, argument, factors) : undefined;

  // the log-odds start is exact for two items and close for pairwise data; rankings' wins and losses (first against
  // the rest) say less of the strengths, and on sparse rankings such a start costs Newton iterations
  const start =
    counted !== undefined && method === "newton" && allPairs(factors.start) ? winLossLogOdds(counted) : undefined;
  const settings: EstimatorSettings = { tolerance, maxIterations, priorVariance, start };
  const estimate: Estimate =
    method === "newton"
      ? newton(factors, settings)
      : method === "mm"
        ? minorizeMaximize(factors, settings)
        : iterativeLuceSpectralRanking(factors, settings);
  const theta = estimate.theta;
  if (priorVariance === undefined) centre(theta);
  const state = evaluateGroups(factors, theta);
  const logLikelihood = state.logLikelihood;
  const errors = wantErrors
    ? gaugeErrors(
        informationWithPrior(factors, theta, state, priorVariance),
        factors.nItems,
        reference,
        priorVariance !== undefined,
      )
    : undefined;
  const reported = reference === undefined ? theta : theta.map((t) => t - theta[reference]);
  return withCovariance(errors, factors.nItems, factor, {
    logStrength: reported.map((t) => t * factor),
    ...stdErrors(errors, factors.nItems, factor),
    logLikelihood,
    iterations: estimate.iterations,
    ...outcome(fn, method, estimate.converged, estimate.stopped, errors),
    method,
    scaleFactor: factor,
  });
}
