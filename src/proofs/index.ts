/**
 * Checkers for the statements of the DPO paper's section 5 and appendix A: each generates
 * instances with `luce/arbitraries`, evaluates float64 residuals of luce's implementation against
 * stated bounds, shrinks counterexamples, and re-evaluates at 50 digits with decimal.js.
 * Import from `luce/proofs` (needs fast-check, a peer dependency). A checker of your own
 * is a {@link Statement}: its `precise` re-evaluation uses the 50-digit helpers exported here
 * ({@link Precise}, {@link exact}, {@link preciseLogSumExp}, …), the ones the built-in statements use.
 * @packageDocumentation
 * @module luce/proofs
 */
export {
  checkStatement,
  checkInstance,
  PRECISE_THRESHOLD,
  type StatementReport,
  type Verdict,
  type CheckOptions,
} from "./check.js";
export type { Statement, Residual, Assumptions } from "./statement.js";
export {
  type Precise,
  exact,
  constant,
  preciseRow,
  preciseLogSumExp,
  preciseSigmoid,
  preciseMax,
  precisePlackettLuce,
} from "./precise.js";
export { MAX_RUNS } from "./check.js";
export { MAX_INSTANCE_NUMBERS } from "./instance.js";
export {
  assumptionVariants,
  checkVariant,
  type AssumptionVariant,
  type VariantReport,
  type VariantVerdict,
  type VariantStatement,
  type VariantResult,
  type DomainCheck,
} from "./assumptions.js";
export {
  verifyPaper,
  paperStatements,
  type PaperReport,
  type PaperStatementReport,
  type PaperVariantReport,
  type PaperVariantResult,
  type Certification,
  type VerifyOptions,
} from "./verify.js";
export {
  certifyStatement,
  type CertifyOptions,
  type CertifiedReport,
  type CertifiedResidual,
  type CertifiedFunction,
} from "./certify.js";
export type { Claim, InstanceEnclosure, ResidualEnclosure } from "./instance-enclosure.js";
export type { Float64Error } from "./float64-error.js";
export type { Interval } from "./interval/index.js";
export { checkOwnFunctions, type OracleReport } from "./oracles/index.js";
export { definition1, type Definition1Instance } from "./statements/definition-1.js";
export { lemma1, type Lemma1Instance } from "./statements/lemma-1.js";
export { lemma2, type Lemma2Instance } from "./statements/lemma-2.js";
export { theorem1, type Theorem1Instance } from "./statements/theorem-1.js";
export { appendixA1, type AppendixA1Instance } from "./statements/appendix-a1.js";
export { appendixA2A3, type AppendixA2Instance } from "./statements/appendix-a2-a3.js";
export { appendixA4, type AppendixA4Instance } from "./statements/appendix-a4.js";
export { populationDpo, type PopulationDpoInstance } from "./statements/population-dpo.js";
export {
  verifyLosses,
  lossStatements,
  lossOptimumTable,
  type LossesReport,
  type LossStatement,
  type LossStatementReport,
  type LossTableRow,
  type VerifyLossesOptions,
} from "./verify-losses.js";
export type { TableRowEnclosure } from "./statements/loss-table-enclosure.js";
export { lossSigmoid } from "./statements/loss-sigmoid.js";
export { lossPlackettLuce } from "./statements/loss-plackett-luce.js";
export {
  lossConservativeTree,
  lossConservativeComplete,
  lossConservativeOptimal,
} from "./statements/loss-conservative.js";
export { lossRobust, lossRobustPlain, lossRobustMisspecified, lossRobustAboveHalf } from "./statements/loss-robust.js";
export { lossIpoLeastSquares, lossIpoIndependentPairs, lossIpoOptimal } from "./statements/loss-ipo.js";
export { lossHinge, lossHingeOptimal } from "./statements/loss-hinge.js";
export { lossLengthNormalized, lossLengthNormalizedEqual } from "./statements/loss-length-normalized.js";
export { type LossOptimumInstance } from "./statements/loss-optimum.js";
export { lossFDpo, type FDpoInstance } from "./statements/loss-f-dpo.js";
