import { LuceError } from "../errors.js";
import { NeumaierSum } from "../numerics/sum.js";
import { readPolicy, readReward, readBeta, requireSameShape, type Policy, type Rows } from "./rows.js";

/**
 * KL(π ‖ π_ref) per prompt: Σ_y π(y|x) log(π(y|x)/π_ref(y|x)).
 *
 * Read in log space (so probabilities like e^{−5000} keep their logs) and summed with
 * compensation; terms with π(y|x) = 0 contribute 0, and π(y|x) > 0 where π_ref(y|x) = 0 gives
 * +Infinity (π is not absolutely continuous with respect to π_ref). Error: a few
 * EPS·(1 + Σ π|log π/π_ref|) absolute, which is what rounding the inputs to float64 allows.
 *
 * @param policy - π, as probabilities or {@link logSpace}
 * @param reference - π_ref, same shape
 * @returns KL(π(·|x) ‖ π_ref(·|x)) per prompt, ≥ 0 up to rounding
 * @throws {@link LuceError} for rows that are not distributions or shape mismatches
 * @example
 * ```ts
 * klDivergence([[1, 0]], [[0.5, 0.5]]); // [log 2]
 * ```
 */
export function klDivergence(policy: Policy, reference: Policy): Float64Array {
  const fn = "klDivergence";
  const logPi = readPolicy(fn, "policy", policy);
  const logRef = readPolicy(fn, "reference", reference, { rows: logPi, name: "policy" });
  return Float64Array.from(logPi, (row, x) => klRow(row, logRef[x]));
}

/**
 * The KL-regularised objective of eq. 3 per prompt:
 *
 * $$J(\pi; x) = \mathbb{E}_{y \sim \pi(\cdot \mid x)}\, r(x, y) - \beta\, \mathrm{KL}\big(\pi(\cdot \mid x) \,\|\,
 * \pi_{\mathrm{ref}}(\cdot \mid x)\big).$$
 *
 * Appendix A.1: it equals β log Z(x) − β KL(π ‖ π_r), so the optimal policy π_r maximises it.
 *
 * @param policy - π, as probabilities or {@link logSpace}
 * @param reward - r(x, y), finite, same shape
 * @param reference - π_ref, same shape
 * @param beta - β > 0
 * @returns the objective per prompt (−Infinity where π puts mass outside π_ref's support)
 * @throws {@link LuceError} for rows that are not distributions, non-finite rewards, shape
 *   mismatches, β ≤ 0 or not finite, and an objective beyond the float64 range (β·KL near 1e308)
 * @example
 * ```ts
 * klRegularizedObjective([[0.5, 0.5]], [[1, 0]], [[0.5, 0.5]], 1); // [0.5]
 * ```
 */
export function klRegularizedObjective(policy: Policy, reward: Rows, reference: Policy, beta: number): Float64Array {
  const fn = "klRegularizedObjective";
  const logPi = readPolicy(fn, "policy", policy);
  const r = readReward(fn, "reward", reward);
  const logRef = readPolicy(fn, "reference", reference, { rows: logPi, name: "policy" });
  const b = readBeta(fn, beta);
  requireSameShape(fn, "reward", r, logPi, "policy");
  return Float64Array.from(logPi, (row, x) => {
    const kl = klRow(row, logRef[x]);
    const objective = expectedRewardRow(row, r[x]) - b * kl;
    // −Infinity is the answer where π leaves π_ref's support (KL = ∞); elsewhere it would be overflow
    if (!Number.isFinite(objective) && Number.isFinite(kl))
      throw new LuceError(fn, "beta", `makes E r − β·KL of prompt ${x} beyond the float64 range`);
    return objective;
  });
}

/** Σ π log(π/π_ref) over one prompt, from log-probabilities. @internal */
export function klRow(logPi: ArrayLike<number>, logRef: ArrayLike<number>): number {
  const sum = new NeumaierSum();
  for (let y = 0; y < logPi.length; y++) {
    if (logPi[y] === -Infinity) continue;
    if (logRef[y] === -Infinity) return Infinity;
    sum.add(Math.exp(logPi[y]) * (logPi[y] - logRef[y]));
  }
  return sum.value();
}

/** Σ π r over one prompt. @internal */
export function expectedRewardRow(logPi: ArrayLike<number>, reward: ArrayLike<number>): number {
  const sum = new NeumaierSum();
  for (let y = 0; y < logPi.length; y++) if (logPi[y] !== -Infinity) sum.add(Math.exp(logPi[y]) * reward[y]);
  return sum.value();
}
