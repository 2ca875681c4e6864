import { readFile, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import { resolve } from "node:path";
import { LuceError } from "../errors.js";
import { requireBoolean } from "../validation/checks.js";
import { DPO_LOSS_OPTION_KEYS, type DpoLossOptions, type DpoLossResult } from "../losses/dpo.js";
import { dpoOnHalves } from "./batch-scoring.js";
import {
  MOMENT_OPTION_KEYS,
  readMomentRequests,
  withMomentResults,
  type DpoBatchOptions,
  type DpoBatchResult,
} from "./dpo-batch.js";
import { momentsOfRows } from "./logit-moments.js";
import { APPENDED, withRowStatistics } from "./onnx/append-statistics.js";
import { TOTAL_SCALE } from "./onnx/row-statistics-graph.js";
import { createSession, onnxRuntime, type ExecutionProvider, type OrtModule, type OrtSession } from "./onnx/runtime.js";
import { scoredPositions, scoreRows, type PositionSource, type ScoredBatch } from "./scoring.js";
import type { TokenLogProbs } from "./sequence-log-probs.js";
import { readMatrix, type LabelsView } from "./tensor-view.js";
import { describe } from "../validation/checks.js";
import {
  asCaller,
  pickOptions,
  readLabels,
  readMask,
  readLossOptions,
  readScoringOptions,
  requireFiniteSequenceLogps,
  requireScoredTokens,
  snapshotOptions,
} from "./batch-validation.js";

/** Options of {@link CausalLanguageModel.load}. */
export interface CausalLanguageModelOptions {
  /** Where the model runs: ONNX Runtime's `"cpu"` (default) or `"webgpu"` execution provider. */
  readonly backend?: ExecutionProvider;
  /** The model's logits output, [B, T, V]; default `"logits"`. */
  readonly logits?: string;
  /** The model's token-id input, int64 [B, T]; default `"input_ids"`. */
  readonly inputIds?: string;
  /**
   * The model's attention-mask input, int64 [B, T] (1 = token, 0 = padding); default `"attention_mask"`, used when the
   * model has it.
   */
  readonly attentionMask?: string;
  /**
   * Build the session with the statistics graph's moments outputs too, which {@link dpoModelBatch}'s `metrics` and
   * `useWeighting` need (default false). ONNX Runtime runs every node of a graph whatever outputs a run fetches, so
   * with it every run pays for the moments. Without it, a model loaded from a path re-reads its file for a second
   * session the first time they are asked for; a model loaded from bytes refuses them.
   */
  readonly moments?: boolean;
}

/** The public function whose arguments the scoring pass's errors name (dpoModelBatch hands its inputs over as is). */
const SCORING_FN = "CausalLanguageModel.sequenceLogProbs";

/** The keys of {@link ModelLogProbsOptions}. */
const MODEL_LOG_PROBS_OPTION_KEYS = ["attentionMask", "labels", "ignoreIndex", "shift", "average"];

/** Options of {@link CausalLanguageModel.sequenceLogProbs}. */
export interface ModelLogProbsOptions {
  /** 1 for tokens, 0 for padding, [B, T]; default all ones. Padding is never scored. */
  readonly attentionMask?: LabelsView | ArrayLike<number>[];
  /**
   * The tokens to score, [B, T]; default the input ids. Mark prompt tokens with `ignoreIndex` to score responses only,
   * as DPO does.
   */
  readonly labels?: LabelsView | ArrayLike<number>[];
  /** Label value that is never scored; default −100. */
  readonly ignoreIndex?: number;
  /** Score labels[:, t + 1] with the logits at t (the causal shift); default true. */
  readonly shift?: boolean;
  /** Divide each sum by its number of scored tokens; default false. */
  readonly average?: boolean;
}

/**
 * An ONNX causal language model that gives per-sequence log-probabilities with its logits kept
 * on the device that runs it: luce appends its row-statistics graph (maximum, rest and ties of
 * each logits row, and the label's logit) to the model's own graph, so only four numbers per
 * position leave ONNX Runtime, whatever the vocabulary; log p = (x_y − M) − log(n + s) is then
 * formed in float64, as in {@link sequenceLogProbs}'s float32 path.
 *
 * @example
 * ```ts
 * // modelBytes: an .onnx file's bytes (or pass its path); inputs input_ids and attention_mask
 * const lm = await CausalLanguageModel.load(modelBytes, { backend: "cpu" });
 * const ids = [Array.from({ length: 64 }, (_, t) => (7 * t) % 1000)];
 * const labels = [ids[0].map((id, t) => (t < 10 ? -100 : id))]; // score the response only
 * const { logps, counts } = await lm.sequenceLogProbs(ids, { labels });
 * ```
 */
export class CausalLanguageModel {
  /**
   * The session whose runs can also give the moments outputs: `session` itself when loaded with `moments`, else, for
   * a model loaded from a path, created from the re-read file the first time the moments are asked for.
   */
  private momentsSession: Promise<OrtSession> | null;

  private constructor(
    private readonly runtime: OrtModule,
    private readonly session: OrtSession,
    private readonly names: { readonly inputIds: string; readonly attentionMask: string | null },
    /** The vocabulary size when the model's logits output declares it, else null. */
    readonly vocabulary: number | null,
    /**
     * For a model loaded from a path: the file (its absolute path, so that a later change of the working directory
     * finds the same one) as it was then, its logits output's name and its backend.
     */
    private readonly file: {
      readonly path: string;
      readonly size: number;
      readonly modified: number;
      readonly logits: string;
      readonly backend: ExecutionProvider;
    } | null,
    withMoments: boolean,
  ) {
    this.momentsSession = withMoments ? Promise.resolve(session) : null;
  }

  /**
   * Loads a model from a path or its bytes.
   * @param model - an .onnx file's path or bytes
   * @param options - backend, the model's input and output names, and `moments` (build the moments outputs now)
   * @returns the model, ready to score; it keeps none of the model's bytes. Without `options.moments`, a model loaded
   *   from a path re-reads its file the first time `dpoModelBatch` asks for metrics or WPO weights, to build a second
   *   session with the moments outputs: the file must then still be there, unchanged (its size and modification time
   *   are checked).
   * @throws {@link luce!LuceError} when onnxruntime-node is missing, the path cannot be read, the file is not an ONNX
   *   model, it lacks the named logits output or input ids, or its opset is below 13
   */
  static async load(
    model: string | Uint8Array,
    options: CausalLanguageModelOptions = {},
  ): Promise<CausalLanguageModel> {
    const fn = "CausalLanguageModel.load";
    options = snapshotOptions(fn, options, ["backend", "logits", "inputIds", "attentionMask", "moments"]);
    const withMoments = requireBoolean(fn, "options.moments", options.moments ?? false);
    const backend = options.backend ?? "cpu";
    if (backend !== "cpu" && backend !== "webgpu")
      throw new LuceError(fn, "options.backend", `must be "cpu" or "webgpu", got ${describe(backend)}`);
    const runtime = await onnxRuntime(fn, "options.backend");
    let file: Stats | null = null; // taken before the read: a later change shows when the file is re-read
    let bytes: unknown = model;
    if (typeof model === "string") {
      try {
        file = await stat(model);
        bytes = new Uint8Array(await readFile(model));
      } catch (error) {
        throw new LuceError(fn, "model", `names a file that could not be read: ${(error as Error).message}`);
      }
    }
    if (!(bytes instanceof Uint8Array))
      throw new LuceError(fn, "model", "must be a path or the model's bytes (Uint8Array)");
    // withRowStatistics reads the bytes synchronously and returns a new model, so no other code can change them
    // meanwhile, except another thread through shared memory: only then is a copy taken first
    const own = bytes.buffer instanceof SharedArrayBuffer ? bytes.slice() : bytes;
    const logits = options.logits ?? "logits";
    let appended;
    try {
      appended = withRowStatistics(own, logits, withMoments);
    } catch (error) {
      throw new LuceError(fn, "model", (error as Error).message);
    }
    const session = await createSession(fn, runtime, appended.model, backend, "options.backend", {
      argument: "model",
      problem: "ONNX Runtime could not load it",
    });
    const inputIds = options.inputIds ?? "input_ids";
    if (!session.inputNames.includes(inputIds))
      throw new LuceError(
        fn,
        "options.inputIds",
        `names no input of the model (its inputs: ${session.inputNames.filter((n) => n !== APPENDED.labels).join(", ")})`,
      );
    const mask = options.attentionMask ?? "attention_mask";
    if (options.attentionMask !== undefined && !session.inputNames.includes(mask))
      throw new LuceError(fn, "options.attentionMask", "names no input of the model");
    return new CausalLanguageModel(
      runtime,
      session,
      { inputIds, attentionMask: session.inputNames.includes(mask) ? mask : null },
      appended.vocabulary,
      file === null
        ? null
        : { path: resolve(model as string), size: file.size, modified: file.mtimeMs, logits, backend },
      withMoments,
    );
  }

  /**
   * The session that gives the moments outputs too, for the public function `fn` (dpoModelBatch, where the model is
   * `inputs.policy`); for a model loaded from a path, built once from the re-read file on first use.
   * dpoModelBatch reaches it by element access.
   */
  private sessionWithMoments(fn: string): Promise<OrtSession> {
    const argument = "inputs.policy";
    if (this.momentsSession === null && this.file === null)
      throw new LuceError(
        fn,
        argument,
        "was loaded from bytes without options.moments, which metrics and useWeighting need",
      );
    if (this.momentsSession === null) {
      const { path, size, modified, logits, backend } = this.file!;
      this.momentsSession = (async () => {
        const now = await stat(path).catch(() => null);
        if (now === null || now.size !== size || now.mtimeMs !== modified)
          throw new LuceError(fn, argument, `its file ${path} is gone or changed since it was loaded`);
        const bytes = new Uint8Array(await readFile(path));
        return createSession(fn, this.runtime, withRowStatistics(bytes, logits, true).model, backend, argument, {
          argument,
          problem: "ONNX Runtime could not load its statistics graph with the moments",
        });
      })();
      this.momentsSession.catch(() => (this.momentsSession = null));
    }
    return this.momentsSession;
  }

  /**
   * Per-sequence log-probabilities of token batches, [B, T] ids: Σ_t log softmax(logits[b, t])[labels[b, t + 1]]
   * over the scored positions (not padding, not `ignoreIndex`).
   * @param inputIds - token ids [B, T]
   * @param options - attention mask, labels, ignoreIndex, shift, average
   * @returns sums (or means), per-token values and counts
   * @throws {@link luce!LuceError} for bad shapes or ids, and naming the position of a non-finite logits row
   */
  async sequenceLogProbs(
    inputIds: LabelsView | ArrayLike<number>[],
    options: ModelLogProbsOptions = {},
  ): Promise<TokenLogProbs> {
    const { logps, tokenLogps, counts } = await this.scoreTokens(SCORING_FN, inputIds, options, null);
    return { logps, tokenLogps, counts };
  }

  /**
   * {@link sequenceLogProbs}'s scoring pass, with each position's statistics; given `momentsSession`
   * ({@link sessionWithMoments}), from it, fetching the moments outputs too, so that the same run also gives each row's
   * moments (momentsOfRows). dpoModelBatch reaches it by element access: it stays out of the public type.
   */
  private async scoreTokens(
    fn: string,
    inputIds: LabelsView | ArrayLike<number>[],
    options: ModelLogProbsOptions,
    momentsSession: OrtSession | null,
  ): Promise<ScoredBatch> {
    options = snapshotOptions(fn, options, MODEL_LOG_PROBS_OPTION_KEYS);
    const vocabulary = this.vocabulary ?? Number.MAX_SAFE_INTEGER;
    const ids = readMatrix(fn, "inputIds", inputIds, undefined, false, (id) =>
      Number.isInteger(id) && id >= 0 && id < vocabulary ? null : `is ${id}, not a token id in [0, ${vocabulary})`,
    );
    const [batch, length] = ids.shape;
    if (batch === 0 || length === 0)
      throw new LuceError(fn, "inputIds", "must have at least one sequence and one position");
    const mask =
      options.attentionMask === undefined
        ? null
        : readMask(fn, "options.attentionMask", options.attentionMask, [batch, length]);
    const { ignoreIndex, shift, average } = readScoringOptions(fn, options);
    const labels =
      options.labels === undefined
        ? ids
        : readLabels(fn, "options.labels", options.labels, [batch, length], vocabulary, ignoreIndex);
    // readMatrix's copies are row-major from index 0
    const int64 = (v: typeof ids) => BigInt64Array.from({ length: batch * length }, (_, i) => BigInt(v.read(i)));
    const source: PositionSource = {
      labels,
      mask,
      ignoreIndex,
      shift,
      average,
      logits: { shape: [batch, length, vocabulary] },
    };
    const positions = scoredPositions(source);
    const rowLabels = new BigInt64Array(batch * length); // unscored rows gather token 0, never read
    for (let i = 0; i < positions.count; i++)
      rowLabels[positions.b[i] * length + positions.t[i]] = BigInt(positions.label[i]);

    const { Tensor } = this.runtime;
    const feeds: Record<string, InstanceType<typeof Tensor>> = {
      [this.names.inputIds]: new Tensor("int64", int64(ids), [batch, length]),
      [APPENDED.labels]: new Tensor("int64", rowLabels, [batch * length, 1]),
    };
    if (this.names.attentionMask !== null)
      feeds[this.names.attentionMask] = new Tensor(
        "int64",
        mask === null ? new BigInt64Array(batch * length).fill(1n) : int64(mask),
        [batch, length],
      );
    const statistics = [APPENDED.max, APPENDED.rest, APPENDED.ties, APPENDED.labelLogit];
    const momentNames = [APPENDED.squares, APPENDED.weighted, APPENDED.argmax, APPENDED.total, APPENDED.logitsShape];
    const withMoments = momentsSession !== null;
    let out;
    try {
      out = await (momentsSession ?? this.session).run(
        feeds,
        withMoments ? [...statistics, ...momentNames] : statistics,
      );
    } catch (error) {
      throw new LuceError(fn, "inputIds", `the model failed to run: ${(error as Error).message}`);
    }
    const [max, rest, ties, labelLogit] = statistics.map((name) => out[name].data as Float32Array);
    const rowOf = (i: number) => positions.b[i] * length + positions.t[i];
    const stats = new Float64Array(3 * positions.count);
    for (let i = 0; i < positions.count; i++) stats.set([max[rowOf(i)], rest[rowOf(i)], ties[rowOf(i)]], 3 * i);
    const invalidRow = (i: number): never => {
      throw new LuceError(
        fn,
        `logits[${positions.b[i]}][${positions.t[i]}]`,
        "(the model's output) holds NaN or +Infinity, or is −Infinity everywhere",
      );
    };
    const scores = scoreRows(fn, source, positions, stats, (i) => labelLogit[rowOf(i)], invalidRow);
    if (!withMoments) return scores;
    const [squares, weighted, total] = [APPENDED.squares, APPENDED.weighted, APPENDED.total].map(
      (name) => out[name].data as Float32Array,
    );
    const argmax = out[APPENDED.argmax].data as BigInt64Array;
    const rowMoments = new Float64Array(4 * positions.count);
    for (let i = 0; i < positions.count; i++)
      rowMoments.set(
        [squares[rowOf(i)], weighted[rowOf(i)], Number(argmax[rowOf(i)]), total[rowOf(i)] / TOTAL_SCALE],
        4 * i,
      );
    const flatShape = out[APPENDED.logitsShape].data as BigInt64Array;
    return { ...scores, moments: momentsOfRows(Number(flatShape[1]), scores, stats, rowMoments, invalidRow) };
  }
}

/** A DPO batch of token ids for {@link dpoModelBatch}: chosen sequences first, then rejected. */
export interface DpoModelBatchInputs {
  /** The model being trained. */
  readonly policy: CausalLanguageModel;
  /** The frozen reference model π_ref. */
  readonly reference: CausalLanguageModel;
  /** Token ids [2N, T]: rows 0..N−1 chosen, N..2N−1 rejected. */
  readonly inputIds: LabelsView | ArrayLike<number>[];
  /** 1 for tokens, 0 for padding, [2N, T]. */
  readonly attentionMask?: LabelsView | ArrayLike<number>[];
  /** The tokens to score (prompt tokens set to −100), [2N, T]; default the input ids. */
  readonly labels?: LabelsView | ArrayLike<number>[];
}

/**
 * Options of {@link dpoModelBatch}: the loss's, `average`/`shift`/`ignoreIndex` for the scoring, and `useWeighting`
 * (WPO) and `metrics` (TRL's logged metrics) with {@link luce/batch!dpoBatch}'s meaning, from the policy's logits.
 */
export type DpoModelBatchOptions = DpoLossOptions &
  Pick<ModelLogProbsOptions, "average" | "shift" | "ignoreIndex"> &
  Pick<DpoBatchOptions, "useWeighting" | "metrics">;

/**
 * What {@link dpoModelBatch} returns: `dpoLoss`'s result, both models' sequence log-probs, and on request WPO's pair
 * weights and TRL's metrics, as {@link luce/batch!dpoBatch} gives them.
 */
export interface DpoModelBatchResult extends DpoLossResult, Pick<DpoBatchResult, "pairWeights" | "logitMetrics"> {
  /** Policy sequence log-probs [2N]. */
  readonly policyLogps: Float64Array;
  /** Reference sequence log-probs [2N]. */
  readonly referenceLogps: Float64Array;
}

/**
 * DPO on token batches: the policy's and the reference's sequence log-probabilities from their
 * ONNX models (logits kept on the device), then {@link luce!dpoLoss} on the chosen/rejected halves. With
 * `useWeighting` or `metrics`, the policy runs its statistics graph with the moments outputs (for a model loaded from
 * a path, a second session built from the re-read file on first use; see {@link CausalLanguageModel.load}), whose
 * same run gives each row's Σ p², entropy, argmax and mean logit; the weighting and the metrics are then dpoBatch's
 * own.
 * @param inputs - the two models and the token batch
 * @param options - the loss's options, `average`/`shift`/`ignoreIndex` for the scoring, `useWeighting` and `metrics`
 * @returns the loss result with both models' sequence log-probs, and `pairWeights` / `logitMetrics` when asked
 * @throws {@link luce!LuceError} for an odd batch, as the models' scoring and `dpoLoss` do, and, with `useWeighting`
 *   or `metrics`, for a policy loaded from bytes without `options.moments` or whose file changed since it was loaded
 */
export async function dpoModelBatch(
  inputs: DpoModelBatchInputs,
  options: DpoModelBatchOptions,
): Promise<DpoModelBatchResult> {
  const fn = "dpoModelBatch";
  const given = readLossOptions(fn, options, [
    ...DPO_LOSS_OPTION_KEYS,
    "average",
    "shift",
    "ignoreIndex",
    ...MOMENT_OPTION_KEYS,
  ]);
  const lossOptions = pickOptions<DpoLossOptions>(given, DPO_LOSS_OPTION_KEYS);
  const moments = readMomentRequests(fn, given, lossOptions);
  if (inputs === null || typeof inputs !== "object") throw new LuceError(fn, "inputs", "must be an object");
  const { policy: policyModel, reference: referenceModel, inputIds, attentionMask, labels } = inputs;
  if (!(policyModel instanceof CausalLanguageModel))
    throw new LuceError(fn, "inputs.policy", "must be a CausalLanguageModel");
  if (!(referenceModel instanceof CausalLanguageModel))
    throw new LuceError(fn, "inputs.reference", "must be a CausalLanguageModel");
  const scoring = {
    attentionMask,
    labels,
    ...pickOptions<ModelLogProbsOptions>(given, ["average", "shift", "ignoreIndex"]),
  };
  const momentsSession = moments.useWeighting || moments.metrics ? await policyModel["sessionWithMoments"](fn) : null;
  const [policy, reference] = await Promise.all([
    policyModel["scoreTokens"](SCORING_FN, inputIds, scoring, momentsSession),
    referenceModel["scoreTokens"](SCORING_FN, inputIds, scoring, null),
  ]);
  const batch = policy.logps.length;
  if (batch % 2 !== 0)
    throw new LuceError(fn, "inputs.inputIds", `has ${batch} sequences: chosen and rejected halves need an even batch`);
  requireFiniteSequenceLogps(fn, "inputs.policy", policy.logps);
  requireFiniteSequenceLogps(fn, "inputs.reference", reference.logps);
  requireScoredTokens(
    fn,
    labels === undefined ? "inputs.inputIds" : "inputs.labels",
    lossOptions.lossType,
    policy.counts,
  );
  const result = withMomentResults(
    asCaller(fn, () => dpoOnHalves(policy.logps, reference.logps, policy.counts, lossOptions)),
    policy,
    moments,
  );
  return { ...result, policyLogps: policy.logps, referenceLogps: reference.logps };
}
