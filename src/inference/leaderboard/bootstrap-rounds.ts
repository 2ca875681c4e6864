import { mix32, UniformStream } from "../../numerics/random.js";
import { inverseTimesInto } from "../../numerics/cholesky.js";
import { maximizeContextual, type ContextualData } from "../contextual-bradley-terry.js";
import { fitPairs, outcomeValue, type PairTotals } from "./pair-fit.js";
import { MultinomialSampler } from "./multinomial.js";
import { newtonConverged } from "../stopping-rule.js";

/**
 * A bootstrap of either fit, as plain data (typed arrays and numbers) so that it can be posted to a worker.
 * @internal
 */
export type BootstrapProblem = PairBootstrapProblem | StyleBootstrapProblem;

/**
 * Everything one round of the Bradley–Terry bootstrap needs: the rows, their pairs, the full-data fit to start from
 * and its inverse information factor.
 * @internal
 */
export interface PairBootstrapProblem {
  readonly kind: "pairs";
  readonly nModels: number;
  readonly reference: number;
  readonly outcome: Uint8Array;
  readonly weight: Float64Array;
  /** Battles per row in the data: the multinomial's counts. */
  readonly battles: Float64Array;
  readonly rowPair: Int32Array;
  readonly pairFirst: Int32Array;
  readonly pairSecond: Int32Array;
  /** The full-data θ (θ_reference = 0): every round starts from it. */
  readonly theta: Float64Array;
  /** The full data's inverse reduced information factor (V = L⁻ᵀ, see numerics/cholesky.ts) and its layout. */
  readonly factor: { readonly size: number; readonly stride: number; readonly v: Float64Array };
  readonly seed: number;
  readonly tolerance: number;
  readonly maxIterations: number;
}

/**
 * Everything one round of the style-control bootstrap needs: the fitted battles of the contextual model (their
 * features, outcomes and importance weights, and the data row each comes from), every data row's battle count (the
 * multinomial's, including rows the fit leaves out, as in the Bradley–Terry bootstrap) and the full-data fit.
 * @internal
 */
export interface StyleBootstrapProblem {
  readonly kind: "style";
  readonly nModels: number;
  readonly features: number;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly outcome: Float64Array;
  /** Features flat, battle k's at k·features. */
  readonly x: Float64Array;
  readonly ridge: number;
  /** Each fitted battle's weight per battle (its row's weight). */
  readonly importance: Float64Array;
  /** The data row of each fitted battle. */
  readonly row: Int32Array;
  /** Battles per data row: the multinomial's counts. */
  readonly battles: Float64Array;
  /** The full-data fit, θ (centred) then γ: every round starts from it. */
  readonly start: Float64Array;
  readonly seed: number;
  readonly tolerance: number;
  readonly maxIterations: number;
}

/** The values a round writes: θ, then γ with style control. @internal */
export function roundWidth(problem: BootstrapProblem): number {
  return problem.kind === "style" ? problem.nModels + problem.features : problem.nModels;
}

/**
 * The seed of round `round`'s random stream: a function of (seed, round) only, so a round draws the same
 * resample on whichever thread runs it. For one seed, distinct rounds (below 2^32) get distinct seeds, since
 * round ↦ mix32(mix32(seed) + round) is a bijection.
 * @internal
 */
export function roundSeed(seed: number, round: number): number {
  return mix32((mix32(Math.trunc(seed) >>> 0) + round) >>> 0);
}

/**
 * The widest spread max θ − min θ at which a round's gradient takes σ from strengths w_i = e^{θ_i − max θ}: e^{−600}
 * ≈ 3e−261 is still a normal double, so every w_i keeps full relative precision and w_i + w_j never underflows.
 */
const STRENGTH_SPREAD = 600;

/**
 * Below this fraction of the starting slope, the slope along a chord step at its end says the step overshot too far
 * to keep (damped-newton.ts's rule: a quadratic would have gained at least a quarter of the predicted rise).
 */
const OVERSHOOT = 0.5;

/**
 * Runs rounds [first, first + count) of a bootstrap: writes round first + i's values (θ, then γ with style control;
 * {@link roundWidth} of them) at out[i · width] and whether its fit converged at converged[i].
 * @internal
 */
export type RoundsRunner = (first: number, count: number, out: Float64Array, converged: Uint8Array) => void;

/** A refit from one resample's row counts, writing the round's values into `out`; returns whether it converged. */
type Refit = (counts: Float64Array, out: Float64Array) => boolean;

/**
 * Rounds resampled together, row by row: each round's conditional binomials depend on its own previous draws only,
 * so the rounds' chains of dependent arithmetic overlap in the processor instead of running one after the other.
 */
const INTERLEAVED_ROUNDS = 4;

/**
 * Prepares the rounds of one problem (the sampler's tables, each row's share of its pair's score and total, every
 * buffer a round uses) and returns the function that runs a range of rounds ({@link RoundsRunner}).
 *
 * Each round resamples the rows' battle counts ({@link MultinomialSampler}) from its own stream, seeded by
 * {@link roundSeed}; rounds are resampled {@link INTERLEAVED_ROUNDS} at a time, each exactly as it would be alone.
 * A Bradley–Terry round then sums the counts per pair (the three outcomes of a pair into one score and one total),
 * and refits from the full-data θ by chord Newton steps: the direction V Vᵀ g with V the full data's inverse
 * information factor, near which every resample's maximum lies, so one step costs a pass over the pairs and two
 * triangular products, and the steps converge linearly, by the resample's information's distance from the full
 * data's. It stops by the rule of {@link fitPairs}: scaled gradient within the tolerance and the last step within
 * its square root. A step that overshoots (possible only far from the maximum, as when a resample leaves a model
 * almost without battles) hands the round over to {@link fitPairs}, damped, from where it got.
 * @internal
 */
export function createRoundsRunner(problem: BootstrapProblem): RoundsRunner {
  const refit = problem.kind === "style" ? styleRefit(problem) : pairRefit(problem);
  const width = roundWidth(problem);
  const sampler = new MultinomialSampler(problem.battles);
  const streams = Array.from({ length: INTERLEAVED_ROUNDS }, () => new UniformStream(0));
  const counts = Array.from({ length: INTERLEAVED_ROUNDS }, () => new Float64Array(problem.battles.length));
  return (first, count, out, converged) => {
    for (let group = 0; group < count; group += INTERLEAVED_ROUNDS) {
      const size = Math.min(INTERLEAVED_ROUNDS, count - group);
      for (let j = 0; j < size; j++) streams[j].reseed(roundSeed(problem.seed, first + group + j));
      sampler.resampleMany(streams, counts, size);
      for (let j = 0; j < size; j++) {
        const i = group + j;
        converged[i] = refit(counts[j], out.subarray(i * width, (i + 1) * width)) ? 1 : 0;
      }
    }
  };
}

/**
 * The refit of a round of the style-control bootstrap, from the same multinomial resample of the data rows' battle
 * counts: each fitted battle weighted by its row's count times its importance, and the contextual model refitted by
 * {@link maximizeContextual} from the full-data fit (Newton with the resample's own information: a few iterations).
 */
function styleRefit(problem: StyleBootstrapProblem): Refit {
  const { nModels: n, features, importance, row } = problem;
  const weight = new Float64Array(row.length);
  const data: ContextualData = {
    nItems: n,
    features,
    a: problem.a,
    b: problem.b,
    outcome: problem.outcome,
    weight,
    x: problem.x,
    ridge: problem.ridge,
  };
  const x = new Float64Array(n + features);
  return (counts, out) => {
    for (let k = 0; k < row.length; k++) weight[k] = counts[row[k]] * importance[k];
    x.set(problem.start);
    const fit = maximizeContextual(data, x, problem.tolerance, problem.maxIterations);
    out.set(fit.x);
    return fit.converged;
  };
}

/** The refit of a round of the Bradley–Terry bootstrap (see {@link createRoundsRunner}). */
function pairRefit(problem: PairBootstrapProblem): Refit {
  const { nModels: n, reference, pairFirst: first, pairSecond: second, rowPair, factor } = problem;
  const rows = rowPair.length;
  const nPairs = first.length;
  const rowWeight = problem.weight;
  // a row's weighted outcome (1, ½ or 0 seen from the pair's first model), per battle
  const rowScore = Float64Array.from(rowWeight, (w, r) => w * outcomeValue(problem.outcome[r]));
  const pairs: PairTotals = {
    nModels: n,
    first,
    second,
    score: new Float64Array(nPairs),
    total: new Float64Array(nPairs),
    rowPair,
  };
  const { score, total } = pairs;
  const exposure = new Float64Array(n);
  const x = new Float64Array(n);
  const trial = new Float64Array(n);
  let gradient = new Float64Array(n);
  let trialGradient = new Float64Array(n);
  const freeGradient = new Float64Array(n - 1);
  const freeStep = new Float64Array(n - 1);
  const solveScratch = new Float64Array(factor.stride);
  const step = new Float64Array(n);
  const stepTolerance = Math.sqrt(problem.tolerance);

  const strength = new Float64Array(n);

  /**
   * ∇ℓ at θ into g: Σ_k (score_k − total_k σ(θ_first − θ_second)) (e_first − e_second). With σ(θ_i − θ_j) =
   * w_i / (w_i + w_j), w_i = e^{θ_i − max θ} ∈ (0, 1], it takes one exponential per model rather than one per pair,
   * as long as the spread of θ keeps every w_i normal; wider, σ per pair as e^{−|d|} over 1 + e^{−|d|}.
   */
  const gradientAt = (theta: Float64Array, g: Float64Array): void => {
    g.fill(0);
    let top = -Infinity;
    let bottom = Infinity;
    for (let i = 0; i < n; i++) {
      top = Math.max(top, theta[i]);
      bottom = Math.min(bottom, theta[i]);
    }
    if (top - bottom <= STRENGTH_SPREAD) {
      for (let i = 0; i < n; i++) strength[i] = Math.exp(theta[i] - top);
      for (let k = 0; k < nPairs; k++) {
        const t = total[k];
        if (t === 0) continue;
        const w = strength[first[k]];
        const residual = score[k] - (t * w) / (w + strength[second[k]]);
        g[first[k]] += residual;
        g[second[k]] -= residual;
      }
      return;
    }
    for (let k = 0; k < nPairs; k++) {
      const t = total[k];
      if (t === 0) continue;
      const d = theta[first[k]] - theta[second[k]];
      const e = Math.exp(-Math.abs(d));
      const residual = score[k] - (t * (d >= 0 ? 1 : e)) / (1 + e);
      g[first[k]] += residual;
      g[second[k]] -= residual;
    }
  };
  /** The chord direction V Vᵀ g (zero at the reference) into `step`. */
  const chordStep = (g: Float64Array): void => {
    for (let i = 0; i < n; i++) if (i !== reference) freeGradient[i < reference ? i : i - 1] = g[i];
    inverseTimesInto(factor, freeGradient, solveScratch, freeStep);
    for (let i = 0; i < n; i++) step[i] = i === reference ? 0 : freeStep[i < reference ? i : i - 1];
  };

  return (counts, out) => {
    score.fill(0);
    total.fill(0);
    for (let r = 0; r < rows; r++) {
      const k = rowPair[r];
      const c = counts[r];
      if (k < 0 || c === 0) continue;
      total[k] += c * rowWeight[r];
      score[k] += c * rowScore[r];
    }
    exposure.fill(0);
    for (let k = 0; k < nPairs; k++) {
      exposure[first[k]] += total[k];
      exposure[second[k]] += total[k];
    }
    x.set(problem.theta);
    gradientAt(x, gradient);
    for (let iteration = 0; iteration < problem.maxIterations; iteration++) {
      chordStep(gradient);
      if (newtonConverged(gradient, exposure, step, problem.tolerance, stepTolerance)) {
        for (let i = 0; i < n; i++) out[i] = x[i] + step[i];
        return true;
      }
      let slope = 0;
      for (let i = 0; i < n; i++) slope += step[i] * gradient[i];
      for (let i = 0; i < n; i++) trial[i] = x[i] + step[i];
      gradientAt(trial, trialGradient);
      let along = 0;
      for (let i = 0; i < n; i++) along += step[i] * trialGradient[i];
      if (!(slope > 0) || along < -OVERSHOOT * slope) {
        const fit = fitPairs(pairs, {
          reference,
          start: x,
          fixedFactor: factor,
          tolerance: problem.tolerance,
          maxIterations: problem.maxIterations - iteration,
        });
        out.set(fit.theta);
        return fit.converged;
      }
      x.set(trial);
      [gradient, trialGradient] = [trialGradient, gradient];
    }
    out.set(x);
    return false;
  };
}
