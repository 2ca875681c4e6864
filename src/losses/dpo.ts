import { LuceError } from "../errors.js";
import {
  describe,
  requireArrayLength,
  requireLastEntry,
  requireBoolean,
  requireFinite,
  requireOptions,
  requirePositive,
  requireSameLength,
} from "../validation/checks.js";
import { rewardMetrics, type RewardMetrics } from "./metrics.js";
import { conservativeSigmoid, pairKernels, scaledDifference, type KernelParameters } from "./pairwise-kernels.js";

/**
 * The loss types of TRL's `DPOTrainer` (and the original DPO code), by their TRL names.
 * `aot_pair` is the older TRL name of `aot_unpaired`.
 */
export type DpoLossType =
  | "sigmoid"
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
  | "aot_pair";

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
   * Token counts of the chosen responses: `ipo` (optional) and `sigmoid_norm` (required) divide the log-ratios by them.
   */
  readonly chosenLengths?: ArrayLike<number>;
  /** Token counts of the rejected responses. */
  readonly rejectedLengths?: ArrayLike<number>;
}

/** Options of {@link dpoLoss}. */
export interface DpoLossOptions {
  /** β > 0, the KL weight of eq. 3. */
  readonly beta: number;
  /** The loss; default `"sigmoid"` (eq. 7). */
  readonly lossType?: DpoLossType;
  /**
   * ε: conservative-DPO label smoothing for `sigmoid` and the `aot` types (0 ≤ ε ≤ 1/2, default 0),
   * the noise rate of `robust` (0 ≤ ε < 1/2, default 0), the target of `exo_pair`
   * (0 < ε < 1, default 1e−3). Other types do not use it, and giving it is an error.
   */
  readonly labelSmoothing?: number;
  /** Treat the reference log-probs as 0 everywhere (losses, gradients, rewards). Default false. */
  readonly referenceFree?: boolean;
  /** τ > 0 of `discopop`; default 0.05. */
  readonly discopopTau?: number;
  /** δ of `bco_pair`, the running mean of rewards; default 0 as in current TRL. */
  readonly bcoDelta?: number;
}

/** What {@link dpoLoss} returns; every array has one entry per pair. */
export interface DpoLossResult {
  /**
   * The loss of each pair. For `aot` and `aot_unpaired` the k-th entry belongs to the k-th
   * position of the sorted batch (as in TRL), not to pair k.
   */
  readonly losses: Float64Array;
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

const EPS_RANGES: Record<string, { default: number; ok: (e: number) => boolean; range: string }> = {
  sigmoid: { default: 0, ok: (e) => e >= 0 && e <= 0.5, range: "0 <= labelSmoothing <= 0.5" },
  aot: { default: 0, ok: (e) => e >= 0 && e <= 0.5, range: "0 <= labelSmoothing <= 0.5" },
  aot_unpaired: { default: 0, ok: (e) => e >= 0 && e <= 0.5, range: "0 <= labelSmoothing <= 0.5" },
  robust: { default: 0, ok: (e) => e >= 0 && e < 0.5, range: "0 <= labelSmoothing < 0.5" },
  exo_pair: { default: 1e-3, ok: (e) => e > 0 && e < 1, range: "0 < labelSmoothing < 1" },
};

const FN = "dpoLoss";

/** The keys of {@link DpoLossOptions}; any other key is a misspelling. @internal */
export const DPO_LOSS_OPTION_KEYS: readonly string[] = [
  "beta",
  "lossType",
  "labelSmoothing",
  "referenceFree",
  "discopopTau",
  "bcoDelta",
];

/**
 * The DPO loss family (eq. 7 and its descendants in TRL) with exact gradients,
 * implicit rewards and TRL's training metrics, in float64. The default is eq. 7:
 *
 * $$\mathcal{L} = -\log \sigma\Big(\beta \log \frac{\pi_\theta(y_w \mid x)}{\pi_{\mathrm{ref}}(y_w \mid x)} - \beta
 * \log \frac{\pi_\theta(y_l \mid x)}{\pi_{\mathrm{ref}}(y_l \mid x)}\Big).$$
 *
 * With u = log π_θ(y_w)/π_ref(y_w), v likewise for y_l, d = u − v, ε = `labelSmoothing`,
 * and u′ = u / chosenLength, v′ = v / rejectedLength:
 * - `sigmoid`: −(1−ε) log σ(βd) − ε log σ(−βd) (eq. 7; cDPO when ε > 0)
 * - `hinge`: max(0, 1 − βd) (gradient 0 at the kink βd = 1)
 * - `ipo`: (u′ − v′ − 1/(2β))² with lengths (TRL), (d − 1/(2β))² without (the IPO paper)
 * - `sigmoid_norm`: −log σ(β(u′ − v′)) (lengths required)
 * - `exo_pair`: σ(βd)(log σ(βd) − log(1−ε)) + σ(−βd)(log σ(−βd) − log ε)
 * - `nca_pair`: −log σ(βu) − ½ log σ(−βu) − ½ log σ(−βv)
 * - `robust`: (−(1−ε) log σ(βd) + ε log σ(−βd)) / (1 − 2ε)
 * - `bco_pair`: −log σ(βu − δ) − log σ(−(βv − δ))
 * - `sppo_hard`: (u − 1/(2β))² + (v + 1/(2β))²
 * - `apo_zero`: 1 − σ(βu) + σ(βv); `apo_down`: σ(βu) + 1 − σ(βd)
 * - `discopop`: with l = βd, w = σ(l/τ): (1 − w)(−log σ(l)) + w e^{−l}
 * - `aot`: Δ = sort(log π_θ(y_w) − log π_θ(y_l)) − sort(log π_ref(y_w) − log π_ref(y_l)) across
 *   the batch, then the sigmoid form; `aot_unpaired` (alias `aot_pair`): Δ = sort(u) − sort(v).
 *   Sorts are ascending with ties broken by index; gradients flow through the sort's permutation.
 *
 * Stability: log σ through softplus branches; 1 − σ(x) written σ(−x); DiscoPOP's w·e^{−l}
 * (0·∞ in TRL at l = −1e4) as exp(log σ(l/τ) − l). Finite for |βd| up to 1e4 and log-probs
 * to −1e5; beyond, βd is formed as βu − βv where u − v would overflow, a βd beyond the float64 range
 * gives the loss's limit where that is finite (`sigmoid` → 0 as βd → +∞), and a loss, gradient or
 * implicit reward that is itself beyond the float64 range is an error, never ±Infinity or NaN.
 * Accuracy: a few ulp relative to the loss; for the types that cross zero (ipo, sppo_hard, robust,
 * exo_pair, hinge) absolute, a few EPS times the size of the cancelling terms. The inputs' own
 * rounding enters as EPS·(|log π_θ| + |log π_ref|)·|∂loss/∂d|. In all: a few times the running error
 * bound of the type's formula in float64 (each operation rounded once, inputs exact), and the same for
 * the gradients, by the formula's derivative (at the hinge's kink either one-sided value).
 *
 * @param inputs - sequence log-probabilities per pair (and lengths where the type uses them)
 * @param options - β, the loss type and its parameters
 * @returns losses, implicit rewards, gradients of the summed loss, and metrics
 * @throws {@link LuceError} for an unknown lossType or option key, β ≤ 0 or not finite, ε outside its
 *   range or given to a type that ignores it, log-probs that are not finite or are above 0 (a
 *   probability passed by mistake), zero or missing lengths, length mismatches, an empty batch, and
 *   a loss, gradient or implicit reward beyond the float64 range
 * @example
 * ```ts
 * const { losses, gradPolicyChosen, metrics } = dpoLoss(
 *   { policyChosenLogps: [-10], policyRejectedLogps: [-12],
 *     referenceChosenLogps: [-11], referenceRejectedLogps: [-11] },
 *   { beta: 0.1 });
 * // losses[0] = -log σ(0.2) = 0.598139..., gradPolicyChosen[0] = -0.1 σ(-0.2)
 * ```
 */
export function dpoLoss(inputs: DpoInputs, options: DpoLossOptions): DpoLossResult {
  if (options === null || typeof options !== "object")
    throw new LuceError(FN, "options", `must be an object with at least beta, got ${describe(options)}`);
  requireOptions(FN, "options", options, DPO_LOSS_OPTION_KEYS);
  return dpoLossOf(FN, inputs, options);
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
  const lossType = normalizeLossType(fn, options.lossType);
  const eps = labelSmoothingFor(fn, lossType, options.labelSmoothing);
  const givenTau = options.discopopTau;
  const tau = givenTau === undefined ? 0.05 : requirePositive(fn, "options.discopopTau", givenTau);
  const givenDelta = options.bcoDelta;
  const delta = givenDelta === undefined ? 0 : requireFinite(fn, "options.bcoDelta", givenDelta);
  const givenFree = options.referenceFree;
  const referenceFree = givenFree === undefined ? false : requireBoolean(fn, "options.referenceFree", givenFree);

  const pc = logps(fn, inputs.policyChosenLogps, "inputs.policyChosenLogps");
  const n = pc.length;
  if (n === 0) throw new LuceError(fn, "inputs.policyChosenLogps", "is empty: a batch needs at least one pair");
  const pr = logps(fn, inputs.policyRejectedLogps, "inputs.policyRejectedLogps", n);
  const rc = referenceFree ? null : logps(fn, inputs.referenceChosenLogps, "inputs.referenceChosenLogps", n);
  const rr = referenceFree ? null : logps(fn, inputs.referenceRejectedLogps, "inputs.referenceRejectedLogps", n);
  const lengths = lengthsFor(fn, lossType, inputs, n);

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

  if (lossType === "aot" || lossType === "aot_unpaired") {
    alignedSigmoid(lossType, { pc, pr, rc, rr, u, v }, beta, eps, losses, gradPolicyChosen, gradPolicyRejected);
  } else {
    const kernel = pairKernels[lossType];
    const params: KernelParameters = { beta, eps, tau, delta };
    const out = new Float64Array(3);
    for (let i = 0; i < n; i++) {
      const cl = lengths === null ? 1 : lengths.chosen[i];
      const rl = lengths === null ? 1 : lengths.rejected[i];
      kernel(u[i] / cl, v[i] / rl, params, out);
      losses[i] = out[0];
      gradPolicyChosen[i] = out[1] / cl;
      gradPolicyRejected[i] = out[2] / rl;
    }
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(losses[i]) || !Number.isFinite(gradPolicyChosen[i]) || !Number.isFinite(gradPolicyRejected[i]))
      throw new LuceError(fn, "options.beta", `makes the ${lossType} loss or gradient of pair ${i} ${overflows}`);
  }
  return {
    losses,
    chosenRewards,
    rejectedRewards,
    gradPolicyChosen,
    gradPolicyRejected,
    metrics: rewardMetrics(chosenRewards, rejectedRewards),
  };
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

function normalizeLossType(fn: string, lossType: unknown): Exclude<DpoLossType, "aot_pair"> {
  if (lossType === undefined) return "sigmoid";
  if (lossType === "aot_pair") return "aot_unpaired";
  if (lossType === "aot" || lossType === "aot_unpaired") return lossType;
  if (typeof lossType === "string" && Object.hasOwn(pairKernels, lossType))
    return lossType as Exclude<DpoLossType, "aot_pair">;
  const known = [...Object.keys(pairKernels), "aot", "aot_unpaired", "aot_pair"].join(", ");
  throw new LuceError(fn, "options.lossType", `is ${describe(lossType)}, not one of: ${known}`);
}

function labelSmoothingFor(fn: string, lossType: string, given: unknown): number {
  const range = EPS_RANGES[lossType];
  if (range === undefined) {
    if (given !== undefined && given !== 0) {
      throw new LuceError(fn, "options.labelSmoothing", `is not used by lossType '${lossType}'; leave it out`);
    }
    return 0;
  }
  if (given === undefined) return range.default;
  const eps = requireFinite(fn, "options.labelSmoothing", given);
  if (!range.ok(eps))
    throw new LuceError(
      fn,
      "options.labelSmoothing",
      `must satisfy ${range.range} for lossType '${lossType}', got ${eps}`,
    );
  return eps;
}

function lengthsFor(
  fn: string,
  lossType: string,
  inputs: DpoInputs,
  n: number,
): { chosen: Float64Array; rejected: Float64Array } | null {
  const chosenGiven = inputs.chosenLengths;
  const rejectedGiven = inputs.rejectedLengths;
  const given = chosenGiven !== undefined || rejectedGiven !== undefined;
  if (lossType === "sigmoid_norm" && !given) {
    throw new LuceError(
      fn,
      "inputs.chosenLengths",
      "is required by lossType 'sigmoid_norm' (with inputs.rejectedLengths)",
    );
  }
  if (!given) return null;
  const chosen = positiveLengths(fn, chosenGiven, "inputs.chosenLengths", n);
  const rejected = positiveLengths(fn, rejectedGiven, "inputs.rejectedLengths", n);
  return lossType === "ipo" || lossType === "sigmoid_norm" ? { chosen, rejected } : null;
}

/** Positive lengths, read once into a copy. */
function positiveLengths(fn: string, values: unknown, name: string, n: number): Float64Array {
  if (values === undefined) throw new LuceError(fn, name, "is missing: give both chosen and rejected lengths");
  requireSameLength(fn, name, { length: requireArrayLength(fn, name, values) }, n, "inputs.policyChosenLogps");
  const arr = values as ArrayLike<unknown>;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = requirePositive(fn, `${name}[${i}]`, arr[i]);
  return out;
}

/**
 * Sequence log-probabilities, read once into a copy: finite and ≤ 0. A value above 0 is not the
 * log of a probability; it is most often a probability (or a logit) passed by mistake.
 */
function logps(fn: string, values: unknown, name: string, n?: number): Float64Array {
  if (values === undefined) throw new LuceError(fn, name, "is missing (or set options.referenceFree)");
  const length = requireArrayLength(fn, name, values);
  const arr = values as ArrayLike<unknown>;
  if (n !== undefined) requireSameLength(fn, name, { length }, n, "inputs.policyChosenLogps");
  requireLastEntry(fn, name, values, length);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const x = requireFinite(fn, `${name}[${i}]`, arr[i]);
    if (x > 0)
      throw new LuceError(fn, `${name}[${i}]`, `is ${x}, above 0: a log-probability is <= 0 (a probability passed?)`);
    out[i] = x;
  }
  return out;
}
