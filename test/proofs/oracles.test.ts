import { describe, expect, it } from "vitest";
import * as losses from "../../src/losses/index.js";
import { pairKernels } from "../../src/losses/pairwise-kernels.js";
import * as numerics from "../../src/numerics/index.js";
import * as ranking from "../../src/ranking/index.js";
import * as theory from "../../src/theory/index.js";
import { rewardKlPoint } from "../../src/theory/index.js";
import { checkOwnFunctions, ownFunctionOracles } from "../../src/proofs/oracles/index.js";
import { PAIR_FORMULA_TYPES } from "../../src/proofs/oracles/losses.js";
import { checkOracle, errorRatio } from "../../src/proofs/oracles/oracle.js";
import { constant, exact } from "../../src/proofs/precise.js";

const seed = Number(process.env.LUCE_SEED ?? 42);

/** One oracle at 100 instances takes seconds at 50 digits; a loaded machine may take several times that. */
const ORACLE_TIMEOUT_MS = 120_000;

describe("luce's own functions against 50-digit oracles", () => {
  const oracles = ownFunctionOracles();
  // one oracle per test, so that `--bail` (npm run mutants) stops at the first function beyond its bound
  for (const oracle of oracles) {
    it(
      `${oracle.name} is within its documented bound`,
      () => {
        const r = checkOracle(oracle, { runs: 100, seed });
        expect(r.instances).toBe(100);
        expect(r.comparisons).toBeGreaterThanOrEqual(100);
        expect(r.counterexample, r.counterexample).toBeUndefined();
        expect(r.held).toBe(true);
      },
      ORACLE_TIMEOUT_MS,
    );
  }
  it(
    "checkOwnFunctions reports every oracle, on the instances asked for",
    () => {
      const reports = checkOwnFunctions({ runs: 2, seed });
      expect(reports.map((r) => r.name)).toEqual(oracles.map((o) => o.name));
      expect(reports.every((r) => r.instances === 2)).toBe(true);
    },
    ORACLE_TIMEOUT_MS,
  );
  it("covers every public function of numerics, theory, ranking and losses but the ones listed with a reason", () => {
    const publicFunctions = Object.entries({ ...numerics, ...theory, ...ranking, ...losses })
      .filter(([, v]) => typeof v === "function")
      .map(([name]) => name);
    const notByOracle: Record<string, string> = {
      samplePlackettLuce: "random: a chi-square test against exact probabilities (sampling-distribution.test.ts)",
      logSpace:
        "no arithmetic: it marks rows as log-probabilities, and every theory oracle passes its input through it",
      // the losses added with TRL 1.x are checked against 60-digit mpmath cases in test/losses; no oracle yet
      ktoLoss: "not yet: test/losses/kto.test.ts against 60-digit cases",
      cpoLoss: "not yet: test/losses/cpo.test.ts against 60-digit cases",
      orpoLoss: "not yet: test/losses/orpo.test.ts against 60-digit cases",
      rewardModelLoss: "not yet: test/losses/reward-model.test.ts against 60-digit cases",
      plackettLuceRewardModelLoss: "not yet: test/losses/reward-model.test.ts against 60-digit cases",
      // optimisers: their answers are checked against an independent 50-digit mpmath minimisation
      populationOptimum: "an optimiser: test/theory/population-reference.test.ts against 50-digit minima",
      fRegularizedOptimalPolicy:
        "an optimiser: brute-force maximisation and stationarity (f-regularized-policy.test.ts)",
    };
    const covered = new Set([...oracles.map((o) => o.name), ...Object.keys(notByOracle)]);
    expect(publicFunctions.filter((f) => !covered.has(f))).toEqual([]);
    expect(oracles.length).toBe(publicFunctions.length - Object.keys(notByOracle).length);
  });
  it("has a formula for every loss type dpoLoss knows", () => {
    // the oracle draws every type of dpoLoss's kernel table; a type added there needs its formula in the oracle
    expect([...PAIR_FORMULA_TYPES].sort()).toEqual(Object.keys(pairKernels).sort());
  });
});

describe("a prompt of weight 0", () => {
  it("adds nothing to the frontier's KL, even where π leaves π_ref's support there (not 0·∞ = NaN)", () => {
    const problem = {
      reward: [
        [1, 0],
        [0, 1],
      ],
      reference: [
        [1, 0],
        [0.5, 0.5],
      ],
      promptWeights: [0, 1],
    };
    // prompt 1 alone: KL(½,½ ‖ ½,½) = 0, expected reward ½
    expect(
      rewardKlPoint(problem, [
        [0.5, 0.5],
        [0.5, 0.5],
      ]),
    ).toEqual({ kl: 0, expectedReward: 0.5 });
  });
});

describe("the oracle's comparison", () => {
  const bound = constant(1e-10);
  it("never counts a NaN as within its bound", () => {
    expect(errorRatio({ name: "", value: NaN, exact: exact(1), bound })).toBe(Infinity);
  });
  it("requires the exact infinity", () => {
    expect(errorRatio({ name: "", value: Infinity, exact: constant("Infinity"), bound })).toBe(0);
    expect(errorRatio({ name: "", value: 1e308, exact: constant("Infinity"), bound })).toBe(Infinity);
    expect(errorRatio({ name: "", value: -Infinity, exact: constant("Infinity"), bound })).toBe(Infinity);
    expect(errorRatio({ name: "", value: -Infinity, exact: exact(-800), bound })).toBe(Infinity);
  });
  it("measures the error in units of the bound", () => {
    expect(errorRatio({ name: "", value: 1 + 2 ** -40, exact: exact(1), bound })).toBeCloseTo(2 ** -40 / 1e-10, 6);
  });
});
