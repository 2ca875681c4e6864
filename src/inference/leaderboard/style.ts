import { LuceError } from "../../errors.js";
import { matrixProduct } from "../../numerics/matrix-product.js";
import { fitContextualBradleyTerry, outerSum, residual, type ContextualData } from "../contextual-bradley-terry.js";
import { Outcome, type Battles } from "./battles.js";
import { centredVariances } from "./sandwich.js";

/** Style control in {@link arenaLeaderboard}'s options. */
export interface StyleControlOptions {
  /**
   * The battles' feature columns to control for (default: every column the battles were read with, see
   * {@link BattleReadOptions.features}).
   */
  readonly columns?: readonly string[];
  /** λ ≥ 0 of the ridge penalty (λ/2)‖γ‖² on the style coefficients only (default 0: plain maximum likelihood). */
  readonly ridge?: number;
}

/** A style coefficient of the leaderboard: the change in log-odds that model A wins per unit of the feature. */
export interface StyleCoefficient {
  /** The feature column. */
  readonly name: string;
  /** γ, in log-odds per unit of the feature (× 400/ln 10 for rating points). */
  readonly estimate: number;
  /** Lower end of its 95% interval (sandwich, model-based or bootstrap percentile, as the ratings'). */
  readonly lower: number;
  /** Upper end of its 95% interval. */
  readonly upper: number;
  /** Its robust (HC0 sandwich) standard error. */
  readonly sandwichError: number;
  /** Its model-based standard error (from the penalised objective's inverse information). */
  readonly modelError: number;
}

/** The contextual fit behind a style-controlled leaderboard. @internal */
export interface StyleFit {
  /** θ, centred. */
  readonly theta: Float64Array;
  /** γ, one per column. */
  readonly coefficients: Float64Array;
  /** The model-based covariance H⁺ over (θ, γ), θ in the centred gauge. */
  readonly model: Float64Array[];
  /** The sandwich H⁺ G H⁺ over (θ, γ), G = Σ_b c_b w_b² (o_b − p_b)² z_b z_bᵀ. */
  readonly sandwich: Float64Array[];
  /** Newton iterations. */
  readonly iterations: number;
  /** The battles fitted (weight: battles per row, without the importance weights), for the bootstrap. */
  readonly fitted: ContextualData;
  /** Each fitted battle's importance weight (its row's weight). */
  readonly importance: Float64Array;
  /** The data row of each fitted battle. */
  readonly row: Int32Array;
}

/**
 * Fits the contextual Bradley–Terry model of style control ({@link fitContextualBradleyTerry}) to the battles'
 * rows: model A the row's first model, its outcome 1, 0 or ½ (a tie as half a win, ties left out with `drop`),
 * the row's battle count times its weight as the likelihood's weight, and the named feature columns.
 *
 * The sandwich's G weighs a row by count · weight² (weights multiply each battle's log-likelihood, as in the
 * leaderboard without style; counts are frequencies), so it is computed here from the fit's H⁺ and margins
 * rather than taken from the fitter, whose weights are frequencies only.
 * @internal
 */
export function fitStyleControl(
  fn: string,
  data: Battles,
  columns: readonly number[],
  dropTies: boolean,
  ridge: number,
): StyleFit {
  const n = data.models.length;
  const p = columns.length;
  const all = data.features!;
  const width = all.names.length;
  const a: number[] = [];
  const b: number[] = [];
  const outcome: number[] = [];
  const count: number[] = [];
  const importance: number[] = [];
  const features: Float64Array[] = [];
  const row: number[] = [];
  for (let r = 0; r < data.first.length; r++) {
    if (data.weight[r] === 0 || (dropTies && data.outcome[r] === Outcome.tie)) continue;
    row.push(r);
    a.push(data.first[r]);
    b.push(data.second[r]);
    outcome.push(data.outcome[r] === Outcome.firstWins ? 1 : data.outcome[r] === Outcome.secondWins ? 0 : 0.5);
    count.push(data.battles[r]);
    importance.push(data.weight[r]);
    features.push(Float64Array.from(columns, (j) => all.values[r * width + j]));
  }
  if (a.length === 0) throw new LuceError(fn, "battles", "holds no battles to fit (all ties, dropped)");
  let fit;
  try {
    fit = fitContextualBradleyTerry(
      { modelA: a, modelB: b, outcome, weight: count.map((c, k) => c * importance[k]), features },
      { ridge, nItems: n, standardErrors: true },
    );
  } catch (e) {
    if (!(e instanceof LuceError)) throw e;
    throw new LuceError(
      fn,
      "battles",
      e.message
        .replace(/^.*?argument '.*?' /, "")
        .replace(/\bitems? (\d+)\b/g, (whole, i: string) =>
          Number(i) < n ? `model '${data.models[Number(i)]}'` : whole,
        ),
    );
  }
  if (!fit.converged || fit.covariance === undefined)
    throw new LuceError(
      fn,
      "battles",
      `the style-control fit failed: ${fit.warning ?? "no reason given"}`.replace("fitContextualBradleyTerry: ", ""),
    );
  const theta = fit.logStrength;
  const gamma = fit.coefficients;
  const x = new Float64Array(a.length * p);
  features.forEach((row, k) => x.set(row, k * p));
  const rows: ContextualData = {
    nItems: n,
    features: p,
    a: Int32Array.from(a),
    b: Int32Array.from(b),
    outcome: Float64Array.from(outcome),
    weight: Float64Array.from(count),
    x,
    ridge,
  };
  const meat = outerSum(rows, (k) => {
    let d = theta[a[k]] - theta[b[k]];
    for (let j = 0; j < p; j++) d += x[k * p + j] * gamma[j];
    return count[k] * (importance[k] * residual(outcome[k], d)) ** 2;
  });
  const sandwich = matrixProduct(matrixProduct(fit.covariance, meat), fit.covariance);
  for (let i = 0; i < n + p; i++)
    for (let j = 0; j < i; j++) {
      const mean = (sandwich[i][j] + sandwich[j][i]) / 2; // symmetric up to rounding: make it exactly so
      sandwich[i][j] = mean;
      sandwich[j][i] = mean;
    }
  return {
    theta,
    coefficients: gamma,
    model: fit.covariance,
    sandwich,
    iterations: fit.iterations,
    fitted: rows,
    importance: Float64Array.from(importance),
    row: Int32Array.from(row),
  };
}

/**
 * The variances of each θ_i in a gauge, from a covariance over (θ, γ) whose θ block is in any gauge: with a
 * reference, of θ_i − θ_reference (V_ii + V_rr − 2V_ir); without one, of θ_i − mean θ.
 * @internal
 */
export function thetaVariances(covariance: Float64Array[], n: number, reference: number | null): Float64Array {
  if (reference !== null)
    return Float64Array.from(
      { length: n },
      (_, i) => covariance[i][i] + covariance[reference][reference] - 2 * covariance[i][reference],
    );
  return centredVariances(covariance.slice(0, n).map((row) => row.subarray(0, n)));
}
