import { availableParallelism } from "node:os";
import { LuceError } from "../../errors.js";
import { inverseCholeskyFactor } from "../../numerics/cholesky.js";
import { sigmoidUnchecked } from "../../numerics/sigmoid.js";
import {
  copyArrayLike,
  describe,
  requireBoolean,
  requireCount,
  requireFinite,
  requireOptions,
} from "../../validation/checks.js";
import { comparisonFactors } from "../factors.js";
import { fitBradleyTerry } from "../fit.js";
import { requireIdentifiable } from "../identifiability.js";
import { Outcome, readBattles, type BattleRecord, type Battles } from "./battles.js";
import { BootstrapWorkers, quantileSorted } from "./bootstrap.js";
import { reweightPairs } from "./propensity.js";
import { fitStyleControl, thetaVariances, type StyleCoefficient, type StyleControlOptions } from "./style.js";
import type { PairBootstrapProblem, StyleBootstrapProblem } from "./bootstrap-rounds.js";
import { fitPairs, pairCurvatures, pairTotals, reducedLaplacian, type PairTotals } from "./pair-fit.js";
import { arenaRanks } from "./ranks.js";
import { centredVariances, diagonal, thetaCovariances } from "./sandwich.js";
import { winRateMatrices, type WinRateMatrices } from "./win-rates.js";

/** How ties enter the fit. */
export type TiesPolicy = "half" | "davidson" | "drop";

/** How the 95% intervals are computed. */
export type IntervalMethod = "sandwich" | "bootstrap" | "model";

/** Options of {@link arenaLeaderboard}. */
export interface ArenaLeaderboardOptions {
  /**
   * `"half"` (default): a tie is half a win and half a loss, as FastChat and arena-rank count it; `"davidson"`:
   * Davidson's (1970) tie model, fitted by {@link fitBradleyTerry} with its `ties` option; `"drop"`: ties are left out.
   */
  readonly ties?: TiesPolicy;
  /** The mean rating when no anchor is given (default 1000). */
  readonly base?: number;
  /** Anchor the scale: this model gets exactly this rating (FastChat anchors mixtral-8x7b-instruct-v0.1 at 1114). */
  readonly anchor?: RatingAnchor;
  /**
   * `"sandwich"` (default with `half` and `drop`): robust HC0 errors; `"bootstrap"`: percentile intervals of a
   * multinomial bootstrap of the battles; `"model"` (the only one, and the default, with `davidson`): the inverse
   * observed information.
   */
  readonly ci?: IntervalMethod;
  /** Bootstrap rounds (default 1000). */
  readonly rounds?: number;
  /** Bootstrap seed (default 0): the same seed gives the same intervals on every thread count. */
  readonly seed?: number;
  /** Worker threads for the bootstrap (default: the machine's available parallelism, at most 16). */
  readonly threads?: number;
  /**
   * Called after each batch of bootstrap rounds with the rounds done and the total; what it throws stops the
   * bootstrap and rejects the call with it.
   */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Style control: ratings adjusted for per-battle features (response length, markdown, …) by the contextual
   * Bradley–Terry model ({@link fitContextualBradleyTerry}), with ties as half (or dropped) and sandwich or
   * model-based intervals. The battles must carry the feature columns ({@link BattleReadOptions.features}; an
   * array of records is read with `columns`).
   */
  readonly style?: StyleControlOptions;
  /**
   * Weight every battle by the inverse of its pair's number of battles (floored at `minPairCount`), scaled to mean
   * 1, as arena-rank's `reweighted` option does, so that often-sampled pairs do not dominate the fit (default false).
   */
  readonly reweight?: boolean;
  /** The floor of a pair's battle count in `reweight` (default 50, as arena-rank). */
  readonly minPairCount?: number;
}

/** A model whose rating is fixed, which sets the scale's origin. */
export interface RatingAnchor {
  /** The model's name, as in the battles. */
  readonly model: string;
  /** Its rating. */
  readonly rating: number;
}

/** One model's line of the leaderboard. */
export interface ArenaModel {
  /** The model's name. */
  readonly name: string;
  /** Rating on the arena scale: 400/ln 10 · θ + base (or anchored). */
  readonly rating: number;
  /** Lower end of the 95% interval of the rating. */
  readonly lower: number;
  /** Upper end of the 95% interval of the rating. */
  readonly upper: number;
  /** 1 + the number of models whose lower bound is above this model's upper bound ({@link arenaRanks}). */
  readonly rank: number;
  /** Battles the model played (ties included, whatever the policy). */
  readonly battles: number;
  /** Standard error of the rating from the sandwich (HC0) covariance; absent with `davidson`. */
  readonly sandwichError?: number;
  /** Standard error of the rating from the inverse observed information. */
  readonly modelError: number;
}

/** What {@link arenaLeaderboard} returns. */
export interface ArenaLeaderboard {
  /** The models, best first (by rating; equal ratings by name). */
  readonly models: ArenaModel[];
  /** The ties policy used. */
  readonly ties: TiesPolicy;
  /** The interval method used. */
  readonly ci: IntervalMethod;
  /** Coverage of the intervals: 0.95. */
  readonly level: number;
  /** The mean rating, when no anchor was given. */
  readonly base: number;
  /** The anchor, when given. */
  readonly anchor?: RatingAnchor;
  /** Davidson's log ν, with `davidson`. */
  readonly tieParameter?: number;
  /** Newton iterations of the full-data fit. */
  readonly iterations: number;
  /** Bootstrap details, with `bootstrap`: rounds whose refit did not converge are counted, not left out. */
  readonly bootstrap?: BootstrapSummary;
  /** Win-rate matrices, with rows and columns in the order of `models` (predicted at features 0 with style). */
  readonly winRates: ArenaWinRates;
  /** With style control: the columns, the ridge and the coefficients with their intervals. */
  readonly style?: StyleSummary;
  /** With `reweight`: how the battles were reweighted. */
  readonly reweight?: ReweightSummary;
}

/** The inverse-propensity reweighting behind a leaderboard. */
export interface ReweightSummary {
  /** The floor of a pair's battle count: every battle was weighted by 1/max(its pair's battles, minPairCount). */
  readonly minPairCount: number;
}

/** The style control behind a leaderboard. */
export interface StyleSummary {
  /** The ridge λ on the coefficients. */
  readonly ridge: number;
  /** One coefficient per feature column, in the order of the columns. */
  readonly coefficients: StyleCoefficient[];
}

/** The bootstrap behind the intervals of {@link arenaLeaderboard}. */
export interface BootstrapSummary {
  /** Rounds run. */
  readonly rounds: number;
  /** The seed of the rounds' random streams. */
  readonly seed: number;
  /** Rounds whose refit did not converge (their last iterate is kept in the intervals). */
  readonly unconverged: number;
}

/** {@link WinRateMatrices} with the models they are indexed by. */
export interface ArenaWinRates extends WinRateMatrices {
  /** The models of the rows and columns, in the leaderboard's order. */
  readonly models: string[];
}

/** 400/ln 10: one unit of θ (log-odds) in rating points, the Elo scale's base-10 logistic with 400 per decade. */
const ELO = 400 / Math.LN10;
/** Φ⁻¹(0.975): the half-width of a 95% normal interval in standard errors. */
const Z_95 = 1.959963984540054;
/** The bootstrap interval's quantiles. */
const LOWER_QUANTILE = 0.025;
const UPPER_QUANTILE = 0.975;
/** Scaled-gradient tolerance of every fit (fitBradleyTerry's default). */
const TOLERANCE = 1e-12;
/**
 * Scaled-gradient tolerance of a bootstrap round's refit. Each round's iterations take the full data's information
 * as the Newton matrix and so converge linearly, a digit and a half or so per iteration on arena data; a round
 * stops when its scaled gradient is within this and returns θ plus the chord step at that point, which leaves θ
 * within a few 1e−7 of the resample's maximum (below 1e−4 rating points), far below the Monte-Carlo error of a
 * percentile of the rounds (tenths of a rating point at a thousand rounds).
 */
const ROUND_TOLERANCE = 1e-6;
/** Newton iterations at most (damped Newton converges in a handful). */
const MAX_ITERATIONS = 100;
/** Most bootstrap threads by default: beyond this the rounds' dispatch, not their work, dominates. */
const MAX_DEFAULT_THREADS = 16;
/** Most threads accepted. */
const MAX_THREADS = 256;
/** Most bootstrap rounds accepted. */
const MAX_ROUNDS = 1_000_000;

const OPTION_KEYS = [
  "ties",
  "base",
  "anchor",
  "ci",
  "rounds",
  "seed",
  "threads",
  "onProgress",
  "style",
  "reweight",
  "minPairCount",
] as const;
/** arena-rank's floor of a pair's battle count when reweighting. */
const DEFAULT_MIN_PAIR_COUNT = 50;

/**
 * An arena leaderboard from battles: Bradley–Terry ratings on the arena (Elo) scale by maximum likelihood, 95%
 * intervals (sandwich, bootstrap or model-based), ranks that respect the intervals, and win-rate matrices, as
 * Chatbot Arena computes them (Chiang et al. 2024, "Chatbot Arena: An Open Platform for Evaluating LLMs by Human
 * Preference", section 5; FastChat's `elo_analysis.py`). P(a beats b) = σ(θ_a − θ_b) (the DPO paper's eq. 1);
 * rating = 400/ln 10 · θ + base.
 *
 * The sandwich covariance is H⁻¹ G H⁻¹ with H = Σ_b p_b(1 − p_b) x_b x_bᵀ and G = Σ_b (o_b − p_b)² x_b x_bᵀ over
 * battles (o_b ∈ {0, ½, 1}), in the anchor's gauge (the anchored model's rating has no error), or for centred
 * ratings in the centred gauge. The bootstrap resamples the unique rows' battle counts (multinomially, as FastChat),
 * refits each round from the full-data fit on worker threads, and takes percentile intervals around the full-data
 * ratings; each round's random stream depends only on (seed, round), so the intervals do not depend on `threads`.
 *
 * With `style`, the ratings are those of the contextual model P(a beats b) = σ(θ_a − θ_b + x_bᵀγ) of style control
 * (Li, Angelopoulos and Chiang 2024), fitted by {@link fitContextualBradleyTerry} with ties as half (or dropped) and
 * a ridge on γ only; the sandwich's G weighs each battle by its weight squared, as above; the bootstrap resamples
 * the rows as above and refits the contextual model each round, for percentile intervals of the ratings and of γ.
 * With `reweight`, every battle's weight is multiplied by 1/max(n_pair, minPairCount), scaled to mean 1 over the
 * battles fitted (lmarena's arena-rank, `reweighted`).
 *
 * @param battles - from {@link parseBattles}, or an array of `{ model_a, model_b, winner }` records
 * @param options - ties policy, scale, interval method, bootstrap settings
 * @returns the leaderboard
 * @throws {@link LuceError} for malformed battles or options, or battles that do not identify the ratings (a model
 *   that never wins or never loses, or groups of models that never beat one another)
 * @example
 * ```ts
 * const battles = parseBattles(
 *   "model_a,model_b,winner\nx,y,model_a\ny,x,model_a\ny,z,model_a\nz,y,tie\nx,z,model_a\nz,x,model_a\n",
 * );
 * const board = await arenaLeaderboard(battles, { anchor: { model: "y", rating: 1114 } });
 * board.models[0]; // { name: "x", rating, lower, upper, rank: 1, battles: 4, ... }
 * ```
 */
export async function arenaLeaderboard(
  battles: Battles | readonly BattleRecord[],
  options?: ArenaLeaderboardOptions,
): Promise<ArenaLeaderboard> {
  const fn = "arenaLeaderboard";
  const o = { ...requireOptions(fn, "options", options, OPTION_KEYS) };
  const style =
    o.style === undefined ? undefined : { ...requireOptions(fn, "options.style", o.style, ["columns", "ridge"]) };
  const styleColumns =
    style?.columns === undefined
      ? undefined
      : copyArrayLike(fn, "options.style.columns", style.columns).map((c, j) => {
          if (typeof c !== "string" || c === "")
            throw new LuceError(fn, `options.style.columns[${j}]`, `must name a feature column, got ${describe(c)}`);
          return c;
        });
  const ridge = style?.ridge === undefined ? 0 : requireFinite(fn, "options.style.ridge", style.ridge);
  if (!(ridge >= 0)) throw new LuceError(fn, "options.style.ridge", `must be >= 0, got ${ridge}`);
  const data = readBattles(fn, "battles", battles, styleColumns);
  let columnIndex: number[] = [];
  if (style !== undefined) {
    const names = data.features?.names ?? [];
    const wanted = styleColumns ?? names;
    if (wanted.length === 0)
      throw new LuceError(
        fn,
        "options.style.columns",
        "names no feature column, and the battles carry none: read them with parseBattles' features option",
      );
    columnIndex = wanted.map((c, j) => {
      const at = names.indexOf(c);
      if (at < 0)
        throw new LuceError(
          fn,
          `options.style.columns[${j}]`,
          `names '${c}', which the battles do not carry (they carry ${names.length === 0 ? "no feature columns" : names.join(", ")})`,
        );
      return at;
    });
  }
  const reweight = o.reweight === undefined ? false : requireBoolean(fn, "options.reweight", o.reweight);
  const minPairCount =
    o.minPairCount === undefined ? DEFAULT_MIN_PAIR_COUNT : requireCount(fn, "options.minPairCount", o.minPairCount, 1);
  if (!reweight && o.minPairCount !== undefined)
    throw new LuceError(fn, "options.minPairCount", "applies with reweight: true only");
  const ties = o.ties ?? "half";
  if (ties !== "half" && ties !== "davidson" && ties !== "drop")
    throw new LuceError(fn, "options.ties", `must be "half", "davidson" or "drop", got ${describe(ties)}`);
  const base = o.base === undefined ? 1000 : requireFinite(fn, "options.base", o.base);
  let anchor: RatingAnchor | undefined;
  let anchorIndex = -1;
  if (o.anchor !== undefined) {
    const a = { ...requireOptions(fn, "options.anchor", o.anchor, ["model", "rating"]) };
    if (typeof a.model !== "string")
      throw new LuceError(fn, "options.anchor.model", `must be a model name, got ${describe(a.model)}`);
    anchorIndex = data.models.indexOf(a.model);
    if (anchorIndex < 0)
      throw new LuceError(fn, "options.anchor.model", `names '${a.model}', which is not among the battles' models`);
    anchor = { model: a.model, rating: requireFinite(fn, "options.anchor.rating", a.rating) };
  }
  const ci = o.ci ?? (ties === "davidson" ? "model" : "sandwich");
  if (ci !== "sandwich" && ci !== "bootstrap" && ci !== "model")
    throw new LuceError(fn, "options.ci", `must be "sandwich", "bootstrap" or "model", got ${describe(ci)}`);
  if (style !== undefined && ties === "davidson")
    throw new LuceError(
      fn,
      "options.ties",
      'must be "half" or "drop" with style control (the contextual model takes a tie as half a win), not "davidson"',
    );
  if (ties === "davidson" && ci !== "model")
    throw new LuceError(
      fn,
      "options.ci",
      `must be "model" with ties "davidson" (its errors are the inverse information), got "${ci}"`,
    );
  const rounds = o.rounds === undefined ? 1000 : requireCount(fn, "options.rounds", o.rounds, 1, MAX_ROUNDS);
  const seed = o.seed === undefined ? 0 : requireFinite(fn, "options.seed", o.seed);
  const threads =
    o.threads === undefined
      ? Math.min(MAX_DEFAULT_THREADS, availableParallelism())
      : requireCount(fn, "options.threads", o.threads, 1, MAX_THREADS);
  if (o.onProgress !== undefined && typeof o.onProgress !== "function")
    throw new LuceError(fn, "options.onProgress", `must be a function, got ${describe(o.onProgress)}`);
  if (ci !== "bootstrap")
    for (const key of ["rounds", "seed", "threads", "onProgress"] as const)
      if (o[key] !== undefined)
        throw new LuceError(fn, `options.${key}`, `applies to ci "bootstrap" only, not "${ci}"`);

  const n = data.models.length;
  const reference = anchorIndex >= 0 ? anchorIndex : 0;
  /** The battles as fitted: with reweighting, every row's weight times its pair's inverse propensity. */
  const fitted = reweight ? reweightPairs(data, ties === "drop", minPairCount) : data;
  /** Ratings from θ in the reference's gauge: anchored, or centred at `base`. */
  const toRatings = (theta: Float64Array, out: Float64Array = new Float64Array(n)): Float64Array => {
    let shift = 0;
    if (anchor === undefined) {
      for (let i = 0; i < n; i++) shift += theta[i];
      shift /= n;
    } else shift = theta[reference];
    const offset = anchor === undefined ? base : anchor.rating;
    for (let i = 0; i < n; i++) out[i] = ELO * (theta[i] - shift) + offset;
    return out;
  };
  const toErrors = (variances: Float64Array) => Float64Array.from(variances, (v) => ELO * Math.sqrt(Math.max(0, v)));
  const errorsOf = (covariance: Float64Array[]) =>
    toErrors(anchor === undefined ? centredVariances(covariance) : diagonal(covariance));

  let theta: Float64Array;
  let iterations: number;
  let modelErrors: Float64Array;
  let sandwichErrors: Float64Array | undefined;
  let tieParameter: number | undefined;
  let lower: Float64Array;
  let upper: Float64Array;
  let bootstrap: ArenaLeaderboard["bootstrap"];
  let expectedScore: (i: number, j: number) => number;
  let styleSummary: StyleSummary | undefined;
  const logistic = (i: number, j: number) => sigmoidUnchecked(theta[i] - theta[j]);

  // the bootstrap's threads start before the full-data fit, so that they load while it runs
  const workers = ci === "bootstrap" ? new BootstrapWorkers(Math.min(threads, rounds)) : undefined;
  try {
    if (style !== undefined) {
      const fit = fitStyleControl(fn, fitted, columnIndex, ties === "drop", ridge);
      theta = fit.theta;
      iterations = fit.iterations;
      const gauge = anchor === undefined ? null : reference;
      modelErrors = toErrors(thetaVariances(fit.model, n, gauge));
      sandwichErrors = toErrors(thetaVariances(fit.sandwich, n, gauge));
      expectedScore = logistic;
      const names = data.features!.names;
      const p = columnIndex.length;
      let coefficientLower: Float64Array | undefined;
      let coefficientUpper: Float64Array | undefined;
      if (ci === "bootstrap") {
        const problem: StyleBootstrapProblem = {
          kind: "style",
          nModels: n,
          features: p,
          a: fit.fitted.a,
          b: fit.fitted.b,
          outcome: fit.fitted.outcome,
          x: fit.fitted.x,
          ridge,
          importance: fit.importance,
          row: fit.row,
          battles: fitted.battles,
          start: Float64Array.from([...fit.theta, ...fit.coefficients]),
          seed,
          tolerance: ROUND_TOLERANCE,
          maxIterations: MAX_ITERATIONS,
        };
        const result = await workers!.run(fn, problem, rounds, o.onProgress);
        ({ lower, upper } = bootstrapIntervals(result.theta, rounds, n, n + p, toRatings));
        // each round's γ follows its θ: the same percentiles, read n values further on and kept as they are
        const asIs = (gamma: Float64Array, out: Float64Array) => {
          out.set(gamma);
          return out;
        };
        ({ lower: coefficientLower, upper: coefficientUpper } = bootstrapIntervals(
          result.theta.subarray(n),
          rounds,
          p,
          n + p,
          asIs,
        ));
        bootstrap = { rounds, seed, unconverged: result.unconverged };
      }
      styleSummary = {
        ridge,
        coefficients: columnIndex.map((column, j) => {
          const estimate = fit.coefficients[j];
          const sandwichError = Math.sqrt(Math.max(0, fit.sandwich[n + j][n + j]));
          const modelError = Math.sqrt(Math.max(0, fit.model[n + j][n + j]));
          const se = ci === "sandwich" ? sandwichError : modelError;
          return {
            name: names[column],
            estimate,
            lower: coefficientLower?.[j] ?? estimate - Z_95 * se,
            upper: coefficientUpper?.[j] ?? estimate + Z_95 * se,
            sandwichError,
            modelError,
          };
        }),
      };
    } else if (ties === "davidson") {
      const davidson = fitDavidson(fn, fitted, reference);
      theta = davidson.theta;
      iterations = davidson.iterations;
      modelErrors = errorsOf(davidson.covariance);
      tieParameter = davidson.logNu;
      const nu = Math.exp(davidson.logNu);
      expectedScore = (i, j) => {
        const half = (theta[i] - theta[j]) / 2;
        const m = Math.abs(half);
        const win = Math.exp(half - m);
        const loss = Math.exp(-half - m);
        const tie = nu * Math.exp(-m);
        return (win + tie / 2) / (win + loss + tie);
      };
    } else {
      const pairs = pairTotals(fitted, ties);
      requireIdentifiableBattles(fn, data.models, pairs);
      const fit = fitPairs(pairs, { reference, tolerance: TOLERANCE, maxIterations: MAX_ITERATIONS });
      if (!fit.converged)
        throw new LuceError(
          fn,
          "battles",
          `the maximum-likelihood fit did not converge (${fit.stopped ?? "no reason given"})`,
        );
      theta = fit.theta;
      iterations = fit.iterations;
      const covariances = thetaCovariances(fitted, pairs, theta, reference);
      if (covariances === null)
        throw new LuceError(
          fn,
          "battles",
          "give an information matrix that is not numerically positive definite: counts too extreme for float64",
        );
      modelErrors = errorsOf(covariances.model);
      sandwichErrors = errorsOf(covariances.sandwich);
      expectedScore = logistic;
      if (ci === "bootstrap") {
        const factor = inverseCholeskyFactor(reducedLaplacian(pairs, pairCurvatures(pairs, theta), reference), n - 1);
        if (factor === null)
          throw new LuceError(fn, "battles", "give an information matrix that is not numerically positive definite");
        const problem: PairBootstrapProblem = {
          kind: "pairs",
          nModels: n,
          reference,
          outcome: fitted.outcome,
          weight: fitted.weight,
          battles: fitted.battles,
          rowPair: pairs.rowPair,
          pairFirst: pairs.first,
          pairSecond: pairs.second,
          theta,
          factor: { size: factor.size, stride: factor.stride, v: factor.v },
          seed,
          tolerance: ROUND_TOLERANCE,
          maxIterations: MAX_ITERATIONS,
        };
        const result = await workers!.run(fn, problem, rounds, o.onProgress);
        const intervals = bootstrapIntervals(result.theta, rounds, n, n, toRatings);
        lower = intervals.lower;
        upper = intervals.upper;
        bootstrap = { rounds, seed, unconverged: result.unconverged };
      }
    }
  } finally {
    workers?.close();
  }
  const ratings = toRatings(theta);
  if (ci !== "bootstrap") {
    const errors = ci === "sandwich" ? sandwichErrors! : modelErrors;
    lower = ratings.map((r, i) => r - Z_95 * errors[i]);
    upper = ratings.map((r, i) => r + Z_95 * errors[i]);
  }
  const ranks = arenaRanks(lower!, upper!);
  const played = new Float64Array(n);
  for (let r = 0; r < data.first.length; r++) {
    played[data.first[r]] += data.battles[r];
    played[data.second[r]] += data.battles[r];
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => ratings[b] - ratings[a] || (data.models[a] < data.models[b] ? -1 : 1),
  );
  const matrices = winRateMatrices(data, expectedScore, ties === "drop");
  const reorder = <T>(m: T[][]) => order.map((i) => order.map((j) => m[i][j]));
  return {
    models: order.map((i) => ({
      name: data.models[i],
      rating: ratings[i],
      lower: lower![i],
      upper: upper![i],
      rank: ranks[i],
      battles: played[i],
      ...(sandwichErrors === undefined ? {} : { sandwichError: sandwichErrors[i] }),
      modelError: modelErrors[i],
    })),
    ties,
    ci,
    level: 0.95,
    base,
    ...(anchor === undefined ? {} : { anchor }),
    ...(tieParameter === undefined ? {} : { tieParameter }),
    iterations,
    ...(bootstrap === undefined ? {} : { bootstrap }),
    winRates: {
      models: order.map((i) => data.models[i]),
      observed: reorder(matrices.observed),
      predicted: reorder(matrices.predicted),
      battles: reorder(matrices.battles),
    },
    ...(styleSummary === undefined ? {} : { style: styleSummary }),
    ...(reweight ? { reweight: { minPairCount } } : {}),
  };
}

/**
 * Percentile intervals of each of the first n values of a round over the rounds (each round's values, `width` apart,
 * mapped through `toRatings` first).
 */
function bootstrapIntervals(
  thetas: Float64Array,
  rounds: number,
  n: number,
  width: number,
  toRatings: (theta: Float64Array, out: Float64Array) => Float64Array,
): { lower: Float64Array; upper: Float64Array } {
  const byModel = Array.from({ length: n }, () => new Float64Array(rounds));
  const ratings = new Float64Array(n);
  for (let r = 0; r < rounds; r++) {
    toRatings(thetas.subarray(r * width, r * width + n), ratings);
    for (let i = 0; i < n; i++) byModel[i][r] = ratings[i];
  }
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const sorted = byModel[i].sort();
    lower[i] = quantileSorted(sorted, LOWER_QUANTILE);
    upper[i] = quantileSorted(sorted, UPPER_QUANTILE);
  }
  return { lower, upper };
}

/** Model names for item indices in an identifiability message. */
function withModelNames(message: string, models: readonly string[]): string {
  return message.replace(/\bitems? (\d+)\b/g, (whole, i: string) =>
    Number(i) < models.length ? `model '${models[Number(i)]}'` : whole,
  );
}

/**
 * The pairs' wins (ties as wins both ways, weighted) must identify the ratings: every model wins and loses, and
 * the "beats" graph is strongly connected (Hunter 2004); otherwise the maximum lies at infinity.
 */
function requireIdentifiableBattles(fn: string, models: readonly string[], pairs: PairTotals): void {
  const winners: number[] = [];
  const losers: number[] = [];
  const counts: number[] = [];
  for (let k = 0; k < pairs.first.length; k++) {
    const won = pairs.score[k];
    const lost = pairs.total[k] - pairs.score[k];
    const add = (winner: number, loser: number, count: number) => {
      winners.push(winner);
      losers.push(loser);
      counts.push(count);
    };
    if (won > 0) add(pairs.first[k], pairs.second[k], won);
    if (lost > 0) add(pairs.second[k], pairs.first[k], lost);
  }
  try {
    requireIdentifiable(
      fn,
      "battles",
      comparisonFactors(fn, { winners, losers, counts }, pairs.nModels),
      "leave such models out or add battles that they lose and win",
    );
  } catch (e) {
    if (!(e instanceof LuceError)) throw e;
    throw new LuceError(fn, "battles", withModelNames(e.message.replace(/^.*?argument '.*?' /, ""), models));
  }
}

/** Davidson's model through {@link fitBradleyTerry}: θ in the reference's gauge, its covariance and log ν. */
function fitDavidson(fn: string, data: Battles, reference: number) {
  const winners: number[] = [];
  const losers: number[] = [];
  const counts: number[] = [];
  const ties: [number, number, number][] = [];
  for (let r = 0; r < data.first.length; r++) {
    const w = data.battles[r] * data.weight[r];
    if (w === 0) continue;
    const [a, b] = [data.first[r], data.second[r]];
    if (data.outcome[r] === Outcome.tie) {
      ties.push([a, b, w]);
      continue;
    }
    const firstWon = data.outcome[r] === Outcome.firstWins;
    winners.push(firstWon ? a : b);
    losers.push(firstWon ? b : a);
    counts.push(w);
  }
  if (ties.length === 0)
    throw new LuceError(fn, "options.ties", '"davidson" needs ties among the battles; there are none');
  let fit;
  try {
    fit = fitBradleyTerry(
      { winners, losers, counts },
      { ties, reference, nItems: data.models.length, standardErrors: true, tolerance: TOLERANCE },
    );
  } catch (e) {
    if (!(e instanceof LuceError)) throw e;
    throw new LuceError(fn, "battles", withModelNames(e.message.replace(/^.*?argument '.*?' /, ""), data.models));
  }
  if (!fit.converged || fit.covariance === undefined || fit.tieParameter === undefined)
    throw new LuceError(fn, "battles", `the Davidson fit did not converge (${fit.warning ?? "no reason given"})`);
  return {
    theta: fit.logStrength,
    covariance: fit.covariance,
    logNu: fit.tieParameter.estimate,
    iterations: fit.iterations,
  };
}
