import { createRandom } from "../../numerics/random.js";
import { accumulatePairs, fitPairs, type PairTotals } from "./pair-fit.js";
import { MultinomialSampler } from "./multinomial.js";

/**
 * Everything one bootstrap round needs, as plain data (typed arrays and numbers) so that it can be posted to a
 * worker thread: the rows, their pairs, the full-data fit to start from and its inverse information factor.
 * @internal
 */
export interface BootstrapProblem {
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

/** The 32-bit finaliser of splitmix32: a bijection of the unsigned 32-bit integers. */
function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
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
 * Prepares the rounds of one problem (the log-factorial table once per thread) and returns the function that
 * runs round `round`, writing its θ into `out` (length nModels) and returning whether its fit converged.
 * Each round resamples the rows' battle counts ({@link MultinomialSampler}) and refits by damped Newton from
 * the full-data θ, taking directions from the full data's information (near which the resample's maximum lies).
 * @internal
 */
export function createRoundRunner(problem: BootstrapProblem): (round: number, out: Float64Array) => boolean {
  const sampler = new MultinomialSampler(problem.battles);
  const counts = new Float64Array(problem.battles.length);
  const pairs: PairTotals = {
    nModels: problem.nModels,
    first: problem.pairFirst,
    second: problem.pairSecond,
    score: new Float64Array(problem.pairFirst.length),
    total: new Float64Array(problem.pairFirst.length),
    rowPair: problem.rowPair,
  };
  return (round, out) => {
    sampler.resample(createRandom(roundSeed(problem.seed, round)), counts);
    accumulatePairs(problem, problem.rowPair, counts, pairs.score, pairs.total);
    const fit = fitPairs(pairs, {
      reference: problem.reference,
      start: problem.theta,
      fixedFactor: problem.factor,
      tolerance: problem.tolerance,
      maxIterations: problem.maxIterations,
    });
    out.set(fit.theta);
    return fit.converged;
  };
}
