/**
 * The runtime entry of `luce/proofs` for import (package.json points its types at index.ts). The
 * subpath's modules import fast-check statically, and Node resolves a module's whole static import
 * graph before running any of it, so a missing peer could only surface as Node's "Cannot find
 * package". This entry checks for the peer first and then loads index.ts dynamically, re-exporting
 * each of its values by name (a test keeps this list equal to index.ts's exports). Its top-level
 * await makes it unloadable by require(), so package.json points require at index.js itself.
 * @internal
 */
import { requirePeer } from "../peer-dependency.js";

await requirePeer("luce/proofs", "fast-check");

export const {
  MAX_INSTANCE_NUMBERS,
  MAX_RUNS,
  PRECISE_THRESHOLD,
  appendixA1,
  appendixA2A3,
  appendixA4,
  assumptionVariants,
  certifyStatement,
  checkInstance,
  checkOwnFunctions,
  checkStatement,
  checkVariant,
  constant,
  definition1,
  exact,
  lemma1,
  lemma2,
  paperStatements,
  populationDpo,
  preciseLogSumExp,
  preciseMax,
  precisePlackettLuce,
  preciseRow,
  preciseSigmoid,
  theorem1,
  verifyPaper,
} = await import("./index.js");
