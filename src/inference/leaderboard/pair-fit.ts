import { dampedNewton, type NewtonProblem } from "../../numerics/damped-newton.js";
import { inverseCholeskyFactor, inverseTimes, type InverseFactor } from "../../numerics/cholesky.js";
import { log1pExpUnchecked } from "../../numerics/log1p-exp.js";
import { Outcome, type Battles } from "./battles.js";
import { newtonConverged } from "../stopping-rule.js";

/**
 * The Bradley–Terry likelihood of arena battles summed per pair of models: pair k (models `first[k]` and
 * `second[k]`) contributes score_k·d_k − total_k·log(1 + e^{d_k}) with d_k = θ_first − θ_second, where total_k is
 * the weight of its battles and score_k their weighted outcome seen from `first` (1 a win, ½ a tie, 0 a loss).
 * With ties counted as half, this is exactly the likelihood of FastChat's logistic regression (a tie entered as
 * one win each way at half weight), since o·log p + (1 − o)·log(1 − p) = o·d − log(1 + e^d).
 * @internal
 */
export interface PairTotals {
  readonly nModels: number;
  readonly first: Int32Array;
  readonly second: Int32Array;
  /** Σ weight·outcome over the pair's battles. */
  readonly score: Float64Array;
  /** Σ weight over the pair's battles. */
  readonly total: Float64Array;
  /** The pair each row of the battles belongs to; −1 for a row the policy leaves out (a tie under `drop`). */
  readonly rowPair: Int32Array;
}

/** The outcome of a row's battles as a number for the likelihood: 1, 0, ½ for a tie. @internal */
export function outcomeValue(outcome: number): number {
  return outcome === Outcome.firstWins ? 1 : outcome === Outcome.secondWins ? 0 : 0.5;
}

/**
 * Groups the rows of `battles` by pair. Ties count as half a win each way (`half`) or are left out (`drop`).
 * @internal
 */
export function pairTotals(battles: Battles, ties: "half" | "drop"): PairTotals {
  const pairOf = new Map<number, number>();
  const n = battles.models.length;
  const first: number[] = [];
  const second: number[] = [];
  const rowPair = new Int32Array(battles.first.length).fill(-1);
  for (let r = 0; r < rowPair.length; r++) {
    if (ties === "drop" && battles.outcome[r] === Outcome.tie) continue;
    const key = battles.first[r] * n + battles.second[r];
    let k = pairOf.get(key);
    if (k === undefined) {
      k = first.length;
      pairOf.set(key, k);
      first.push(battles.first[r]);
      second.push(battles.second[r]);
    }
    rowPair[r] = k;
  }
  const totals = {
    nModels: n,
    first: Int32Array.from(first),
    second: Int32Array.from(second),
    score: new Float64Array(first.length),
    total: new Float64Array(first.length),
    rowPair,
  };
  accumulatePairs(battles, rowPair, battles.battles, totals.score, totals.total);
  return totals;
}

/**
 * Fills `score` and `total` from per-row battle counts `counts` (the data's, or a bootstrap resample's).
 * @internal
 */
export function accumulatePairs(
  battles: Pick<Battles, "outcome" | "weight">,
  rowPair: Int32Array,
  counts: Float64Array,
  score: Float64Array,
  total: Float64Array,
): void {
  score.fill(0);
  total.fill(0);
  for (let r = 0; r < rowPair.length; r++) {
    const k = rowPair[r];
    if (k < 0 || counts[r] === 0) continue;
    const w = counts[r] * battles.weight[r];
    total[k] += w;
    score[k] += w * outcomeValue(battles.outcome[r]);
  }
}

/** A point of the pair likelihood: its gradient, value, and each pair's p(1 − p) times its total. */
interface PairState {
  readonly gradient: Float64Array;
  value: number;
  readonly curvature: Float64Array;
}

/** How {@link fitPairs} is to run. @internal */
export interface PairFitSettings {
  /** The model whose θ stays 0 (the gauge): the anchor, or any model when ratings are centred afterwards. */
  readonly reference: number;
  /** Starting θ (θ_reference must be 0); default all zeros. */
  readonly start?: Float64Array;
  /**
   * A fixed inverse factor of the reduced information to take directions from instead of refactoring at every
   * iteration: the bootstrap passes the full data's, near which every resample's maximum lies.
   */
  readonly fixedFactor?: InverseFactor;
  /** The scaled-gradient tolerance (as fitBradleyTerry's). */
  readonly tolerance: number;
  readonly maxIterations: number;
}

/** What {@link fitPairs} returns. @internal */
export interface PairFit {
  /** θ with θ_reference = 0. */
  readonly theta: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  readonly stopped?: string;
}

/** Index of model i among the free parameters (every model but the reference). */
function freeIndex(i: number, reference: number): number {
  return i < reference ? i : i - 1;
}

/**
 * The reduced information matrix (without the reference's row and column), flat and row-major, from
 * per-pair curvatures c_k: the Laplacian Σ_k c_k (e_first − e_second)(e_first − e_second)ᵀ.
 * @internal
 */
export function reducedLaplacian(
  pairs: Pick<PairTotals, "nModels" | "first" | "second">,
  curvature: Float64Array,
  reference: number,
): Float64Array {
  const size = pairs.nModels - 1;
  const h = new Float64Array(size * size);
  for (let k = 0; k < curvature.length; k++) {
    const c = curvature[k];
    const i = pairs.first[k];
    const j = pairs.second[k];
    const fi = freeIndex(i, reference);
    const fj = freeIndex(j, reference);
    if (i !== reference) h[fi * size + fi] += c;
    if (j !== reference) h[fj * size + fj] += c;
    if (i !== reference && j !== reference) {
      h[fi * size + fj] -= c;
      h[fj * size + fi] -= c;
    }
  }
  return h;
}

/** The Newton problem of the pair likelihood in the reference's gauge. */
function pairProblem(pairs: PairTotals, settings: PairFitSettings): NewtonProblem<PairState> {
  const { nModels: n, first, second, score, total } = pairs;
  const { reference, tolerance, fixedFactor } = settings;
  const exposure = new Float64Array(n);
  for (let k = 0; k < first.length; k++) {
    exposure[first[k]] += total[k];
    exposure[second[k]] += total[k];
  }
  const stepTolerance = Math.sqrt(tolerance);
  return {
    evaluate(x, withValue, reuse) {
      const gradient = reuse?.gradient.fill(0) ?? new Float64Array(n);
      const curvature = reuse?.curvature ?? new Float64Array(first.length);
      let value = 0;
      for (let k = 0; k < first.length; k++) {
        const d = x[first[k]] - x[second[k]];
        // p = σ(d) and p(1 − p) = e^{−|d|} / (1 + e^{−|d|})², without forming e^{|d|}
        const e = Math.exp(-Math.abs(d));
        const p = d >= 0 ? 1 / (1 + e) : e / (1 + e);
        const residual = score[k] - total[k] * p;
        gradient[first[k]] += residual;
        gradient[second[k]] -= residual;
        curvature[k] = (total[k] * e) / ((1 + e) * (1 + e));
        if (withValue) value += score[k] * d - total[k] * log1pExpUnchecked(d);
      }
      return { gradient, value, curvature };
    },
    gradient: (state) => state.gradient,
    value: (state) => state.value,
    direction(state) {
      const size = n - 1;
      const g = new Float64Array(size);
      for (let i = 0; i < n; i++) if (i !== reference) g[freeIndex(i, reference)] = state.gradient[i];
      const factor = fixedFactor ?? inverseCholeskyFactor(reducedLaplacian(pairs, state.curvature, reference), size);
      // a singular information (a model with no battles left) still has the gradient as an ascent direction
      const step = factor === null ? g : inverseTimes(factor, g);
      const d = new Float64Array(n);
      for (let i = 0; i < n; i++) if (i !== reference) d[i] = step[freeIndex(i, reference)];
      return d;
    },
    converged: (state, _x, step) => newtonConverged(state.gradient, exposure, step, tolerance, stepTolerance),
  };
}

/**
 * Maximum-likelihood θ of the pair likelihood by {@link dampedNewton}, in the gauge θ_reference = 0. It stops as
 * fitBradleyTerry does: max |∂ℓ/∂θ_i| / (1 + exposure_i) ≤ tolerance and the last step within √tolerance.
 * The caller checks identifiability first (without it the maximum is at infinity).
 * @internal
 */
export function fitPairs(pairs: PairTotals, settings: PairFitSettings): PairFit {
  const x = settings.start === undefined ? new Float64Array(pairs.nModels) : settings.start.slice();
  const result = dampedNewton(pairProblem(pairs, settings), x, settings.maxIterations);
  return {
    theta: result.x,
    iterations: result.iterations,
    converged: result.converged,
    ...(result.stopped === undefined ? {} : { stopped: result.stopped }),
  };
}

/**
 * Per-pair p(1 − p)·total at θ: the curvatures of the information (for the fixed factor and the errors).
 * @internal
 */
export function pairCurvatures(pairs: PairTotals, theta: Float64Array): Float64Array {
  const c = new Float64Array(pairs.first.length);
  for (let k = 0; k < c.length; k++) {
    const e = Math.exp(-Math.abs(theta[pairs.first[k]] - theta[pairs.second[k]]));
    c[k] = (pairs.total[k] * e) / ((1 + e) * (1 + e));
  }
  return c;
}
