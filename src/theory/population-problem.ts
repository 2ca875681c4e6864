import { LuceError } from "../errors.js";
import {
  DPO_LOSS_OPTION_KEYS,
  dpoLossOf,
  isBatchCoupled,
  lossTypesOf,
  type DpoLossOptions,
  type DpoLossType,
} from "../losses/dpo.js";
import { logSumExpParts } from "../numerics/log-sum-exp.js";
import { sigmoidUnchecked } from "../numerics/sigmoid.js";
import {
  describe,
  requireArrayLength,
  requireFinite,
  requireFiniteArray,
  requireLastEntry,
  requireOptions,
  requirePositive,
} from "../validation/checks.js";
import { DISTRIBUTION_TOLERANCE, type Rows } from "./rows.js";

/**
 * The loss whose population optimum is sought: a pairwise `dpoLoss` type or a list of them (a mixture, with
 * `lossWeights`), or `"plackett_luce"`, the listwise Plackett–Luce DPO loss of the paper's appendix A.3
 * (`plackettLuceDpoLoss`) on full rankings.
 */
export type PopulationLossType = DpoLossType | readonly DpoLossType[] | "plackett_luce";

/**
 * One population problem (section 5 at the population level, for a whole loss family): per prompt, K
 * responses with true rewards r*, a reference π_ref, and how often each pair is compared. Pairs are
 * labelled by Bradley–Terry, p_ij = σ(r*_i − r*_j) (eq. 1), each label flipped with probability ε
 * (`labelNoise`) before the loss sees it; the `plackett_luce` type sees full rankings drawn from
 * Plackett–Luce(r*) instead. Every other key is a {@link DpoLossOptions} key, passed to the loss as given.
 */
export interface PopulationProblem extends Omit<DpoLossOptions, "lossType"> {
  /** The loss; default `"sigmoid"` (eq. 7). */
  readonly lossType?: PopulationLossType;
  /** r*(x, y), finite, one row per prompt. */
  readonly reward: Rows;
  /** log π_ref(y | x), one row per prompt (−Infinity off the support); each row a distribution. */
  readonly logReference: Rows;
  /**
   * μ per prompt: a symmetric K×K matrix of non-negative weights, μ_ij the weight of comparing y_i with y_j
   * (each unordered pair counted once), zero on the diagonal and where π_ref is 0. Required by the pairwise types;
   * the listwise type ranks all of a prompt's responses and takes none.
   */
  readonly pairWeights?: ReadonlyArray<ReadonlyArray<ArrayLike<number>>>;
  /** ε, the probability that a pair's label is flipped, 0 ≤ ε ≤ 1; default 0. Pairwise types only. */
  readonly labelNoise?: number;
  /** Response lengths per prompt (positive), for the types that divide by them (`ipo`, `sigmoid_norm`). */
  readonly lengths?: Rows;
}

/** One prompt of a read {@link PopulationProblem}: the support and, per ordered pair, the label weight. @internal */
export interface PromptProblem {
  /** K, the responses of the prompt's row (on and off the support). */
  readonly responses: number;
  /** Indices (into the prompt's row) of the responses with π_ref > 0. */
  readonly support: number[];
  /** log π_ref on the support. */
  readonly logReference: Float64Array;
  /** r* on the support. */
  readonly reward: Float64Array;
  /** Lengths on the support (all 1 when not given). */
  readonly lengths: Float64Array;
  /** Ordered pairs (chosen, rejected) in support indices with weight μ_ij·q_ij > 0, q the label probability. */
  readonly pairs: { chosen: number; rejected: number; weight: number }[];
}

/** A read {@link PopulationProblem}. @internal */
export interface ReadPopulationProblem {
  readonly lossType: PopulationLossType;
  readonly beta: number;
  /** What is passed to `dpoLoss` (β, the type and its own options). */
  readonly lossOptions: DpoLossOptions;
  readonly prompts: PromptProblem[];
}

/** The keys of {@link PopulationProblem}. @internal */
export const POPULATION_PROBLEM_KEYS: readonly string[] = [
  ...DPO_LOSS_OPTION_KEYS,
  "reward",
  "logReference",
  "pairWeights",
  "labelNoise",
  "lengths",
];

/** Reads one row of numbers that are finite or −Infinity and ≤ 0, summing (in probability) to 1. */
function readLogDistribution(fn: string, name: string, row: unknown): Float64Array {
  const k = requireArrayLength(fn, name, row);
  if (k === 0) throw new LuceError(fn, name, "has no responses");
  requireLastEntry(fn, name, row, k);
  const given = row as ArrayLike<unknown>;
  const out = new Float64Array(k);
  for (let y = 0; y < k; y++) {
    const v = given[y];
    if (typeof v !== "number" || Number.isNaN(v) || v > 0)
      throw new LuceError(fn, `${name}[${y}]`, `must be a log-probability (≤ 0 or -Infinity), got ${describe(v)}`);
    out[y] = v;
  }
  const { max, rest } = logSumExpParts(out);
  const logTotal = max + Math.log1p(rest);
  if (!(Math.abs(logTotal) <= DISTRIBUTION_TOLERANCE))
    throw new LuceError(fn, name, `is not a distribution: exp of its entries sums to ${Math.exp(logTotal)}`);
  return out;
}

/** Reads prompt x's K×K pair weights: symmetric, non-negative, zero on the diagonal. */
function readPairWeights(fn: string, name: string, matrix: unknown, k: number): Float64Array[] {
  const rows = requireArrayLength(fn, name, matrix);
  if (rows !== k) throw new LuceError(fn, name, `has ${rows} rows for ${k} responses`);
  const out: Float64Array[] = [];
  for (let i = 0; i < k; i++) {
    const row = requireFiniteArray(fn, `${name}[${i}]`, (matrix as ArrayLike<unknown>)[i]);
    if (row.length !== k) throw new LuceError(fn, `${name}[${i}]`, `has ${row.length} entries for ${k} responses`);
    row.forEach((w, j) => {
      if (w < 0) throw new LuceError(fn, `${name}[${i}][${j}]`, `is a weight below 0: ${w}`);
    });
    if (row[i] !== 0)
      throw new LuceError(fn, `${name}[${i}][${i}]`, `must be 0 (a response is not compared with itself)`);
    out.push(row);
  }
  for (let i = 0; i < k; i++)
    for (let j = 0; j < i; j++)
      if (out[i][j] !== out[j][i])
        throw new LuceError(
          fn,
          `${name}[${i}][${j}]`,
          `is ${out[i][j]} but [${j}][${i}] is ${out[j][i]}: μ is symmetric`,
        );
  return out;
}

/**
 * The loss options checked by `dpoLoss` itself on one pair, its errors renamed to the caller's
 * `problem.<key>`: the loss stays the single reader of its own options.
 */
function checkLossOptions(fn: string, options: DpoLossOptions): void {
  const probe = { policyChosenLogps: [-1], policyRejectedLogps: [-1], referenceChosenLogps: [-1] };
  try {
    dpoLossOf(fn, { ...probe, referenceRejectedLogps: [-1], chosenLengths: [1], rejectedLengths: [1] }, options);
  } catch (e) {
    if (!(e instanceof LuceError)) throw e;
    const prefix = `${e.function}: argument '${e.argument}' `;
    const problem = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    throw new LuceError(fn, e.argument.replace(/^options\./, "problem."), problem);
  }
}

/**
 * Reads and validates a {@link PopulationProblem} once into copies, prompt by prompt. `lossType` `aot`/`aot_unpaired`
 * are refused: they sort a batch, so their loss is not an expectation over pairs.
 * @internal
 */
export function readPopulationProblem(fn: string, problem: unknown): ReadPopulationProblem {
  if (problem === null || typeof problem !== "object" || Array.isArray(problem))
    throw new LuceError(
      fn,
      "problem",
      `must be an object with at least beta, reward, logReference, got ${describe(problem)}`,
    );
  const p = requireOptions(fn, "problem", problem as PopulationProblem, POPULATION_PROBLEM_KEYS);
  const beta = requirePositive(fn, "problem.beta", p.beta);
  const givenType = p.lossType;
  // a list is copied once: dpoLoss and the checks below read the same names
  const lossType: PopulationLossType =
    givenType === undefined
      ? "sigmoid"
      : Array.isArray(givenType)
        ? Array.from(givenType)
        : (givenType as PopulationLossType);
  if (typeof lossType !== "string" && !Array.isArray(lossType))
    throw new LuceError(
      fn,
      "problem.lossType",
      `must be a loss type name or a list of them, got ${describe(lossType)}`,
    );
  if (isBatchCoupled(lossType))
    throw new LuceError(
      fn,
      "problem.lossType",
      `holds ${describe(lossType)}: the aot types sort a batch and sft averages over it, so their loss is not an expectation over pairs`,
    );
  if (Array.isArray(lossType) && lossTypesOf(lossType).includes("hinge"))
    throw new LuceError(
      fn,
      "problem.lossType",
      "lists 'hinge': its piecewise-linear optimum is found for 'hinge' alone",
    );
  const listwise = lossType === "plackett_luce";
  const lossOptions: Record<string, unknown> = {};
  for (const key of DPO_LOSS_OPTION_KEYS) {
    const value = (p as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (listwise && key !== "beta" && key !== "lossType")
      throw new LuceError(fn, `problem.${key}`, "is an option of the pairwise losses, not of 'plackett_luce'");
    lossOptions[key] = value;
  }
  lossOptions.beta = beta;
  if (!listwise) {
    lossOptions.lossType = lossType;
    checkLossOptions(fn, lossOptions as unknown as DpoLossOptions);
  }

  const rewardRows = requireArrayLength(fn, "problem.reward", p.reward);
  if (rewardRows === 0) throw new LuceError(fn, "problem.reward", "has no prompts (rows)");
  const referenceRows = requireArrayLength(fn, "problem.logReference", p.logReference);
  if (referenceRows !== rewardRows)
    throw new LuceError(
      fn,
      "problem.logReference",
      `has ${referenceRows} prompts, but 'problem.reward' has ${rewardRows}`,
    );
  const noise = p.labelNoise === undefined ? 0 : requireFinite(fn, "problem.labelNoise", p.labelNoise);
  if (noise < 0 || noise > 1) throw new LuceError(fn, "problem.labelNoise", `must be in [0, 1], got ${noise}`);
  if (listwise && p.labelNoise !== undefined)
    throw new LuceError(fn, "problem.labelNoise", "flips pair labels; 'plackett_luce' sees rankings, not pairs");
  if (listwise && p.pairWeights !== undefined)
    throw new LuceError(fn, "problem.pairWeights", "weighs pairs; 'plackett_luce' ranks all of a prompt's responses");
  if (!listwise && p.pairWeights === undefined)
    throw new LuceError(fn, "problem.pairWeights", `is required by lossType '${lossType}' (the pair distribution μ)`);
  const weights = listwise ? null : (p.pairWeights as ArrayLike<unknown>);
  if (weights !== null) {
    const n = requireArrayLength(fn, "problem.pairWeights", weights);
    if (n !== rewardRows)
      throw new LuceError(fn, "problem.pairWeights", `has ${n} prompts, but 'problem.reward' has ${rewardRows}`);
  }
  const lengthRows = p.lengths === undefined ? null : (p.lengths as ArrayLike<unknown>);
  if (lengthRows !== null) {
    const n = requireArrayLength(fn, "problem.lengths", lengthRows);
    if (n !== rewardRows)
      throw new LuceError(fn, "problem.lengths", `has ${n} prompts, but 'problem.reward' has ${rewardRows}`);
  }
  if (!listwise && lossTypesOf(lossType).includes("sigmoid_norm") && lengthRows === null)
    throw new LuceError(fn, "problem.lengths", "is required by lossType 'sigmoid_norm'");

  const prompts: PromptProblem[] = [];
  for (let x = 0; x < rewardRows; x++) {
    const reward = requireFiniteArray(fn, `problem.reward[${x}]`, (p.reward as Rows)[x], 1);
    const k = reward.length;
    const logRef = readLogDistribution(fn, `problem.logReference[${x}]`, (p.logReference as Rows)[x]);
    if (logRef.length !== k)
      throw new LuceError(fn, `problem.logReference[${x}]`, `has ${logRef.length} responses, reward has ${k}`);
    let lengths: Float64Array = new Float64Array(k).fill(1);
    if (lengthRows !== null) {
      lengths = requireFiniteArray(fn, `problem.lengths[${x}]`, lengthRows[x]);
      if (lengths.length !== k)
        throw new LuceError(fn, `problem.lengths[${x}]`, `has ${lengths.length} responses, reward has ${k}`);
      lengths.forEach((l, y) => requirePositive(fn, `problem.lengths[${x}][${y}]`, l));
    }
    const support: number[] = [];
    for (let y = 0; y < k; y++) if (logRef[y] > -Infinity) support.push(y);
    const local = new Map(support.map((y, i) => [y, i]));
    const pairs: PromptProblem["pairs"] = [];
    if (weights !== null) {
      const mu = readPairWeights(fn, `problem.pairWeights[${x}]`, weights[x], k);
      for (let i = 0; i < k; i++)
        for (let j = i + 1; j < k; j++) {
          if (mu[i][j] === 0) continue;
          if (!local.has(i) || !local.has(j))
            throw new LuceError(
              fn,
              `problem.pairWeights[${x}][${i}][${j}]`,
              `is ${mu[i][j]}, but π_ref(y_${local.has(i) ? j : i}) = 0: a pair off π_ref's support has no log-ratio`,
            );
          // the label probabilities as a pair, each from its own sigmoid: 1 − σ(Δ) would round to 0
          const pij = sigmoidUnchecked(reward[i] - reward[j]);
          const pji = sigmoidUnchecked(reward[j] - reward[i]);
          const qij = noise === 0 ? pij : (1 - noise) * pij + noise * pji;
          const qji = noise === 0 ? pji : (1 - noise) * pji + noise * pij;
          if (qij > 0) pairs.push({ chosen: local.get(i)!, rejected: local.get(j)!, weight: mu[i][j] * qij });
          if (qji > 0) pairs.push({ chosen: local.get(j)!, rejected: local.get(i)!, weight: mu[i][j] * qji });
        }
    }
    prompts.push({
      responses: k,
      support,
      logReference: Float64Array.from(support, (y) => logRef[y]),
      reward: Float64Array.from(support, (y) => reward[y]),
      lengths: Float64Array.from(support, (y) => lengths[y]),
      pairs,
    });
  }
  return { lossType, beta, lossOptions: lossOptions as unknown as DpoLossOptions, prompts };
}
