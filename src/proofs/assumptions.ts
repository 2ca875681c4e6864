import { LuceError } from "../errors.js";
import { copyArrayLike, describe } from "../validation/checks.js";
import { logPartition } from "../theory/optimal-policy.js";
import { logSpace } from "../theory/rows.js";
import {
  checkStatementWith,
  readCheckOptions,
  requireStatement,
  type CheckOptions,
  type StatementReport,
  type Verdict,
} from "./check.js";
import type { Statement } from "./statement.js";
import { appendixA1 } from "./statements/appendix-a1.js";
import { appendixA2A3 } from "./statements/appendix-a2-a3.js";
import { appendixA4 } from "./statements/appendix-a4.js";
import { lemma1 } from "./statements/lemma-1.js";
import { lemma2 } from "./statements/lemma-2.js";
import { populationDpo } from "./statements/population-dpo.js";
import { theorem1 } from "./statements/theorem-1.js";

/**
 * A verdict of an assumption variant: a statement's verdict, or a domain error (the object the statement is about does
 * not exist).
 */
export type VariantVerdict = Verdict | "domain error";

/** A statement re-checked in a variant, with the verdict the table predicts. */
export interface VariantStatement {
  /** The statement, built with the assumption dropped. */
  readonly statement: Statement<never>;
  /** The predicted verdict. */
  readonly expected: VariantVerdict;
}

/** The outcome of a variant's direct domain check. */
export interface DomainCheck {
  /** `domain error` when the object the statements are about does not exist. */
  readonly verdict: VariantVerdict;
  /** What was computed to decide it. */
  readonly evidence: string;
}

/** One statement's result in a variant. */
export interface VariantResult {
  /** The statement's report, or null for a domain check. */
  readonly report: StatementReport | null;
  /** The statement (or variant) identifier. */
  readonly id: string;
  /** What luce found. */
  readonly verdict: VariantVerdict;
  /** What the table predicts. */
  readonly expected: VariantVerdict;
  /** The domain check's evidence. */
  readonly evidence?: string;
}

/** One row of the paper's table of assumptions, made checkable. */
export interface AssumptionVariant {
  /** Short identifier, e.g. `"beta-negative"`. */
  readonly id: string;
  /** The assumption, as the paper states it. */
  readonly assumption: string;
  /** What replaces it in this variant. */
  readonly dropped: string;
  /** What the table predicts fails. */
  readonly prediction: string;
  /** The statements re-checked without the assumption, with the verdict the table predicts. */
  readonly statements: readonly VariantStatement[];
  /** For variants where the objects do not exist: a direct check returning its verdict and evidence. */
  readonly domain?: () => DomainCheck;
}

/** What checking a variant found. */
export interface VariantReport {
  /** The variant's identifier. */
  readonly id: string;
  /** The assumption dropped. */
  readonly assumption: string;
  /** What replaced it. */
  readonly dropped: string;
  /** What the table predicts. */
  readonly prediction: string;
  /** One result per re-checked statement (or the domain check). */
  readonly results: readonly VariantResult[];
  /** Every observed verdict equals the predicted one. */
  readonly asPredicted: boolean;
}

const as = <I>(s: Statement<I>) => s as unknown as Statement<never>;

/**
 * The variants of section 5's assumptions, one per row of the table in the guide (paper.md):
 * each drops one assumption, re-checks the statements it concerns, and states which verdicts the
 * table predicts (refuted for what breaks, holds for what survives).
 *
 * @returns the variants in table order
 * @example
 * ```ts
 * for (const v of assumptionVariants()) console.log(v.assumption, "→", v.prediction);
 * ```
 */
export function assumptionVariants(): AssumptionVariant[] {
  return [
    {
      id: "reference-support",
      assumption: "π_ref(y|x) > 0 for all y",
      dropped: "π_ref(y|x) = 0 for some y",
      prediction: "Theorem 1's map from classes to optimal policies is not one-to-one; Lemmas 1, 2 and A.1 still hold",
      statements: [
        { statement: as(lemma1({ referenceZeros: true })), expected: "holds" },
        { statement: as(lemma2({ referenceZeros: true })), expected: "holds" },
        { statement: as(theorem1({ referenceZeros: true })), expected: "refuted" },
        { statement: as(appendixA1({ referenceZeros: true })), expected: "holds" },
      ],
    },
    {
      id: "shift-depends-on-x",
      assumption: "the shift f depends on x alone",
      dropped: "r′ = r + g(x, y), g not constant in y",
      prediction: "Lemma 1, Lemma 2 and Theorem 1's uniqueness fail; A.1 and A.2–A.3 still hold",
      statements: [
        { statement: as(lemma1({ shiftDependsOn: "response" })), expected: "refuted" },
        { statement: as(lemma2({ shiftDependsOn: "response" })), expected: "refuted" },
        { statement: as(theorem1({ shiftDependsOn: "response" })), expected: "refuted" },
        { statement: as(appendixA1()), expected: "holds" },
        { statement: as(appendixA2A3()), expected: "holds" },
      ],
    },
    {
      id: "beta-negative",
      assumption: "β > 0",
      dropped: "β < 0",
      prediction:
        "A.1 only: E_π r − βKL = β log Z + |β| KL(π‖π_r), so π_r minimises eq. 3; Theorem 1's algebra, Lemma 2 and A.2–A.3 still hold",
      statements: [
        { statement: as(appendixA1({ betaSign: -1 })), expected: "refuted" },
        { statement: as(lemma2({ betaSign: -1 })), expected: "holds" },
        { statement: as(theorem1({ betaSign: -1 })), expected: "holds" },
        { statement: as(appendixA2A3({ betaSign: -1 })), expected: "holds" },
      ],
    },
    {
      id: "beta-zero",
      assumption: "β > 0",
      dropped: "β = 0",
      prediction: "eq. 4 is undefined: a domain error, not a counterexample",
      statements: [],
      domain: () => betaDomainCheck(() => logPartition([[1, 0]], [[0.5, 0.5]], 0)),
    },
    {
      id: "connected-graph",
      assumption: "a connected comparison graph (population DPO)",
      dropped: "a comparison graph with several components",
      prediction: "the DPO minimiser is not unique (population DPO fails); the gradient identity A.4 still holds",
      statements: [
        { statement: as(populationDpo({ connectedGraph: false })), expected: "refuted" },
        { statement: as(appendixA4()), expected: "holds" },
      ],
    },
    {
      id: "finite-partition",
      assumption: "Z(x) finite",
      dropped: "infinitely many responses with rewards growing fast: π_ref(y_k) ∝ 2^{−k}, r(y_k) = βk",
      prediction: "π_r does not exist: log Z of the truncations grows without bound",
      statements: [],
      domain: divergingPartition,
    },
  ];
}

/**
 * A domain error for β = 0 is a {@link LuceError} that names the argument `beta`; any other outcome (no error, or an
 * error about another argument) is not the predicted one.
 *
 * @param attempt - a call with β = 0
 * @returns the verdict and the error's message as evidence
 * @internal
 */
export function betaDomainCheck(attempt: () => unknown): DomainCheck {
  try {
    attempt();
    return { verdict: "holds", evidence: "β = 0 was accepted" };
  } catch (e) {
    if (!(e instanceof LuceError)) throw e;
    return { verdict: e.argument === "beta" ? "domain error" : "holds", evidence: e.message };
  }
}

/**
 * log Z of truncations to K = 16, 32, …, 1024 responses with π_ref(y_k) ∝ 2^{−k} and r(y_k) = βk:
 * the terms grow like (e/2)^k, so log Z_K grows by (1 − ln 2)·K per doubling. A verdict of
 * domain error requires every doubling to add at least 90% of that.
 */
function divergingPartition(): DomainCheck {
  const beta = 1;
  const sizes = [16, 32, 64, 128, 256, 512, 1024];
  const values = sizes.map((k) => {
    const logWeights = Array.from({ length: k }, (_, j) => -(j + 1) * Math.LN2);
    const z = Math.log(logWeights.reduce((a, w) => a + Math.exp(w), 0));
    const logRef = logWeights.map((w) => w - z);
    const reward = Array.from({ length: k }, (_, j) => beta * (j + 1));
    return logPartition([reward], logSpace([logRef]), beta)[0];
  });
  const growing = values.every(
    (v, i) => i === 0 || v - values[i - 1] >= 0.9 * (1 - Math.LN2) * (sizes[i] - sizes[i - 1]),
  );
  const evidence = `log Z over K = ${sizes.join(", ")}: ${values.map((v) => v.toFixed(1)).join(", ")}`;
  return { verdict: growing ? "domain error" : "holds", evidence };
}

/**
 * Checks every assumption variant and compares each verdict with the table's prediction.
 *
 * @param variant - the variant
 * @param options - runs and seed for the statements
 * @returns the variant's report
 * @example
 * ```ts
 * const [first] = assumptionVariants();
 * (await checkVariant(first, { runs: 50 })).asPredicted; // true
 * ```
 */
export async function checkVariant(variant: AssumptionVariant, options: CheckOptions = {}): Promise<VariantReport> {
  return checkVariantWith(variant, readCheckOptions("checkVariant", options, []));
}

/** {@link checkVariant} with read options. @internal */
export async function checkVariantWith(
  variant: AssumptionVariant,
  options: Required<CheckOptions>,
): Promise<VariantReport> {
  if (variant === null || typeof variant !== "object" || !Array.isArray(variant.statements))
    throw new LuceError("checkVariant", "variant", "must be one of assumptionVariants()");
  if (variant.domain !== undefined && typeof variant.domain !== "function")
    throw new LuceError("checkVariant", "variant.domain", "must be a function when given");
  const statements = copyArrayLike("checkVariant", "variant.statements", variant.statements);
  statements.forEach((entry, i) => {
    const name = `variant.statements[${i}]`;
    if (entry === null || typeof entry !== "object")
      throw new LuceError("checkVariant", name, `must be { statement, expected }, got ${describe(entry)}`);
    requireStatement("checkVariant", (entry as VariantStatement).statement, `${name}.statement`);
  });
  const results: VariantResult[] = [];
  if (variant.domain !== undefined) {
    const { verdict, evidence } = variant.domain();
    results.push({ report: null, id: variant.id, verdict, expected: "domain error", evidence });
  }
  for (const { statement, expected } of statements as VariantStatement[]) {
    const report = await checkStatementWith(statement, options, "checkVariant");
    results.push({ report, id: statement.id, verdict: report.verdict, expected });
  }
  return {
    id: variant.id,
    assumption: variant.assumption,
    dropped: variant.dropped,
    prediction: variant.prediction,
    results,
    asPredicted: results.every((r) => r.verdict === r.expected),
  };
}
