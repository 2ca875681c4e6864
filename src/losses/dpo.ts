import { LuceError } from "../errors.js";
import { describe, requireBoolean, requireFinite, requireOptions, requirePositive } from "../validation/checks.js";
import { readLengths, readLogps } from "./sequence-inputs.js";
import { rewardMetrics, type RewardMetrics } from "./metrics.js";
import {
  apoDownParts,
  conservativeSigmoid,
  pairKernels,
  scaledDifference,
  type KernelParameters,
  type PairKernel,
} from "./pairwise-kernels.js";
import { F_DIVERGENCES, IDENTITY_SCORE, scoreMapOf, type FDivergence, type ScoreMap } from "./f-divergence.js";
import { meanOf, mixtureOf, sftLosses, type DpoLossComponent } from "./loss-mixture.js";

/**
 * The loss types of TRL's `DPOTrainer` (and the original DPO code), by their TRL names, plus
 * `conservative_sigmoid` (conservative DPO, TRL 0.x's `sigmoid` with label smoothing). `aot_pair` is
 * TRL 0.x's name of `aot_unpaired`; `sft` is the chosen responses' token-mean negative log-likelihood,
 * meant as a term of a mixture.
 */
export type DpoLossType =
  | "sigmoid"
  | "conservative_sigmoid"
  | "hinge"
  | "ipo"
  | "sigmoid_norm"
  | "exo_pair"
  | "nca_pair"
  | "robust"
  | "bco_pair"
  | "sppo_hard"
  | "apo_zero"
  | "apo_down"
  | "discopop"
  | "aot"
  | "aot_unpaired"
  | "aot_pair"
  | "sft";

/** A loss type with its alias resolved: what {@link DpoLossComponent} reports. */
export type ResolvedDpoLossType = Exclude<DpoLossType, "aot_pair">;

/**
 * Whose numbers `dpoLoss` reproduces where TRL changed them: `"trl-1"` (default) TRL 1.x's `DPOTrainer`,
 * `"trl-0"` TRL 0.x's (luce's results before TRL 1.x). They differ in `sigmoid` (TRL 0.x smoothed it by
 * `labelSmoothing`, TRL 1.x does not: use `conservative_sigmoid`), `bco_pair` (TRL 0.x shifted the rewards by
 * a running mean, `bcoDelta`; TRL 1.x does not) and `fDivergence` (TRL 1.x's scores; TRL 0.x's different
 * α-divergence is not reproduced, so `"trl-0"` takes `reverse_kl` only).
 */
export type DpoSemantics = "trl-1" | "trl-0";

/** Per-pair sequence log-probabilities (sums over tokens), one entry per preference pair. */
export interface DpoInputs {
  /** log π_θ(y_w | x) */
  readonly policyChosenLogps: ArrayLike<number>;
  /** log π_θ(y_l | x) */
  readonly policyRejectedLogps: ArrayLike<number>;
  /** log π_ref(y_w | x); may be omitted with `referenceFree`. */
  readonly referenceChosenLogps?: ArrayLike<number>;
  /** log π_ref(y_l | x); may be omitted with `referenceFree`. */
  readonly referenceRejectedLogps?: ArrayLike<number>;
  /**
   * Token counts of the chosen responses: `ipo` (optional) and `sigmoid_norm` (required) divide the scores by
   * them, `sft` (required) divides the chosen log-probs' sum by theirs.
   */
  readonly chosenLengths?: ArrayLike<number>;
  /** Token counts of the rejected responses (for `ipo` and `sigmoid_norm`). */
  readonly rejectedLengths?: ArrayLike<number>;
  /**
   * A mixture-of-experts model's load-balancing auxiliary loss for this batch (the model's `aux_loss`); the
   * result's `loss` adds `routerAuxLossCoef` times it, as TRL 1.x does.
   */
  readonly routerAuxLoss?: number;
}

/** Options of {@link dpoLoss}. */
export interface DpoLossOptions {
  /** β > 0, the KL weight of eq. 3. */
  readonly beta: number;
  /**
   * The loss, default `"sigmoid"` (eq. 7), or a list of loss types whose weighted losses add up (TRL's
   * `loss_type` list, e.g. MPO's `["sigmoid", "bco_pair", "sft"]`).
   */
  readonly lossType?: DpoLossType | readonly DpoLossType[];
  /** One weight ≥ 0 per entry of a `lossType` list; default 1 each (TRL's `loss_weights`). */
  readonly lossWeights?: readonly number[];
  /** Which TRL's numbers to reproduce where they differ; default `"trl-1"`. See {@link DpoSemantics}. */
  readonly semantics?: DpoSemantics;
  /** The f-divergence whose scores replace the log-ratios (f-DPO); default `"reverse_kl"`, DPO itself. */
  readonly fDivergence?: FDivergence;
  /** α of `alpha_divergence` (TRL's `f_alpha_divergence_coef`), any finite number; default 0.5. */
  readonly fAlphaDivergenceCoef?: number;
  /**
   * ε: conservative-DPO label smoothing for `conservative_sigmoid` and the `aot` types (0 ≤ ε ≤ 1/2, default 0;
   * also for `sigmoid` under `semantics: "trl-0"`), the noise rate of `robust` (0 ≤ ε < 1/2, default 0), the
   * target of `exo_pair` (0 < ε < 1, default 1e−3). Giving it when no listed type uses it is an error.
   */
  readonly labelSmoothing?: number;
  /** Treat the reference log-probs as 0 everywhere (losses, gradients, rewards). Default false. */
  readonly referenceFree?: boolean;
  /** τ > 0 of `discopop`; default 0.05. */
  readonly discopopTau?: number;
  /** δ of `bco_pair` under `semantics: "trl-0"`, TRL 0.x's running mean of rewards; default 0. */
  readonly bcoDelta?: number;
  /** The weight ≥ 0 of `inputs.routerAuxLoss` in `loss`; default 0.001 as TRL (`router_aux_loss_coef`). */
  readonly routerAuxLossCoef?: number;
}

/** What {@link dpoLoss} returns; every array has one entry per pair. */
export interface DpoLossResult {
  /**
   * The loss of each pair, Σ_k weight_k · (component k's loss). For `aot` and `aot_unpaired` the k-th entry
   * belongs to the k-th position of the sorted batch (as in TRL), not to pair k; for `sft` every entry is
   * the batch's token-mean NLL.
   */
  readonly losses: Float64Array;
  /**
   * The scalar TRL trains on: mean(losses) + routerAuxLossCoef · routerAuxLoss (the second term only where
   * `inputs.routerAuxLoss` is given).
   */
  readonly loss: number;
  /** Each loss type of the mixture with its weight and unweighted losses (one entry for a single type). */
  readonly components: readonly DpoLossComponent<ResolvedDpoLossType>[];
  /** routerAuxLossCoef · routerAuxLoss, the auxiliary term inside `loss`; 0 without `inputs.routerAuxLoss`. */
  readonly routerAuxTerm: number;
  /** β (log π_θ(y_w) − log π_ref(y_w)), the implicit reward of eq. 5 without log Z. */
  readonly chosenRewards: Float64Array;
  /** β (log π_θ(y_l) − log π_ref(y_l)). */
  readonly rejectedRewards: Float64Array;
  /** ∂(Σ_j losses[j]) / ∂ policyChosenLogps[i]. */
  readonly gradPolicyChosen: Float64Array;
  /** ∂(Σ_j losses[j]) / ∂ policyRejectedLogps[i]. */
  readonly gradPolicyRejected: Float64Array;
  /** Means over pairs, named as TRL logs them. */
  readonly metrics: RewardMetrics;
}

interface SmoothingRange {
  readonly default: number;
  readonly ok: (e: number) => boolean;
  readonly range: string;
}

const HALF_CLOSED: SmoothingRange = { default: 0, ok: (e) => e >= 0 && e <= 0.5, range: "0 <= labelSmoothing <= 0.5" };
const EPS_RANGES: Record<DpoSemantics, Partial<Record<string, SmoothingRange>>> = {
  "trl-1": {
    conservative_sigmoid: HALF_CLOSED,
    aot: HALF_CLOSED,
    aot_unpaired: HALF_CLOSED,
    robust: { default: 0, ok: (e) => e >= 0 && e < 0.5, range: "0 <= labelSmoothing < 0.5" },
    exo_pair: { default: 1e-3, ok: (e) => e > 0 && e < 1, range: "0 < labelSmoothing < 1" },
  },
  "trl-0": {},
};
EPS_RANGES["trl-0"] = { ...EPS_RANGES["trl-1"], sigmoid: HALF_CLOSED };

/** The loss types that divide the scores by the responses' lengths when lengths are given. */
const LENGTH_NORMALISED: readonly string[] = ["ipo", "sigmoid_norm"];

/** The loss types whose k-th loss depends on other pairs' inputs (sorted batches, batch token means). */
const BATCH_COUPLED: readonly string[] = ["aot", "aot_unpaired", "aot_pair", "sft"];

const FN = "dpoLoss";

/** The keys of {@link DpoLossOptions}; any other key is a misspelling. @internal */
export const DPO_LOSS_OPTION_KEYS: readonly string[] = [
  "beta",
  "lossType",
  "lossWeights",
  "semantics",
  "fDivergence",
  "fAlphaDivergenceCoef",
  "labelSmoothing",
  "referenceFree",
  "discopopTau",
  "bcoDelta",
  "routerAuxLossCoef",
];

/**
 * The loss types named by a `lossType` option (one name or a list), unresolved and unchecked; `[]` for a value
 * that is neither (dpoLoss rejects it). For callers that choose inputs by type before calling dpoLoss.
 * @internal
 */
export function lossTypesOf(lossType: unknown): string[] {
  if (lossType === undefined) return ["sigmoid"];
  if (typeof lossType === "string") return [lossType];
  if (Array.isArray(lossType)) return lossType.filter((t): t is string => typeof t === "string");
  return [];
}

/** Whether a `lossType` option uses the responses' lengths (`ipo`, `sigmoid_norm`, `sft`). @internal */
export function usesLengths(lossType: unknown): boolean {
  return lossTypesOf(lossType).some((t) => t === "sft" || LENGTH_NORMALISED.includes(t));
}

/** Whether a `lossType` option makes one pair's loss depend on other pairs (`aot*`, `sft`). @internal */
export function isBatchCoupled(lossType: unknown): boolean {
  return lossTypesOf(lossType).some((t) => BATCH_COUPLED.includes(t));
}

/**
 * The DPO loss family (eq. 7 and its descendants in TRL 1.x) with exact gradients,
 * implicit rewards and TRL's training metrics, in float64. The default is eq. 7:
 *
 * $$\mathcal{L} = -\log \sigma\Big(\beta \log \frac{\pi_\theta(y_w \mid x)}{\pi_{\mathrm{ref}}(y_w \mid x)} - \beta
 * \log \frac{\pi_\theta(y_l \mid x)}{\pi_{\mathrm{ref}}(y_l \mid x)}\Big).$$
 *
 * With r_w = log π_θ(y_w)/π_ref(y_w), r_l likewise for y_l, the scores u = s(r_w), v = s(r_l) of the
 * f-divergence (u = r_w, v = r_l for the default `reverse_kl`; see {@link FDivergence}), d = u − v,
 * ε = `labelSmoothing`, and u′ = u / chosenLength, v′ = v / rejectedLength:
 * - `sigmoid`: −log σ(βd) (eq. 7); under `semantics: "trl-0"` −(1−ε) log σ(βd) − ε log σ(−βd)
 * - `conservative_sigmoid`: −(1−ε) log σ(βd) − ε log σ(−βd) (cDPO)
 * - `hinge`: max(0, 1 − βd) (gradient 0 at the kink βd = 1)
 * - `ipo`: (u′ − v′ − 1/(2β))² with lengths (TRL), (d − 1/(2β))² without (the IPO paper)
 * - `sigmoid_norm`: −log σ(β(u′ − v′)) (lengths required)
 * - `exo_pair`: σ(βd)(log σ(βd) − log(1−ε)) + σ(−βd)(log σ(−βd) − log ε)
 * - `nca_pair`: −log σ(βu) − ½ log σ(−βu) − ½ log σ(−βv)
 * - `robust`: (−(1−ε) log σ(βd) + ε log σ(−βd)) / (1 − 2ε)
 * - `bco_pair`: −log σ(βu) − log σ(−βv); under `"trl-0"` −log σ(βu − δ) − log σ(−(βv − δ))
 * - `sppo_hard`: (u − 1/(2β))² + (v + 1/(2β))²
 * - `apo_zero`: 1 − σ(βr_w) + σ(βr_l) (log-ratios, not scores, as TRL); `apo_down`: σ(βr_w) + 1 − σ(βd)
 * - `discopop`: with l = βd, w = σ(l/τ): (1 − w)(−log σ(l)) + w e^{−l}
 * - `aot`: Δ = sort(log π_θ(y_w) − log π_θ(y_l)) − sort(log π_ref(y_w) − log π_ref(y_l)) across
 *   the batch, then the conservative sigmoid form; `aot_unpaired` (alias `aot_pair`): Δ = sort(r_w) − sort(r_l).
 *   Sorts are ascending with ties broken by index; gradients flow through the sort's permutation.
 * - `sft`: −Σ_i log π_θ(y_w,i) / Σ_i chosenLength_i in every entry (TRL's token-mean cross-entropy)
 *
 * A list of types adds their losses with `lossWeights`; `loss` is the mean plus
 * `routerAuxLossCoef` · `routerAuxLoss` where the auxiliary loss is given.
 *
 * Stability: log σ through softplus branches; 1 − σ(x) written σ(−x); DiscoPOP's w·e^{−l}
 * (0·∞ in TRL at l = −1e4) as exp(log σ(l/τ) − l); exponential scores and their derivatives formed
 * from logarithms where e^{kr} alone would overflow (TRL clamps the α-divergence's exponent at 80 instead).
 * Finite for |βd| up to 1e4 and log-probs to −1e5; beyond, βd is formed as βu − βv where u − v would
 * overflow, a βd beyond the float64 range gives the loss's limit where that is finite (`sigmoid` → 0 as
 * βd → +∞), and a loss, gradient or implicit reward that is itself beyond the float64 range is an error,
 * never ±Infinity or NaN.
 * Accuracy: a few ulp relative to the loss; for the types that cross zero (ipo, sppo_hard, robust,
 * exo_pair, hinge) absolute, a few EPS times the size of the cancelling terms. The inputs' own
 * rounding enters as EPS·(|log π_θ| + |log π_ref|)·|∂loss/∂d|, and for exponential scores e^{kr} as
 * EPS·|kr| relative. In all, for a pairwise type: a few times the running error bound of its formula
 * in float64 (each operation rounded once, inputs exact), and the same for the gradients, by the
 * formula's derivative (at the hinge's kink either one-sided value).
 *
 * @param inputs - sequence log-probabilities per pair (and lengths where the type uses them)
 * @param options - β, the loss type (or list with weights) and its parameters
 * @returns losses, their scalar `loss`, the components, implicit rewards, gradients of the summed loss, metrics
 * @throws {@link LuceError} for an unknown lossType, fDivergence, semantics or option key, β ≤ 0 or not
 *   finite, ε outside its range or given when no listed type uses it, lossWeights not one finite weight ≥ 0
 *   per type, log-probs that are not finite or are above 0 (a probability passed by mistake), zero or missing
 *   lengths, length mismatches, an empty batch, and a loss, gradient or implicit reward beyond the float64 range
 * @example
 * ```ts
 * const { losses, gradPolicyChosen, metrics } = dpoLoss(
 *   { policyChosenLogps: [-10], policyRejectedLogps: [-12],
 *     referenceChosenLogps: [-11], referenceRejectedLogps: [-11] },
 *   { beta: 0.1 });
 * // losses[0] = -log σ(0.2) = 0.598139..., gradPolicyChosen[0] = -0.1 σ(-0.2)
 *
 * // MPO's mixture of sigmoid, bco_pair and sft (TRL's loss_type list with loss_weights)
 * const mpo = dpoLoss(
 *   { policyChosenLogps: [-10, -20], policyRejectedLogps: [-12, -18],
 *     referenceChosenLogps: [-11, -19], referenceRejectedLogps: [-11, -19], chosenLengths: [5, 8] },
 *   { beta: 0.1, lossType: ["sigmoid", "bco_pair", "sft"], lossWeights: [0.8, 0.2, 1] });
 * mpo.components[2].loss; // sft: (10 + 20) / (5 + 8) = 2.307...
 * ```
 */
export function dpoLoss(inputs: DpoInputs, options: DpoLossOptions): DpoLossResult {
  if (options === null || typeof options !== "object")
    throw new LuceError(FN, "options", `must be an object with at least beta, got ${describe(options)}`);
  requireOptions(FN, "options", options, DPO_LOSS_OPTION_KEYS);
  return dpoLossOf(FN, inputs, options);
}

/** Everything a loss type's per-pair computation reads, validated. */
interface LossContext {
  readonly beta: number;
  readonly params: KernelParameters;
  readonly scores: ScoreMap;
  readonly x: {
    pc: Float64Array;
    pr: Float64Array;
    rc: Float64Array | null;
    rr: Float64Array | null;
    u: Float64Array;
    v: Float64Array;
  };
  readonly chosenLengths: Float64Array | null;
  readonly rejectedLengths: Float64Array | null;
}

/**
 * {@link dpoLoss} without the check for unknown option keys, for callers that pass their own
 * options object through (`dpoBatch`); its errors name `fn`.
 * @internal
 */
export function dpoLossOf(fn: string, inputs: DpoInputs, options: DpoLossOptions): DpoLossResult {
  if (inputs === null || typeof inputs !== "object")
    throw new LuceError(fn, "inputs", `must be an object of log-prob arrays, got ${describe(inputs)}`);
  if (options === null || typeof options !== "object")
    throw new LuceError(fn, "options", `must be an object with at least beta, got ${describe(options)}`);
  // each option and input array is read once: a getter that changes between reads cannot
  // make a validated value a different one
  const beta = requirePositive(fn, "options.beta", options.beta);
  const semantics = semanticsOf(fn, options.semantics);
  const mixture = mixtureOf(fn, options.lossType, options.lossWeights, (name, value) =>
    normalizeLossType(fn, name, value),
  );
  const types = mixture.map((c) => c.lossType);
  const scores = scoreMapFor(fn, semantics, options.fDivergence, options.fAlphaDivergenceCoef);
  const eps = labelSmoothingFor(fn, semantics, types, options.labelSmoothing);
  const givenTau = options.discopopTau;
  const tau = givenTau === undefined ? 0.05 : requirePositive(fn, "options.discopopTau", givenTau);
  const delta = bcoDeltaFor(fn, semantics, options.bcoDelta);
  const givenFree = options.referenceFree;
  const referenceFree = givenFree === undefined ? false : requireBoolean(fn, "options.referenceFree", givenFree);
  const givenCoef = options.routerAuxLossCoef;
  const auxCoef = givenCoef === undefined ? 1e-3 : nonNegative(fn, "options.routerAuxLossCoef", givenCoef);

  const pc = logps(fn, inputs.policyChosenLogps, "inputs.policyChosenLogps");
  const n = pc.length;
  if (n === 0) throw new LuceError(fn, "inputs.policyChosenLogps", "is empty: a batch needs at least one pair");
  const pr = logps(fn, inputs.policyRejectedLogps, "inputs.policyRejectedLogps", n);
  const rc = referenceFree ? null : logps(fn, inputs.referenceChosenLogps, "inputs.referenceChosenLogps", n);
  const rr = referenceFree ? null : logps(fn, inputs.referenceRejectedLogps, "inputs.referenceRejectedLogps", n);
  const lengths = lengthsFor(fn, types, inputs, n);
  const givenAux = inputs.routerAuxLoss;
  const aux = givenAux === undefined ? null : requireFinite(fn, "inputs.routerAuxLoss", givenAux);
  if (aux === null && givenCoef !== undefined)
    throw new LuceError(fn, "options.routerAuxLossCoef", "weighs inputs.routerAuxLoss, which is not given");

  const u = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    u[i] = rc === null ? pc[i] : pc[i] - rc[i];
    v[i] = rr === null ? pr[i] : pr[i] - rr[i];
  }
  const chosenRewards = u.map((x) => beta * x);
  const rejectedRewards = v.map((x) => beta * x);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(chosenRewards[i]) || !Number.isFinite(rejectedRewards[i]))
      throw new LuceError(fn, "options.beta", `makes the implicit reward β·log π/π_ref of pair ${i} ${overflows}`);
  }
  const losses = new Float64Array(n);
  const gradPolicyChosen = new Float64Array(n);
  const gradPolicyRejected = new Float64Array(n);
  const components: DpoLossComponent<ResolvedDpoLossType>[] = [];
  for (const { lossType, weight } of mixture) {
    const context: LossContext = {
      beta,
      params: { beta, eps: eps.get(lossType) ?? 0, tau, delta },
      scores,
      x: { pc, pr, rc, rr, u, v },
      chosenLengths: lengths.chosen,
      rejectedLengths: lengths.rejected,
    };
    const part = componentOf(fn, lossType, context);
    for (let i = 0; i < n; i++) {
      losses[i] += weight * part.losses[i];
      gradPolicyChosen[i] += weight * part.gradChosen[i];
      gradPolicyRejected[i] += weight * part.gradRejected[i];
    }
    components.push({ lossType, weight, losses: part.losses, loss: meanOf(part.losses) });
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(losses[i]) || !Number.isFinite(gradPolicyChosen[i]) || !Number.isFinite(gradPolicyRejected[i]))
      throw new LuceError(
        fn,
        options.lossWeights === undefined ? "options.lossType" : "options.lossWeights",
        `makes the mixture's loss or gradient of pair ${i} ${overflows}`,
      );
  }
  const routerAuxTerm = aux === null ? 0 : auxCoef * aux;
  const loss = meanOf(losses) + routerAuxTerm;
  if (!Number.isFinite(loss)) throw new LuceError(fn, "inputs.routerAuxLoss", `makes the loss ${overflows}`);
  return {
    losses,
    loss,
    components,
    routerAuxTerm,
    chosenRewards,
    rejectedRewards,
    gradPolicyChosen,
    gradPolicyRejected,
    metrics: rewardMetrics(chosenRewards, rejectedRewards),
  };
}

/** One component's unweighted losses and the gradients of their sum, finite or a LuceError naming β. */
function componentOf(
  fn: string,
  lossType: ResolvedDpoLossType,
  context: LossContext,
): { losses: Float64Array; gradChosen: Float64Array; gradRejected: Float64Array } {
  const { x, beta, params } = context;
  const n = x.pc.length;
  const losses = new Float64Array(n);
  const gradChosen = new Float64Array(n);
  const gradRejected = new Float64Array(n);
  if (lossType === "sft") {
    // lengthsFor has required them
    sftLosses(x.pc, context.chosenLengths as Float64Array, losses, gradChosen);
  } else if (lossType === "aot" || lossType === "aot_unpaired") {
    alignedSigmoid(lossType, x, beta, params.eps, losses, gradChosen, gradRejected);
  } else {
    const normalised = LENGTH_NORMALISED.includes(lossType);
    for (const { kernel, scores } of kernelParts(lossType, context.scores)) {
      addPairKernel(kernel, scores, normalised ? context : { ...context, chosenLengths: null, rejectedLengths: null }, {
        losses,
        gradChosen,
        gradRejected,
      });
    }
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(losses[i]) || !Number.isFinite(gradChosen[i]) || !Number.isFinite(gradRejected[i]))
      throw new LuceError(fn, "options.beta", `makes the ${lossType} loss or gradient of pair ${i} ${overflows}`);
  }
  return { losses, gradChosen, gradRejected };
}

/**
 * The kernels a pairwise type adds up and the score map each reads: the f-divergence's scores for all but
 * `apo_zero` (log-ratios in TRL 1.x) and the σ(βr_w) part of `apo_down`.
 */
function kernelParts(lossType: string, scores: ScoreMap): { kernel: PairKernel; scores: ScoreMap }[] {
  if (lossType === "apo_zero") return [{ kernel: pairKernels.apo_zero, scores: IDENTITY_SCORE }];
  if (lossType === "apo_down" && !scores.identity)
    return [
      { kernel: apoDownParts.chosen, scores: IDENTITY_SCORE },
      { kernel: apoDownParts.margin, scores },
    ];
  return [{ kernel: pairKernels[lossType], scores }];
}

/** Adds one kernel's losses and gradients (through the score map and the lengths) into `into`. */
function addPairKernel(
  kernel: PairKernel,
  scores: ScoreMap,
  context: LossContext,
  into: { losses: Float64Array; gradChosen: Float64Array; gradRejected: Float64Array },
): void {
  const { u, v } = context.x;
  const out = new Float64Array(3);
  const difference = new Float64Array(2);
  for (let i = 0; i < u.length; i++) {
    const cl = context.chosenLengths === null ? 1 : context.chosenLengths[i];
    const rl = context.rejectedLengths === null ? 1 : context.rejectedLengths[i];
    scores.difference(u[i], cl, v[i], rl, context.beta, difference);
    kernel(scores.score(u[i], cl), scores.score(v[i], rl), difference[0], difference[1], context.params, out);
    into.losses[i] += out[0];
    into.gradChosen[i] += scores.chain(out[1] / cl, u[i]);
    into.gradRejected[i] += scores.chain(out[2] / rl, v[i]);
  }
}

/**
 * The AOT losses: the sigmoid form on Δ_k = a_(k) − b_(k), the k-th smallest of two batch
 * quantities. ∂loss_k/∂a_(k) = g_k and ∂loss_k/∂b_(k) = −g_k flow back through the sorts.
 */
function alignedSigmoid(
  lossType: "aot" | "aot_unpaired",
  x: {
    pc: ArrayLike<number>;
    pr: ArrayLike<number>;
    rc: ArrayLike<number> | null;
    rr: ArrayLike<number> | null;
    u: Float64Array;
    v: Float64Array;
  },
  beta: number,
  eps: number,
  losses: Float64Array,
  gradChosen: Float64Array,
  gradRejected: Float64Array,
): void {
  const n = losses.length;
  // aot: a = policy chosen − rejected, b = reference chosen − rejected (the policy enters a only);
  // aot_unpaired: a = u (policy chosen), b = v (policy rejected).
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (lossType === "aot") {
      a[i] = x.pc[i] - x.pr[i];
      b[i] = x.rc === null || x.rr === null ? 0 : x.rc[i] - x.rr[i];
    } else {
      a[i] = x.u[i];
      b[i] = x.v[i];
    }
  }
  const orderA = ascendingOrder(a);
  const orderB = ascendingOrder(b);
  const out = new Float64Array(2);
  for (let k = 0; k < n; k++) {
    conservativeSigmoid(scaledDifference(beta, a[orderA[k]], b[orderB[k]]), eps, out, 0);
    losses[k] = out[0];
    const g = beta * out[1];
    if (lossType === "aot") {
      gradChosen[orderA[k]] += g;
      gradRejected[orderA[k]] -= g;
    } else {
      gradChosen[orderA[k]] += g;
      gradRejected[orderB[k]] -= g;
    }
  }
}

/** Indices that sort `values` ascending, ties broken by index (a stable sort). */
function ascendingOrder(values: Float64Array): Int32Array {
  const order = Int32Array.from({ length: values.length }, (_, i) => i);
  return order.sort((i, j) => values[i] - values[j] || i - j);
}

const overflows = "beyond the float64 range (about ±1.8e308)";

const SEMANTICS: readonly DpoSemantics[] = ["trl-1", "trl-0"];

function semanticsOf(fn: string, given: unknown): DpoSemantics {
  if (given === undefined) return "trl-1";
  if (SEMANTICS.includes(given as DpoSemantics)) return given as DpoSemantics;
  throw new LuceError(fn, "options.semantics", `is ${describe(given)}, not one of: ${SEMANTICS.join(", ")}`);
}

function normalizeLossType(fn: string, name: string, lossType: unknown): ResolvedDpoLossType {
  if (lossType === undefined) return "sigmoid";
  if (lossType === "aot_pair") return "aot_unpaired";
  if (lossType === "aot" || lossType === "aot_unpaired" || lossType === "sft") return lossType;
  if (typeof lossType === "string" && Object.hasOwn(pairKernels, lossType)) return lossType as ResolvedDpoLossType;
  const known = [...Object.keys(pairKernels), "aot", "aot_unpaired", "aot_pair", "sft"].join(", ");
  throw new LuceError(fn, name, `is ${describe(lossType)}, not one of: ${known}`);
}

function scoreMapFor(fn: string, semantics: DpoSemantics, divergence: unknown, alpha: unknown): ScoreMap {
  const kind = divergence === undefined ? "reverse_kl" : divergence;
  if (!F_DIVERGENCES.includes(kind as FDivergence))
    throw new LuceError(fn, "options.fDivergence", `is ${describe(kind)}, not one of: ${F_DIVERGENCES.join(", ")}`);
  if (kind !== "reverse_kl" && semantics === "trl-0")
    throw new LuceError(
      fn,
      "options.fDivergence",
      `is '${String(kind)}', which needs semantics 'trl-1' (TRL 1.x's scores; TRL 0.x's are not reproduced)`,
    );
  if (alpha !== undefined && kind !== "alpha_divergence")
    throw new LuceError(fn, "options.fAlphaDivergenceCoef", "is only used by fDivergence 'alpha_divergence'");
  const a = alpha === undefined ? 0.5 : requireFinite(fn, "options.fAlphaDivergenceCoef", alpha);
  return scoreMapOf(kind as FDivergence, a);
}

/** ε for each listed type that uses it; an error where none does, or where ε is outside a type's range. */
function labelSmoothingFor(
  fn: string,
  semantics: DpoSemantics,
  types: readonly string[],
  given: unknown,
): Map<string, number> {
  const ranges = EPS_RANGES[semantics];
  const users = types.filter((t) => ranges[t] !== undefined);
  const eps = new Map<string, number>();
  if (users.length === 0) {
    if (given !== undefined && given !== 0) {
      const hint = types.includes("sigmoid")
        ? ": TRL 1.x's sigmoid has no label smoothing; use lossType 'conservative_sigmoid' (or semantics 'trl-0')"
        : "; leave it out";
      throw new LuceError(fn, "options.labelSmoothing", `is not used by lossType '${types.join("', '")}'${hint}`);
    }
    return eps;
  }
  const value = given === undefined ? undefined : requireFinite(fn, "options.labelSmoothing", given);
  for (const t of users) {
    const range = ranges[t] as SmoothingRange;
    if (value !== undefined && !range.ok(value))
      throw new LuceError(
        fn,
        "options.labelSmoothing",
        `must satisfy ${range.range} for lossType '${t}', got ${value}`,
      );
    eps.set(t, value ?? range.default);
  }
  return eps;
}

function bcoDeltaFor(fn: string, semantics: DpoSemantics, given: unknown): number {
  if (given === undefined) return 0;
  if (semantics === "trl-1")
    throw new LuceError(
      fn,
      "options.bcoDelta",
      "is TRL 0.x's running reward mean; TRL 1.x's bco_pair has none (give semantics 'trl-0' to use it)",
    );
  return requireFinite(fn, "options.bcoDelta", given);
}

function nonNegative(fn: string, name: string, given: unknown): number {
  const x = requireFinite(fn, name, given);
  if (x < 0) throw new LuceError(fn, name, `must be >= 0, got ${x}`);
  return x;
}

/**
 * The lengths the listed types use, read once: both arrays where a type normalises by length (`sigmoid_norm`
 * requires them, `ipo` takes them when given), the chosen ones where `sft` is listed (required). Lengths given
 * but unused are still checked.
 */
function lengthsFor(
  fn: string,
  types: readonly string[],
  inputs: DpoInputs,
  n: number,
): { chosen: Float64Array | null; rejected: Float64Array | null } {
  const chosenGiven = inputs.chosenLengths;
  const rejectedGiven = inputs.rejectedLengths;
  if (types.includes("sigmoid_norm") && chosenGiven === undefined && rejectedGiven === undefined) {
    throw new LuceError(
      fn,
      "inputs.chosenLengths",
      "is required by lossType 'sigmoid_norm' (with inputs.rejectedLengths)",
    );
  }
  if (types.includes("sft") && chosenGiven === undefined)
    throw new LuceError(
      fn,
      "inputs.chosenLengths",
      "is required by lossType 'sft' (its loss is the chosen log-probs' sum over the chosen token count)",
    );
  if (chosenGiven === undefined && rejectedGiven === undefined) return { chosen: null, rejected: null };
  // sft alone needs only the chosen lengths; any other use needs both
  const onlySft = !types.some((t) => LENGTH_NORMALISED.includes(t)) && rejectedGiven === undefined;
  const chosen = positiveLengths(fn, chosenGiven, "inputs.chosenLengths", n);
  const rejected = onlySft ? null : positiveLengths(fn, rejectedGiven, "inputs.rejectedLengths", n);
  return { chosen, rejected };
}

/** Positive lengths, read once into a copy. */
function positiveLengths(fn: string, values: unknown, name: string, n: number): Float64Array {
  if (values === undefined) throw new LuceError(fn, name, "is missing: give both chosen and rejected lengths");
  return readLengths(fn, name, values, n, "inputs.policyChosenLogps");
}

/** Sequence log-probabilities, read once into a copy ({@link readLogps}); the first sets the batch size. */
function logps(fn: string, values: unknown, name: string, n?: number): Float64Array {
  if (values === undefined) throw new LuceError(fn, name, "is missing (or set options.referenceFree)");
  return readLogps(fn, name, values, n, "inputs.policyChosenLogps");
}
