import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parseArgs } from "node:util";
import { LuceError } from "../errors.js";
import { fitBradleyTerry, fitPlackettLuce, type FitMethod, type FitResult } from "../inference/fit.js";
import { parsePreferenceData } from "../inference/read-data.js";

const HELP = `usage: luce fit FILE [--reference NAME] [--prior VARIANCE] [--method newton|mm|ilsr] [--elo] [--json]

Fits Bradley–Terry strengths (pairwise data) or Plackett–Luce strengths (rankings) by maximum
likelihood and prints log-strengths, standard errors and the log-likelihood.

FILE: .csv with a header naming winner, loser (and count), or .jsonl with one observation per line:
  {"winner": "a", "loser": "b", "count": 2}   {"ranking": ["a", "b", "c"]}
  {"ranking": ["a"], "of": ["a", "b", "c"]}   {"chosen": "a", "others": ["b", "c"]}   ["a", "b", "c"]

  --reference NAME   fix this item at 0 (as BradleyTerry2's refcat); default: centred to mean zero
  --prior VARIANCE   Gaussian prior N(0, VARIANCE) on log-strengths (MAP; fits any data)
  --method M         newton (default), mm or ilsr: all give the same estimate
  --elo              report on the Elo scale (400 / ln 10 per unit)
  --json             print the result as JSON`;

/**
 * `luce fit FILE`: reads comparisons or rankings and prints the fit.
 * @internal
 */
export async function fitCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      reference: { type: "string" },
      prior: { type: "string" },
      method: { type: "string" },
      elo: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`luce fit: give one data file\n\n${HELP}`);
    return 2;
  }
  const file = positionals[0];
  const format = extname(file).toLowerCase() === ".csv" ? "csv" : "jsonl";
  try {
    const data = parsePreferenceData(readFileSync(file, "utf8"), format);
    const reference = values.reference === undefined ? undefined : data.items.indexOf(values.reference);
    if (reference === -1)
      throw new LuceError("luce fit", "--reference", `names '${values.reference}', which is not in the data`);
    const prior = values.prior === undefined ? undefined : { variance: Number(values.prior) };
    const options = {
      reference,
      prior,
      method: values.method as FitMethod | undefined,
      scale: values.elo ? ("elo" as const) : ("log" as const),
      nItems: data.items.length,
    };
    const fit =
      data.comparisons !== undefined
        ? fitBradleyTerry(data.comparisons, options)
        : fitPlackettLuce(data.observations ?? [], options);
    console.log(
      values.json
        ? JSON.stringify(asJson(data.items, fit, data.comparisons !== undefined), null, 2)
        : render(data.items, fit, data.comparisons !== undefined),
    );
    return fit.converged ? 0 : 1;
  } catch (e) {
    if (e instanceof LuceError || (e as NodeJS.ErrnoException).code === "ENOENT") {
      console.error(`luce fit: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
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
