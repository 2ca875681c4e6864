import { LuceError } from "../errors.js";
import { describe } from "../validation/checks.js";
import { assumptionVariants, checkVariantWith, type VariantReport } from "./assumptions.js";
import { checkStatementWith, readCheckOptions, type CheckOptions, type StatementReport } from "./check.js";
import { checkOwnFunctions, type OracleReport } from "./oracles/index.js";
import type { Statement } from "./statement.js";
import { appendixA1 } from "./statements/appendix-a1.js";
import { appendixA2A3 } from "./statements/appendix-a2-a3.js";
import { appendixA4 } from "./statements/appendix-a4.js";
import { definition1 } from "./statements/definition-1.js";
import { lemma1 } from "./statements/lemma-1.js";
import { lemma2 } from "./statements/lemma-2.js";
import { populationDpo } from "./statements/population-dpo.js";
import { theorem1 } from "./statements/theorem-1.js";

/**
 * The statements of the paper's section 5 and appendix A, in the paper's order, under all
 * their assumptions.
 *
 * @returns the checkable statements
 * @example
 * ```ts
 * paperStatements().map((s) => s.id); // ["definition-1", "lemma-1", …]
 * ```
 */
export function paperStatements(): Statement<never>[] {
  return [
    definition1(),
    lemma1(),
    lemma2(),
    theorem1(),
    appendixA1(),
    appendixA2A3(),
    appendixA4(),
    populationDpo(),
  ] as unknown as Statement<never>[];
}

/**
 * Instances per function for the oracles, as a fraction of the statements' runs: half, so that the 50-digit oracles
 * of every public function do not outweigh the statements; the test suite runs them at full count.
 */
const ORACLE_RUNS_FRACTION = 0.5;

/** What `verifyPaper` found. */
export interface PaperReport {
  /** One report per statement, in the paper's order. */
  readonly statements: StatementReport[];
  /** One report per assumption variant, in the table's order. */
  readonly variants: VariantReport[];
  /** luce's own public functions against their 50-digit oracles, one report per function. */
  readonly functions: OracleReport[];
  /** Every statement holds, every variant gives the predicted verdicts and every function is within its bound. */
  readonly ok: boolean;
}

/**
 * Checks luce's own public functions against their 50-digit oracles, every statement of section 5 and appendix A,
 * then every assumption variant (the main job of `npx luce verify`).
 *
 * @param options - runs and seed, and a callback told of each finished check
 * @returns the reports and the overall verdict
 * @example
 * ```ts
 * const { ok } = await verifyPaper({ runs: 100, seed: 42 });
 * ```
 */
export async function verifyPaper(
  options: CheckOptions & { readonly onProgress?: (what: string) => void } = {},
): Promise<PaperReport> {
  const fn = "verifyPaper";
  const check = readCheckOptions(fn, options, ["onProgress"]);
  const onProgress = options?.onProgress;
  if (onProgress !== undefined && typeof onProgress !== "function")
    throw new LuceError(fn, "options.onProgress", `must be a function, got ${describe(onProgress)}`);
  const oracleRuns = Math.max(1, Math.round(check.runs * ORACLE_RUNS_FRACTION));
  const functions = checkOwnFunctions({ runs: oracleRuns, seed: check.seed });
  onProgress?.("luce's own functions");
  const statements: StatementReport[] = [];
  for (const s of paperStatements()) {
    statements.push(await checkStatementWith(s, check));
    onProgress?.(s.id);
  }
  const variants: VariantReport[] = [];
  for (const v of assumptionVariants()) {
    variants.push(await checkVariantWith(v, check));
    onProgress?.(v.id);
  }
  const ok =
    functions.every((f) => f.held) &&
    statements.every((s) => s.verdict === "holds") &&
    variants.every((v) => v.asPredicted);
  return { statements, variants, functions, ok };
}
