import { requirePeer } from "../peer-dependency.js";
import type { PaperReport } from "../proofs/verify.js";
import type { LossesReport } from "../proofs/verify-losses.js";
import { integerFlag, parseCommandLine } from "./arguments.js";
import { renderCertified, renderCertifiedLosses } from "./verify-certified.js";

/** The most instances per statement: more could not finish in reasonable time (the work is linear in it). */
export const MAX_RUNS = 100_000;

const HELP = `usage: luce verify [--losses] [--runs N] [--seed S] [--json] [--certified]

Checks luce's own public functions against 50-digit evaluations of their defining formulas,
then every statement of the DPO paper's section 5 and appendix A on generated instances:
float64 residuals of luce's implementation against stated bounds, and the worst instance
(and a sample of the others) re-evaluated at 50 digits. Then drops each assumption of the paper's table in turn and checks
that exactly the predicted statements break, printing the shrunk counterexamples.

  --runs N    instances per statement, 1 to ${MAX_RUNS} (default 100; expensive statements use a fraction)
  --seed S    fast-check seed, an integer with |S| <= 2^53 - 1 (default 42; --seed -5 works)
  --losses    instead, the population optimum of every DPO-family loss type: the loss statements (each
              true one holds, each tempting false claim is refuted with its counterexample) and a table of
              every type's computed optimum (docs/loss-theory.md)
  --json      print the full report as JSON
  --certified also certify every verdict with 60-digit interval enclosures: each holding statement's exact
              residual within 1e-40 of 0 and luce's float64 errors within their documented bounds on every
              instance, and each predicted refutation by an instance whose enclosure excludes 0 (about five
              times the computing time of the default run); with --losses, each loss statement's optimum
              proven by Krawczyk's interval Newton test around populationOptimum's answer
Exits with 1 if a statement fails or a variant's verdicts differ from the prediction.`;

/**
 * `luce verify`: runs every checker and prints what held.
 * @internal
 */
export async function verifyCommand(args: string[]): Promise<number> {
  const command = "luce verify";
  const { values } = parseCommandLine(
    command,
    args,
    {
      runs: { type: "string", value: "N" },
      seed: { type: "string", value: "S" },
      json: { type: "boolean" },
      certified: { type: "boolean" },
      losses: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    { min: 0, max: 0, name: "" },
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const runs = values.runs === undefined ? 100 : integerFlag(command, "--runs", values.runs as string, 1, MAX_RUNS);
  const seed = values.seed === undefined ? 42 : integerFlag(command, "--seed", values.seed as string);

  await requirePeer(command, "fast-check");
  if (values.losses) {
    const { verifyLosses } = await import("../proofs/verify-losses.js");
    const onProgress = values.json ? undefined : (what: string) => process.stderr.write(`  checked ${what}\n`);
    const losses = await verifyLosses({ runs, seed, onProgress, certified: values.certified === true });
    const text = values.json ? JSON.stringify(losses, null, 2) : renderLosses(losses);
    console.log(
      values.json || losses.certification === undefined ? text : `${text}\n\n${renderCertifiedLosses(losses)}`,
    );
    return losses.ok ? 0 : 1;
  }
  const { verifyPaper } = await import("../proofs/verify.js");
  const progress = values.json ? undefined : (what: string) => process.stderr.write(`  checked ${what}\n`);
  if (!values.json) process.stderr.write(`luce verify: ${runs} runs per statement, seed ${seed}\n`);
  const report = await verifyPaper({ runs, seed, onProgress: progress, certified: values.certified === true });
  const text = values.json ? JSON.stringify(report, null, 2) : render(report);
  console.log(values.json || report.certification === undefined ? text : `${text}\n\n${renderCertified(report)}`);
  return report.ok ? 0 : 1;
}

const sci = (x: number) => (x === 0 ? "0" : x.toExponential(2));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The human-readable report. @internal */
export function render(report: PaperReport): string {
  const out: string[] = [];
  out.push("luce's own functions (each against a 50-digit evaluation of its defining formula, within its documented");
  out.push("error bound; worst = the largest error in units of that bound)");
  out.push("");
  out.push(
    table(
      ["function", "instances", "results", "worst", "verdict"],
      report.functions.map((f) => [
        f.name,
        String(f.instances),
        String(f.comparisons),
        sci(f.worstRatio),
        f.held ? "held" : "NOT HELD",
      ]),
    ),
  );
  for (const f of report.functions.filter((f) => f.counterexample !== undefined))
    out.push(`  ${f.name} counterexample: ${f.counterexample}`);
  out.push("");
  out.push("Statements of section 5 and appendix A (a statement holds when every float64 residual is within its bound");
  out.push("and the worst instance's residual at 50 digits is below 1e-40)");
  out.push("");
  out.push(
    table(
      ["statement", "paper", "instances", "worst float64 residual", "bound", "50-digit residual", "verdict", "time"],
      report.statements.map((s) => [
        s.id,
        s.reference,
        String(s.instances),
        sci(s.worst.residual),
        sci(s.worst.bound),
        s.preciseResidual,
        s.verdict,
        `${s.seconds.toFixed(2)} s`,
      ]),
    ),
  );
  for (const s of report.statements.filter((s) => s.counterexample !== undefined))
    out.push(`  ${s.id} counterexample: ${s.counterexample}`);
  out.push("");
  out.push("Assumptions dropped one at a time (the verdicts the paper's table predicts, and what luce found)");
  for (const v of report.variants) {
    out.push("");
    out.push(`${v.asPredicted ? "as predicted" : "NOT AS PREDICTED"}: ${v.assumption}  →  ${v.dropped}`);
    out.push(`  prediction: ${v.prediction}`);
    for (const r of v.results) {
      const mark = r.verdict === r.expected ? "ok " : "!! ";
      const detail =
        r.report === null
          ? (r.evidence ?? "")
          : `residual ${sci(r.report.worst.residual)} (bound ${sci(r.report.worst.bound)}, 50-digit ${r.report.preciseResidual})`;
      out.push(`  ${mark}${r.id.padEnd(16)} ${r.verdict.padEnd(13)} expected ${r.expected.padEnd(13)} ${detail}`);
      if (r.report?.counterexample !== undefined && r.verdict === "refuted")
        out.push(`      counterexample (${r.report.worst.name}): ${r.report.counterexample}`);
    }
  }
  out.push("");
  const held = report.statements.filter((s) => s.verdict === "holds").length;
  const predicted = report.variants.filter((v) => v.asPredicted).length;
  const vouched = report.functions.filter((f) => f.held).length;
  out.push(
    `${vouched} of ${report.functions.length} functions within their bounds; ${held} of ${report.statements.length} statements hold; ${predicted} of ${report.variants.length} assumption variants behave as the table predicts.`,
  );
  return out.join("\n");
}

/** The human-readable losses report: one row per statement, then the computed table. @internal */
export function renderLosses(report: LossesReport): string {
  const out: string[] = [];
  out.push("Population optimum of each loss type (a statement holds when its float64 residuals are within their");
  out.push("bounds and the 50-digit residual is below 1e-40; a refuted claim shows its shrunk counterexample)");
  out.push("");
  const rows = report.statements.map((s) => [
    s.lossType,
    s.optimum,
    s.equalsOptimal,
    `${s.verdict}${s.asPredicted ? "" : ` (EXPECTED ${s.expected})`}`,
    s.counterexample === undefined
      ? ""
      : s.counterexample.length > 60
        ? `${s.counterexample.slice(0, 57)}...`
        : s.counterexample,
  ]);
  for (const r of report.table)
    rows.push([
      r.lossType,
      `${r.optimum} (${r.problem})`,
      r.klToOptimal === undefined ? "-" : r.klToOptimal <= 1e-10 ? "yes" : `no: KL ${sci(r.klToOptimal)}`,
      r.optimum === "finite" ? (r.certified ? "computed, certified" : "computed, NOT CERTIFIED") : "computed",
      r.optimum === "finite" ? "" : r.detail.length > 60 ? `${r.detail.slice(0, 57)}...` : r.detail,
    ]);
  out.push(table(["loss type", "optimum", "equals π_r?", "verdict", "counterexample / reason"], rows));
  for (const s of report.statements.filter((s) => s.counterexample !== undefined))
    out.push(`  ${s.id} counterexample: ${s.counterexample}`);
  const predicted = report.statements.filter((s) => s.asPredicted).length;
  out.push("");
  out.push(`${predicted} of ${report.statements.length} loss statements give the expected verdict.`);
  return out.join("\n");
}
