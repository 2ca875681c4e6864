import { describe, expect, it } from "vitest";
import { test as fcTest, fc } from "@fast-check/vitest";
import fixtures from "../fixtures/numerics.json" with { type: "json" };
import {
  log1mExp,
  log1pExp,
  logDiffExp,
  logSigmoid,
  logSumExp,
  sigmoid,
  softplus,
  suffixLogSumExp,
} from "../../src/index.js";
import { EPS, expectClose, expectLuceError, num } from "../helpers/close.js";

// Bounds: each primitive is a few correctly rounded operations (exp, log1p, one add), so 4 EPS
// relative covers it; where the result crosses zero the bound is absolute, 4 EPS times the size
// of the cancelling terms (stated per case below).
const REL = 4 * EPS;

describe("logSigmoid and log1pExp against 60-digit references", () => {
  it.each(fixtures.logSigmoid)("logSigmoid(%s)", (x, ref) => {
    expectClose(logSigmoid(num(x)), num(ref), { rel: REL });
  });
  it.each(fixtures.log1pExp)("log1pExp(%s)", (x, ref) => {
    expectClose(log1pExp(num(x)), num(ref), { rel: REL });
    expectClose(softplus(num(x)), num(ref), { rel: REL });
  });
  it("keeps the documented extremes", () => {
    expect(logSigmoid(-1e4)).toBe(-1e4);
    expectClose(logSigmoid(40), -4.248354255291589e-18, { rel: REL });
    expect(logSigmoid(Infinity)).toBe(-0);
    expect(logSigmoid(-Infinity)).toBe(-Infinity);
    expect(log1pExp(-Infinity)).toBe(0);
  });
});

describe("log1mExp and logDiffExp", () => {
  it.each(fixtures.log1mExp)("log1mExp(%s)", (a, ref) => {
    expectClose(log1mExp(num(a)), num(ref), { rel: REL });
  });
  it.each(fixtures.logDiffExp)("logDiffExp(%s, %s)", (a, b, ref) => {
    const expected = num(ref);
    // crosses zero when a > 0: absolute bound 4 EPS (|a| + |log1mExp(b − a)|)
    const abs = 4 * EPS * (Math.abs(num(a)) + Math.abs(expected - num(a)));
    expectClose(logDiffExp(num(a), num(b)), expected, { rel: REL, abs });
  });
  it("handles the edges", () => {
    expect(log1mExp(0)).toBe(-Infinity);
    expect(log1mExp(-Infinity) === 0).toBe(true); // -0: log1p(-0)
    expect(logDiffExp(2, 2)).toBe(-Infinity);
    expect(logDiffExp(2, -Infinity)).toBe(2);
  });
});

describe("logSumExp and suffixLogSumExp", () => {
  const bound = (xs: number[], ref: number) => {
    // crosses zero when the max is negative and the tail positive: absolute bound from the terms
    const m = Math.max(...xs);
    return { rel: (8 + xs.length) * EPS, abs: 8 * EPS * (Math.abs(m) + Math.abs(ref - m)) };
  };
  it.each(fixtures.logSumExp.map((c, i) => [i, c[0], c[1]] as const))("case %i", (_i, xs, ref) => {
    const values = (xs as (number | string)[]).map(num);
    expectClose(logSumExp(values), num(ref as string), bound(values, num(ref as string)));
    expectClose(logSumExp(Float64Array.from(values)), num(ref as string), bound(values, num(ref as string)));
  });
  it.each(fixtures.suffixLogSumExp.map((c, i) => [i, c[0], c[1]] as const))("suffix case %i", (_i, xs, refs) => {
    const values = (xs as (number | string)[]).map(num);
    const out = suffixLogSumExp(values);
    expect(out).toBeInstanceOf(Float64Array);
    (refs as string[]).forEach((r, i) => expectClose(out[i], num(r), bound(values.slice(i), num(r)), `entry ${i}`));
  });
  it("keeps the tail of [0, -120] (ListMLE in float32 gives 97 and -inf)", () => {
    const out = suffixLogSumExp([0, -120]);
    expectClose(out[0], Math.log1p(Math.exp(-120)), { rel: REL });
    expect(out[0]).toBeGreaterThan(7.6e-53);
    expect(out[1]).toBe(-120);
  });
  it("returns -Infinity for an empty sum", () => {
    expect(logSumExp([])).toBe(-Infinity);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
    expect(Array.from(suffixLogSumExp([-Infinity, 0]))).toEqual([0, 0]);
  });
  fcTest.prop([fc.array(fc.double({ min: -700, max: 700, noNaN: true }), { minLength: 1, maxLength: 20 })])(
    "matches the naive sum where the naive sum is safe",
    (xs) => {
      const naive = Math.log(xs.reduce((a, x) => a + Math.exp(x), 0));
      const scale = xs.reduce((a, x) => a + Math.abs(x), 0);
      expectClose(logSumExp(xs), naive, { rel: 1e-13, abs: 1e-13 * (scale + 1) });
    },
  );
  fcTest.prop([
    fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 20 }),
    fc.double({ min: -1e4, max: 1e4, noNaN: true }),
  ])("shifting every term shifts the result (up to rounding of the shifted inputs)", (xs, c) => {
    const shifted = logSumExp(xs.map((x) => x + c));
    const scale = Math.max(...xs.map(Math.abs)) + Math.abs(c);
    expectClose(shifted, logSumExp(xs) + c, { abs: 16 * EPS * scale + 8 * EPS * Math.log(xs.length + 1) });
  });
});

describe("sigmoid", () => {
  it("is accurate in both tails", () => {
    expect(sigmoid(0)).toBe(0.5);
    expectClose(sigmoid(-700), Math.exp(-700) / (1 + Math.exp(-700)), { rel: REL });
    expectClose(sigmoid(40), 1 - Math.exp(-40), { rel: REL });
    expect(sigmoid(-Infinity)).toBe(0);
    expect(sigmoid(Infinity)).toBe(1);
  });
});

describe("bad input", () => {
  it("names the argument", () => {
    expectLuceError(() => logSigmoid(Number.NaN), "x");
    expectLuceError(() => sigmoid(Number.NaN), "x");
    expectLuceError(() => log1pExp(Number.NaN), "x");
    expectLuceError(() => softplus(Number.NaN), "x");
    expectLuceError(() => log1mExp(0.1), "a");
    expectLuceError(() => log1mExp(Number.NaN), "a");
    expectLuceError(() => logDiffExp(0, 1), "b");
    expectLuceError(() => logDiffExp(Number.NaN, 1), "a");
    expectLuceError(() => logDiffExp(Infinity, 1), "a");
    expectLuceError(() => logSumExp([0, Number.NaN]), "values[1]");
    expectLuceError(() => logSumExp([Infinity]), "values[0]");
    expectLuceError(() => logSumExp(null as unknown as number[]), "values");
    expectLuceError(() => suffixLogSumExp([1, Infinity]), "values[1]");
    expectLuceError(() => suffixLogSumExp("abc" as unknown as number[]), "values");
  });
});
