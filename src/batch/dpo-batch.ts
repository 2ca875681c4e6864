import { LuceError } from "../errors.js";
import { meanOf } from "../losses/loss-mixture.js";
import { requireBoolean, requireFinite } from "../validation/checks.js";
import { logitMetrics, wpoLogWeights, type LogitMetrics } from "./logit-moments.js";
import type { ScoredBatch } from "./scoring.js";
import {
  asCaller,
  pickOptions,
  POLICY_BATCH_OPTION_KEYS,
  readLossOptions,
  readPolicyBatchInputs,
  requireScoredTokens,
} from "./batch-validation.js";
import { DPO_LOSS_OPTION_KEYS, lossTypesOf, type DpoLossOptions, type DpoLossResult } from "../losses/dpo.js";
import {
  dpoOnHalves,
  lossOnPolicyBatch,
  type PolicyBatchInputs,
  type PolicyBatchLogps,
  type PolicyBatchOptions,
  type PositionWeights,
} from "./batch-scoring.js";

/**
 * A DPO batch as the original code builds it: B = 2N sequences, chosen first (rows 0..N−1), then rejected (N..2N−1).
 */
export type DpoBatchInputs = PolicyBatchInputs;

/**
 * Options of {@link dpoBatch}: the loss's (all of dpoLoss's but `routerAuxLossCoef`: a batch of logits has no
 * router auxiliary loss; add coefficient × aux_loss to the result's `loss` yourself), the log-probs' and the
 * gradient request.
 */
export interface DpoBatchOptions extends Omit<DpoLossOptions, "routerAuxLossCoef">, PolicyBatchOptions {
  /**
   * LD-DPO's α in [0, 1] (Liu et al. 2024, "Length Desensitization in Directed Preference Optimization", as TRL's
   * `ld_alpha`): each sequence log-prob, the policy's and the reference's, becomes the sum over its first ℓ scored
   * tokens plus α times the sum over the rest, ℓ the shorter token count of its pair (positions counted among the
   * scored tokens, TRL's completion positions). Omitted: plain sums. Precomputed `referenceLogps` are taken as given.
   * Not with `average` or `lossType` 'sft' (TRL's sft term reads the unweighted token log-probs).
   */
  readonly ldAlpha?: number;
  /**
   * WPO weighting (Zhou et al. 2024, eq. 2; TRL's `use_weighting`): each pair's loss, and so its gradient, is
   * multiplied by w(y_w)·w(y_l), w(y) = exp(mean_t [log p_t(y_t) − log Σ_v p_t(v)²]) over y's scored tokens, from the
   * policy's logits and held constant (no gradient through it), unclamped as in TRL 1.x; under `semantics: "trl-0"`
   * clamped at 1, as TRL 0.x did. `result.pairWeights` gives them. Not with the batch-coupled loss types `sft`,
   * `aot`, `aot_unpaired`.
   */
  readonly useWeighting?: boolean;
  /** Also return TRL's logged metrics from the policy's logits ({@link LogitMetrics}). */
  readonly metrics?: boolean;
}

/** dpoLoss's option keys that dpoBatch takes. */
const BATCH_LOSS_OPTION_KEYS = DPO_LOSS_OPTION_KEYS.filter((key) => key !== "routerAuxLossCoef");

/** The options that ask for the policy's logit moments (WPO's weights, TRL's metrics): dpoBatch's, dpoModelBatch's. */
export const MOMENT_OPTION_KEYS = ["useWeighting", "metrics"];

/** dpoBatch's options beyond the loss's and the scoring's. */
const DPO_BATCH_ONLY_KEYS = ["ldAlpha", ...MOMENT_OPTION_KEYS];

/** Loss types whose k-th loss depends on other pairs' inputs: a per-pair weight does not weight their gradients. */
const BATCH_COUPLED = ["sft", "aot", "aot_unpaired", "aot_pair"];

/**
 * LD-DPO's weights: 1 at a sequence's first ℓ scored positions and α after, ℓ = min(count of the chosen, count of the
 * rejected) of its pair (rows i and i + N of a batch of 2N).
 */
function lengthDesensitizedWeights(alpha: number): PositionWeights {
  return (positions, counts) => {
    const pairs = counts.length / 2;
    const seen = new Int32Array(counts.length);
    const weights = new Float64Array(positions.count);
    for (let i = 0; i < positions.count; i++) {
      const b = positions.b[i];
      const pair = b % pairs;
      const shared = Math.min(counts[pair], counts[pair + pairs]);
      weights[i] = ++seen[b] <= shared ? 1 : alpha;
    }
    return weights;
  };
}

/** The validated `ldAlpha`, or undefined when not given. */
function readLdAlpha(fn: string, given: DpoBatchOptions, lossOptions: DpoLossOptions): number | undefined {
  if (given.ldAlpha === undefined) return undefined;
  const alpha = requireFinite(fn, "options.ldAlpha", given.ldAlpha);
  if (alpha < 0 || alpha > 1) throw new LuceError(fn, "options.ldAlpha", `must lie in [0, 1], got ${alpha}`);
  if (given.average === true)
    throw new LuceError(
      fn,
      "options.ldAlpha",
      "cannot be combined with average: true (LD-DPO weights summed log-probs)",
    );
  if (lossTypesOf(lossOptions.lossType).includes("sft"))
    throw new LuceError(
      fn,
      "options.ldAlpha",
      "cannot be combined with lossType 'sft', whose NLL reads the unweighted token log-probs",
    );
  return alpha;
}

/**
 * What {@link dpoBatch} returns: `dpoLoss`'s result, the sequence log-probs [2N], and on request the logits gradient
 * [2N, T, V].
 */
export interface DpoBatchResult extends DpoLossResult, PolicyBatchLogps {
  /** With `useWeighting`: each pair's WPO weight w(y_w)·w(y_l), already inside `losses`, `loss` and the gradients. */
  readonly pairWeights?: Float64Array;
  /** With `metrics: true`: TRL's metrics from the policy's logits. */
  readonly logitMetrics?: LogitMetrics;
}

/**
 * `result` with each pair's loss (in the total, in every component) and gradients multiplied by `weights[i]`; the
 * rewards and their metrics unchanged.
 */
function weightPairs(result: DpoLossResult, weights: Float64Array): DpoLossResult {
  const scaled = (values: Float64Array) => values.map((value, i) => value * weights[i]);
  const losses = scaled(result.losses);
  return {
    ...result,
    losses,
    loss: meanOf(losses),
    components: result.components.map((component) => {
      const componentLosses = scaled(component.losses);
      return { ...component, losses: componentLosses, loss: meanOf(componentLosses) };
    }),
    gradPolicyChosen: scaled(result.gradPolicyChosen),
    gradPolicyRejected: scaled(result.gradPolicyRejected),
  };
}

/** What the moment options ask for, validated. @internal */
export interface MomentRequests {
  readonly useWeighting: boolean;
  readonly metrics: boolean;
  /** TRL 0.x's clamp of the pair weights at 1 (under `semantics: "trl-0"`). */
  readonly clampWeights: boolean;
}

/**
 * The validated `useWeighting` and `metrics` of `fn`'s options (both default false): booleans, and no weighting of a
 * batch-coupled loss type.
 * @internal
 */
export function readMomentRequests(
  fn: string,
  given: Pick<DpoBatchOptions, "useWeighting" | "metrics">,
  lossOptions: DpoLossOptions,
): MomentRequests {
  const useWeighting =
    given.useWeighting === undefined ? false : requireBoolean(fn, "options.useWeighting", given.useWeighting);
  const metrics = given.metrics === undefined ? false : requireBoolean(fn, "options.metrics", given.metrics);
  const coupled = lossTypesOf(lossOptions.lossType).find((type) => BATCH_COUPLED.includes(type));
  if (useWeighting && coupled !== undefined)
    throw new LuceError(
      fn,
      "options.useWeighting",
      `cannot weight lossType '${coupled}', whose losses couple the batch's pairs (a per-pair weight is not theirs)`,
    );
  return { useWeighting, metrics, clampWeights: lossOptions.semantics === "trl-0" };
}

/**
 * A DPO batch's loss `result` (pairs i and i + N of the 2N sequences) as `requests` asks: weighted by WPO's pair
 * weights w(y_w)·w(y_l) (losses, loss, components, gradients; the rewards unchanged), with TRL's metrics; from the
 * policy's scoring pass `scores`, which carries its moments when either is asked.
 * @internal
 */
export function withMomentResults(
  result: DpoLossResult,
  scores: ScoredBatch,
  requests: MomentRequests,
): DpoLossResult & Pick<DpoBatchResult, "pairWeights" | "logitMetrics"> {
  const n = scores.counts.length / 2;
  let out: DpoLossResult & Pick<DpoBatchResult, "pairWeights" | "logitMetrics"> = result;
  if (requests.useWeighting) {
    const logWeights = wpoLogWeights(scores);
    const weight = (i: number) => Math.exp(logWeights[i] + logWeights[i + n]);
    const pairWeights = Float64Array.from({ length: n }, (_, i) =>
      requests.clampWeights ? Math.min(1, weight(i)) : weight(i),
    );
    out = { ...weightPairs(result, pairWeights), pairWeights };
  }
  return requests.metrics ? { ...out, logitMetrics: logitMetrics(scores) } : out;
}

/**
 * DPO quantities for a batch of model outputs: sequence log-probabilities of the policy (and
 * reference) from logits, then {@link luce!dpoLoss} on the chosen/rejected halves (token counts are
 * passed as lengths, for `ipo`, `sigmoid_norm` and `sft`), and on request the gradient of the summed
 * loss with respect to the policy logits: at a scored position with label y,
 * g_b · (onehot(y) − softmax(logits[b, t])), where g_b is the loss's gradient for sequence b
 * (divided by its token count when `average`).
 *
 * @param inputs - policy logits, reference logits or log-probs, labels
 * @param options - the loss (β, lossType, …), the scoring (mask, shift, …) and `gradient`
 * @returns the loss result with the log-probs and the optional logits gradient
 * @throws {@link luce!LuceError} for an odd batch, shape mismatches, bad logits or labels, bad loss options
 * @example
 * ```ts
 * const logits = { data: new Float32Array(2 * 2 * 3).map((_, i) => Math.sin(i)), shape: [2, 2, 3] };
 * const r = await dpoBatch({ policyLogits: logits, referenceLogps: [-1, -1], labels: [[0, 1], [0, 2]] }, { beta: 0.1,
 * gradient: true });
 * r.losses.length; // 1 pair
 * ```
 */
export async function dpoBatch(inputs: DpoBatchInputs, options: DpoBatchOptions): Promise<DpoBatchResult> {
  const fn = "dpoBatch";
  const given = readLossOptions(fn, options, [
    ...BATCH_LOSS_OPTION_KEYS,
    ...POLICY_BATCH_OPTION_KEYS,
    ...DPO_BATCH_ONLY_KEYS,
  ]);
  const lossOptions = pickOptions<DpoLossOptions>(given, BATCH_LOSS_OPTION_KEYS);
  if (given.average === true && lossTypesOf(lossOptions.lossType).includes("sft"))
    throw new LuceError(
      fn,
      "options.average",
      "cannot be true with lossType 'sft', whose token-mean NLL needs the summed log-probs of the chosen responses",
    );
  const ldAlpha = readLdAlpha(fn, given, lossOptions);
  const moments = readMomentRequests(fn, given, lossOptions);
  const batchInputs = readPolicyBatchInputs(fn, inputs);
  return lossOnPolicyBatch(
    fn,
    batchInputs,
    given,
    (batch) => {
      if (batch % 2 !== 0 || batch === 0)
        throw new LuceError(
          fn,
          "inputs.policyLogits.shape",
          `has batch ${batch}: chosen and rejected halves need an even, non-zero batch`,
        );
    },
    (policyLogps, referenceLogps, counts, scores) => {
      requireScoredTokens(fn, "inputs.labels", lossOptions.lossType, counts);
      const n = policyLogps.length / 2;
      const result = withMomentResults(
        asCaller(fn, () => dpoOnHalves(policyLogps, referenceLogps, counts, lossOptions)),
        scores,
        moments,
      );
      return {
        result,
        sequenceGradient: (b) => (b < n ? result.gradPolicyChosen[b] : result.gradPolicyRejected[b - n]),
      };
    },
    ldAlpha === undefined ? undefined : lengthDesensitizedWeights(ldAlpha),
    moments.useWeighting || moments.metrics,
  );
}
