import { LuceError } from "../errors.js";
import { NeumaierSum } from "../numerics/sum.js";
import { copyArrayLike, describe, requireFinite, requireFiniteArray, requireOptions } from "../validation/checks.js";
import { logOptimalPolicyRow } from "./kernels.js";
import { expectedRewardRow, klRow } from "./kl.js";
import { readPolicy, readReward, requireSameShape, type Policy, type Rows } from "./rows.js";

/** A finite problem with prompt weights: the distribution of x in eq. 3. */
export interface WeightedProblem {
  /** r(x, y), one row per prompt. */
  readonly reward: Rows;
  /** π_ref, as probabilities or `logSpace`. */
  readonly reference: Policy;
  /** Probability of each prompt (non-negative, normalised here); default uniform. */
  readonly promptWeights?: ArrayLike<number>;
}

/** A policy's place in the reward–KL plane: E_x E_{y~π} r(x, y) and E_x KL(π(·|x) ‖ π_ref(·|x)). */
export interface RewardKlPoint {
  /** Prompt-weighted KL(π ‖ π_ref). */
  readonly kl: number;
  /** Prompt-weighted expected reward. */
  readonly expectedReward: number;
}

/** A point of the frontier, traced by the optimal policy π_r at one β. */
export interface FrontierPoint extends RewardKlPoint {
  /** The β whose optimal policy (eq. 4) gives this point. */
  readonly beta: number;
}

interface ReadProblem {
  r: Float64Array[];
  logRef: Float64Array[];
  w: Float64Array;
}

/** The keys of {@link WeightedProblem}; another key is a misspelling (`promptWeight`). */
const PROBLEM_KEYS = ["reward", "reference", "promptWeights"];

/** A weighted problem read once (each field, row and entry) into copies. */
function readWeighted(fn: string, problem: WeightedProblem): ReadProblem {
  if (problem === null || typeof problem !== "object")
    throw new LuceError(fn, "problem", `must be { reward, reference, promptWeights? }, got ${describe(problem)}`);
  requireOptions(fn, "problem", problem, PROBLEM_KEYS);
  const r = readReward(fn, "problem.reward", problem.reward);
  const logRef = readPolicy(fn, "problem.reference", problem.reference, { rows: r, name: "problem.reward" });
  const promptWeights = problem.promptWeights;
  if (promptWeights === undefined) return { r, logRef, w: new Float64Array(r.length).fill(1 / r.length) };
  const given = requireFiniteArray(fn, "problem.promptWeights", promptWeights);
  if (given.length !== r.length)
    throw new LuceError(fn, "problem.promptWeights", `has ${given.length} entries for ${r.length} prompts`);
  let total = 0;
  for (let x = 0; x < given.length; x++) {
    if (given[x] < 0) throw new LuceError(fn, `problem.promptWeights[${x}]`, "must be >= 0");
    total += given[x];
  }
  if (!(total > 0)) throw new LuceError(fn, "problem.promptWeights", "must not all be 0");
  if (!Number.isFinite(total)) throw new LuceError(fn, "problem.promptWeights", "sum past the float64 range");
  return { r, logRef, w: given.map((v) => v / total) };
}

/** The largest reward of a row among the responses π_ref gives mass (a loop: rows may be long). */
function bestSupportedReward(reward: Float64Array, logReference: Float64Array): number {
  let best = -Infinity;
  for (let y = 0; y < reward.length; y++) if (logReference[y] > -Infinity && reward[y] > best) best = reward[y];
  return best;
}

function pointOf(p: ReadProblem, logPolicy: Float64Array[]): RewardKlPoint {
  const kl = new NeumaierSum();
  const reward = new NeumaierSum();
  logPolicy.forEach((row, x) => {
    // a prompt of probability 0 adds nothing, even where π leaves π_ref's support (0·∞ would be NaN)
    if (p.w[x] === 0) return;
    kl.add(p.w[x] * klRow(row, p.logRef[x]));
    reward.add(p.w[x] * expectedRewardRow(row, p.r[x]));
  });
  return { kl: Math.max(0, kl.value()), expectedReward: reward.value() };
}

/**
 * The exact expected-reward against KL frontier of eq. 3, traced by the optimal policy π_r of
 * eq. 4 as β goes from large (π_r ≈ π_ref: KL 0) to small (π_r → the best responses). By
 * appendix A.1 no policy lies above it: at its own KL, π_r has the largest expected reward. This
 * is the analogue of the DPO paper's Figure 2 (left) for a finite problem.
 *
 * Error at each β: that of {@link rewardKlPoint} at π_r, plus π_r's own (a few EPS·(max|r/β| +
 * max|log π_ref|) in log π_r, `logOptimalPolicy`) carried through: that times Σ_x w_x Σ π(1 + |log π/π_ref|)
 * in the KL and Σ_x w_x Σ π|r| in the expected reward.
 *
 * @param problem - rewards, reference and prompt weights
 * @param betas - the β values to trace (positive); default 200 values log-spaced from 1e3 to 1e−3
 * @returns one point per β, in the order given
 * @throws {@link LuceError} for a bad problem or a β that is not positive and finite
 * @example
 * ```ts
 * rewardKlFrontier({ reward: [[1, 0]], reference: [[0.5, 0.5]] }, [1]);
 * // [{ beta: 1, kl: KL(σ(±1) ‖ ½), expectedReward: σ(1) }]
 * ```
 */
export function rewardKlFrontier(problem: WeightedProblem, betas?: ArrayLike<number>): FrontierPoint[] {
  const fn = "rewardKlFrontier";
  const p = readWeighted(fn, problem);
  const grid =
    betas === undefined
      ? Array.from({ length: 200 }, (_, i) => 10 ** (3 - (6 * i) / 199))
      : copyArrayLike(fn, "betas", betas);
  return grid.map((beta, i) => {
    if (!(typeof beta === "number" && Number.isFinite(beta) && beta > 0))
      throw new LuceError(fn, `betas[${i}]`, `must be a finite β > 0, got ${describe(beta)}`);
    return {
      beta,
      ...pointOf(
        p,
        p.r.map((row, x) => logOptimalPolicyRow(row, p.logRef[x], beta)),
      ),
    };
  });
}

/**
 * Where a policy lies in the reward–KL plane of a weighted problem. A prompt of weight 0 contributes
 * nothing, even where π leaves π_ref's support there.
 *
 * Error: a few EPS·Σ_x w_x(1 + Σ_y π|log π/π_ref|) in the KL (as `klDivergence`) and a few
 * EPS·Σ_x w_x Σ_y π|r| in the expected reward.
 *
 * @param problem - rewards, reference and prompt weights
 * @param policy - π, as probabilities or `logSpace`, same shape
 * @returns its prompt-weighted KL(π ‖ π_ref) and expected reward
 * @throws {@link LuceError} for a bad problem or policy
 * @example
 * ```ts
 * rewardKlPoint({ reward: [[1, 0]], reference: [[0.5, 0.5]] }, [[1, 0]]); // { kl: log 2, expectedReward: 1 }
 * ```
 */
export function rewardKlPoint(problem: WeightedProblem, policy: Policy): RewardKlPoint {
  const fn = "rewardKlPoint";
  const p = readWeighted(fn, problem);
  const logPi = readPolicy(fn, "policy", policy);
  requireSameShape(fn, "policy", logPi, p.r, "problem.reward");
  return pointOf(p, logPi);
}

/**
 * The frontier's expected reward at a given KL: the β whose π_r has exactly that KL is found by
 * bisection on log β (the KL of π_r decreases as β grows), and its expected reward returned.
 * Beyond the frontier's range (a KL larger than π_r reaches as β → 0) it is the largest
 * achievable expected reward, E_x max_y r(x, y) over the support of π_ref.
 *
 * Error: the frontier's slope dR/dKL is β, so an error δK in the KL the bisection compares moves the
 * result by β·δK (δK as for {@link rewardKlFrontier}); the bisection stops within 1e−13 in log β, a
 * further 1e−13·Var_{π_β}(r)/β (the slope in log β); and a few EPS·Σ_x w_x Σ π|r| from the final
 * expected reward.
 *
 * @param problem - rewards, reference and prompt weights
 * @param kl - a KL budget ≥ 0
 * @returns the largest expected reward any policy with that KL can have
 * @throws {@link LuceError} for a bad problem or a negative or non-finite KL
 * @example
 * ```ts
 * frontierRewardAtKl({ reward: [[1, 0]], reference: [[0.5, 0.5]] }, 0); // 0.5, the reference's reward
 * ```
 */
export function frontierRewardAtKl(problem: WeightedProblem, kl: number): number {
  const fn = "frontierRewardAtKl";
  const p = readWeighted(fn, problem);
  requireFinite(fn, "kl", kl);
  if (kl < 0) throw new LuceError(fn, "kl", `must be >= 0, got ${kl}`);
  const at = (logBeta: number) =>
    pointOf(
      p,
      p.r.map((row, x) => logOptimalPolicyRow(row, p.logRef[x], Math.exp(logBeta))),
    );
  let lo = Math.log(1e-8); // small β: large KL
  let hi = Math.log(1e16); // large β: KL ≈ Var(r)/(2β²) ≈ 0
  if (at(lo).kl <= kl) {
    const best = new NeumaierSum();
    p.r.forEach((row, x) => best.add(p.w[x] * bestSupportedReward(row, p.logRef[x])));
    return best.value();
  }
  if (kl === 0) return pointOf(p, p.logRef).expectedReward; // only π_ref itself has KL 0
  if (at(hi).kl >= kl) return at(hi).expectedReward;
  for (let i = 0; i < 200 && hi - lo > 1e-13; i++) {
    const mid = (lo + hi) / 2;
    if (at(mid).kl > kl) lo = mid;
    else hi = mid;
  }
  return at((lo + hi) / 2).expectedReward;
}
