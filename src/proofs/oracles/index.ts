import { frontierOracles } from "./frontier.js";
import { lossOracles } from "./losses.js";
import { numericsOracles } from "./numerics.js";
import { checkOracle, type FunctionOracle, type OracleReport } from "./oracle.js";
import { rankingOracles } from "./ranking.js";
import { theoryOracles } from "./theory.js";
import { readCheckOptions, type CheckOptions } from "../check.js";

export { checkOracle, FEW, type FunctionOracle, type OracleComparison, type OracleReport } from "./oracle.js";

/**
 * Every oracle of luce's own public functions: numerics, theory, the frontier, ranking, then the losses.
 *
 * @returns the oracles
 * @internal
 */
export function ownFunctionOracles(): FunctionOracle<never>[] {
  return [...numericsOracles(), ...theoryOracles(), ...frontierOracles(), ...rankingOracles(), ...lossOracles()];
}

/**
 * Checks each public numerics, theory and ranking function against a 50-digit evaluation of its defining formula on
 * generated instances, within the error bound its documentation states (the "luce's own functions" section of
 * `luce verify`).
 *
 * @param options - instances per function (default 100) and the fast-check seed (default 42)
 * @returns one report per function
 * @example
 * ```ts
 * checkOwnFunctions({ runs: 50 }).every((f) => f.held); // true
 * ```
 */
export function checkOwnFunctions(options: CheckOptions = {}): OracleReport[] {
  const { runs, seed } = readCheckOptions("checkOwnFunctions", options, []);
  return ownFunctionOracles().map((o) => checkOracle(o, { runs, seed }));
}
