import { LuceError } from "../errors.js";
import { requireFinite } from "../validation/checks.js";
import {
  asCaller,
  pickOptions,
  POLICY_BATCH_OPTION_KEYS,
  readPolicyBatchInputs,
  requireGradientOption,
  requireScoredTokens,
  snapshotOptions,
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
}

/** dpoLoss's option keys that dpoBatch takes. */
const BATCH_LOSS_OPTION_KEYS = DPO_LOSS_OPTION_KEYS.filter((key) => key !== "routerAuxLossCoef");

/** dpoBatch's options beyond the loss's and the scoring's. */
const DPO_BATCH_ONLY_KEYS = ["ldAlpha"];

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
export interface DpoBatchResult extends DpoLossResult, PolicyBatchLogps {}

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
  const given = snapshotOptions(fn, options, [
    ...BATCH_LOSS_OPTION_KEYS,
    ...POLICY_BATCH_OPTION_KEYS,
    ...DPO_BATCH_ONLY_KEYS,
  ]);
  if (options === undefined) throw new LuceError(fn, "options", "is required (at least beta)");
  requireGradientOption(fn, given.gradient);
  const lossOptions = pickOptions<DpoLossOptions>(given, BATCH_LOSS_OPTION_KEYS);
  if (given.average === true && lossTypesOf(lossOptions.lossType).includes("sft"))
    throw new LuceError(
      fn,
      "options.average",
      "cannot be true with lossType 'sft', whose token-mean NLL needs the summed log-probs of the chosen responses",
    );
  const ldAlpha = readLdAlpha(fn, given, lossOptions);
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
    (policyLogps, referenceLogps, counts) => {
      requireScoredTokens(fn, "inputs.labels", lossOptions.lossType, counts);
      const n = policyLogps.length / 2;
      const result = asCaller(fn, () => dpoOnHalves(policyLogps, referenceLogps, counts, lossOptions));
      return {
        result,
        sequenceGradient: (b) => (b < n ? result.gradPolicyChosen[b] : result.gradPolicyRejected[b - n]),
      };
    },
    ldAlpha === undefined ? undefined : lengthDesensitizedWeights(ldAlpha),
  );
}
