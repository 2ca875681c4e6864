import { describe, expect, it } from "vitest";
import { checkOwnFunctions, ownFunctionOracles } from "../../src/proofs/oracles/index.js";
import { errorRatio } from "../../src/proofs/oracles/oracle.js";
import { constant, exact } from "../../src/proofs/precise.js";

const seed = Number(process.env.LUCE_SEED ?? 42);

describe("luce's own functions against 50-digit oracles", () => {
  const reports = checkOwnFunctions({ runs: 100, seed });
  for (const r of reports) {
    it(`${r.name} is within its documented bound`, () => {
      expect(r.instances).toBe(100);
      expect(r.comparisons).toBeGreaterThanOrEqual(100);
      expect(r.counterexample, r.counterexample).toBeUndefined();
      expect(r.held).toBe(true);
    });
  }
  it("covers the public numerics, theory and ranking functions", () => {
    expect(ownFunctionOracles().map((o) => o.name)).toEqual(reports.map((r) => r.name));
    expect(reports.length).toBeGreaterThanOrEqual(24);
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
