import { LuceError } from "../errors.js";
import { sigmoidUnchecked as sig } from "../numerics/sigmoid.js";
import { describe, requireOptions, requirePositive } from "../validation/checks.js";
import { scaledDifference } from "./pairwise-kernels.js";
import {
  compensatedMean,
  readFlags,
  readLogps,
  readWeight,
  requireFiniteResults,
  requireInputsObject,
} from "./sequence-inputs.js";

/** The loss types of TRL's `KTOTrainer`. */
export type KtoLossType = "kto" | "apo_zero_unpaired";

/** Unpaired examples: one completion per entry, each marked desirable or undesirable. */
export interface KtoInputs {
  /** log π_θ(y_i | x_i), the completion's sequence log-probability (a sum over its tokens). */
  readonly policyLogps: ArrayLike<number>;
  /** log π_ref(y_i | x_i). */
  readonly referenceLogps: ArrayLike<number>;
  /** TRL's `label`: true for a desirable completion, false for an undesirable one. */
  readonly desirable: ArrayLike<boolean>;
  /**
   * log π_θ(y′ | x) of mismatched prompt–completion pairs (TRL's `KL_logps`: each prompt with another
   * example's completion), from which the reference point z₀ is estimated. Required by `kto`; not
   * used by `apo_zero_unpaired`, and giving it there is an error.
   */
  readonly policyKlLogps?: ArrayLike<number>;
  /** log π_ref(y′ | x) of the same mismatched pairs (TRL's `ref_KL_logps`), as many as `policyKlLogps`. */
  readonly referenceKlLogps?: ArrayLike<number>;
}

/** Options of {@link ktoLoss}. */
export interface KtoLossOptions {
  /** β > 0. */
  readonly beta: number;
  /** The loss; default `"kto"`. */
  readonly lossType?: KtoLossType;
  /** λ_D ≥ 0, the weight of each desirable example's loss; default 1. */
  readonly desirableWeight?: number;
  /** λ_U ≥ 0, the weight of each undesirable example's loss; default 1. */
  readonly undesirableWeight?: number;
}

/**
 * The metrics TRL's `KTOTrainer` logs. A group with no example in the batch has no mean: its keys are
 * absent (TRL does not log them either), and `rewards/margins` needs both groups.
 */
export interface KtoMetrics {
  /** The reference point z₀ (0 for `apo_zero_unpaired`). */
  readonly kl: number;
  /** Mean β·log π_θ/π_ref over the desirable examples. */
  readonly "rewards/chosen"?: number;
  /** Mean β·log π_θ/π_ref over the undesirable examples. */
  readonly "rewards/rejected"?: number;
  /** `rewards/chosen` − `rewards/rejected` (a difference of group means: the examples are unpaired). */
  readonly "rewards/margins"?: number;
  /** Mean log π_θ over the desirable examples. */
  readonly "logps/chosen"?: number;
  /** Mean log π_θ over the undesirable examples. */
  readonly "logps/rejected"?: number;
}

/** What {@link ktoLoss} returns; the arrays have one entry per example, in input order. */
export interface KtoLossResult {
  /** The batch loss TRL backpropagates: the mean of `losses`. */
  readonly loss: number;
  /** Each example's weighted loss, λ_D·σ(−β(r − z₀)) or λ_U·σ(β(r − z₀)). */
  readonly losses: Float64Array;
  /** The implicit rewards β·(log π_θ − log π_ref). */
  readonly rewards: Float64Array;
  /** ∂loss/∂policyLogps[i]. The loss does not depend on the KL log-probs (z₀ is held constant). */
  readonly gradPolicy: Float64Array;
  /** The metrics TRL logs. */
  readonly metrics: KtoMetrics;
}

const FN = "ktoLoss";
const OPTION_KEYS: readonly string[] = ["beta", "lossType", "desirableWeight", "undesirableWeight"];
const LOSS_TYPES: readonly KtoLossType[] = ["kto", "apo_zero_unpaired"];

/**
 * Kahneman–Tversky Optimisation (Ethayarajh et al. 2024, "KTO: Model Alignment as Prospect Theoretic
 * Optimization", eq. 7, as TRL's `KTOTrainer` computes it) on unpaired examples, with exact gradients.
 * With r = log π_θ(y|x) − log π_ref(y|x) and the reference point
 *
 * $$z_0 = \max\Big(0, \tfrac{1}{m} \sum_j \big(\log \pi_\theta(y'_j \mid x_j)
 * - \log \pi_{\mathrm{ref}}(y'_j \mid x_j)\big)\Big)$$
 *
 * estimated from mismatched pairs (y′_j another example's completion), each example's loss is
 * - desirable: λ_D (1 − σ(β(r − z₀))) = λ_D σ(−β(r − z₀));
 * - undesirable: λ_U (1 − σ(β(z₀ − r))) = λ_U σ(β(r − z₀)).
 *
 * `apo_zero_unpaired` (D'Oosterlinck et al. 2024, "Anchored Preference Optimization", the unpaired
 * APO-zero) is the same with z₀ = 0: λ_D (1 − σ(βr)) and λ_U σ(βr). The batch loss is the mean over
 * all examples, as TRL takes it.
 *
 * z₀ is a constant of the loss (TRL detaches it; the paper does not backpropagate through it), so
 * ∂loss/∂ log π_θ(y_i) = ∓ λ β σ(x_i) σ(−x_i) / n with x_i = β(r_i − z₀) (− for desirable), and the
 * KL log-probs receive no gradient. The gradient with respect to log π_ref(y_i) is its negative.
 *
 * Stability: 1 − σ(x) is written σ(−x), so nothing cancels; β(r − z₀) is formed as βr − βz₀ where
 * r − z₀ would pass the float64 range. Finite for |β(r − z₀)| up to 1e4 and beyond (the losses are
 * bounded by the weights); an implicit reward β·r beyond the float64 range is an error. Accuracy: a
 * few ulp relative to each loss and gradient, plus the inputs' own rounding, EPS·(|r| + z₀)·β·|x|.
 *
 * @param inputs - sequence log-probabilities, the desirable flags and (for `kto`) the KL log-probs
 * @param options - β, the loss type and the two weights
 * @returns the batch loss, per-example losses, implicit rewards, gradients and TRL's metrics
 * @throws {@link LuceError} for an unknown option key or loss type, β ≤ 0 or not finite, a negative or
 *   non-finite weight, log-probs that are not finite or are above 0, a flag that is not a boolean,
 *   arrays of unequal length, an empty batch, KL log-probs missing for `kto` or given to
 *   `apo_zero_unpaired`, and implicit rewards or gradients beyond the float64 range
 * @example
 * ```ts
 * const r = ktoLoss(
 *   { policyLogps: [-10, -14], referenceLogps: [-11, -13], desirable: [true, false],
 *     policyKlLogps: [-12, -15], referenceKlLogps: [-12.5, -15.5] },
 *   { beta: 0.1 });
 * // z0 = 0.5; r.losses[0] = σ(−0.1·(1 − 0.5)), r.losses[1] = σ(0.1·(−1 − 0.5))
 * ```
 */
export function ktoLoss(inputs: KtoInputs, options: KtoLossOptions): KtoLossResult {
  requireInputsObject(FN, inputs);
  if (options === null || typeof options !== "object")
    throw new LuceError(FN, "options", `must be an object with at least beta, got ${describe(options)}`);
  requireOptions(FN, "options", options, OPTION_KEYS);
  const beta = requirePositive(FN, "options.beta", options.beta);
  const lossType = options.lossType ?? "kto";
  if (!LOSS_TYPES.includes(lossType))
    throw new LuceError(FN, "options.lossType", `is ${describe(lossType)}, not one of: ${LOSS_TYPES.join(", ")}`);
  const desirableWeight = readWeight(FN, "options.desirableWeight", options.desirableWeight, 1);
  const undesirableWeight = readWeight(FN, "options.undesirableWeight", options.undesirableWeight, 1);

  const policy = readLogps(FN, "inputs.policyLogps", inputs.policyLogps);
  const n = policy.length;
  const reference = readLogps(FN, "inputs.referenceLogps", inputs.referenceLogps, n, "inputs.policyLogps");
  const desirable = readFlags(FN, "inputs.desirable", inputs.desirable, n, "inputs.policyLogps");
  const z0 = referencePoint(lossType, inputs);

  const rewards = new Float64Array(n);
  const losses = new Float64Array(n);
  const gradPolicy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = policy[i] - reference[i];
    rewards[i] = beta * r;
    const x = scaledDifference(beta, r, z0);
    const curvature = sig(x) * sig(-x);
    if (desirable[i]) {
      losses[i] = desirableWeight * sig(-x);
      gradPolicy[i] = (-desirableWeight * beta * curvature) / n;
    } else {
      losses[i] = undesirableWeight * sig(x);
      gradPolicy[i] = (undesirableWeight * beta * curvature) / n;
    }
  }
  requireFiniteResults(FN, "options.beta", "the implicit reward β·log π/π_ref of example", rewards);
  requireFiniteResults(FN, "options.beta", "the gradient (λ·β·σ(x)σ(−x)/n) of example", gradPolicy);
  return {
    loss: compensatedMean(losses),
    losses,
    rewards,
    gradPolicy,
    metrics: metricsOf(z0, rewards, policy, desirable),
  };
}

/** z₀ = max(0, mean of the KL log-ratios) for `kto`; 0 for `apo_zero_unpaired`, which takes none. */
function referencePoint(lossType: KtoLossType, inputs: KtoInputs): number {
  const { policyKlLogps, referenceKlLogps } = inputs;
  if (lossType === "apo_zero_unpaired") {
    if (policyKlLogps !== undefined || referenceKlLogps !== undefined) {
      const name = policyKlLogps !== undefined ? "inputs.policyKlLogps" : "inputs.referenceKlLogps";
      throw new LuceError(
        FN,
        name,
        "is not used by lossType 'apo_zero_unpaired' (its reference point is 0); leave it out",
      );
    }
    return 0;
  }
  if (policyKlLogps === undefined)
    throw new LuceError(FN, "inputs.policyKlLogps", "is required by lossType 'kto' (the KL estimate z0)");
  const policy = readLogps(FN, "inputs.policyKlLogps", policyKlLogps);
  const m = policy.length;
  const reference = readLogps(FN, "inputs.referenceKlLogps", referenceKlLogps, m, "inputs.policyKlLogps");
  // both are in [−1.8e308, 0], so each log-ratio is finite, and the mean is too
  const mean = compensatedMean(policy.map((p, j) => p - reference[j]));
  return Math.max(0, mean);
}

function metricsOf(z0: number, rewards: Float64Array, policy: Float64Array, desirable: Uint8Array): KtoMetrics {
  const chosen = (i: number) => desirable[i] === 1;
  const rejected = (i: number) => desirable[i] === 0;
  const hasChosen = desirable.includes(1);
  const hasRejected = desirable.includes(0);
  const rewardsChosen = compensatedMean(rewards, chosen);
  const rewardsRejected = compensatedMean(rewards, rejected);
  return {
    kl: z0,
    ...(hasChosen ? { "rewards/chosen": rewardsChosen, "logps/chosen": compensatedMean(policy, chosen) } : {}),
    ...(hasRejected
      ? { "rewards/rejected": rewardsRejected, "logps/rejected": compensatedMean(policy, rejected) }
      : {}),
    ...(hasChosen && hasRejected ? { "rewards/margins": rewardsChosen - rewardsRejected } : {}),
  };
}
