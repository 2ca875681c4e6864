import { LuceError } from "../errors.js";
import { requireArrayLike, requireFinite, requirePositive, requireSameLength } from "../validation/checks.js";
import { rewardMetrics, type RewardMetrics } from "./metrics.js";
import { conservativeSigmoid, pairKernels, type KernelParameters } from "./pairwise-kernels.js";

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
 * to −1e5. Accuracy: a few ulp relative to the loss; for the types that cross zero (ipo,
 * sppo_hard, robust, exo_pair, hinge) absolute, a few EPS times the size of the cancelling
 * terms. The inputs' own rounding enters as EPS·(|log π_θ| + |log π_ref|)·|∂loss/∂d|.
 *
 * @param inputs - sequence log-probabilities per pair (and lengths where the type uses them)
 * @param options - β, the loss type and its parameters
 * @returns losses, implicit rewards, gradients of the summed loss, and metrics
 * @throws {@link LuceError} for an unknown lossType, β ≤ 0 or not finite, ε outside its range
 *   or given to a type that ignores it, non-finite log-probs, zero or missing lengths, length
 *   mismatches, an empty batch
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
  if (inputs === null || typeof inputs !== "object")
    throw new LuceError(FN, "inputs", "must be an object of log-prob arrays");
  if (options === null || typeof options !== "object")
    throw new LuceError(FN, "options", "must be an object with at least beta");
  const beta = requirePositive(FN, "options.beta", options.beta);
  const lossType = normalizeLossType(options.lossType);
  const eps = labelSmoothingFor(lossType, options.labelSmoothing);
  const tau =
    options.discopopTau === undefined ? 0.05 : requirePositive(FN, "options.discopopTau", options.discopopTau);
  const delta = options.bcoDelta === undefined ? 0 : requireFinite(FN, "options.bcoDelta", options.bcoDelta);
  const referenceFree = options.referenceFree ?? false;
  if (typeof referenceFree !== "boolean") throw new LuceError(FN, "options.referenceFree", "must be a boolean");

  const pc = logps(inputs.policyChosenLogps, "inputs.policyChosenLogps");
  const n = pc.length;
  if (n === 0) throw new LuceError(FN, "inputs.policyChosenLogps", "is empty: a batch needs at least one pair");
  const pr = logps(inputs.policyRejectedLogps, "inputs.policyRejectedLogps", n);
  const rc = referenceFree ? null : logps(inputs.referenceChosenLogps, "inputs.referenceChosenLogps", n);
  const rr = referenceFree ? null : logps(inputs.referenceRejectedLogps, "inputs.referenceRejectedLogps", n);
  const lengths = lengthsFor(lossType, inputs, n);

  const u = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    u[i] = rc === null ? pc[i] : pc[i] - rc[i];
    v[i] = rr === null ? pr[i] : pr[i] - rr[i];
  }
  const chosenRewards = u.map((x) => beta * x);
  const rejectedRewards = v.map((x) => beta * x);
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
    conservativeSigmoid(beta * (a[orderA[k]] - b[orderB[k]]), eps, out, 0);
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

function normalizeLossType(lossType: unknown): Exclude<DpoLossType, "aot_pair"> {
  if (lossType === undefined) return "sigmoid";
  if (lossType === "aot_pair") return "aot_unpaired";
  if (lossType === "aot" || lossType === "aot_unpaired") return lossType;
  if (typeof lossType === "string" && Object.hasOwn(pairKernels, lossType))
    return lossType as Exclude<DpoLossType, "aot_pair">;
  const known = [...Object.keys(pairKernels), "aot", "aot_unpaired", "aot_pair"].join(", ");
  throw new LuceError(FN, "options.lossType", `is '${String(lossType)}', not one of: ${known}`);
}

function labelSmoothingFor(lossType: string, given: unknown): number {
  const range = EPS_RANGES[lossType];
  if (range === undefined) {
    if (given !== undefined && given !== 0) {
      throw new LuceError(FN, "options.labelSmoothing", `is not used by lossType '${lossType}'; leave it out`);
    }
    return 0;
  }
  if (given === undefined) return range.default;
  const eps = requireFinite(FN, "options.labelSmoothing", given);
  if (!range.ok(eps))
    throw new LuceError(
      FN,
      "options.labelSmoothing",
      `must satisfy ${range.range} for lossType '${lossType}', got ${eps}`,
    );
  return eps;
}

function lengthsFor(
  lossType: string,
  inputs: DpoInputs,
  n: number,
): { chosen: ArrayLike<number>; rejected: ArrayLike<number> } | null {
  const given = inputs.chosenLengths !== undefined || inputs.rejectedLengths !== undefined;
  if (lossType === "sigmoid_norm" && !given) {
    throw new LuceError(
      FN,
      "inputs.chosenLengths",
      "is required by lossType 'sigmoid_norm' (with inputs.rejectedLengths)",
    );
  }
  if (!given) return null;
  const chosen = positiveLengths(inputs.chosenLengths, "inputs.chosenLengths", n);
  const rejected = positiveLengths(inputs.rejectedLengths, "inputs.rejectedLengths", n);
  return lossType === "ipo" || lossType === "sigmoid_norm" ? { chosen, rejected } : null;
}

function positiveLengths(values: unknown, name: string, n: number): ArrayLike<number> {
  if (values === undefined) throw new LuceError(FN, name, "is missing: give both chosen and rejected lengths");
  const arr = requireArrayLike(FN, name, values) as ArrayLike<number>;
  requireSameLength(FN, name, arr, n, "inputs.policyChosenLogps");
  for (let i = 0; i < n; i++) requirePositive(FN, `${name}[${i}]`, arr[i]);
  return arr;
}

function logps(values: unknown, name: string, n?: number): ArrayLike<number> {
  if (values === undefined) throw new LuceError(FN, name, "is missing (or set options.referenceFree)");
  const arr = requireArrayLike(FN, name, values) as ArrayLike<number>;
  if (n !== undefined) requireSameLength(FN, name, arr, n, "inputs.policyChosenLogps");
  for (let i = 0; i < arr.length; i++) requireFinite(FN, `${name}[${i}]`, arr[i]);
  return arr;
}
