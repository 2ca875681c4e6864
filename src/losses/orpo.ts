import { LuceError } from "../errors.js";
import { log1mExpUnchecked as log1mExp } from "../numerics/log1m-exp.js";
import { logSigmoidUnchecked as ls } from "../numerics/log-sigmoid.js";
import { logSumExpParts } from "../numerics/log-sum-exp.js";
import { describe, requireOptions, requirePositive } from "../validation/checks.js";
import { rewardMetrics, type RewardMetrics } from "./metrics.js";
import {
  OVERFLOWS,
  compensatedMean,
  readLengths,
  readLogps,
  requireFiniteResults,
  requireInputsObject,
} from "./sequence-inputs.js";

/** Per-pair sequence log-probabilities of the policy (sums over tokens) and token counts; ORPO has no reference. */
export interface OrpoInputs {
  /** log π_θ(y_w | x), summed over the response's tokens. */
  readonly policyChosenLogps: ArrayLike<number>;
  /** log π_θ(y_l | x). */
  readonly policyRejectedLogps: ArrayLike<number>;
  /** |y_w|, the chosen responses' token counts (> 0). */
  readonly chosenLengths: ArrayLike<number>;
  /** |y_l|. */
  readonly rejectedLengths: ArrayLike<number>;
  /**
   * The chosen examples' prompt log-probs (sums over the prompt tokens the model predicts). TRL's
   * `ORPOTrainer` takes its NLL over prompt and response; give these (with `chosenPromptLengths`)
   * to match it, or leave them out for the paper's NLL of the response alone.
   */
  readonly chosenPromptLogps?: ArrayLike<number>;
  /** The number of prompt tokens in `chosenPromptLogps` (> 0). */
  readonly chosenPromptLengths?: ArrayLike<number>;
}

/** The metrics TRL's `ORPOTrainer` logs. */
export interface OrpoMetrics extends RewardMetrics {
  /** Mean token-averaged log-prob of the chosen responses. */
  readonly "logps/chosen": number;
  /** Mean token-averaged log-prob of the rejected responses. */
  readonly "logps/rejected": number;
  /** The NLL per token of the chosen examples. */
  readonly nll_loss: number;
  /** Mean log σ(log odds ratio) (TRL's `log_odds_ratio`). */
  readonly log_odds_ratio: number;
  /** Mean log odds ratio (TRL's `log_odds_chosen`). */
  readonly log_odds_chosen: number;
}

/** What {@link orpoLoss} returns; the arrays have one entry per pair. */
export interface OrpoLossResult {
  /** The batch loss TRL backpropagates: nll + mean(losses). */
  readonly loss: number;
  /** The odds-ratio term of each pair, −λ log σ(log odds ratio). */
  readonly losses: Float64Array;
  /** log(odds_θ(y_w)/odds_θ(y_l)) per pair; +Infinity, exactly, where p_w = 1 (then the pair's loss is 0). */
  readonly logOddsRatios: Float64Array;
  /** λ·ℓ_w, the token-averaged log-prob scaled as TRL logs it. */
  readonly chosenRewards: Float64Array;
  /** λ·ℓ_l. */
  readonly rejectedRewards: Float64Array;
  /** ∂loss/∂policyChosenLogps[i]. */
  readonly gradPolicyChosen: Float64Array;
  /** ∂loss/∂policyRejectedLogps[i]. */
  readonly gradPolicyRejected: Float64Array;
  /** ∂loss/∂chosenPromptLogps[i] (the same −1/tokens for every prompt); empty when no prompts are given. */
  readonly gradChosenPrompt: Float64Array;
  /** The metrics TRL logs. */
  readonly metrics: OrpoMetrics;
}

const FN = "orpoLoss";

/**
 * Odds Ratio Preference Optimization (Hong et al. 2024, "ORPO: Monolithic Preference Optimization without
 * Reference Model": the odds of eq. 4 and the odds-ratio loss of eq. 7, as TRL cites them, with the SFT
 * term), with exact gradients. With the token-averaged log-probs ℓ = log π_θ(y|x)/|y|, p = e^ℓ and
 * odds(y) = p/(1 − p):
 *
 * $$\mathcal{L} = \mathcal{L}_{\mathrm{NLL}} - \lambda\,\frac{1}{n}\sum_i \log \sigma\Big(\log
 * \frac{\mathrm{odds}_\theta(y_{w,i})}{\mathrm{odds}_\theta(y_{l,i})}\Big),$$
 *
 * λ = `beta` (TRL's name). L_NLL = −Σ log π_θ / Σ tokens over the chosen responses (and their prompts
 * where given, as TRL does).
 *
 * Stability: log odds(y) = ℓ − log(1 − e^ℓ) with log(1 − e^ℓ) from {@link log1mExp}, so a probability
 * near 1 (ℓ = −1e−20, where 1 − p rounds to 0) has log odds 46.05…, not +Infinity. The gradient
 * ∂L/∂ℓ_w = −λ p_l / E and ∂L/∂ℓ_l = λ (1 − p_w) p_l / ((1 − p_l) E), E = (1 − p_w) p_l + p_w (1 − p_l),
 * are formed from log E (a two-term log-sum-exp of log-space products), so they are finite and correct
 * at p_w = 1 (ℓ_w = 0, where the loss is 0 and ∂L/∂ℓ_w = −λ odds(y_l)) and as ℓ → −1e3. The loss
 * is infinite at ℓ_l = 0 (p_l = 1): an error, as is every loss or gradient beyond the float64 range.
 * Accuracy: a few ulp relative to each loss, plus the inputs' rounding through the log odds; the
 * gradients, formed as exp of log terms, a few EPS·(|ℓ| + |log(1 − p)|) relative (1e−13 at 1 − p = 1e−300).
 *
 * @param inputs - the policy's summed log-probs and token counts per pair, and optionally the prompts'
 * @param options - λ (`beta`) > 0
 * @returns the batch loss, per-pair odds-ratio losses, log odds ratios, gradients and TRL's metrics
 * @throws {@link LuceError} for an unknown option key, λ ≤ 0 or not finite, log-probs that are not finite
 *   or above 0, lengths that are missing or not positive, arrays of unequal length, an empty batch,
 *   prompt log-probs without their lengths, and a loss or gradient beyond the float64 range
 * @example
 * ```ts
 * const r = orpoLoss(
 *   { policyChosenLogps: [-1e-12], policyRejectedLogps: [-30], chosenLengths: [3], rejectedLengths: [10] },
 *   { beta: 0.1 });
 * // p_w = e^(−1e−12/3) rounds to 1, yet its log odds ℓ − log(1 − e^ℓ) = 28.73… and the ratio 31.68… are finite
 * ```
 */
export function orpoLoss(inputs: OrpoInputs, options: { readonly beta: number }): OrpoLossResult {
  requireInputsObject(FN, inputs);
  if (options === null || typeof options !== "object")
    throw new LuceError(FN, "options", `must be an object with beta, got ${describe(options)}`);
  requireOptions(FN, "options", options, ["beta"]);
  const lambda = requirePositive(FN, "options.beta", options.beta);

  const first = "inputs.policyChosenLogps";
  const chosenSums = readLogps(FN, first, inputs.policyChosenLogps);
  const n = chosenSums.length;
  const rejectedSums = readLogps(FN, "inputs.policyRejectedLogps", inputs.policyRejectedLogps, n, first);
  const chosenLengths = readLengths(FN, "inputs.chosenLengths", inputs.chosenLengths, n, first);
  const rejectedLengths = readLengths(FN, "inputs.rejectedLengths", inputs.rejectedLengths, n, first);
  const prompts = promptsOf(inputs, n);

  const chosenLogps = chosenSums.map((s, i) => s / chosenLengths[i]);
  const rejectedLogps = rejectedSums.map((s, i) => s / rejectedLengths[i]);
  const losses = new Float64Array(n);
  const logOddsRatios = new Float64Array(n);
  const logSigmoids = new Float64Array(n);
  const gradPolicyChosen = new Float64Array(n);
  const gradPolicyRejected = new Float64Array(n);
  // NLL over the chosen responses (and prompts): its slope is −1 per token of the whole batch
  const nllLogps = prompts === null ? chosenSums : chosenSums.map((s, i) => s + prompts.logps[i]);
  const nllTokens = prompts === null ? chosenLengths : chosenLengths.map((l, i) => l + prompts.lengths[i]);
  const nll = -compensatedMean(nllLogps) / compensatedMean(nllTokens);
  const nllSlope = -1 / (compensatedMean(nllTokens) * n);
  for (let i = 0; i < n; i++) {
    const lw = chosenLogps[i];
    const ll = rejectedLogps[i];
    const oneMinusW = log1mExp(lw); // log(1 − p_w); −Infinity at p_w = 1
    const oneMinusL = log1mExp(ll);
    const logOdds = lw - oneMinusW - (ll - oneMinusL);
    logOddsRatios[i] = logOdds;
    logSigmoids[i] = ls(logOdds);
    losses[i] = -lambda * logSigmoids[i];
    const { max, rest } = logSumExpParts([oneMinusW + ll, lw + oneMinusL]);
    const logE = max + Math.log1p(rest);
    gradPolicyChosen[i] = (-lambda * Math.exp(ll - logE)) / n / chosenLengths[i] + nllSlope;
    gradPolicyRejected[i] = (lambda * Math.exp(oneMinusW + ll - oneMinusL - logE)) / n / rejectedLengths[i];
  }
  for (let i = 0; i < n; i++) {
    // log σ(log odds ratio) = −∞ only where p_l = 1 (log odds +∞), or NaN where p_w = p_l = 1
    if (!Number.isFinite(logSigmoids[i]))
      throw new LuceError(
        FN,
        `inputs.policyRejectedLogps[${i}]`,
        "has probability 1: the odds ratio is 0 and the loss infinite",
      );
  }
  requireFiniteResults(FN, "options.beta", "the loss of pair", losses);
  requireFiniteResults(
    FN,
    "inputs.policyRejectedLogps",
    "the gradient (a probability too close to 1) of response",
    gradPolicyRejected,
  );
  requireFiniteResults(FN, "inputs.policyChosenLogps", "the gradient of response", gradPolicyChosen);
  const chosenRewards = chosenLogps.map((l) => lambda * l);
  const rejectedRewards = rejectedLogps.map((l) => lambda * l);
  requireFiniteResults(FN, "options.beta", "the reward λ·ℓ of chosen response", chosenRewards);
  requireFiniteResults(FN, "options.beta", "the reward λ·ℓ of rejected response", rejectedRewards);
  const loss = nll + compensatedMean(losses);
  if (!Number.isFinite(loss)) throw new LuceError(FN, "options.beta", `makes the batch loss ${OVERFLOWS}`);
  return {
    loss,
    losses,
    logOddsRatios,
    chosenRewards,
    rejectedRewards,
    gradPolicyChosen,
    gradPolicyRejected,
    gradChosenPrompt: prompts === null ? new Float64Array(0) : new Float64Array(n).fill(nllSlope),
    metrics: {
      ...rewardMetrics(chosenRewards, rejectedRewards),
      "logps/chosen": compensatedMean(chosenLogps),
      "logps/rejected": compensatedMean(rejectedLogps),
      nll_loss: nll,
      log_odds_ratio: compensatedMean(logSigmoids),
      log_odds_chosen: compensatedMean(logOddsRatios),
    },
  };
}

/** The chosen prompts' log-probs and token counts, both or neither. */
function promptsOf(inputs: OrpoInputs, n: number): { logps: Float64Array; lengths: Float64Array } | null {
  const { chosenPromptLogps, chosenPromptLengths } = inputs;
  if (chosenPromptLogps === undefined && chosenPromptLengths === undefined) return null;
  if (chosenPromptLogps === undefined)
    throw new LuceError(FN, "inputs.chosenPromptLogps", "is missing: give it with inputs.chosenPromptLengths");
  const first = "inputs.policyChosenLogps";
  const logps = readLogps(FN, "inputs.chosenPromptLogps", chosenPromptLogps, n, first);
  if (chosenPromptLengths === undefined)
    throw new LuceError(FN, "inputs.chosenPromptLengths", "is missing: give it with inputs.chosenPromptLogps");
  return { logps, lengths: readLengths(FN, "inputs.chosenPromptLengths", chosenPromptLengths, n, first) };
}
