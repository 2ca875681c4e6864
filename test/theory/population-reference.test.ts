// populationOptimum against an independent 50-digit minimisation (test/fixtures/population_reference.py: each loss
// written from its formula in mpmath, minimised by mpmath's Newton at 50 digits).
import { describe, it } from "vitest";
import fixtures from "../fixtures/population_reference.json" with { type: "json" };
import { populationOptimum, type PopulationProblem } from "../../src/index.js";
import { expectClose, num } from "../helpers/close.js";

/** The agreement: 1e-10 in log π, absolute (log π crosses zero near a dominant response). */
const AGREEMENT = 1e-10;

describe("populationOptimum against 50-digit mpmath minimisation", () => {
  it.each(fixtures.cases.map((c, i) => [i, c.lossType, c] as const))("case %i (%s)", (_i, _type, c) => {
    const { logPolicy, lengths, ...rest } = c as typeof c & { lengths?: number[] };
    const problem = {
      ...rest,
      reward: [c.reward],
      logReference: [c.logReference],
      ...("pairWeights" in c ? { pairWeights: [(c as { pairWeights: number[][] }).pairWeights] } : {}),
      ...(lengths === undefined ? {} : { lengths: [lengths] }),
    } as unknown as PopulationProblem;
    const result = populationOptimum(problem);
    logPolicy.forEach((v, y) => expectClose(result.logPolicy[0][y], num(v), { abs: AGREEMENT }, `log π(y_${y})`));
  });
});
