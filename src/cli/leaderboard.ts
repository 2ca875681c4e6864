import { readFileSync, writeFileSync } from "node:fs";
import { LuceError } from "../errors.js";
import { parseBattles, type BattleReadOptions } from "../inference/leaderboard/battles.js";
import {
  arenaLeaderboard,
  type ArenaLeaderboard,
  type ArenaLeaderboardOptions,
} from "../inference/leaderboard/leaderboard.js";
import { integerFlag, parseCommandLine } from "./arguments.js";
import { requireInputFile, requireOutputFile } from "./files.js";
import { requirePeer } from "../peer-dependency.js";

const HELP = `usage: luce leaderboard FILE [--ties half|davidson|drop] [--anchor NAME=RATING] [--base 1000]
                [--ci sandwich|bootstrap|model] [--rounds 1000] [--seed S] [--threads N]
                [--style COLS] [--ridge L] [--reweight] [--min-pair-count 50]
                [--weight COL] [--filter COL=VALUE] [--format csv|jsonl] [--json] [--svg FILE]

An arena leaderboard from a battle log: Bradley–Terry ratings on the arena (Elo) scale by maximum
likelihood, 95% intervals, and ranks that respect them (1 + the models whose lower bound is above
this model's upper bound), as Chatbot Arena computes them.

FILE: CSV with a header, or JSON Lines (one object per line), with the columns model_a, model_b and
winner (model_a, model_b, tie, "tie (bothbad)"; also a, b, both_bad). Other columns are ignored
unless named by --weight or --filter. Model names are case-sensitive.

  --ties P           half (default: a tie is half a win and half a loss, as FastChat), davidson
                     (Davidson's tie model), or drop (ties left out)
  --anchor N=R       give model N exactly the rating R (FastChat: mixtral-8x7b-instruct-v0.1=1114)
  --base B           the mean rating when no anchor is given (default 1000)
  --ci M             sandwich (default; robust HC0 errors), bootstrap (percentile intervals of a
                     multinomial bootstrap of the battles), or model (inverse information; the only
                     one with --ties davidson)
  --rounds R         bootstrap rounds (default 1000)
  --seed S           bootstrap seed (default 0): the same intervals for every --threads
  --threads N        bootstrap worker threads (default: the available parallelism, at most 16)
  --style COLS       style control: adjust the ratings for the comma-separated feature columns, each
                     a column COL (a ready-made model_a − model_b difference) or the per-side counts
                     COL_a and COL_b (turned into (a − b)/(a + b), standardised over the battles);
                     ties as half or dropped, sandwich or model intervals
  --ridge L          ridge penalty (L/2)·|γ|² on the style coefficients (default 0)
  --reweight         weight each battle by 1/max(its pair's battles, --min-pair-count), scaled to
                     mean 1, so that often-sampled pairs do not dominate (arena-rank's reweighting)
  --min-pair-count N the floor of a pair's battle count with --reweight (default 50)
  --weight COL       weight each battle by the number in column COL
  --filter COL=VALUE keep only the battles whose column COL holds VALUE
  --format F         csv or jsonl instead of detecting it from the first line
  --json             print the leaderboard (models, intervals, ranks, win-rate matrices) as JSON
  --svg FILE         also draw the leaderboard (ratings with 95% whiskers) and the observed win-rate
                     heatmap to FILE (needs the vega and vega-lite packages)`;

/** Splits `NAME=VALUE` at its last `=` (a model name may contain one, a rating cannot). */
function splitAssignment(
  command: string,
  flag: string,
  text: string,
  usage: string,
  atLast: boolean,
): [string, string] {
  const at = atLast ? text.lastIndexOf("=") : text.indexOf("=");
  if (at <= 0 || at === text.length - 1) throw new LuceError(command, flag, `must be ${usage}, got '${text}'`);
  return [text.slice(0, at), text.slice(at + 1)];
}

/** A finite number flag value. */
function numberFlag(command: string, flag: string, text: string): number {
  const x = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(x)) throw new LuceError(command, flag, `must be a finite number, got '${text}'`);
  return x;
}

/** The flags that set the library's options, for errors that name an option. */
const FLAG_OF_OPTION: Record<string, string> = {
  "options.ties": "--ties",
  "options.anchor": "--anchor",
  "options.base": "--base",
  "options.ci": "--ci",
  "options.rounds": "--rounds",
  "options.seed": "--seed",
  "options.threads": "--threads",
  "options.weight": "--weight",
  "options.filter": "--filter",
  "options.features": "--style",
  "options.style.columns": "--style",
  "options.style.ridge": "--ridge",
  "options.style": "--style",
  "options.reweight": "--reweight",
  "options.minPairCount": "--min-pair-count",
};

/** A library error in the words of the command line: options by their flags, the text by the file. */
function inCommandTerms(e: LuceError, command: string, file: string): LuceError {
  const prefix = `${e.function}: argument '${e.argument}' `;
  let problem = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  for (const [option, flag] of Object.entries(FLAG_OF_OPTION)) problem = problem.split(option).join(flag);
  const option = Object.keys(FLAG_OF_OPTION).find((o) => e.argument === o || e.argument.startsWith(`${o}.`));
  const argument =
    option !== undefined
      ? FLAG_OF_OPTION[option]
      : e.argument === "text" || e.argument === "battles"
        ? file
        : e.argument.startsWith("line ")
          ? `${file}: ${e.argument}`
          : e.argument;
  return new LuceError(command, argument, problem);
}

/**
 * `luce leaderboard FILE`: reads a battle log and prints the leaderboard.
 * @internal
 */
export async function leaderboardCommand(args: string[]): Promise<number> {
  const command = "luce leaderboard";
  const { values, positionals } = parseCommandLine(
    command,
    args,
    {
      ties: { type: "string", value: "half|davidson|drop" },
      anchor: { type: "string", value: "NAME=RATING" },
      base: { type: "string", value: "B" },
      ci: { type: "string", value: "sandwich|bootstrap|model" },
      rounds: { type: "string", value: "R" },
      seed: { type: "string", value: "S" },
      threads: { type: "string", value: "N" },
      weight: { type: "string", value: "COL" },
      filter: { type: "string", value: "COL=VALUE" },
      format: { type: "string", value: "csv|jsonl" },
      style: { type: "string", value: "COLS" },
      ridge: { type: "string", value: "L" },
      reweight: { type: "boolean" },
      "min-pair-count": { type: "string", value: "N" },
      svg: { type: "string", value: "FILE" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    { min: 1, max: 1, name: "FILE" },
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const text = (name: string) => values[name] as string | undefined;
  const format = text("format");
  if (format !== undefined && format !== "csv" && format !== "jsonl")
    throw new LuceError(command, "--format", `must be csv or jsonl, got '${format}'`);
  const styleColumns = text("style")
    ?.split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "");
  if (styleColumns !== undefined && styleColumns.length === 0)
    throw new LuceError(command, "--style", "must name feature columns, separated by commas");
  if (styleColumns === undefined && text("ridge") !== undefined)
    throw new LuceError(command, "--ridge", "applies with --style only");
  const read: BattleReadOptions = {
    ...(format === undefined ? {} : { format }),
    ...(styleColumns === undefined ? {} : { features: styleColumns }),
    ...(text("weight") === undefined ? {} : { weight: text("weight") }),
    ...(text("filter") === undefined
      ? {}
      : {
          filter: Object.fromEntries([
            splitAssignment(command, "--filter", text("filter")!, "COL=VALUE", false),
          ]) as Record<string, string>,
        }),
  };
  const anchorText = text("anchor");
  const anchor =
    anchorText === undefined ? undefined : splitAssignment(command, "--anchor", anchorText, "NAME=RATING", true);
  const ci = text("ci") as ArenaLeaderboardOptions["ci"];
  const showProgress = ci === "bootstrap" && process.stderr.isTTY === true && !values.json;
  const options: ArenaLeaderboardOptions = {
    ...(text("ties") === undefined ? {} : { ties: text("ties") as ArenaLeaderboardOptions["ties"] }),
    ...(anchor === undefined
      ? {}
      : { anchor: { model: anchor[0], rating: numberFlag(command, "--anchor", anchor[1]) } }),
    ...(text("base") === undefined ? {} : { base: numberFlag(command, "--base", text("base")!) }),
    ...(ci === undefined ? {} : { ci }),
    ...(text("rounds") === undefined ? {} : { rounds: integerFlag(command, "--rounds", text("rounds")!, 1) }),
    ...(text("seed") === undefined ? {} : { seed: integerFlag(command, "--seed", text("seed")!) }),
    ...(text("threads") === undefined ? {} : { threads: integerFlag(command, "--threads", text("threads")!, 1) }),
    ...(showProgress ? { onProgress: progressBar } : {}),
    ...(styleColumns === undefined
      ? {}
      : {
          style: {
            columns: styleColumns,
            ...(text("ridge") === undefined ? {} : { ridge: numberFlag(command, "--ridge", text("ridge")!) }),
          },
        }),
    ...(values.reweight ? { reweight: true } : {}),
    ...(text("min-pair-count") === undefined
      ? {}
      : { minPairCount: integerFlag(command, "--min-pair-count", text("min-pair-count")!, 1) }),
  };
  const file = requireInputFile(command, "FILE", positionals[0]);
  const svg = text("svg") === undefined ? undefined : requireOutputFile(command, "--svg", text("svg")!);
  if (svg !== undefined) {
    // the plot needs both; say so before the fit, not after
    await requirePeer(command, "vega");
    await requirePeer(command, "vega-lite");
  }
  let board: ArenaLeaderboard;
  try {
    board = await arenaLeaderboard(parseBattles(readFileSync(file, "utf8"), read), options);
  } catch (e) {
    throw e instanceof LuceError ? inCommandTerms(e, command, file) : e;
  } finally {
    if (showProgress) process.stderr.write("\r\x1b[K");
  }
  if (svg !== undefined) {
    const { leaderboardSvg } = await import("./leaderboard-plot.js");
    writeFileSync(svg, await leaderboardSvg(board));
  }
  console.log(values.json ? JSON.stringify(board, null, 2) : render(board));
  if (svg !== undefined && !values.json)
    console.log(`\nwrote ${svg}: the ratings with 95% intervals and the win-rate heatmap`);
  return 0;
}

/** The bootstrap's progress on one line of stderr (a terminal). */
function progressBar(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((width * done) / total);
  process.stderr.write(`\rbootstrap [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`);
}

function render(board: ArenaLeaderboard): string {
  const totalBattles = board.winRates.battles.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0) / 2;
  const scale =
    board.anchor === undefined
      ? `mean rating ${board.base}`
      : `anchored at ${board.anchor.model} = ${board.anchor.rating}`;
  const interval =
    board.ci === "bootstrap"
      ? `bootstrap percentile intervals (${board.bootstrap!.rounds} rounds, seed ${board.bootstrap!.seed})`
      : board.ci === "sandwich"
        ? "sandwich (robust) intervals"
        : "model-based intervals";
  const ties = board.ties === "half" ? "ties as half" : board.ties === "drop" ? "ties dropped" : "Davidson ties";
  const width = Math.max(5, ...board.models.map((m) => m.name.length));
  const lines = [
    `Arena leaderboard: ${board.models.length} models, ${totalBattles} battles; ${ties}; 95% ${interval}; ${scale}`,
    "",
    `${"rank".padStart(4)}  ${"model".padEnd(width)}  ${"rating".padStart(8)}  ${"95% interval".padStart(20)}  ${"battles".padStart(8)}`,
  ];
  for (const m of board.models) {
    const range = `[${m.lower.toFixed(1)}, ${m.upper.toFixed(1)}]`;
    lines.push(
      `${String(m.rank).padStart(4)}  ${m.name.padEnd(width)}  ${m.rating.toFixed(1).padStart(8)}  ${range.padStart(20)}  ${String(m.battles).padStart(8)}`,
    );
  }
  if (board.style !== undefined) {
    const named = Math.max(7, ...board.style.coefficients.map((c) => c.name.length));
    lines.push(
      "",
      `Style coefficients (log-odds per unit of the feature; ridge ${board.style.ridge}; ratings above adjusted for them):`,
      "",
      `${"feature".padEnd(named)}  ${"estimate".padStart(9)}  ${"95% interval".padStart(20)}  ${"rating pts".padStart(10)}`,
    );
    for (const c of board.style.coefficients) {
      const range = `[${c.lower.toFixed(4)}, ${c.upper.toFixed(4)}]`;
      const points = ((400 / Math.LN10) * c.estimate).toFixed(1);
      lines.push(
        `${c.name.padEnd(named)}  ${c.estimate.toFixed(4).padStart(9)}  ${range.padStart(20)}  ${points.padStart(10)}`,
      );
    }
  }
  if (board.reweight !== undefined)
    lines.push("", `Battles reweighted by 1/max(pair battles, ${board.reweight.minPairCount}), scaled to mean 1`);
  if (board.tieParameter !== undefined)
    lines.push("", `Davidson tie parameter log ν = ${board.tieParameter.toFixed(4)}`);
  if (board.bootstrap !== undefined && board.bootstrap.unconverged > 0)
    lines.push("", `warning: ${board.bootstrap.unconverged} bootstrap rounds did not converge (kept in the intervals)`);
  return lines.join("\n");
}
