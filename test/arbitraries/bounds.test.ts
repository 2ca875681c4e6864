// Every public arbitrary stays within its stated range over many draws, refuses sizes it could not
// draw, and checks its options.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  betaArbitrary,
  comparisonGraphArbitrary,
  equivalentRewardsArbitrary,
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

const MANY = 20_000;
const draw = <T>(arb: fc.Arbitrary<T>, numRuns = MANY) => fc.sample(arb, { numRuns, seed: 20231129 });

describe("betaArbitrary never leaves [min, max]", () => {
  it.each([
    [{}, 1e-2, 1e2],
    [{ max: 10 }, 1e-2, 10],
    [{ min: 0.3, max: 0.7 }, 0.3, 0.7],
    [{ min: 1e-300, max: 1e300 }, 1e-300, 1e300],
    [{ min: 2, max: 2 }, 2, 2],
  ])("%j", (options, min, max) => {
    for (const sign of [1, -1] as const) {
      const betas = draw(betaArbitrary({ ...options, sign }));
      const outside = betas.filter((b) => !(sign * b >= min && sign * b <= max));
      expect(outside).toEqual([]);
    }
  });
});

describe("the problem arbitraries keep their ranges", () => {
  it("rewardArbitrary: |r| ≤ maxRewardOverBeta·|β| and the requested length", () => {
    for (const [beta, limit] of [
      [0.1, 4000],
      [-3, 7],
      [1e-300, 1e300],
    ]) {
      for (const row of draw(rewardArbitrary(3, beta, { maxRewardOverBeta: limit }), 2000)) {
        expect(row.length).toBe(3);
        for (const r of row) expect(Math.abs(r) <= limit * Math.abs(beta)).toBe(true);
      }
    }
  });
  it("logReferenceArbitrary: responses in range, normalised, ≤ 0, −Infinity only with zeros", () => {
    for (const zeros of [false, true]) {
      for (const row of draw(logReferenceArbitrary({ responses: { min: 1, max: 5 }, zeros }), 4000)) {
        expect(row.length >= 1 && row.length <= 5).toBe(true);
        expect(Math.abs(logSumExp(row))).toBeLessThan(1e-12);
        expect(row.every((v) => v <= 0 && !Number.isNaN(v))).toBe(true);
        if (!zeros) expect(row.every(Number.isFinite)).toBe(true);
      }
    }
  });
  it("finiteProblemArbitrary: prompts, responses and β in their ranges", () => {
    const options = { prompts: { min: 2, max: 4 }, responses: 3, min: 0.5, max: 2, maxRewardOverBeta: 10 };
    for (const p of draw(finiteProblemArbitrary(options), 2000)) {
      expect(p.beta >= 0.5 && p.beta <= 2).toBe(true);
      expect(p.reward.length >= 2 && p.reward.length <= 4).toBe(true);
      expect(p.reward.every((row, x) => row.length === 3 && p.logReference[x].length === 3)).toBe(true);
      expect(p.reward.flat().every((r) => Math.abs(r) <= 10 * p.beta)).toBe(true);
    }
  });
  it("logPolicyArbitrary: normalised, zero where the support is", () => {
    const support = [0, -Infinity, -1];
    for (const row of draw(logPolicyArbitrary(3, { supportOf: support }), 4000)) {
      expect(Math.abs(logSumExp(row))).toBeLessThan(1e-12);
      expect(row[1]).toBe(-Infinity);
      expect(row.every((v) => v <= 0)).toBe(true);
    }
  });
});

describe("shifts stay within ±max", () => {
  it.each([
    [{ max: 0.003, dyadic: true }],
    [{ max: 0.5 }],
    [{ max: 1e3 }],
    [{ max: 2, dependsOn: "response" as const }],
  ])("%j", (options) => {
    for (const rows of draw(shiftArbitrary([2, 3], options), 4000))
      for (const v of rows.flat()) expect(Math.abs(v) <= options.max).toBe(true);
  });
  it("equivalentRewardsArbitrary: shifted = reward + shift, within max", () => {
    for (const { problem, shift, shifted } of draw(
      equivalentRewardsArbitrary(finiteProblemArbitrary(), { max: 5 }),
      500,
    ))
      shifted.forEach((row, x) => row.forEach((v, y) => expect(v).toBe(problem.reward[x][y] + shift[x][y])));
  });
});

describe("rankings, observations and graphs", () => {
  it("rankings are permutations, partial rankings distinct prefixes, observations in range", () => {
    for (const r of draw(rankingArbitrary(5), 2000)) expect([...r].sort()).toEqual([0, 1, 2, 3, 4]);
    for (const r of draw(partialRankingArbitrary(5), 2000)) {
      expect(new Set(r).size).toBe(r.length);
      expect(r.length >= 1 && r.length <= 5 && r.every((i) => i >= 0 && i < 5)).toBe(true);
    }
    for (const o of draw(observationArbitrary(4), 2000)) {
      const items = JSON.stringify(o).match(/\d+/g)?.map(Number) ?? [];
      expect(items.every((i) => i < 4)).toBe(true);
    }
  });
  it("graphs: weights positive and summing to 1, no self-loops, connectivity as asked", () => {
    for (const connected of [true, false]) {
      for (const g of draw(comparisonGraphArbitrary(6, { connected }), 2000)) {
        const total = g.edges.reduce((a, e) => a + e[2], 0);
        if (g.edges.length > 0) expect(Math.abs(total - 1)).toBeLessThan(1e-12);
        for (const [i, j, w] of g.edges) expect(i !== j && i < 6 && j < 6 && w > 0).toBe(true);
        expect(components(g.size, g.edges)).toBe(connected ? 1 : components(g.size, g.edges));
        if (!connected) expect(components(g.size, g.edges)).toBeGreaterThanOrEqual(2);
      }
    }
  });
  it("large graphs are drawn without spreading data-sized argument lists", () => {
    const [g] = draw(comparisonGraphArbitrary(200_000), 1);
    expect(components(g.size, g.edges)).toBe(1);
    const [h] = draw(comparisonGraphArbitrary(500, { connected: false }), 1);
    expect(components(h.size, h.edges)).toBeGreaterThanOrEqual(2);
  });
});

/** Connected components of an undirected graph (union–find). */
function components(n: number, edges: [number, number, number][]): number {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (const [i, j] of edges) parent[find(i)] = find(j);
  let count = 0;
  for (let i = 0; i < n; i++) if (find(i) === i) count++;
  return count;
}

describe("sizes an arbitrary could not draw are refused at once", () => {
  it("2^31 responses, prompts, vertices or shape rows", () => {
    expectLuceError(() => comparisonGraphArbitrary(2 ** 31), "k", "comparisonGraphArbitrary");
    expectLuceError(() => rankingArbitrary(2 ** 31), "k", "rankingArbitrary");
    expectLuceError(() => partialRankingArbitrary(2 ** 31), "k", "partialRankingArbitrary");
    expectLuceError(() => observationArbitrary(2 ** 31), "k", "observationArbitrary");
    expectLuceError(() => rewardArbitrary(2 ** 31, 1), "responses", "rewardArbitrary");
    expectLuceError(() => logPolicyArbitrary(2 ** 31), "k", "logPolicyArbitrary");
    expectLuceError(() => finiteProblemArbitrary({ prompts: 2 ** 31 }), "options.prompts", "finiteProblemArbitrary");
    expectLuceError(
      () => finiteProblemArbitrary({ prompts: 1e5, responses: 1e5 }),
      "options",
      "finiteProblemArbitrary",
    );
    expectLuceError(() => logReferenceArbitrary({ responses: 2 ** 31 }), "options.responses", "logReferenceArbitrary");
    expectLuceError(() => shiftArbitrary([2 ** 31]), "shape[0]", "shiftArbitrary");
    expectLuceError(() => shiftArbitrary({ length: 2 ** 31 } as never), "shape.length", "shiftArbitrary");
    expectLuceError(() => shiftArbitrary({ length: 1e10 } as never), "shape", "shiftArbitrary");
  });
  it("a shape whose entry changes between reads is read once", () => {
    let reads = 0;
    const shape = new Proxy([2, 3], { get: (t, k) => (k === "0" ? (reads++ === 0 ? 2 : 2 ** 40) : Reflect.get(t, k)) });
    const [rows] = draw(shiftArbitrary(shape), 1);
    expect(rows.map((row) => row.length)).toEqual([2, 3]);
  });
});

describe("arbitrary options: null, unknown keys and wrong types are LuceErrors naming the arbitrary", () => {
  const cases: [string, (options: never) => unknown, string][] = [
    ["betaArbitrary", (o) => betaArbitrary(o), "mx"],
    ["logReferenceArbitrary", (o) => logReferenceArbitrary(o), "response"],
    ["rewardArbitrary", (o) => rewardArbitrary(2, 1, o), "maxReward"],
    ["finiteProblemArbitrary", (o) => finiteProblemArbitrary(o), "prompt"],
    ["shiftArbitrary", (o) => shiftArbitrary([2], o), "depends"],
    ["equivalentRewardsArbitrary", (o) => equivalentRewardsArbitrary(finiteProblemArbitrary(), o), "dyadc"],
    ["logPolicyArbitrary", (o) => logPolicyArbitrary(2, o), "support"],
    ["comparisonGraphArbitrary", (o) => comparisonGraphArbitrary(3, o), "conected"],
  ];
  it.each(cases)("%s", (fn, make, typo) => {
    expectLuceError(() => make(null as never), "options", fn);
    expectLuceError(() => make({ [typo]: 1 } as never), `options.${typo}`, fn);
  });
  it("wrong types", () => {
    expectLuceError(() => comparisonGraphArbitrary(3, { connected: "no" as never }), "options.connected");
    expectLuceError(() => logReferenceArbitrary({ zeros: 1 as never }), "options.zeros");
    expectLuceError(() => shiftArbitrary([2], { dependsOn: "x" as never }), "options.dependsOn");
    expectLuceError(() => shiftArbitrary([2], { dyadic: "yes" as never }), "options.dyadic");
    expectLuceError(() => equivalentRewardsArbitrary(null as never), "problem", "equivalentRewardsArbitrary");
    expectLuceError(
      () => equivalentRewardsArbitrary(finiteProblemArbitrary(), { max: -1 }),
      "options.max",
      "equivalentRewardsArbitrary",
    );
    expectLuceError(() => logPolicyArbitrary(2, { supportOf: [0.5, 0] }), "options.supportOf[0]");
  });
});
