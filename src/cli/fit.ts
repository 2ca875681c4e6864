import { LuceError } from "../errors.js";
import { fitBradleyTerry, fitPlackettLuce, type FitMethod, type FitResult } from "../inference/fit.js";
import { parseCommandLine, positiveFlag } from "./arguments.js";
import { requireInputFile } from "./files.js";
import { readPreferenceFile } from "./read-preferences.js";

const METHODS: readonly FitMethod[] = ["newton", "mm", "ilsr"];

const HELP = `usage: luce fit FILE [--format csv|jsonl] [--reference NAME] [--prior VARIANCE]
                [--method newton|mm|ilsr] [--elo] [--json]

Fits Bradley–Terry strengths (pairwise data) or Plackett–Luce strengths (rankings) by maximum
likelihood and prints log-strengths, standard errors and the log-likelihood.

FILE: CSV with a header naming winner, loser (and count), or JSON Lines with one observation per line:
  {"winner": "a", "loser": "b", "count": 2}   {"ranking": ["a", "b", "c"]}
  {"ranking": ["a"], "of": ["a", "b", "c"]}   {"chosen": "a", "others": ["b", "c"]}   ["a", "b", "c"]
The format is read from the content, whatever the file's name: a first line starting with { or [
is JSON Lines, anything else a CSV header. The file is streamed, so its size is limited by memory
for the rows (16 bytes a comparison), not by the file.

  --format F         csv or jsonl: read the file as this format instead of detecting it
  --reference NAME   fix this item at 0 (as BradleyTerry2's refcat); default: centred to mean zero
  --prior VARIANCE   Gaussian prior N(0, VARIANCE) on log-strengths, VARIANCE > 0 (MAP; fits any data)
  --method M         newton (default), mm or ilsr: all give the same estimate
  --elo              report on the Elo scale (400 / ln 10 per unit)
  --json             print the result as JSON`;

/**
 * `luce fit FILE`: reads comparisons or rankings and prints the fit.
 * @internal
 */
export async function fitCommand(args: string[]): Promise<number> {
  const command = "luce fit";
  const { values, positionals } = parseCommandLine(
    command,
    args,
    {
      format: { type: "string", value: "csv|jsonl" },
      reference: { type: "string", value: "NAME" },
      prior: { type: "string", value: "VARIANCE" },
      method: { type: "string", value: "newton|mm|ilsr" },
      elo: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    { min: 1, max: 1, name: "FILE" },
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const format = values.format as string | undefined;
  if (format !== undefined && format !== "csv" && format !== "jsonl")
    throw new LuceError(command, "--format", `must be csv or jsonl, got '${format}'`);
  const method = values.method as string | undefined;
  if (method !== undefined && !METHODS.includes(method as FitMethod))
    throw new LuceError(command, "--method", `must be one of ${METHODS.join(", ")}, got '${method}'`);
  const prior =
    values.prior === undefined
      ? undefined
      : { variance: positiveFlag(command, "--prior", values.prior as string, "a variance") };
  const file = requireInputFile(command, "FILE", positionals[0], true);

  const data = await readPreferenceFile(command, file, format);
  const reference = values.reference === undefined ? undefined : data.items.indexOf(values.reference as string);
  if (reference === -1)
    throw new LuceError(command, "--reference", `names '${values.reference as string}', which is not in ${file}`);
  const options = {
    reference,
    prior,
    method: method as FitMethod | undefined,
    scale: values.elo ? ("elo" as const) : ("log" as const),
    nItems: data.items.length,
  };
  const pairwise = data.columns !== undefined;
  let fit: FitResult;
  try {
    fit =
      data.columns !== undefined
        ? fitBradleyTerry(
            { winners: data.columns.winners, losers: data.columns.losers, counts: data.columns.counts },
            options,
          )
        : fitPlackettLuce(data.observations ?? [], options);
  } catch (e) {
    throw e instanceof LuceError ? inCommandTerms(e, command, file, data.items) : e;
  }
  console.log(
    values.json ? JSON.stringify(asJson(data.items, fit, pairwise), null, 2) : render(data.items, fit, pairwise),
  );
  return fit.converged ? 0 : 1;
}
/** The flags that set the library's options, for errors that name an option. */
const FLAG_OF_OPTION: Record<string, string> = {
  "options.prior": "--prior",
  "options.reference": "--reference",
  "options.method": "--method",
};

/**
 * A fitting error in the words of the command line: an option named by its flag, the data by the
 * file, and items by their names rather than their indices.
 */
function inCommandTerms(e: LuceError, command: string, file: string, items: string[]): LuceError {
  const prefix = `${e.function}: argument '${e.argument}' `;
  let problem = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  for (const [option, flag] of Object.entries(FLAG_OF_OPTION)) problem = problem.split(option).join(flag);
  problem = problem.replace(/\bitem (\d+)\b/g, (whole, i: string) =>
    Number(i) < items.length ? `item '${items[Number(i)]}'` : whole,
  );
  const option = Object.keys(FLAG_OF_OPTION).find((o) => e.argument === o || e.argument.startsWith(`${o}.`));
  return new LuceError(command, option === undefined ? file : FLAG_OF_OPTION[option], problem);
}

function asJson(items: string[], fit: FitResult, pairwise: boolean): object {
  return {
    model: pairwise ? "bradley-terry" : "plackett-luce",
    method: fit.method,
    logLikelihood: fit.logLikelihood,
    iterations: fit.iterations,
    converged: fit.converged,
    scale: fit.scaleFactor === 1 ? "log" : "elo",
    items: items.map((name, i) => ({ name, logStrength: fit.logStrength[i], stdError: fit.stdError?.[i] ?? null })),
  };
}

function render(items: string[], fit: FitResult, pairwise: boolean): string {
  const order = items.map((_, i) => i).sort((a, b) => fit.logStrength[b] - fit.logStrength[a]);
  const width = Math.max(4, ...items.map((n) => n.length));
  const unit = fit.scaleFactor === 1 ? "log-strength" : "Elo";
  const lines = [
    `${pairwise ? "Bradley–Terry" : "Plackett–Luce"} fit (${fit.method}, ${fit.iterations} iterations${fit.converged ? "" : ", NOT CONVERGED"})`,
    "",
  ];
  lines.push(`${"item".padEnd(width)}  ${unit.padStart(14)}  ${"std. error".padStart(12)}`);
  for (const i of order) {
    lines.push(
      `${items[i].padEnd(width)}  ${fit.logStrength[i].toFixed(6).padStart(14)}  ${fit.stdError === undefined ? "—".padStart(12) : fit.stdError[i].toFixed(6).padStart(12)}`,
    );
  }
  lines.push("", `log-likelihood ${fit.logLikelihood.toFixed(6)}`);
  return lines.join("\n");
}
