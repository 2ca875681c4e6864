import { LuceError } from "../errors.js";
import { plackettLuceDpoLoss, type PlackettLuceDpoResult } from "../losses/plackett-luce-dpo.js";
import { MAX_ARRAY_LENGTH, copyArrayLike, requireCount } from "../validation/checks.js";
import { asCaller, POLICY_BATCH_OPTION_KEYS, readLossOptions, readPolicyBatchInputs } from "./batch-validation.js";
import {
  lossOnPolicyBatch,
  type PolicyBatchInputs,
  type PolicyBatchLogps,
  type PolicyBatchOptions,
} from "./batch-scoring.js";

/**
 * A listwise batch: B = N·K sequences, K responses per prompt, consecutive along the batch (prompt i owns rows iK … iK
 * + K − 1).
 */
export interface PlackettLuceDpoBatchInputs extends PolicyBatchInputs {
  /** Responses per prompt, K ≥ 2. */
  readonly responses: number;
  /** Per prompt, a full or top-k ranking of its K responses (indices 0..K−1, best first). */
  readonly rankings: ReadonlyArray<ArrayLike<number>>;
}

/** Options of {@link plackettLuceDpoBatch}: β, the log-probs' options and the gradient request. */
export interface PlackettLuceDpoBatchOptions extends PolicyBatchOptions {
  /** β > 0. */
  readonly beta: number;
}

/**
 * What {@link plackettLuceDpoBatch} returns: the loss's result, the sequence log-probs [N·K], and on request the logits
 * gradient [N·K, T, V].
 */
export interface PlackettLuceDpoBatchResult extends PlackettLuceDpoResult, PolicyBatchLogps {}

/**
 * The listwise (Plackett–Luce) DPO loss of appendix A.3 on model outputs: sequence log-probs of
 * the K responses of each prompt from logits, then {@link luce!plackettLuceDpoLoss}, and on request
 * the gradient with respect to the policy logits, g · (onehot(label) − softmax) at each scored
 * position, with g the loss's gradient for that response (divided by its token count when `average`).
 *
 * @param inputs - logits, labels, K and the rankings
 * @param options - β, scoring options and `gradient`
 * @returns losses, per-response gradients and rewards, log-probs and the optional logits gradient
 * @throws {@link luce!LuceError} for a batch not divisible by K, bad rankings, bad logits or labels
 * @example
 * ```ts
 * const logits = { data: new Float32Array(3 * 2 * 4).map((_, i) => Math.cos(i)), shape: [3, 2, 4] };
 * const r = await plackettLuceDpoBatch(
 * { policyLogits: logits, referenceLogps: [-1, -1, -1], labels: [[0, 1], [0, 2], [0, 3]], responses: 3, rankings: [[2,
 * 0, 1]] },
 *   { beta: 0.5 });
 * r.losses.length; // 1 prompt
 * ```
 */
export async function plackettLuceDpoBatch(
  inputs: PlackettLuceDpoBatchInputs,
  options: PlackettLuceDpoBatchOptions,
): Promise<PlackettLuceDpoBatchResult> {
  const fn = "plackettLuceDpoBatch";
  const given = readLossOptions(fn, options, ["beta", ...POLICY_BATCH_OPTION_KEYS]);
  const batchInputs = readPolicyBatchInputs(fn, inputs);
  // read once: the batch check and the loss must see the same K and rankings
  const k = requireCount(fn, "inputs.responses", inputs.responses, 2, MAX_ARRAY_LENGTH);
  const rankings = copyArrayLike(fn, "inputs.rankings", inputs.rankings) as ArrayLike<number>[];
  return lossOnPolicyBatch(
    fn,
    batchInputs,
    given,
    (batch) => {
      if (batch === 0 || batch % k !== 0)
        throw new LuceError(
          fn,
          "inputs.policyLogits.shape",
          `has batch ${batch}, not a non-zero multiple of ${k} responses`,
        );
      if (rankings.length !== batch / k)
        throw new LuceError(fn, "inputs.rankings", `has ${rankings.length} rankings for ${batch / k} prompts`);
    },
    (policyLogps, referenceLogps) => {
      const rows = (values: Float64Array) =>
        Array.from({ length: values.length / k }, (_, i) => values.subarray(i * k, (i + 1) * k));
      const result = asCaller(fn, () =>
        plackettLuceDpoLoss(
          { policyLogps: rows(policyLogps), referenceLogps: rows(referenceLogps), rankings },
          { beta: given.beta },
        ),
      );
      return { result, sequenceGradient: (b) => result.gradPolicy[Math.floor(b / k)][b % k] };
    },
  );
}
