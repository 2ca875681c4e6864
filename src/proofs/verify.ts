import { LuceError } from "../errors.js";
import { describe, requireBoolean } from "../validation/checks.js";
import { assumptionVariants, checkVariantWith, type VariantReport, type VariantResult } from "./assumptions.js";
import { certifyStatementWith, type CertificationCache, type CertifiedReport } from "./certify.js";
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

/** A statement's report, with its certified verdict when `verifyPaper` was asked for one. */
export type PaperStatementReport = StatementReport & {
  /** The interval certification of the verdict (`certified: true` only). */
  readonly certified?: CertifiedReport;
};

/** A variant's result for one re-checked statement, with its certified verdict when asked for one. */
export type PaperVariantResult = VariantResult & {
  /** The interval certification of the predicted verdict (`certified: true`, re-checked statements only). */
  readonly certified?: CertifiedReport;
};

/** A variant's report, each re-checked statement with its certified verdict when asked for one. */
export type PaperVariantReport = Omit<VariantReport, "results"> & {
  /** One result per re-checked statement (or the domain check). */
  readonly results: readonly PaperVariantResult[];
};

/** The outcome of `verifyPaper`'s certification. */
export interface Certification {
  /** Every statement's and variant's verdict certified. */
  readonly ok: boolean;
  /** Wall time of the certification (the enclosures), in seconds. */
  readonly seconds: number;
}

/** What `verifyPaper` found. */
export interface PaperReport {
  /** One report per statement, in the paper's order. */
  readonly statements: PaperStatementReport[];
  /** One report per assumption variant, in the table's order. */
  readonly variants: PaperVariantReport[];
  /** luce's own public functions against their 50-digit oracles, one report per function. */
  readonly functions: OracleReport[];
  /**
   * Every statement holds, every variant gives the predicted verdicts and every function is within its bound; with
   * `certified`, also every verdict certified.
   */
  readonly ok: boolean;
  /** With `certified`: whether every statement's and variant's verdict was certified, and the time that took. */
  readonly certification?: Certification;
}

/** Options of {@link verifyPaper}. */
export interface VerifyOptions extends CheckOptions {
  /** Told of each finished check. */
  readonly onProgress?: (what: string) => void;
  /**
   * Also certify each verdict with interval enclosures (see `certifyStatement`): every holding statement's exact
   * residual and float64 errors on every instance, and one instance proving each predicted refutation. Default false.
   */
  readonly certified?: boolean;
}

/**
 * Checks luce's own public functions against their 50-digit oracles, every statement of section 5 and appendix A,
 * then every assumption variant (the main job of `npx luce verify`).
 *
 * @param options - runs and seed, a callback told of each finished check, and whether to certify each verdict with
 *   interval enclosures (`certified`; about five times the computing time of the default run)
 * @returns the reports and the overall verdict
 * @example
 * ```ts
 * const { ok } = await verifyPaper({ runs: 100, seed: 42 });
 * const { certification } = await verifyPaper({ runs: 20, certified: true }); // { ok: true, seconds: … }
 * ```
 */
export async function verifyPaper(options: VerifyOptions = {}): Promise<PaperReport> {
  const fn = "verifyPaper";
  const check = readCheckOptions(fn, options, ["onProgress", "certified"]);
  const onProgress = options?.onProgress;
  if (onProgress !== undefined && typeof onProgress !== "function")
    throw new LuceError(fn, "options.onProgress", `must be a function, got ${describe(onProgress)}`);
  const certify = options?.certified === undefined ? false : requireBoolean(fn, "options.certified", options.certified);
  const oracleRuns = Math.max(1, Math.round(check.runs * ORACLE_RUNS_FRACTION));
  const functions = checkOwnFunctions({ runs: oracleRuns, seed: check.seed });
  onProgress?.("luce's own functions");
  let certifiedSeconds = 0;
  const cache: CertificationCache = new Map();
  const certification = (statement: Statement<never>, expected: string): { certified?: CertifiedReport } => {
    if (!certify || (expected !== "holds" && expected !== "refuted")) return {};
    const started = performance.now();
    const certified = certifyStatementWith(statement, expected, check, cache);
    certifiedSeconds += (performance.now() - started) / 1000;
    return { certified };
  };
  const statements: PaperStatementReport[] = [];
  for (const s of paperStatements()) {
    statements.push({ ...(await checkStatementWith(s, check)), ...certification(s, "holds") });
    onProgress?.(s.id);
  }
  const variants: PaperVariantReport[] = [];
  for (const v of assumptionVariants()) {
    const report = await checkVariantWith(v, check);
    // the domain check, if any, comes first; then one result per re-checked statement, in order
    const first = report.results.length - v.statements.length;
    const results = report.results.map((r, i) =>
      i < first ? r : { ...r, ...certification(v.statements[i - first].statement, r.expected) },
    );
    variants.push({ ...report, results });
    onProgress?.(v.id);
  }
  const everyCertified =
    statements.every((s) => s.certified?.certified === true) &&
    variants.every((v) => v.results.every((r) => r.report === null || r.certified?.certified === true));
  const ok =
    functions.every((f) => f.held) &&
    statements.every((s) => s.verdict === "holds") &&
    variants.every((v) => v.asPredicted) &&
    (!certify || everyCertified);
  return {
    statements,
    variants,
    functions,
    ok,
    ...(certify ? { certification: { ok: everyCertified, seconds: certifiedSeconds } } : {}),
  };
}
