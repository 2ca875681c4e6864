import { LuceError } from "../errors.js";
import { logOptimalPolicyRow } from "../theory/kernels.js";
import { klRow } from "../theory/kl.js";
import { readPopulationOptimumProblem, solvePrompt } from "../theory/population-optimum.js";
import type { PopulationProblem } from "../theory/population-problem.js";
import { describe, requireBoolean } from "../validation/checks.js";
import { certifyStatementWith, type CertifiedReport } from "./certify.js";
import { checkStatementWith, readCheckOptions, type CheckOptions, type StatementReport } from "./check.js";
import type { Certification } from "./verify.js";
import type { Statement } from "./statement.js";
import { certifyTableRow, type TableRowEnclosure } from "./statements/loss-table-enclosure.js";
import {
  lossConservativeComplete,
  lossConservativeOptimal,
  lossConservativeTree,
} from "./statements/loss-conservative.js";
import { lossFDpo } from "./statements/loss-f-dpo.js";
import { lossHinge, lossHingeOptimal } from "./statements/loss-hinge.js";
import { lossIpoIndependentPairs, lossIpoLeastSquares, lossIpoOptimal } from "./statements/loss-ipo.js";
import { lossLengthNormalized, lossLengthNormalizedEqual } from "./statements/loss-length-normalized.js";
import { lossPlackettLuce } from "./statements/loss-plackett-luce.js";
import { lossRobust, lossRobustAboveHalf, lossRobustMisspecified, lossRobustPlain } from "./statements/loss-robust.js";
import { lossSigmoid } from "./statements/loss-sigmoid.js";

/** One statement about a loss type's population optimum, with what it says and the verdict expected of it. */
export interface LossStatement {
  /** The loss type (`dpoLoss`'s name, or `plackett_luce`). */
  readonly lossType: string;
  /** The optimum the statement claims, in one phrase. */
  readonly optimum: string;
  /** Whether that optimum is π_r*: "yes", "no", or a condition. */
  readonly equalsOptimal: string;
  /** `holds` for a true statement; `refuted` for a claim the checker is expected to refute (with a counterexample). */
  readonly expected: "holds" | "refuted";
  /** The checkable statement. */
  readonly statement: Statement<never>;
}

/**
 * The loss-family statements of docs/loss-theory.md, in its order: each true statement, and each claim (often the
 * tempting one: "this loss recovers π_r*") that the checker refutes with a counterexample.
 *
 * @returns the statements with their loss types and expected verdicts
 * @example
 * ```ts
 * lossStatements().map((s) => s.statement.id); // ["loss-sigmoid", "loss-sigmoid-disconnected", …]
 * ```
 */
export function lossStatements(): LossStatement[] {
  const entry = (
    lossType: string,
    optimum: string,
    equalsOptimal: string,
    expected: "holds" | "refuted",
    statement: Statement<unknown>,
  ): LossStatement => ({ lossType, optimum, equalsOptimal, expected, statement: statement as Statement<never> });
  const disconnected = lossSigmoid({ connectedGraph: false });
  return [
    entry("sigmoid", "π_r* (connected μ)", "yes", "holds", lossSigmoid()),
    entry("sigmoid", "π_r* (disconnected μ)", "not unique", "refuted", {
      ...disconnected,
      id: "loss-sigmoid-disconnected",
    }),
    entry("plackett_luce", "π_r* (PL(r*) rankings)", "yes", "holds", lossPlackettLuce()),
    entry("conservative_sigmoid", "σ(βd) = (1−ε)p + εp̄ on a tree μ", "no (ε > 0)", "holds", lossConservativeTree()),
    entry("conservative_sigmoid", "independent of μ (K ≥ 3)", "no", "refuted", lossConservativeComplete()),
    entry("conservative_sigmoid", "π_r* (K ≥ 3)", "no", "refuted", lossConservativeOptimal()),
    entry("robust", "π_r* (true flip rate ε < ½)", "yes", "holds", lossRobust()),
    entry("sigmoid", "π_r* from flipped labels", "no", "refuted", lossRobustPlain()),
    entry("robust", "π_r* (told ε/2)", "no", "refuted", lossRobustMisspecified()),
    entry("robust", "π_r* (ε > ½, told 1 − ε)", "no", "refuted", lossRobustAboveHalf(false)),
    entry("robust", "π_(−r*) (ε > ½, told 1 − ε)", "no: reversed", "holds", lossRobustAboveHalf(true)),
    entry("ipo", "μ-weighted least squares to p − ½", "no", "holds", lossIpoLeastSquares()),
    entry("ipo", "π ∝ π_ref exp(E_μ₀ p(y ≻ y′)/β)", "no", "holds", lossIpoIndependentPairs()),
    entry("ipo", "π_r*", "no", "refuted", lossIpoOptimal()),
    entry("hinge", "margin ±1 (K = 2)", "no", "holds", lossHinge()),
    entry("hinge", "π_r* (K = 2)", "no", "refuted", lossHingeOptimal()),
    entry("sigmoid_norm", "π ∝ π_ref exp(L(r* + c)/β)", "only if L ≡ 1", "holds", lossLengthNormalized()),
    entry("sigmoid_norm", "π_r* (equal lengths)", "no: β/L", "refuted", lossLengthNormalizedEqual()),
    entry("sigmoid + fDivergence", "argmax E_π r − β D_f(π‖π_ref)", "reverse KL only", "holds", lossFDpo()),
  ];
}

/** One problem of the computed table (statement 8): a loss type on a fixed population problem. */
export interface LossTableRow {
  /** The loss type. */
  readonly lossType: string;
  /** Which of the table's problems. */
  readonly problem: string;
  /** `finite` (with a certificate), `no finite optimum`, or `not computed` (batch-coupled types). */
  readonly optimum: "finite" | "no finite optimum" | "not computed";
  /** KL(π* ‖ π_r*) where finite. */
  readonly klToOptimal?: number;
  /** Gradient within its rounding bound and Hessian positive definite (or exact, for `hinge`). */
  readonly certified: boolean;
  /** The reason where not finite, or the certificate. */
  readonly detail: string;
  /** With `verifyLosses({ certified: true })`: the row's interval certification, or why there is none. */
  readonly enclosure?: TableRowEnclosure;
}

const LOG = Math.log;

/** The table's fixed problems: a small balanced one and a wider, unbalanced one with a tiny π_ref. */
const TABLE_PROBLEMS: Record<string, Omit<PopulationProblem, "lossType">> = {
  "K=3 balanced": {
    beta: 0.5,
    reward: [[1, 0, -1]],
    logReference: [[LOG(0.5), LOG(0.25), LOG(0.25)]],
    pairWeights: [
      [
        [0, 1, 1],
        [1, 0, 1],
        [1, 1, 0],
      ],
    ],
  },
  "K=5 unbalanced, π_ref down to 1e-30": {
    beta: 0.1,
    reward: [[0.2, 0.1, 0, -0.05, -0.3]],
    logReference: [[LOG(0.4), LOG(0.3), LOG(0.2), LOG(0.1 - 1e-30), LOG(1e-30)]],
    pairWeights: [
      [
        [0, 1, 0.01, 0, 0],
        [1, 0, 1, 0.5, 0],
        [0.01, 1, 0, 1, 0],
        [0, 0.5, 1, 0, 0.001],
        [0, 0, 0, 0.001, 0],
      ],
    ],
  },
};

/** Every pairwise loss type with its default options, and the listwise loss, for the table. */
const TABLE_TYPES: readonly { lossType: string; options?: Record<string, unknown> }[] = [
  { lossType: "sigmoid" },
  { lossType: "conservative_sigmoid", options: { labelSmoothing: 0.1 } },
  { lossType: "hinge" },
  { lossType: "ipo" },
  { lossType: "sigmoid_norm", options: { lengths: "varied" } },
  { lossType: "exo_pair" },
  { lossType: "nca_pair" },
  { lossType: "robust", options: { labelSmoothing: 0.1, labelNoise: 0.1 } },
  { lossType: "bco_pair" },
  { lossType: "sppo_hard" },
  { lossType: "apo_zero" },
  { lossType: "apo_down" },
  { lossType: "discopop" },
  { lossType: "aot" },
  { lossType: "aot_unpaired" },
  { lossType: "plackett_luce" },
];

/** Lengths 10, 20, 30, … for the length-normalised type. */
function variedLengths(k: number): number[][] {
  return [Array.from({ length: k }, (_, y) => 10 * (y + 1))];
}

/**
 * Statement 8: the population optimum of every loss type on the table's problems, computed by `populationOptimum`'s
 * solver: its KL to π_r* where it is finite, or the reason it is not. Only what is computed is claimed.
 *
 * @returns one row per loss type and problem
 * @example
 * ```ts
 * lossOptimumTable().filter((r) => r.optimum === "no finite optimum").map((r) => r.lossType); // ["apo_zero", …]
 * ```
 */
export function lossOptimumTable(): LossTableRow[] {
  return tableRows(false);
}

/** The table's rows; with `certify`, each with its enclosure (see `certifyTableRow`). */
function tableRows(certify: boolean): LossTableRow[] {
  const rows: LossTableRow[] = [];
  for (const [name, base] of Object.entries(TABLE_PROBLEMS)) {
    for (const { lossType, options } of TABLE_TYPES) {
      const k = base.reward[0].length;
      const { lengths, ...rest } = options ?? {};
      const problem: Record<string, unknown> = { ...base, ...rest, lossType };
      if (lengths !== undefined) problem.lengths = variedLengths(k);
      if (lossType === "plackett_luce") delete problem.pairWeights;
      const start = rows.length;
      addRow(rows, name, lossType, problem);
      if (certify && rows.length > start)
        rows[start] = { ...rows[start], enclosure: certifyTableRow(problem, rows[start].optimum) };
    }
  }
  return rows;
}

/** Solves one problem of the table and adds its row. */
function addRow(rows: LossTableRow[], name: string, lossType: string, problem: Record<string, unknown>): void {
  const base = problem as unknown as Omit<PopulationProblem, "lossType">;
  let read;
  try {
    read = readPopulationOptimumProblem("lossOptimumTable", problem);
  } catch (e) {
    if (!(e instanceof LuceError)) throw e;
    rows.push({ lossType, problem: name, optimum: "not computed", certified: false, detail: e.message });
    return;
  }
  const solution = solvePrompt("lossOptimumTable", read, read.prompts[0]);
  if (solution.kind !== "optimum") {
    const optimum = solution.kind === "diverges" ? "no finite optimum" : "not computed";
    rows.push({ lossType, problem: name, optimum, certified: false, detail: solution.reason });
    return;
  }
  const target = logOptimalPolicyRow(base.reward[0], base.logReference[0], base.beta);
  const c = solution.certificate;
  const certified = c.method === "enumeration" || (c.gradientNorm <= c.gradientBound && c.positiveDefinite);
  rows.push({
    lossType,
    problem: name,
    optimum: "finite",
    klToOptimal: Math.max(0, klRow(solution.logPolicy, target)),
    certified,
    detail:
      c.method === "enumeration"
        ? `every vertex evaluated (${c.iterations})`
        : `|∇L| ${c.gradientNorm.toExponential(1)} ≤ ${c.gradientBound.toExponential(1)}, Hessian ${c.positiveDefinite ? "positive definite" : "not definite"}`,
  });
}

/** One loss statement's check. */
export interface LossStatementReport extends StatementReport {
  /** The loss type. */
  readonly lossType: string;
  /** The claimed optimum. */
  readonly optimum: string;
  /** Whether it is π_r*. */
  readonly equalsOptimal: string;
  /** The expected verdict. */
  readonly expected: "holds" | "refuted";
  /** The verdict is the expected one. */
  readonly asPredicted: boolean;
  /** The interval certification of the expected verdict (`certified: true` only). */
  readonly certified?: CertifiedReport;
}

/** What {@link verifyLosses} found. */
export interface LossesReport {
  /** One report per loss statement, in {@link lossStatements}' order. */
  readonly statements: LossStatementReport[];
  /** The computed table of statement 8. */
  readonly table: LossTableRow[];
  /**
   * Every statement's verdict as expected, and every finite optimum of the table certified; with `certified`, also
   * every statement's expected verdict certified by its enclosures.
   */
  readonly ok: boolean;
  /** With `certified`: whether every statement's verdict and every attempted table row were certified, and the time. */
  readonly certification?: Certification;
}

/** Options of {@link verifyLosses}. */
export interface VerifyLossesOptions extends CheckOptions {
  /** Told of each finished check. */
  readonly onProgress?: (what: string) => void;
  /**
   * Also certify each statement's expected verdict with interval enclosures (see `certifyStatement`): the exact
   * optimum proven by Krawczyk's test around populationOptimum's answer, the claim's residual enclosed there, and
   * populationOptimum's float64 error against the error its certificate claims. Default false.
   */
  readonly certified?: boolean;
}

/**
 * Checks every loss-family statement (the main job of `npx luce verify --losses`) and computes the table of every
 * loss type's population optimum.
 *
 * @param options - runs and seed, a callback told of each finished check, and whether to certify each verdict with
 *   interval enclosures (`certified`)
 * @returns the reports, the table and the overall verdict
 * @throws {@link luce!LuceError} for invalid options (as `checkStatement`), an `onProgress` that is not a function
 *   or a `certified` that is not a boolean
 * @example
 * ```ts
 * const { ok, statements } = await verifyLosses({ runs: 2 }); // the CLI uses 100
 * const { certification } = await verifyLosses({ runs: 4, certified: true }); // { ok: true, seconds: … }
 * ```
 */
export async function verifyLosses(options: VerifyLossesOptions = {}): Promise<LossesReport> {
  const fn = "verifyLosses";
  const check = readCheckOptions(fn, options, ["onProgress", "certified"]);
  const onProgress = options?.onProgress;
  if (onProgress !== undefined && typeof onProgress !== "function")
    throw new LuceError(fn, "options.onProgress", `must be a function, got ${describe(onProgress)}`);
  const certify = options?.certified === undefined ? false : requireBoolean(fn, "options.certified", options.certified);
  let certifiedSeconds = 0;
  const statements: LossStatementReport[] = [];
  for (const s of lossStatements()) {
    const report = await checkStatementWith(s.statement, check, fn);
    let certified: CertifiedReport | undefined;
    if (certify) {
      const started = performance.now();
      certified = certifyStatementWith(s.statement, s.expected, check);
      certifiedSeconds += (performance.now() - started) / 1000;
    }
    statements.push({
      ...report,
      lossType: s.lossType,
      optimum: s.optimum,
      equalsOptimal: s.equalsOptimal,
      expected: s.expected,
      asPredicted: report.verdict === s.expected,
      ...(certified === undefined ? {} : { certified }),
    });
    onProgress?.(s.statement.id);
  }
  const started = performance.now();
  const table = tableRows(certify);
  if (certify) certifiedSeconds += (performance.now() - started) / 1000;
  onProgress?.("the table of every loss type");
  // every statement certified, and every table row whose proof was attempted (a failed proof is a failure)
  const everyCertified =
    statements.every((s) => s.certified?.certified === true) &&
    table.every((r) => r.enclosure === undefined || !r.enclosure.attempted || r.enclosure.certified);
  const ok =
    statements.every((s) => s.asPredicted) &&
    table.every((r) => r.optimum !== "finite" || r.certified) &&
    (!certify || everyCertified);
  return {
    statements,
    table,
    ok,
    ...(certify ? { certification: { ok: everyCertified, seconds: certifiedSeconds } } : {}),
  };
}
