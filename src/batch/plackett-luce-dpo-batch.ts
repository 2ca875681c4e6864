import { LuceError } from "../errors.js";
import { plackettLuceDpoLoss, type PlackettLuceDpoResult } from "../losses/plackett-luce-dpo.js";
import { requireArrayLike, requireIndex } from "../validation/checks.js";
import { logitsGradient, referenceLogpsOf } from "./batch-scoring.js";
import { readScoring } from "./scoring.js";
import { scoreAll, type SequenceLogProbsOptions } from "./sequence-log-probs.js";
import type { LabelsView, LogitsView } from "./tensor-view.js";

/** A listwise batch: K responses per prompt, consecutive along the batch (prompt i owns rows iK … iK + K − 1). */
export interface PlackettLuceDpoBatchInputs {
  /** Policy logits [N·K, T, V]. */
  readonly policyLogits: LogitsView;
  /** Reference logits of the same shape (or give `referenceLogps`). */
  readonly referenceLogits?: LogitsView;
  /** Reference sequence log-probs [N·K], when precomputed. */
  readonly referenceLogps?: ArrayLike<number>;
  /** Token ids [N·K, T]. */
  readonly labels: LabelsView | ArrayLike<number>[];
  /** Responses per prompt, K ≥ 2. */
  readonly responses: number;
  /** Per prompt, a full or top-k ranking of its K responses (indices 0..K−1, best first). */
  readonly rankings: ReadonlyArray<ArrayLike<number>>;
}

/** Options of {@link plackettLuceDpoBatch}. */
export interface PlackettLuceDpoBatchOptions extends SequenceLogProbsOptions {
  /** β > 0. */
  readonly beta: number;
  /** Also return ∂(Σ losses)/∂ policy logits, row-major [N·K, T, V]; default false. An array, as for {@link dpoBatch}'s option, is written in place. */
  readonly gradient?: boolean | Float32Array | Float64Array;
}

/** What {@link plackettLuceDpoBatch} returns. */
export interface PlackettLuceDpoBatchResult extends PlackettLuceDpoResult {
  /** Policy sequence log-probs [N·K]. */
  readonly policyLogps: Float64Array;
  /** Reference sequence log-probs [N·K]. */
  readonly referenceLogps: Float64Array;
  /** ∂(Σ losses)/∂ policy logits, row-major [N·K, T, V]; Float32Array on the float32 path, Float64Array on the float64 path. */
  readonly gradLogits?: Float32Array | Float64Array;
}

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
 *   { policyLogits: logits, referenceLogps: [-1, -1, -1], labels: [[0, 1], [0, 2], [0, 3]], responses: 3, rankings: [[2, 0, 1]] },
 *   { beta: 0.5 });
 * r.losses.length; // 1 prompt
 * ```
 */
export async function plackettLuceDpoBatch(inputs: PlackettLuceDpoBatchInputs, options: PlackettLuceDpoBatchOptions): Promise<PlackettLuceDpoBatchResult> {
  const fn = "plackettLuceDpoBatch";
  if (inputs === null || typeof inputs !== "object") throw new LuceError(fn, "inputs", "must be an object");
  if (options === null || typeof options !== "object") throw new LuceError(fn, "options", "must be an object with beta");
  const k = requireIndex(fn, "inputs.responses", inputs.responses);
  if (k < 2) throw new LuceError(fn, "inputs.responses", "must be at least 2");
  const policy = readScoring(fn, inputs.policyLogits, inputs.labels, options);
  const batch = policy.logits.shape[0];
  if (batch === 0 || batch % k !== 0) throw new LuceError(fn, "inputs.policyLogits.shape", `has batch ${batch}, not a non-zero multiple of ${k} responses`);
  const prompts = batch / k;
  const rankings = requireArrayLike(fn, "inputs.rankings", inputs.rankings);
  if (rankings.length !== prompts) throw new LuceError(fn, "inputs.rankings", `has ${rankings.length} rankings for ${prompts} prompts`);
  const scores = await scoreAll(fn, policy);
  const referenceLogps = await referenceLogpsOf(fn, inputs, options, policy.logits.shape);
  const rows = (values: Float64Array) => Array.from({ length: prompts }, (_, i) => values.subarray(i * k, (i + 1) * k));
  const result = plackettLuceDpoLoss({ policyLogps: rows(scores.logps), referenceLogps: rows(referenceLogps), rankings: inputs.rankings }, { beta: options.beta });
  if (!options.gradient) return { ...result, policyLogps: scores.logps, referenceLogps };

  const grad = logitsGradient(fn, policy, scores, (b) => result.gradPolicy[Math.floor(b / k)][b % k], options.gradient);
  return { ...result, policyLogps: scores.logps, referenceLogps, gradLogits: grad };
}
