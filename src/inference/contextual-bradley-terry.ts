import { LuceError } from "../errors.js";
import { matrixProduct } from "../numerics/matrix-product.js";
import { dampedNewton, type NewtonProblem, type NewtonResult } from "../numerics/damped-newton.js";
import { solveDense } from "../numerics/dense-solve.js";
import { logSigmoidUnchecked } from "../numerics/log-sigmoid.js";
import { sigmoidUnchecked } from "../numerics/sigmoid.js";
import {
  copyArrayLike,
  describe,
  requireBoolean,
  requireCount,
  requireFinite,
  requireIndex,
  requireOptions,
  requirePositive,
} from "../validation/checks.js";
import { gaugeErrors } from "./covariance.js";
import { MAX_FIT_ITEMS, type Factors } from "./factors.js";
import { requireIdentifiable } from "./identifiability.js";
import { centre, newtonConverged } from "./stopping-rule.js";

/**
 * Battles for {@link fitContextualBradleyTerry}, one entry per battle in each column: the two models (item
 * indices), the outcome for model A (1 a win, ½ a tie, 0 a loss; any value in [0, 1] is a fractional
 * outcome), an optional weight, and the battle's feature vector (for style control, the differences in
 * style between A's and B's responses, as {@link arenaStyleFeatures} computes them).
 */
export interface ContextualBattles {
  /** Model A of each battle: an index in [0, nItems). */
  readonly modelA: ArrayLike<number>;
  /** Model B of each battle, another model than A. */
  readonly modelB: ArrayLike<number>;
  /** The outcome for model A: 1 a win, ½ a tie, 0 a loss (any value in [0, 1]). */
  readonly outcome: ArrayLike<number>;
  /**
   * Frequency weights (default 1): battle b stands for w_b identical battles, in the likelihood and in the
   * sandwich's G alike; a weight of 0 leaves the battle out.
   */
  readonly weight?: ArrayLike<number>;
  /** One row of features per battle, every row of the same length (possibly 0). */
  readonly features: ArrayLike<ArrayLike<number>>;
}

/** Options of {@link fitContextualBradleyTerry}. */
export interface ContextualFitOptions {
  /** λ ≥ 0 of the ridge penalty (λ/2)‖γ‖² on the feature coefficients only (default 0: none). */
  readonly ridge?: number;
  /** The number of models (default: the largest index + 1); every model must take part in a battle. */
  readonly nItems?: number;
  /** Stop when max_i |∂f/∂x_i| / (1 + exposure_i) ≤ tolerance (default 1e-12) and the step is within √tolerance. */
  readonly tolerance?: number;
  /** Newton iterations at most (default 100). */
  readonly maxIterations?: number;
  /** Compute the model-based and sandwich standard errors and covariances (default true). */
  readonly standardErrors?: boolean;
}

/** Standard errors of the two blocks of parameters. */
export interface ContextualStandardErrors {
  /** Of the centred log-strengths θ. */
  readonly logStrength: Float64Array;
  /** Of the feature coefficients γ. */
  readonly coefficients: Float64Array;
}

/** What {@link fitContextualBradleyTerry} returns. */
export interface ContextualFitResult {
  /** θ, the models' log-strengths adjusted for the features, centred to mean zero. */
  readonly logStrength: Float64Array;
  /** γ, one coefficient per feature: the change in log-odds that model A wins per unit of the feature. */
  readonly coefficients: Float64Array;
  /** Σ_b w_b [o_b log σ(d_b) + (1 − o_b) log σ(−d_b)] at the estimate, without the penalty. */
  readonly logLikelihood: number;
  /** The penalised objective that was maximised: logLikelihood − (ridge/2)‖γ‖². */
  readonly objective: number;
  /** Newton iterations taken. */
  readonly iterations: number;
  /** Whether the stopping rule was met and, with standard errors, they could be computed. */
  readonly converged: boolean;
  /** Why not, when it did not (the estimate is then Newton's last iterate). */
  readonly warning?: string;
  /** Model-based errors: the square roots of the diagonal of H⁺, H the penalised objective's negative Hessian. */
  readonly stdError?: ContextualStandardErrors;
  /** Robust (HC0 sandwich) errors: the square roots of the diagonal of H⁺ G H⁺. */
  readonly sandwichStdError?: ContextualStandardErrors;
  /** H⁺ over (θ, γ) (order nItems + features, θ first), in the centred gauge of θ. */
  readonly covariance?: Float64Array[];
  /** H⁺ G H⁺ in the same layout and gauge. */
  readonly sandwichCovariance?: Float64Array[];
}

const FN = "fitContextualBradleyTerry";
const OPTION_KEYS = ["ridge", "nItems", "tolerance", "maxIterations", "standardErrors"] as const;

/** The battles read once into columns, features flat (row b at b·features). @internal */
export interface ContextualData {
  readonly nItems: number;
  readonly features: number;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly outcome: Float64Array;
  readonly weight: Float64Array;
  readonly x: Float64Array;
  readonly ridge: number;
}

/** The margins d_b = θ_a − θ_b + x_bᵀγ at a point, with the gradient and (when asked) the objective there. */
interface State {
  readonly margin: Float64Array;
  readonly gradient: Float64Array;
  readonly value: number;
}

/**
 * Fits the contextual Bradley–Terry model of style control (Li, Angelopoulos and Chiang, "Does style matter?
 * Disentangling style and substance in Chatbot Arena", LMSYS blog, 2024-08-28,
 * https://lmsys.org/blog/2024-08-28-style-control; Chiang et al., "Chatbot Arena", ICML 2024, arXiv:2403.04132):
 * model A beats model B in battle b with probability σ(θ_a − θ_b + x_bᵀγ), x_b the battle's features (style
 * differences). Maximises
 *
 *   Σ_b w_b [o_b log σ(d_b) + (1 − o_b) log σ(−d_b)] − (ridge/2)‖γ‖²,   d_b = θ_a − θ_b + x_bᵀγ,
 *
 * (a tie, o_b = ½, counts as half a win and half a loss, as the arenas do) by damped Newton, with θ centred to
 * mean zero (the likelihood sees only differences of θ) and the ridge on γ only.
 *
 * Standard errors (unless `standardErrors: false`), in the centred gauge of θ: model-based, from H⁺ with H the
 * negative Hessian of the penalised objective, Σ_b w_b p_b(1 − p_b) z_b z_bᵀ + ridge on γ's diagonal
 * (z_b = e_a − e_b ⊕ x_b, p_b = σ(d_b)); and robust (HC0 sandwich), H⁺ G H⁺ with
 * G = Σ_b w_b (o_b − p_b)² z_b z_bᵀ. H⁺ is the inverse on the complement of θ's all-ones direction (one
 * Cholesky factorisation of H grounded at one model, then centred: see gaugeErrors). Cost per Newton step:
 * battles · (2 + features)² for H and (nItems + features)³ for the step; the covariances cost as much again.
 *
 * @param battles - the battles' columns ({@link ContextualBattles})
 * @param options - {@link ContextualFitOptions}
 * @returns θ and γ, the log-likelihood, and the standard errors and covariances
 * @throws {@link LuceError} for malformed battles (an index that is not a model, a model against itself, an
 * outcome outside [0, 1], a negative or non-finite weight, a feature row of another length or a non-finite
 * feature), a negative ridge, unknown options, or battles that do not identify θ (a model that never wins or
 * never loses, or a group of models that never beats another: θ would diverge whatever the features)
 * @example
 * ```ts
 * const fit = fitContextualBradleyTerry(
 *   { modelA: [0, 1, 2, 0], modelB: [1, 2, 0, 2], outcome: [1, 0.5, 1, 1], features: [[0.3], [-0.1], [0.2], [0]] },
 *   { ridge: 1 },
 * );
 * fit.logStrength; // θ adjusted for the feature
 * fit.coefficients; // γ
 * fit.sandwichStdError?.coefficients; // its robust standard error
 * ```
 */
export function fitContextualBradleyTerry(
  battles: ContextualBattles,
  options?: ContextualFitOptions,
): ContextualFitResult {
  const opts = requireOptions(FN, "options", options, OPTION_KEYS);
  const data = readBattles(battles, opts);
  const tolerance = opts.tolerance === undefined ? 1e-12 : requirePositive(FN, "options.tolerance", opts.tolerance);
  const maxIterations =
    opts.maxIterations === undefined ? 100 : requireCount(FN, "options.maxIterations", opts.maxIterations, 1);
  const wantErrors =
    opts.standardErrors === undefined ? true : requireBoolean(FN, "options.standardErrors", opts.standardErrors);
  requireIdentifiable(
    FN,
    "battles",
    winGraph(data),
    "every group of models must win some battle against the others: features cannot keep θ finite otherwise",
  );

  const result = maximizeContextual(data, new Float64Array(data.nItems + data.features), tolerance, maxIterations);
  const { nItems: n, features: p } = data;
  const x = result.x;
  const state = evaluate(data, x, true);
  let penalty = 0;
  for (let j = 0; j < p; j++) penalty += (data.ridge / 2) * x[n + j] ** 2;
  const reasons: string[] = [];
  if (result.stopped !== undefined)
    reasons.push(`Newton's method did not converge (${result.stopped}); the estimate is its last iterate`);
  const errors = wantErrors ? standardErrors(data, state.margin) : undefined;
  if (errors === null)
    reasons.push(
      "no standard errors: the information at the estimate is numerically singular (a feature constant or " +
        "collinear with the models or with other features: give options.ridge > 0, or drop the feature)",
    );
  return {
    logStrength: x.slice(0, n),
    coefficients: x.slice(n),
    logLikelihood: state.value + penalty,
    objective: state.value,
    iterations: result.iterations,
    converged: result.converged && errors !== null,
    ...(reasons.length === 0 ? {} : { warning: `${FN}: ${reasons.join("; ")}` }),
    ...(errors ?? {}),
  };
}

/**
 * The damped-Newton maximisation behind {@link fitContextualBradleyTerry} on battles already read and checked, from
 * `start` (θ then γ; overwritten with the iterates), with θ centred at every step. It stops when the scaled gradient
 * max |∂/∂x_i| / (1 + exposure_i) is within `tolerance` and the last step within its square root (fitBradleyTerry's
 * rule), exposure_i being the weight of item i's battles (of |x_bj| times the weight for feature j). The caller
 * checks identifiability first: without it θ diverges and the iterations run out.
 * @internal
 */
export function maximizeContextual(
  data: ContextualData,
  start: Float64Array,
  tolerance: number,
  maxIterations: number,
): NewtonResult {
  const { nItems: n, features: p } = data;
  const size = n + p;
  const exposure = new Float64Array(size);
  for (let k = 0; k < data.a.length; k++) {
    exposure[data.a[k]] += data.weight[k];
    exposure[data.b[k]] += data.weight[k];
    for (let j = 0; j < p; j++) exposure[n + j] += data.weight[k] * Math.abs(data.x[k * p + j]);
  }
  const stepTolerance = Math.sqrt(tolerance);
  const problem: NewtonProblem<State> = {
    evaluate: (x, withValue) => evaluate(data, x, withValue),
    gradient: (state) => state.gradient,
    value: (state) => state.value,
    // H is singular along θ's all-ones direction: adding 11ᵀ/n there makes it definite without changing the
    // step orthogonal to it (the gradient has no component along it)
    direction: (state) =>
      solveDense(
        information(data, state.margin).map((row, i) => (i < n ? row.map((v, j) => (j < n ? v + 1 / n : v)) : row)),
        state.gradient,
      ),
    converged: (state, _x, step) => newtonConverged(state.gradient, exposure, step, tolerance, stepTolerance),
    normalize: (x) => centre(x.subarray(0, n)),
  };
  return dampedNewton(problem, start, maxIterations);
}

/** Reads and checks every column once. */
function readBattles(battles: ContextualBattles, opts: Partial<ContextualFitOptions>): ContextualData {
  if (battles === null || typeof battles !== "object" || Array.isArray(battles))
    throw new LuceError(FN, "battles", `must be an object of columns, got ${describe(battles)}`);
  // each column read once (a getter could answer differently on a second read)
  const given = {
    modelA: battles.modelA,
    modelB: battles.modelB,
    outcome: battles.outcome,
    weight: battles.weight,
    features: battles.features,
  };
  for (const key of ["modelA", "modelB", "outcome", "features"] as const)
    if (given[key] === undefined) throw new LuceError(FN, `battles.${key}`, "is missing");
  const modelA = copyArrayLike(FN, "battles.modelA", given.modelA);
  const count = modelA.length;
  if (count === 0) throw new LuceError(FN, "battles.modelA", "is empty");
  const column = (name: string, values: unknown) => {
    const copy = copyArrayLike(FN, `battles.${name}`, values);
    if (copy.length !== count)
      throw new LuceError(FN, `battles.${name}`, `has ${copy.length} entries, but 'battles.modelA' has ${count}`);
    return copy;
  };
  const modelB = column("modelB", given.modelB);
  const outcomes = column("outcome", given.outcome);
  const weights = given.weight === undefined ? null : column("weight", given.weight);
  const rows = column("features", given.features);
  const ridge = opts.ridge === undefined ? 0 : requireFinite(FN, "options.ridge", opts.ridge);
  if (!(ridge >= 0)) throw new LuceError(FN, "options.ridge", `must be >= 0, got ${ridge}`);
  const nGiven =
    opts.nItems === undefined ? undefined : requireCount(FN, "options.nItems", opts.nItems, 2, MAX_FIT_ITEMS);

  const a = new Int32Array(count);
  const b = new Int32Array(count);
  const outcome = new Float64Array(count);
  const weight = new Float64Array(count).fill(1);
  let largest = 0;
  for (let k = 0; k < count; k++) {
    a[k] = requireIndex(FN, `battles.modelA[${k}]`, modelA[k], nGiven ?? MAX_FIT_ITEMS);
    b[k] = requireIndex(FN, `battles.modelB[${k}]`, modelB[k], nGiven ?? MAX_FIT_ITEMS);
    if (a[k] === b[k]) throw new LuceError(FN, `battles.modelB[${k}]`, `is model ${a[k]}, which model A is too`);
    largest = Math.max(largest, a[k], b[k]);
    const o = outcomes[k];
    if (typeof o !== "number" || !(o >= 0 && o <= 1))
      throw new LuceError(FN, `battles.outcome[${k}]`, `must be a number in [0, 1] (1, ½ or 0), got ${describe(o)}`);
    outcome[k] = o;
    if (weights !== null) {
      const w = weights[k];
      if (typeof w !== "number" || !(w >= 0 && w < Infinity))
        throw new LuceError(FN, `battles.weight[${k}]`, `must be a finite number >= 0, got ${describe(w)}`);
      weight[k] = w;
    }
  }
  const nItems = nGiven ?? largest + 1;
  if (nItems < 2) throw new LuceError(FN, "battles.modelA", "names fewer than two models");
  const first = copyArrayLike(FN, "battles.features[0]", rows[0]);
  const p = first.length;
  const x = new Float64Array(count * p);
  for (let k = 0; k < count; k++) {
    const row = k === 0 ? first : copyArrayLike(FN, `battles.features[${k}]`, rows[k]);
    if (row.length !== p)
      throw new LuceError(FN, `battles.features[${k}]`, `has ${row.length} features, but battle 0 has ${p}`);
    for (let j = 0; j < p; j++) x[k * p + j] = requireFinite(FN, `battles.features[${k}][${j}]`, row[j]);
  }
  return { nItems, features: p, a, b, outcome, weight, x, ridge };
}

/** Each battle as wins both ways, weighted by the outcome's shares: the graph whose connectivity θ needs. */
function winGraph(data: ContextualData): Factors {
  const count = data.a.length;
  const start = Int32Array.from({ length: 2 * count + 1 }, (_, i) => 2 * i);
  const members = new Int32Array(4 * count);
  const weight = new Float64Array(2 * count);
  for (let k = 0; k < count; k++) {
    members.set([data.a[k], data.b[k], data.b[k], data.a[k]], 4 * k);
    weight[2 * k] = data.weight[k] * data.outcome[k];
    weight[2 * k + 1] = data.weight[k] * (1 - data.outcome[k]);
  }
  return { nItems: data.nItems, start, members, factors: new Int32Array(2 * count).fill(1), weight };
}

/** o − σ(d) as o·σ(−d) − (1 − o)·σ(d): no cancellation when σ(d) is near o ∈ {0, 1}. @internal */
export function residual(o: number, d: number): number {
  return o * sigmoidUnchecked(-d) - (1 - o) * sigmoidUnchecked(d);
}

/** σ(d)σ(−d) from e^(−|d|): neither cancels (p − p²) nor overflows. */
function curvature(d: number): number {
  const e = Math.exp(-Math.abs(d));
  return e / ((1 + e) * (1 + e));
}

function evaluate(data: ContextualData, x: Float64Array, withValue: boolean): State {
  const { nItems: n, features: p, a, b, outcome, weight, ridge } = data;
  const count = a.length;
  const margin = new Float64Array(count);
  const gradient = new Float64Array(n + p);
  let value = 0;
  for (let k = 0; k < count; k++) {
    let d = x[a[k]] - x[b[k]];
    for (let j = 0; j < p; j++) d += data.x[k * p + j] * x[n + j];
    margin[k] = d;
    const w = weight[k];
    if (w === 0) continue;
    const o = outcome[k];
    const r = w * residual(o, d);
    gradient[a[k]] += r;
    gradient[b[k]] -= r;
    for (let j = 0; j < p; j++) gradient[n + j] += r * data.x[k * p + j];
    if (withValue) {
      // o = 0 or 1 leaves out the other term: 0 · log σ is 0 even where log σ is −∞
      if (o > 0) value += w * o * logSigmoidUnchecked(d);
      if (o < 1) value += w * (1 - o) * logSigmoidUnchecked(-d);
    }
  }
  for (let j = 0; j < p; j++) {
    gradient[n + j] -= ridge * x[n + j];
    if (withValue) value -= (ridge / 2) * x[n + j] ** 2;
  }
  return { margin, gradient, value: withValue ? value : Number.NaN };
}

/**
 * Σ_b c_b z_b z_bᵀ over the battles, z_b = e_a − e_b ⊕ x_b, dense (order nItems + features), with c_b given
 * per battle.
 * @internal
 */
export function outerSum(data: ContextualData, coefficient: (k: number) => number): Float64Array[] {
  const { nItems: n, features: p, a, b } = data;
  const m = Array.from({ length: n + p }, () => new Float64Array(n + p));
  for (let k = 0; k < a.length; k++) {
    const c = coefficient(k);
    if (c === 0) continue;
    const i = a[k];
    const l = b[k];
    m[i][i] += c;
    m[l][l] += c;
    m[i][l] -= c;
    m[l][i] -= c;
    for (let j = 0; j < p; j++) {
      const cx = c * data.x[k * p + j];
      m[i][n + j] += cx;
      m[n + j][i] += cx;
      m[l][n + j] -= cx;
      m[n + j][l] -= cx;
      for (let q = 0; q < p; q++) m[n + j][n + q] += cx * data.x[k * p + q];
    }
  }
  return m;
}

/** The negative Hessian of the penalised objective at the margins. */
function information(data: ContextualData, margin: Float64Array): Float64Array[] {
  const h = outerSum(data, (k) => data.weight[k] * curvature(margin[k]));
  for (let j = 0; j < data.features; j++) h[data.nItems + j][data.nItems + j] += data.ridge;
  return h;
}

/** Model-based and sandwich errors and covariances, or null where H is numerically singular beyond θ's shift. */
function standardErrors(
  data: ContextualData,
  margin: Float64Array,
): Pick<ContextualFitResult, "stdError" | "sandwichStdError" | "covariance" | "sandwichCovariance"> | null {
  const n = data.nItems;
  const size = n + data.features;
  const errors = gaugeErrors(information(data, margin), n, undefined, false);
  if (errors === null) return null;
  const c = errors.covariance();
  const g = outerSum(data, (k) => data.weight[k] * residual(data.outcome[k], margin[k]) ** 2);
  // V = C G C, C symmetric: (C G)_ij = Σ_k C_ik G_kj, then V_ij = Σ_k (C G)_ik C_kj
  const cg = matrixProduct(c, g);
  const v = matrixProduct(cg, c);
  for (let i = 0; i < size; i++)
    for (let j = 0; j < i; j++) {
      const mean = (v[i][j] + v[j][i]) / 2; // symmetric up to rounding: make it exactly so
      v[i][j] = mean;
      v[j][i] = mean;
    }
  const split = (variance: (i: number) => number): ContextualStandardErrors => ({
    logStrength: Float64Array.from({ length: n }, (_, i) => Math.sqrt(Math.max(0, variance(i)))),
    coefficients: Float64Array.from({ length: data.features }, (_, j) => Math.sqrt(Math.max(0, variance(n + j)))),
  });
  return {
    stdError: split((i) => errors.variance[i]),
    sandwichStdError: split((i) => v[i][i]),
    covariance: c,
    sandwichCovariance: v,
  };
}
