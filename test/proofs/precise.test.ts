import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  constant,
  preciseExpm1,
  preciseLog1p,
  preciseLogSumExp,
  precisePlackettLuce,
  type Precise,
} from "../../src/proofs/precise.js";

// 80-digit mpmath references from test/fixtures/precise_reference.py (npm run fixtures)
const fixture = JSON.parse(readFileSync(new URL("../fixtures/precise.json", import.meta.url), "utf8")) as {
  log1p: [string, string][];
  expm1: [string, string][];
  logSumExp: [string[], string][];
  plackettLuce: { scores: string[]; ranked: number[]; unranked: number[]; value: string }[];
};

/** A 50-digit result is correctly rounded to within a few units of 1e−50: allow 1e−48 relative. */
const RELATIVE = constant("1e-48");

function expectClose(value: Precise, expected: string, scale: Precise = constant(expected).abs()) {
  const error = value.minus(constant(expected)).abs();
  expect(error.lte(scale.times(RELATIVE)), `${value.toString()} vs ${expected}`).toBe(true);
}

describe("the 50-digit helpers against mpmath at 80 digits", () => {
  it.each(fixture.log1p)("log(1 + %s)", (u, expected) => expectClose(preciseLog1p(constant(u)), expected));
  it.each(fixture.expm1)("e^%s − 1", (u, expected) => expectClose(preciseExpm1(constant(u)), expected));
  it.each(fixture.logSumExp)("log-sum-exp of %j", (xs, expected) => {
    const terms = xs.map((x) => constant(x));
    // where the result cancels (two terms of −log 2) its error is 1e−50 of the terms that cancel, not of itself
    const scale = terms.reduce((m, x) => (x.isFinite() && x.abs().gt(m) ? x.abs() : m), constant(expected).abs());
    expectClose(preciseLogSumExp(terms), expected, scale);
  });
  it.each(fixture.plackettLuce)("Plackett–Luce log-probability of $ranked given $scores", (c) => {
    const value = precisePlackettLuce(
      c.scores.map((x) => constant(x)),
      c.ranked,
      c.unranked,
    );
    expectClose(value, c.value);
  });
  it("keeps a tail below 1e−50 of the largest term", () => {
    // log(1 + e^{−200}) = e^{−200}: rounding 1 + e^{−200} to 50 digits first would give 0
    expect(preciseLogSumExp([constant(0), constant(-200)]).gt(0)).toBe(true);
  });
});
