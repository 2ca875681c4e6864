import { LuceError } from "../errors.js";
import { describe, requireFinite, requireOptions, requirePositive } from "../validation/checks.js";
import { rewardMetrics, type RewardMetrics } from "./metrics.js";
import { conservativeSigmoid, pairKernels, scaledDifference } from "./pairwise-kernels.js";
import {
  OVERFLOWS,
  compensatedMean,
  readLengths,
  readLogps,
  readWeight,
  requireFiniteResults,
  requireInputsObject,
} from "./sequence-inputs.js";

/** The loss types of TRL's `CPOTrainer`. */
export type CpoLossType = "sigmoid" | "hinge" | "ipo" | "simpo" | "alphapo";

/** Per-pair sequence log-probabilities of the policy (sums over tokens); CPO has no reference model. */
export interface CpoInputs {
  /** log π_θ(y_w | x) */
  readonly policyChosenLogps: ArrayLike<number>;
  /** log π_θ(y_l | x) */
  readonly policyRejectedLogps: ArrayLike<number>;
  /**
   * Token counts of the chosen responses: required by `ipo`, `simpo` and `alphapo` (which average the
   * log-probs over tokens, as TRL does) and by the NLL term (`cpoAlpha` > 0, a mean over tokens).
   */
  readonly chosenLengths?: ArrayLike<number>;
  /** Token counts of the rejected responses: required by `ipo`, `simpo` and `alphapo`. */
  readonly rejectedLengths?: ArrayLike<number>;
}

/** Options of {@link cpoLoss}. */
export interface CpoLossOptions {
  /** β > 0. */
  readonly beta: number;
  /** The loss; default `"sigmoid"`. */
  readonly lossType?: CpoLossType;
  /** ε of `sigmoid`, `simpo` and `alphapo`, 0 ≤ ε ≤ ½ (default 0); other types do not use it. */
  readonly labelSmoothing?: number;
  /**
   * The weight of the behaviour-cloning term, the chosen responses' negative log-likelihood; ≥ 0,
   * default 1 (TRL's `cpo_alpha`). `alphapo` leaves the term out, as TRL does, and refuses a weight.
   */
  readonly cpoAlpha?: number;
  /** γ, SimPO's target reward margin, of `simpo` and `alphapo`; default 0.5. */
  readonly simpoGamma?: number;
  /**
   * α of the AlphaPO reward (1 − p^{−α})/α, which TRL applies with every loss type; 0 (the default)
   * is the log-probability itself. Required by `alphapo`.
   */
  readonly alpha?: number;
}

/** The metrics TRL's `CPOTrainer` logs. */
export interface CpoMetrics extends RewardMetrics {
  /** Mean of the chosen log-probs the loss uses (token averages for `ipo`, `simpo` and `alphapo`). */
  readonly "logps/chosen": number;
  /** Mean of the rejected log-probs the loss uses. */
  readonly "logps/rejected": number;
  /** The NLL of the chosen responses per token (0 when `cpoAlpha` is 0, as TRL then skips it). */
  readonly nll_loss: number;
}

/** What {@link cpoLoss} returns; the arrays have one entry per pair. */
export interface CpoLossResult {
  /** The batch loss TRL backpropagates: mean(losses) + cpoAlpha · nll. */
  readonly loss: number;
  /** The preference loss of each pair (without the NLL term). */
  readonly losses: Float64Array;
  /** β·ρ(y_w), ρ the response's reward (its log-prob, token-averaged where the type averages, or AlphaPO's). */
  readonly chosenRewards: Float64Array;
  /** β·ρ(y_l). */
  readonly rejectedRewards: Float64Array;
  /** ∂loss/∂policyChosenLogps[i]. */
  readonly gradPolicyChosen: Float64Array;
  /** ∂loss/∂policyRejectedLogps[i]. */
  readonly gradPolicyRejected: Float64Array;
  /** The metrics TRL logs. */
  readonly metrics: CpoMetrics;
}

const FN = "cpoLoss";
const OPTION_KEYS: readonly string[] = ["beta", "lossType", "labelSmoothing", "cpoAlpha", "simpoGamma", "alpha"];
const LOSS_TYPES: readonly CpoLossType[] = ["sigmoid", "hinge", "ipo", "simpo", "alphapo"];
/** The types whose log-probs are token averages (TRL's `average_log_prob`). */
const AVERAGED: readonly CpoLossType[] = ["ipo", "simpo", "alphapo"];
/** The types with a sigmoid form, which take label smoothing. */
const SIGMOID_FORM: readonly CpoLossType[] = ["sigmoid", "simpo", "alphapo"];

/**
 * Contrastive Preference Optimization (Xu et al. 2024, "Contrastive Preference Optimization": the
 * preference loss of its eq. 3, as TRL cites it, plus its behaviour-cloning NLL term) and the reference-free
 * losses TRL's `CPOTrainer` groups with it, with exact gradients. With ρ(y) a response's reward and
 * h = ρ(y_w) − ρ(y_l):
 * - `sigmoid`: −(1−ε) log σ(βh) − ε log σ(−βh);
 * - `hinge`: max(0, 1 − βh) (gradient 0 at the kink);
 * - `ipo`: (h − 1/(2β))² on token-averaged log-probs;
 * - `simpo` (Meng et al. 2024, "SimPO", eq. 6): −(1−ε) log σ(βh − γ) − ε log σ(−(βh − γ)) on
 *   token-averaged log-probs ℓ = log π_θ(y|x)/|y|;
 * - `alphapo` (Gupta et al. 2025, "AlphaPO: Reward shape matters"): `simpo` with the reward ρ = (1 − p^{−α})/α,
 *   p = e^ℓ, and no NLL term (TRL's sugar: `loss_type="simpo"`, `cpo_alpha=0`).
 *
 * ρ is ℓ (the sum, or the token average for `ipo`, `simpo`, `alphapo`), or AlphaPO's reward whenever
 * `alpha` ≠ 0, for every type, as in TRL. The batch loss is mean(losses) + cpoAlpha · NLL, with NLL =
 * −Σ_i log π_θ(y_w,i) / Σ_i |y_w,i| the chosen responses' cross-entropy per token (TRL's `nll_loss`).
 *
 * Gradient: ∂loss/∂ log π_θ(y_w,i) = (1/n)·L′(h_i)·ρ′(ℓ_w,i)/|y_w,i| − cpoAlpha/Σ|y_w| (the length
 * factor only where the type averages), ρ′(ℓ) = p^{−α} = e^{−αℓ}; likewise −(1/n)·L′·ρ′(ℓ_l)/|y_l| for
 * the rejected responses.
 *
 * Stability: log σ through softplus branches; the AlphaPO reward is −expm1(−αℓ)/α, formed in log space
 * from ℓ without p = e^ℓ (which underflows to 0 below ℓ ≈ −745, where p^{−α} would be Infinity) and
 * without cancellation as α → 0. Whenever the reward is finite so is e^{−αℓ}, and a slope L′(h) of 0 (a
 * saturated sigmoid, a flat hinge) gives a gradient of 0, not 0·e^{−αℓ}.
 * A loss, gradient or reward beyond the float64 range is an error. Accuracy: a few ulp relative to
 * the loss (absolute near zero for `ipo` and `hinge`), plus the inputs' rounding through ρ′.
 *
 * @param inputs - the policy's sequence log-probs per pair, and token counts where used
 * @param options - β, the loss type and its parameters
 * @returns the batch loss, per-pair losses, rewards, gradients and TRL's metrics
 * @throws {@link LuceError} for an unknown option key or loss type, β ≤ 0, an option out of range or
 *   given to a type that ignores it, `alphapo` without `alpha` or with `cpoAlpha`, log-probs that are
 *   not finite or are above 0, missing or non-positive lengths where used, arrays of unequal length,
 *   an empty batch, and a loss, gradient or reward beyond the float64 range
 * @example
 * ```ts
 * const r = cpoLoss(
 *   { policyChosenLogps: [-12, -20], policyRejectedLogps: [-15, -18],
 *     chosenLengths: [6, 10], rejectedLengths: [5, 9] },
 *   { beta: 2, lossType: "simpo", simpoGamma: 0.5, cpoAlpha: 0 });
 * // r.losses[0] = -log σ(2·(-12/6 + 15/5) - 0.5)
 * ```
 */
export function cpoLoss(inputs: CpoInputs, options: CpoLossOptions): CpoLossResult {
  requireInputsObject(FN, inputs);
  if (options === null || typeof options !== "object")
    throw new LuceError(FN, "options", `must be an object with at least beta, got ${describe(options)}`);
  requireOptions(FN, "options", options, OPTION_KEYS);
  const o = readOptions(options);

  const chosenSums = readLogps(FN, "inputs.policyChosenLogps", inputs.policyChosenLogps);
  const n = chosenSums.length;
  const first = "inputs.policyChosenLogps";
  const rejectedSums = readLogps(FN, "inputs.policyRejectedLogps", inputs.policyRejectedLogps, n, first);
  const averaged = AVERAGED.includes(o.lossType);
  const chosenLengths = lengths("inputs.chosenLengths", inputs.chosenLengths, averaged || o.cpoAlpha > 0);
  const rejectedLengths = lengths("inputs.rejectedLengths", inputs.rejectedLengths, averaged);

  const chosenLogps = averaged ? chosenSums.map((s, i) => s / chosenLengths![i]) : chosenSums;
  const rejectedLogps = averaged ? rejectedSums.map((s, i) => s / rejectedLengths![i]) : rejectedSums;
  const chosenRho = chosenLogps.map((l) => alphaReward(l, o.alpha));
  const rejectedRho = rejectedLogps.map((l) => alphaReward(l, o.alpha));
  const chosenRewards = chosenRho.map((r) => o.beta * r);
  const rejectedRewards = rejectedRho.map((r) => o.beta * r);
  requireFiniteResults(FN, "options.alpha", "the reward ρ of chosen response", chosenRho);
  requireFiniteResults(FN, "options.alpha", "the reward ρ of rejected response", rejectedRho);
  requireFiniteResults(FN, "options.beta", "the reward β·ρ of chosen response", chosenRewards);
  requireFiniteResults(FN, "options.beta", "the reward β·ρ of rejected response", rejectedRewards);

  // TRL's nll_loss: the cross-entropy per token over all chosen responses, −Σ log π_θ(y_w) / Σ |y_w|
  const nll = o.cpoAlpha > 0 ? -compensatedMean(chosenSums) / compensatedMean(chosenLengths!) : 0;
  const nllSlope = o.cpoAlpha > 0 ? -o.cpoAlpha / (compensatedMean(chosenLengths!) * n) : 0;
  const losses = new Float64Array(n);
  const gradPolicyChosen = new Float64Array(n);
  const gradPolicyRejected = new Float64Array(n);
  const out = new Float64Array(3);
  for (let i = 0; i < n; i++) {
    pairLoss(o, chosenRho[i], rejectedRho[i], out);
    losses[i] = out[0];
    const cl = averaged ? chosenLengths![i] : 1;
    const rl = averaged ? rejectedLengths![i] : 1;
    gradPolicyChosen[i] = chainRule(out[1], chosenLogps[i], o.alpha) / n / cl + nllSlope;
    gradPolicyRejected[i] = chainRule(out[2], rejectedLogps[i], o.alpha) / n / rl;
  }
  requireFiniteResults(FN, "options.beta", `the ${o.lossType} loss of pair`, losses);
  requireFiniteResults(FN, "options.beta", "the gradient of chosen response", gradPolicyChosen);
  requireFiniteResults(FN, "options.beta", "the gradient of rejected response", gradPolicyRejected);
  const loss = compensatedMean(losses) + o.cpoAlpha * nll;
  if (!Number.isFinite(loss)) throw new LuceError(FN, "options.cpoAlpha", `makes the batch loss ${OVERFLOWS}`);
  return {
    loss,
    losses,
    chosenRewards,
    rejectedRewards,
    gradPolicyChosen,
    gradPolicyRejected,
    metrics: {
      ...rewardMetrics(chosenRewards, rejectedRewards),
      "logps/chosen": compensatedMean(chosenLogps),
      "logps/rejected": compensatedMean(rejectedLogps),
      nll_loss: nll,
    },
  };

  /** Token counts where given (checked even where unused), required where the loss uses them. */
  function lengths(name: string, values: unknown, required: boolean): Float64Array | null {
    if (values !== undefined) return readLengths(FN, name, values, n, first);
    if (!required) return null;
    const by = averaged ? `lossType '${o.lossType}' (it averages over tokens)` : "the NLL term (cpoAlpha > 0)";
    throw new LuceError(FN, name, `is required by ${by}`);
  }
}

interface CpoParameters {
  readonly beta: number;
  readonly lossType: CpoLossType;
  readonly eps: number;
  readonly cpoAlpha: number;
  readonly gamma: number;
  readonly alpha: number;
}

/** Each option read once and checked; those a type does not use are refused when given. */
function readOptions(options: CpoLossOptions): CpoParameters {
  const beta = requirePositive(FN, "options.beta", options.beta);
  const lossType = options.lossType ?? "sigmoid";
  if (!LOSS_TYPES.includes(lossType))
    throw new LuceError(FN, "options.lossType", `is ${describe(lossType)}, not one of: ${LOSS_TYPES.join(", ")}`);
  const givenEps = options.labelSmoothing;
  let eps = 0;
  if (givenEps !== undefined) {
    eps = requireFinite(FN, "options.labelSmoothing", givenEps);
    if (!SIGMOID_FORM.includes(lossType) && eps !== 0)
      throw new LuceError(FN, "options.labelSmoothing", `is not used by lossType '${lossType}'; leave it out`);
    if (eps < 0 || eps > 0.5)
      throw new LuceError(FN, "options.labelSmoothing", `must satisfy 0 <= labelSmoothing <= 0.5, got ${eps}`);
  }
  const givenGamma = options.simpoGamma;
  if (givenGamma !== undefined && lossType !== "simpo" && lossType !== "alphapo")
    throw new LuceError(FN, "options.simpoGamma", `is not used by lossType '${lossType}'; leave it out`);
  const gamma = givenGamma === undefined ? 0.5 : requireFinite(FN, "options.simpoGamma", givenGamma);
  const givenCpoAlpha = options.cpoAlpha;
  if (lossType === "alphapo" && givenCpoAlpha !== undefined && givenCpoAlpha !== 0)
    throw new LuceError(
      FN,
      "options.cpoAlpha",
      "is not used by lossType 'alphapo' (SimPO with AlphaPO's reward and no NLL term, as in TRL); " +
        "use lossType 'simpo' with alpha for both",
    );
  const cpoAlpha = readWeight(FN, "options.cpoAlpha", givenCpoAlpha, lossType === "alphapo" ? 0 : 1);
  const givenAlpha = options.alpha;
  if (lossType === "alphapo" && givenAlpha === undefined)
    throw new LuceError(FN, "options.alpha", "is required by lossType 'alphapo' (the exponent of its reward)");
  const alpha = givenAlpha === undefined ? 0 : requireFinite(FN, "options.alpha", givenAlpha);
  return { beta, lossType, eps, cpoAlpha, gamma, alpha };
}

/** AlphaPO's reward (1 − p^{−α})/α with p = e^ℓ, written −expm1(−αℓ)/α; ℓ itself at α = 0. */
function alphaReward(l: number, alpha: number): number {
  return alpha === 0 ? l : -Math.expm1(-alpha * l) / alpha;
}

/**
 * ∂loss/∂ℓ = slope·ρ′(ℓ) with ρ′(ℓ) = e^{−αℓ}, finite where the reward is. A zero slope stays 0. Where
 * the slope underflows (σ(−z) for z > 745), the product does too: with z ≈ β·e^{−αℓ}/α, the product
 * β·σ(−z)·e^{−αℓ} is about α·z·e^{−z}.
 */
function chainRule(slope: number, l: number, alpha: number): number {
  return alpha === 0 || slope === 0 ? slope : slope * Math.exp(-alpha * l);
}

/** One pair's loss and its derivatives in ρ_w and ρ_l, written into `out`. */
function pairLoss(o: CpoParameters, chosen: number, rejected: number, out: Float64Array): void {
  if (SIGMOID_FORM.includes(o.lossType)) {
    // −(1−ε) log σ(z) − ε log σ(−z) with z = βh (sigmoid) or βh − γ (SimPO's margin), the cDPO form TRL smooths
    const z = scaledDifference(o.beta, chosen, rejected) - (o.lossType === "sigmoid" ? 0 : o.gamma);
    conservativeSigmoid(z, o.eps, out, 0);
    out[1] *= o.beta;
    out[2] = -out[1];
    return;
  }
  // hinge and ipo are the DPO kernels on the rewards themselves (no reference model)
  const betaD = scaledDifference(o.beta, chosen, rejected);
  pairKernels[o.lossType](chosen, rejected, chosen - rejected, betaD, { beta: o.beta, eps: 0, tau: 0, delta: 0 }, out);
}
