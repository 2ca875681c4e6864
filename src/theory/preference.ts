import { LuceError } from "../errors.js";
import { normalizeObservation, type PlackettLuceObservation } from "../ranking/observations.js";
import { observationLogProbability } from "../ranking/plackett-luce.js";
import { requireIndex } from "../validation/checks.js";
import { impliedRewardRow } from "./kernels.js";
import { readBeta, readPolicy, readReward, type Policy, type Rows } from "./rows.js";

/**
 * Where preferences come from: a reward r, or a policy with its reference and β, whose implied
 * reward β log π/π_ref gives the same preferences when π = π_r (eq. 6: Z(x) cancels).
 */
export type PreferenceSource = RewardSource | PolicySource;

/** Preferences from a reward: Bradley–Terry / Plackett–Luce with scores r(x, ·). */
export interface RewardSource {
  /** r(x, y), one row per prompt. */
  readonly reward: Rows;
}

/** Preferences from a policy: scores β log π(y|x)/π_ref(y|x) (eq. 6). */
export interface PolicySource {
  /** π, as probabilities or `logSpace`. */
  readonly policy: Policy;
  /** π_ref, same shape. */
  readonly reference: Policy;
  /** β > 0. */
  readonly beta: number;
}

/**
 * log p(observation | x) of a preference over one prompt's responses. From a policy the scores are
 * the implicit rewards of eq. 6, where Z(x) cancels:
 *
 * $$p^*(y_1 \succ y_2 \mid x) = \sigma\Big(\beta \log \frac{\pi^*(y_1 \mid x)}{\pi_{\mathrm{ref}}(y_1 \mid x)} - \beta
 * \log \frac{\pi^*(y_2 \mid x)}{\pi_{\mathrm{ref}}(y_2 \mid x)}\Big).$$
 *
 * Models: Bradley–Terry
 * (a ranking of two responses, eq. 1) or Plackett–Luce (a longer ranking, a top-k of a listed
 * set, or a top-1 choice; section 3), from a reward or from a policy and its reference (eq. 6
 * and appendix A.2–A.3).
 *
 * Observations use the forms of `plackettLuceLogLikelihood` over the prompt's response indices:
 * `[1, 0]` is "y1 preferred to y0"; `[2, 0, 1]` ranks exactly those three; `{ ranking, of }` is a
 * top-k of `of`; `[chosen, [others]]` a choice. Stable as `plackettLuceLogProbability`.
 *
 * @param source - `{ reward }` or `{ policy, reference, beta }`
 * @param prompt - the row x
 * @param observation - the preference over that row's responses
 * @returns the log-probability
 * @throws {@link LuceError} for a bad source (see `optimalPolicy`), a prompt out of range, a
 *   malformed observation, or a response with no mass under π or π_ref (implied reward undefined)
 * @example
 * ```ts
 * preferenceLogProbability({ reward: [[2, 0]] }, 0, [0, 1]); // log σ(2)
 * ```
 */
export function preferenceLogProbability(
  source: PreferenceSource,
  prompt: number,
  observation: PlackettLuceObservation,
): number {
  return preferenceLogProbabilityOf("preferenceLogProbability", source, prompt, observation);
}

function preferenceLogProbabilityOf(
  fn: string,
  source: PreferenceSource,
  prompt: number,
  observation: PlackettLuceObservation,
): number {
  const scores = scoresOf(fn, source, prompt);
  const obs = normalizeObservation(fn, "observation", observation, scores.length);
  for (const y of [...obs.ranked, ...obs.unranked]) {
    if (!Number.isFinite(scores[y])) {
      throw new LuceError(
        fn,
        "source",
        `gives response ${y} of prompt ${prompt} no mass under π or π_ref, so its implied reward is not finite`,
      );
    }
  }
  return observationLogProbability(scores, obs, fn, "observation");
}

/**
 * The probability of a preference: e^{{@link preferenceLogProbability}}. Use the log form when
 * the probability may underflow.
 *
 * @param source - `{ reward }` or `{ policy, reference, beta }`
 * @param prompt - the row x
 * @param observation - the preference over that row's responses
 * @returns the probability
 * @throws {@link LuceError} as {@link preferenceLogProbability}
 * @example
 * ```ts
 * preferenceProbability({ reward: [[1, 0, 0]] }, 0, [0, [1, 2]]); // e / (e + 2)
 * ```
 */
export function preferenceProbability(
  source: PreferenceSource,
  prompt: number,
  observation: PlackettLuceObservation,
): number {
  return Math.exp(preferenceLogProbabilityOf("preferenceProbability", source, prompt, observation));
}

function scoresOf(fn: string, source: PreferenceSource, prompt: number): Float64Array {
  if (source === null || typeof source !== "object")
    throw new LuceError(fn, "source", "must be { reward } or { policy, reference, beta }");
  if ("reward" in source) {
    const r = readReward(fn, "source.reward", source.reward);
    return r[requireIndex(fn, "prompt", prompt, r.length)];
  }
  const logPi = readPolicy(fn, "source.policy", source.policy);
  const logRef = readPolicy(fn, "source.reference", source.reference, { rows: logPi, name: "source.policy" });
  const beta = readBeta(fn, source.beta);
  const x = requireIndex(fn, "prompt", prompt, logPi.length);
  const scores = impliedRewardRow(logPi[x], logRef[x], beta);
  const y = scores.findIndex((v, j) => !Number.isFinite(v) && Number.isFinite(logPi[x][j]) && logRef[x][j] > -Infinity);
  if (y >= 0) {
    const problem = `makes the implied reward β log π/π_ref of prompt ${x}, response ${y} beyond the float64 range`;
    throw new LuceError(fn, "source.beta", problem);
  }
  return scores;
}
