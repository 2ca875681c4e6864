import { LuceError } from "../errors.js";
import {
  describe,
  requireArrayLength,
  requireBoolean,
  requireCount,
  requireInteger,
  requireOptions,
} from "../validation/checks.js";
import { usesLengths } from "../losses/dpo.js";
import { readMatrix, type ReadableView } from "./tensor-view.js";

/** The options every log-prob computation on logits takes (sequenceLogProbs's, less `perToken`). @internal */
export const SCORING_OPTION_KEYS = ["mask", "ignoreIndex", "shift", "average", "precision", "threads", "backend"];

/** The options of a batch loss on logits besides its loss's own: the scoring options and `gradient`. @internal */
export const POLICY_BATCH_OPTION_KEYS = [...SCORING_OPTION_KEYS, "gradient"];

/**
 * More threads than this is not a thread count but a mistake: each worker is an operating-system thread with a
 * V8 isolate of its own, and no machine luce runs on has this many cores.
 */
const MAX_THREADS = 1024;

/**
 * Reads the scoring options once each and checks their types: `shift` and `average` booleans (`"no"` or `0` would
 * silently mean the opposite), `ignoreIndex` a safe integer, `precision`, `threads` (1 to 1024) and `backend` one of
 * their values. Unknown keys are the public function's to refuse ({@link requireOptions} with its own key list).
 * @internal
 */
export function readScoringOptions(fn: string, options: unknown) {
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw new LuceError(fn, "options", `must be an options object, got ${describe(options)}`);
  const o = options as Record<string, unknown>;
  const [mask, ignoreIndex, shift, average, precision, threads, backend] = SCORING_OPTION_KEYS.map((key) => o[key]);
  if (precision !== undefined && precision !== "float32" && precision !== "float64")
    throw new LuceError(fn, "options.precision", `must be "float32" or "float64", got ${describe(precision)}`);
  if (backend !== undefined && backend !== "cpu" && backend !== "webgpu")
    throw new LuceError(fn, "options.backend", `must be "cpu" or "webgpu", got ${describe(backend)}`);
  if (backend === "webgpu" && precision === "float64")
    throw new LuceError(
      fn,
      "options.precision",
      'must be "float32" with backend "webgpu" (the GPU computes in float32)',
    );
  return {
    mask,
    ignoreIndex: ignoreIndex === undefined ? -100 : requireInteger(fn, "options.ignoreIndex", ignoreIndex),
    shift: shift === undefined ? true : requireBoolean(fn, "options.shift", shift),
    average: average === undefined ? false : requireBoolean(fn, "options.average", average),
    precision: precision as "float32" | "float64" | undefined,
    threads: threads === undefined ? undefined : requireCount(fn, "options.threads", threads, 1, MAX_THREADS),
    backend: (backend ?? "cpu") as "cpu" | "webgpu",
  };
}

/**
 * Token ids [B, T] read once into a copy, every entry checked, scored or not (the position a shift skips, masked
 * positions): an integer in [0, vocabulary) or `ignoreIndex`. int64 ids (BigInt64Array) are converted.
 * @internal
 */
export function readLabels(
  fn: string,
  name: string,
  labels: unknown,
  shape: readonly [number, number],
  vocabulary: number,
  ignoreIndex: number,
): ReadableView {
  return readMatrix(fn, name, labels, shape, false, (label) =>
    label === ignoreIndex || (Number.isInteger(label) && label >= 0 && label < vocabulary)
      ? null
      : `is ${label}, not a token id in [0, ${vocabulary}) or ignoreIndex ${ignoreIndex}`,
  );
}

/**
 * A mask [B, T] read once into a copy whose every entry is 0 or 1: numbers 0 and 1, booleans, or int64 0n and 1n (an
 * ONNX Runtime or tokenizers `attention_mask`). Anything else (0.5, −1, NaN, a string) is an error: a mask that means
 * something else than 0 or 1 would otherwise be read as "score it".
 * @internal
 */
export function readMask(fn: string, name: string, mask: unknown, shape: readonly [number, number]): ReadableView {
  return readMatrix(fn, name, mask, shape, true, (m) =>
    m === 0 || m === 1 ? null : `is ${m}, not 0 or 1 (or a boolean)`,
  );
}

/**
 * Precomputed sequence log-probs [batch], read once into a copy: each a finite number ≤ 0 (a log-probability), never a
 * value coerced to one (`null`, `""`, `true`, `[]` would become 0 or 1 through `Float64Array.from`).
 * @internal
 */
export function readSequenceLogps(fn: string, name: string, value: unknown, batch: number): Float64Array {
  const length = requireArrayLength(fn, name, value);
  const given = value as ArrayLike<unknown>;
  if (length !== batch) throw new LuceError(fn, name, `has ${length} entries for a batch of ${batch}`);
  const copy = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const x = given[i];
    if (typeof x !== "number" || !Number.isFinite(x) || x > 0)
      throw new LuceError(fn, `${name}[${i}]`, `must be a finite log-probability (≤ 0), got ${describe(x)}`);
    copy[i] = x;
  }
  return copy;
}

/**
 * Sequence log-probs computed from `source` (the policy's or the reference's logits) that a loss needs finite: a
 * sequence whose scored label has logit −∞ has log-probability −∞, which no DPO loss can take.
 * @internal
 */
export function requireFiniteSequenceLogps(fn: string, source: string, logps: Float64Array): void {
  for (let b = 0; b < logps.length; b++)
    if (!Number.isFinite(logps[b]))
      throw new LuceError(
        fn,
        source,
        `gives sequence ${b} the log-probability ${logps[b]} (a scored label's logit is −Infinity): the loss needs ` +
          "finite log-probabilities",
      );
}

/**
 * The options object of a batch loss, required (it holds β at least): its `known` keys read once each, others refused,
 * and `gradient` absent, a boolean, or a Float32Array / Float64Array to write into.
 * @internal
 */
export function readLossOptions<T extends object>(fn: string, options: T | undefined, known: readonly string[]): T {
  const given = snapshotOptions(fn, options, known);
  if (options === undefined) throw new LuceError(fn, "options", "is required (at least beta)");
  const { gradient } = given as { gradient?: unknown };
  if (
    gradient !== undefined &&
    typeof gradient !== "boolean" &&
    !(gradient instanceof Float32Array) &&
    !(gradient instanceof Float64Array)
  )
    throw new LuceError(
      fn,
      "options.gradient",
      `must be true, false, or a Float32Array / Float64Array to write into, got ${describe(gradient)}`,
    );
  return given;
}

/** A plain copy of an options object's known keys, each read once (a getter or Proxy cannot answer twice). @internal */
export function snapshotOptions<T extends object>(fn: string, options: T | undefined, known: readonly string[]): T {
  return pickOptions<T>(requireOptions(fn, "options", options, known) as object, known);
}

/**
 * Runs a loss that a batch function calls on its caller's behalf, so that the loss's own `LuceError` (its options,
 * rankings) names the function the caller called; the argument names are the caller's too, as the batch function
 * passes them on under the same names.
 * @internal
 */
export function asCaller<R>(fn: string, call: () => R): R {
  try {
    return call();
  } catch (error) {
    if (!(error instanceof LuceError) || error.function === fn) throw error;
    const prefix = `${error.function}: argument '${error.argument}' `;
    const problem = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    throw new LuceError(fn, error.argument, problem);
  }
}

/** The fields of a batch loss's inputs that every batch loss reads. */
interface PolicyBatchFields {
  readonly policyLogits: unknown;
  readonly referenceLogits?: unknown;
  readonly referenceLogps?: unknown;
  readonly labels: unknown;
}

/** The inputs object of a batch loss on logits: its four fields, each read once into a plain object. @internal */
export function readPolicyBatchInputs<T extends PolicyBatchFields>(fn: string, inputs: T): T {
  if (inputs === null || typeof inputs !== "object")
    throw new LuceError(fn, "inputs", `must be an object, got ${describe(inputs)}`);
  const { policyLogits, referenceLogits, referenceLogps, labels } = inputs;
  if (referenceLogits !== undefined && referenceLogps !== undefined)
    throw new LuceError(fn, "inputs.referenceLogps", "is given with inputs.referenceLogits: give one of the two");
  return {
    policyLogits,
    labels,
    ...(referenceLogits === undefined ? {} : { referenceLogits }),
    ...(referenceLogps === undefined ? {} : { referenceLogps }),
  } as T;
}

/** The entries of `options` under `keys` that are not undefined, each read once. @internal */
export function pickOptions<T extends object>(options: object, keys: readonly string[]): T {
  const picked: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked as T;
}

/**
 * Every sequence has a scored token where a listed loss type divides by the token count (`ipo`, `sigmoid_norm`,
 * `sft`): a sequence with none would otherwise reach dpoLoss as a zero length under an argument the caller never
 * passed.
 * @internal
 */
export function requireScoredTokens(fn: string, name: string, lossType: unknown, counts: Int32Array): void {
  if (!usesLengths(lossType)) return;
  for (let b = 0; b < counts.length; b++)
    if (counts[b] === 0)
      throw new LuceError(
        fn,
        `${name}[${b}]`,
        `has no scored token: lossType '${String(lossType)}' divides each sequence's log-prob by its token count`,
      );
}
