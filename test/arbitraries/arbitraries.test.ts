import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  betaArbitrary,
  comparisonGraphArbitrary,
  finiteProblemArbitrary,
  logPolicyArbitrary,
  logReferenceArbitrary,
  observationArbitrary,
  partialRankingArbitrary,
  rankingArbitrary,
  rewardArbitrary,
  shiftArbitrary,
} from "../../src/arbitraries/index.js";
import { logSumExp } from "../../src/index.js";
import { expectLuceError } from "../helpers/close.js";

describe("the arbitraries reach the extremes the checks need", () => {
  const problems = fc.sample(finiteProblemArbitrary(), { numRuns: 400, seed: 3 });
  it("|r/β| = 4000, K = 8 responses, π_ref down to 1e-300, rows normalised", () => {
    expect(Math.max(...problems.flatMap((p) => p.reward.flat().map((r) => Math.abs(r / p.beta))))).toBeCloseTo(4000, 6);
    expect(Math.max(...problems.flatMap((p) => p.reward.map((row) => row.length)))).toBe(8);
    expect(Math.min(...problems.flatMap((p) => p.logReference.flat()))).toBeLessThanOrEqual(Math.log(1e-300));
    for (const p of problems) for (const row of p.logReference) expect(Math.abs(logSumExp(row))).toBeLessThan(1e-12);
  });
  it("β is log-uniform within its range and takes the requested sign", () => {
    const betas = fc.sample(betaArbitrary({ min: 0.5, max: 2, sign: -1 }), { numRuns: 200, seed: 1 });
    expect(betas.every((b) => b <= -0.5 && b >= -2)).toBe(true);
  });
  it("graphs are connected or split as asked; shifts depend on x or on y as asked", () => {
    for (const g of fc.sample(comparisonGraphArbitrary(5, { connected: false }), { numRuns: 50, seed: 2 })) {
      const reach = new Set([0]);
      for (let pass = 0; pass < 5; pass++)
        for (const [i, j] of g.edges) if (reach.has(i) || reach.has(j)) reach.add(i).add(j);
      expect(reach.size).toBeLessThan(5);
    }
    for (const f of fc.sample(shiftArbitrary([3, 2]), { numRuns: 50, seed: 2 }))
      expect(f.every((row) => new Set(row).size === 1)).toBe(true);
    for (const f of fc.sample(shiftArbitrary([3, 2], { dependsOn: "response" }), { numRuns: 50, seed: 2 }))
      expect(f.some((row) => new Set(row).size > 1)).toBe(true);
  });
});

describe("bad options name the argument", () => {
  it("every arbitrary checks its input", () => {
    expectLuceError(() => betaArbitrary({ min: 0 }), "options.min");
    expectLuceError(() => betaArbitrary({ min: 2, max: 1 }), "options.max");
    expectLuceError(() => betaArbitrary({ sign: 0 as 1 }), "options.sign");
    expectLuceError(() => logReferenceArbitrary({ responses: 0 }), "options.responses");
    expectLuceError(() => logReferenceArbitrary({ responses: { min: 3, max: 2 } }), "options.responses.max");
    expectLuceError(() => logReferenceArbitrary({ minLogProbability: 1 }), "options.minLogProbability");
    expectLuceError(() => rewardArbitrary(0, 1), "responses");
    expectLuceError(() => rewardArbitrary(2, 0), "beta");
    expectLuceError(() => rewardArbitrary(2, 1, { maxRewardOverBeta: -1 }), "options.maxRewardOverBeta");
    expectLuceError(() => finiteProblemArbitrary({ prompts: 0 }), "options.prompts");
    expectLuceError(() => rankingArbitrary(0), "k");
    expectLuceError(() => partialRankingArbitrary(1.5), "k");
    expectLuceError(() => observationArbitrary(1), "k");
    expectLuceError(() => comparisonGraphArbitrary(1), "k");
    expectLuceError(() => logPolicyArbitrary(0), "k");
    expectLuceError(() => logPolicyArbitrary(2, { supportOf: [-Infinity, -Infinity] }), "options.supportOf");
    expectLuceError(() => shiftArbitrary([0]), "shape[0]");
    expectLuceError(() => shiftArbitrary([1, 1], { dependsOn: "response" }), "shape");
    expectLuceError(() => shiftArbitrary([2], { max: 0 }), "options.max");
  });
});
