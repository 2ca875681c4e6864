import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { LuceError } from "../errors.js";
import { rewardKlFrontier, rewardKlPoint, type FrontierPoint, type RewardKlPoint } from "../theory/frontier.js";
import { logSpace } from "../theory/rows.js";
import { samplePreferences, trainTabularDpo, type FrontierProblem } from "./tabular-dpo.js";

const HELP = `usage: luce frontier [PROBLEM.json] [--out frontier.svg] [--pairs N] [--seed S] [--json]

Plots the exact expected-reward against KL(π ‖ π_ref) frontier of a finite problem, traced by the
optimal policy π_r over β (eq. 4), and tabular policies trained by DPO on preferences sampled from
π_ref and labelled by the true Bradley–Terry model, at several β and training lengths: the
analogue of the DPO paper's Figure 2 (left). No policy can lie above the frontier.

PROBLEM.json (default: a built-in problem of 2 prompts with 8 responses each, equal weights):
  {"prompts": [{"weight": 1, "reward": [1, 0, ...], "reference": [0.5, 0.25, ...]}, ...]}
  ("logReference" in place of "reference" for log-probabilities)

  --out FILE   where to write the SVG (default frontier.svg)
  --pairs N    preference pairs sampled per prompt (default 200)
  --seed S     seed of the sampled preferences (default 1)
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

/** Reads a problem file. @internal */
export function readProblemFile(path: string): FrontierProblem {
  const fn = "luce frontier";
  const json = JSON.parse(readFileSync(path, "utf8")) as {
    prompts?: { weight?: number; reward?: number[]; reference?: number[]; logReference?: number[] }[];
  };
  if (!Array.isArray(json.prompts) || json.prompts.length === 0)
    throw new LuceError(fn, "PROBLEM.prompts", "must be a non-empty array");
  return {
    reward: json.prompts.map((p, x) => {
      if (!Array.isArray(p.reward))
        throw new LuceError(fn, `PROBLEM.prompts[${x}].reward`, "must be an array of numbers");
      return p.reward;
    }),
    logReference: json.prompts.map((p, x) => {
      if (Array.isArray(p.logReference)) return p.logReference;
      if (Array.isArray(p.reference)) return p.reference.map(Math.log);
      throw new LuceError(
        fn,
        `PROBLEM.prompts[${x}].reference`,
        "must be an array of probabilities (or give logReference)",
      );
    }),
    promptWeights: json.prompts.map((p) => p.weight ?? 1),
  };
}

/**
 * `luce frontier`: the reward–KL frontier with DPO-trained policies, as SVG.
 * @internal
 */
export async function frontierCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      pairs: { type: "string" },
      seed: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const pairs = values.pairs === undefined ? 200 : Number(values.pairs);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(pairs) || pairs < 1 || !Number.isInteger(seed) || positionals.length > 1) {
    console.error(`luce frontier: bad arguments\n\n${HELP}`);
    return 2;
  }
  try {
    const problem = positionals.length === 1 ? readProblemFile(positionals[0]) : DEFAULT_PROBLEM;
    const data = frontierData(problem, pairs, seed, (done, total) =>
      process.stderr.write(`\r  training DPO policies: ${done}/${total} β values`),
    );
    process.stderr.write("\n");
    if (values.json) {
      console.log(JSON.stringify(data, null, 2));
      return 0;
    }
    const { frontierSvg } = await import("./frontier-plot.js");
    const out = values.out ?? "frontier.svg";
    writeFileSync(out, await frontierSvg(data.frontier, data.dpo));
    console.log(
      `wrote ${out}: the frontier (${data.frontier.length} β values) and ${data.dpo.length} DPO-trained policies`,
    );
    return 0;
  } catch (e) {
    if (e instanceof LuceError || e instanceof SyntaxError || (e as NodeJS.ErrnoException).code === "ENOENT") {
      console.error(`luce frontier: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
}
