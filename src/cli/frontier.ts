import { readFileSync, statSync, writeFileSync } from "node:fs";
import { LuceError } from "../errors.js";
import { logSumExp } from "../numerics/log-sum-exp.js";
import { requirePeer } from "../peer-dependency.js";
import { describe, requireOptions } from "../validation/checks.js";
import { DISTRIBUTION_TOLERANCE } from "../theory/rows.js";
import { rewardKlFrontier, rewardKlPoint, type FrontierPoint, type RewardKlPoint } from "../theory/frontier.js";
import { logSpace } from "../theory/rows.js";
import { integerFlag, parseCommandLine } from "./arguments.js";
import { requireInputFile, requireOutputFile } from "./files.js";
import { samplePreferences, trainTabularDpo, type FrontierProblem } from "./tabular-dpo.js";
import { progressLine } from "./progress.js";

/** The most preference pairs per prompt: training time grows linearly in them. @internal */
export const MAX_PAIRS = 100_000;

const HELP = `usage: luce frontier [PROBLEM.json] [--out frontier.svg] [--pairs N] [--seed S] [--json]

Plots the exact expected-reward against KL(π ‖ π_ref) frontier of a finite problem, traced by the
optimal policy π_r over β (eq. 4), and tabular policies trained by DPO on preferences sampled from
π_ref and labelled by the true Bradley–Terry model, at several β and training lengths: the
analogue of the DPO paper's Figure 2 (left). No policy can lie above the frontier.

PROBLEM.json (default: a built-in problem of 2 prompts with 8 responses each, equal weights):
  {"prompts": [{"weight": 1, "reward": [1, 0, ...], "reference": [0.5, 0.25, ...]}, ...]}
  ("logReference" in place of "reference" for log-probabilities; "weight" defaults to 1)
  Every prompt needs at least two responses, each with a reference probability > 0.

  --out FILE   where to write the SVG (default frontier.svg)
  --pairs N    preference pairs sampled per prompt, 1 to ${MAX_PAIRS} (default 200)
  --seed S     seed of the sampled preferences, an integer with |S| <= 2^53 - 1 (default 1)
  --json       print the frontier and the DPO points as JSON instead of plotting`;

/** The built-in problem: prompt weights equal, references skewed away from the best responses. @internal */
export const DEFAULT_PROBLEM: FrontierProblem = {
  reward: [
    [0.9, 0.7, 0.5, 0.3, 0.1, -0.2, -0.5, -1.0],
    [1.2, 0.4, 0.3, 0.0, -0.3, -0.6, -0.9, -1.5],
  ],
  logReference: [
    [0.04, 0.08, 0.12, 0.2, 0.22, 0.16, 0.1, 0.08].map(Math.log),
    [0.02, 0.08, 0.2, 0.3, 0.2, 0.1, 0.06, 0.04].map(Math.log),
  ],
  promptWeights: [0.5, 0.5],
};

/** β values and training lengths of the DPO runs. @internal */
export const DPO_BETAS = [0.05, 0.1, 0.2, 0.5, 1, 2];
/** @internal */
export const DPO_STEPS = [10, 30, 100, 300];

/** A DPO-trained policy's point. @internal */
export interface DpoPoint extends RewardKlPoint {
  readonly beta: number;
  readonly steps: number;
}

/** The frontier and the DPO points of a problem. @internal */
export function frontierData(
  problem: FrontierProblem,
  pairsPerPrompt: number,
  seed: number,
  onProgress?: (done: number, total: number) => void,
): { frontier: FrontierPoint[]; dpo: DpoPoint[] } {
  const weighted = {
    reward: problem.reward,
    reference: logSpace(problem.logReference),
    promptWeights: problem.promptWeights,
  };
  const frontier = rewardKlFrontier(weighted);
  const pairs = samplePreferences(problem, pairsPerPrompt, seed);
  const dpo: DpoPoint[] = [];
  DPO_BETAS.forEach((beta, i) => {
    const snapshots = trainTabularDpo(problem, pairs, beta, DPO_STEPS);
    snapshots.forEach((logPolicy, s) =>
      dpo.push({ beta, steps: DPO_STEPS[s], ...rewardKlPoint(weighted, logSpace(logPolicy)) }),
    );
    onProgress?.(i + 1, DPO_BETAS.length);
  });
  return { frontier, dpo };
}

/** The largest PROBLEM.json read: a finite problem is small, and the file is read whole. @internal */
export const MAX_PROBLEM_BYTES = 64 * 1024 * 1024;

/** The fields of a prompt in PROBLEM.json; any other is a misspelling that would otherwise be ignored. */
const PROMPT_KEYS = ["weight", "reward", "reference", "logReference"];

/**
 * Reads and checks a problem file: every prompt an object with at least two responses, finite
 * rewards, a reference distribution with every probability > 0 (pairs are sampled from it), and a
 * weight > 0, and no field it does not read. Errors name the field as `PROBLEM.prompts[x].field[k]`.
 * @internal
 */
export function readProblemFile(path: string): FrontierProblem {
  const fn = "luce frontier";
  requireInputFile(fn, "PROBLEM", path);
  if (statSync(path).size > MAX_PROBLEM_BYTES)
    throw new LuceError(
      fn,
      path,
      `is larger than ${MAX_PROBLEM_BYTES} bytes; a PROBLEM.json is a small finite problem`,
    );
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8").replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new LuceError(fn, path, `is not valid JSON (${(e as Error).message})`);
  }
  if (json !== null && typeof json === "object" && !Array.isArray(json))
    requireOptions(fn, "PROBLEM", json, ["prompts"]);
  const prompts = (json as { prompts?: unknown } | null)?.prompts;
  if (!Array.isArray(prompts) || prompts.length === 0)
    throw new LuceError(fn, "PROBLEM.prompts", "must be a non-empty array of prompts");
  const reward: number[][] = [];
  const logReference: number[][] = [];
  const promptWeights: number[] = [];
  prompts.forEach((p: unknown, x) => {
    const name = `PROBLEM.prompts[${x}]`;
    if (p === null || typeof p !== "object" || Array.isArray(p))
      throw new LuceError(fn, name, `must be an object with reward and reference, got ${describe(p)}`);
    const prompt = requireOptions(fn, name, p as Record<string, unknown>, PROMPT_KEYS);
    if (prompt.reference !== undefined && prompt.logReference !== undefined)
      throw new LuceError(fn, name, "gives both reference and logReference: give one of them");
    const r = finiteRow(fn, `${name}.reward`, prompt.reward);
    if (r.length < 2)
      throw new LuceError(fn, `${name}.reward`, "must have at least two responses (DPO compares pairs)");
    let logRow: number[];
    if (prompt.logReference !== undefined) {
      logRow = finiteRow(fn, `${name}.logReference`, prompt.logReference);
    } else if (prompt.reference !== undefined) {
      const row = finiteRow(fn, `${name}.reference`, prompt.reference);
      row.forEach((v, k) => {
        if (v <= 0)
          throw new LuceError(
            fn,
            `${name}.reference[${k}]`,
            `is ${v}: every response needs a probability > 0 (preference pairs are sampled from the reference)`,
          );
      });
      logRow = row.map(Math.log);
    } else {
      throw new LuceError(fn, `${name}.reference`, "is missing: give probabilities (or logReference)");
    }
    const field = prompt.logReference !== undefined ? "logReference" : "reference";
    if (logRow.length !== r.length)
      throw new LuceError(fn, `${name}.${field}`, `has ${logRow.length} entries, reward ${r.length}`);
    const total = Math.exp(logSumExp(logRow));
    if (Math.abs(total - 1) > DISTRIBUTION_TOLERANCE)
      throw new LuceError(fn, `${name}.${field}`, `must be a distribution (sum to 1), sums to ${total}`);
    const weight = prompt.weight ?? 1;
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight <= 0)
      throw new LuceError(fn, `${name}.weight`, `must be a number > 0, got ${describe(weight)}`);
    reward.push(r);
    logReference.push(logRow);
    promptWeights.push(weight);
  });
  return { reward, logReference, promptWeights };
}

function finiteRow(fn: string, name: string, row: unknown): number[] {
  if (!Array.isArray(row)) throw new LuceError(fn, name, `must be an array of numbers, got ${describe(row)}`);
  return row.map((v: unknown, k) => {
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new LuceError(fn, `${name}[${k}]`, `must be a finite number, got ${describe(v)}`);
    return v;
  });
}

/**
 * `luce frontier`: the reward–KL frontier with DPO-trained policies, as SVG.
 * @internal
 */
export async function frontierCommand(args: string[]): Promise<number> {
  const command = "luce frontier";
  const { values, positionals } = parseCommandLine(
    command,
    args,
    {
      out: { type: "string", value: "FILE" },
      pairs: { type: "string", value: "N" },
      seed: { type: "string", value: "S" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    { min: 0, max: 1, name: "PROBLEM.json" },
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const pairs =
    values.pairs === undefined ? 200 : integerFlag(command, "--pairs", values.pairs as string, 1, MAX_PAIRS);
  const seed = values.seed === undefined ? 1 : integerFlag(command, "--seed", values.seed as string);
  const problem = positionals.length === 1 ? readProblemFile(positionals[0]) : DEFAULT_PROBLEM;
  const out = values.json
    ? undefined
    : requireOutputFile(command, "--out", (values.out as string | undefined) ?? "frontier.svg");
  if (out !== undefined) {
    // the plot needs both; say so before minutes of training, not after
    await requirePeer(command, "vega");
    await requirePeer(command, "vega-lite");
  }
  const progress = progressLine("training DPO policies (β values)");
  const data = frontierData(problem, pairs, seed, progress.update);
  progress.finish();
  if (out === undefined) {
    console.log(JSON.stringify(data, null, 2));
    return 0;
  }
  const { frontierSvg } = await import("./frontier-plot.js");
  writeFileSync(out, await frontierSvg(data.frontier, data.dpo));
  console.log(
    `wrote ${out}: the frontier (${data.frontier.length} β values) and ${data.dpo.length} DPO-trained policies`,
  );
  return 0;
}
