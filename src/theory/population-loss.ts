import { LuceError } from "../errors.js";
import { dpoLossOf } from "../losses/dpo.js";
import { plackettLuceDpoLoss } from "../losses/plackett-luce-dpo.js";
import { plackettLuceLogProbability } from "../ranking/plackett-luce.js";
import type { PromptProblem, ReadPopulationProblem } from "./population-problem.js";

/** The population loss of one prompt at a policy, with its gradient in log π (on the support). @internal */
export interface PopulationLossValue {
  /** L(π) = Σ weight · loss over the labelled pairs (or rankings); +Infinity where the loss overflows. */
  readonly loss: number;
  /** ∂L/∂log π(y) for y on the support; NaN where the loss overflows. */
  readonly gradient: Float64Array;
  /** Σ |weight · ∂loss/∂log π(y)| over the terms: the size of what cancels in each gradient entry. */
  readonly gradientScale: Float64Array;
}

/** The most responses whose K! rankings the listwise expectation enumerates (720 rankings). */
export const MAX_LISTWISE_RESPONSES = 6;

/** Each prompt's rankings with their Plackett–Luce(r*) probabilities, computed once. */
const rankingCache = new WeakMap<PromptProblem, { rankings: number[][]; weights: Float64Array }>();

function permutations(k: number): number[][] {
  if (k === 1) return [[0]];
  const out: number[][] = [];
  for (const rest of permutations(k - 1))
    for (let at = 0; at <= rest.length; at++) out.push([...rest.slice(0, at), k - 1, ...rest.slice(at)]);
  return out;
}

/** The full rankings of the prompt's support and their probabilities under Plackett–Luce(r*). @internal */
export function listwiseRankings(prompt: PromptProblem): { rankings: number[][]; weights: Float64Array } {
  let cached = rankingCache.get(prompt);
  if (cached === undefined) {
    const rankings = permutations(prompt.support.length);
    const weights = Float64Array.from(rankings, (t) => Math.exp(plackettLuceLogProbability(prompt.reward, t)));
    cached = { rankings, weights };
    rankingCache.set(prompt, cached);
  }
  return cached;
}

/**
 * The population loss of one prompt at log π (on its support), evaluated with luce's own losses: `dpoLoss`'s
 * kernels on every labelled ordered pair, weighted by μ_ij·q_ij, or `plackettLuceDpoLoss` on every full ranking,
 * weighted by its Plackett–Luce(r*) probability. A loss or gradient beyond the float64 range gives
 * `loss = +Infinity` and a NaN gradient (the line search then steps back).
 * @internal
 */
export function populationLoss(
  fn: string,
  problem: ReadPopulationProblem,
  prompt: PromptProblem,
  logPolicy: Float64Array,
): PopulationLossValue {
  const k = logPolicy.length;
  const gradient = new Float64Array(k);
  const gradientScale = new Float64Array(k);
  let loss = 0;
  try {
    if (problem.lossType === "plackett_luce") {
      const { rankings, weights } = listwiseRankings(prompt);
      const result = plackettLuceDpoLoss(
        {
          policyLogps: rankings.map(() => logPolicy),
          referenceLogps: rankings.map(() => prompt.logReference),
          rankings,
        },
        { beta: problem.beta },
      );
      for (let t = 0; t < rankings.length; t++) {
        loss += weights[t] * result.losses[t];
        const g = result.gradPolicy[t];
        for (let y = 0; y < k; y++) {
          gradient[y] += weights[t] * g[y];
          gradientScale[y] += Math.abs(weights[t] * g[y]);
        }
      }
    } else {
      const pairs = prompt.pairs;
      const n = pairs.length;
      // nothing compared: the loss is 0 for every policy
      if (n === 0) return { loss, gradient, gradientScale };
      const pick = (values: Float64Array, side: "chosen" | "rejected") =>
        Float64Array.from(pairs, (p) => values[p[side]]);
      const result = dpoLossOf(
        fn,
        {
          policyChosenLogps: pick(logPolicy, "chosen"),
          policyRejectedLogps: pick(logPolicy, "rejected"),
          referenceChosenLogps: pick(prompt.logReference, "chosen"),
          referenceRejectedLogps: pick(prompt.logReference, "rejected"),
          // lengths are 1 where none were given: the types that divide by them then divide by 1
          chosenLengths: pick(prompt.lengths, "chosen"),
          rejectedLengths: pick(prompt.lengths, "rejected"),
        },
        problem.lossOptions,
      );
      for (let i = 0; i < n; i++) {
        const { chosen, rejected, weight } = pairs[i];
        loss += weight * result.losses[i];
        const gc = weight * result.gradPolicyChosen[i];
        const gr = weight * result.gradPolicyRejected[i];
        gradient[chosen] += gc;
        gradient[rejected] += gr;
        gradientScale[chosen] += Math.abs(gc);
        gradientScale[rejected] += Math.abs(gr);
      }
    }
  } catch (e) {
    if (!(e instanceof LuceError)) throw e;
    return { loss: Infinity, gradient: gradient.fill(Number.NaN), gradientScale };
  }
  return { loss, gradient, gradientScale };
}
