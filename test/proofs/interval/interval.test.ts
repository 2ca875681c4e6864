import { readFileSync } from "node:fs";
import { Decimal } from "decimal.js";
import { describe, expect, test } from "vitest";
import {
  add,
  div,
  exp,
  expm1,
  fromDouble,
  ln,
  log1mExp,
  log1p,
  logSigmoid,
  logSumExp,
  mul,
  sigmoid,
  sigmoidSlope,
  softplus,
  sub,
  WORKING_DIGITS,
  type Interval,
} from "../../../src/proofs/interval/index.js";

/** 200-digit mpmath references (test/fixtures/interval_reference.py), written with 100 significant digits. */
const fixture = JSON.parse(
  readFileSync(new URL("../../fixtures/interval_reference.json", import.meta.url), "utf8"),
) as {
  digits: number;
  cases: { op: string; args: number[]; value: string }[];
};

const High = Decimal.clone({ precision: 300 });

const unary: Record<string, (a: Interval) => Interval> = {
  exp,
  expm1,
  ln,
  log1p,
  sigmoid,
  sigmoidSlope,
  softplus,
  logSigmoid,
  log1mExp,
};
const binary: Record<string, (a: Interval, b: Interval) => Interval> = { add, sub, mul, div };

function evaluate(op: string, args: number[]): Interval {
  if (op === "logSumExp") return logSumExp(args.map(fromDouble));
  if (op in binary) return binary[op](fromDouble(args[0]), fromDouble(args[1]));
  return unary[op](fromDouble(args[0]));
}

/**
 * A few units of the working precision's last digit: each function rounds its result outward once, and the composed
 * ones (softplus through log1p of exp, log-sum-exp) pass through two or three such roundings of well-conditioned steps.
 */
const FEW_ULP = 10;

/**
 * The magnitude the width is measured against: the result, and for sums that cancel (a + b, a − b, log-sum-exp near 0)
 * the terms that cancel, whose rounding to the working precision the exact result cannot undo.
 */
function scale(op: string, args: number[], value: Decimal): Decimal {
  const terms = op === "add" || op === "sub" ? args : op === "logSumExp" ? [Math.max(...args)] : [];
  return terms.reduce((s, x) => s.plus(new High(x).abs()), value.abs());
}

describe("interval operations against 200-digit mpmath values", () => {
  const byOp = new Map<string, typeof fixture.cases>();
  for (const c of fixture.cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);
  test.each([...byOp.keys()])("%s: each enclosure contains the reference and is a few ulp wide", (op) => {
    const cases = byOp.get(op)!;
    expect(cases.length).toBeGreaterThan(5);
    for (const { args, value } of cases) {
      const reference = new High(value);
      // the reference's own rounding: half a unit of its 100th digit
      const slack = reference.abs().times(new High(10).pow(1 - fixture.digits));
      const e = evaluate(op, args);
      const where = `${op}(${args.join(", ")}) = ${value.slice(0, 30)}…, enclosure [${e.lo.toExponential(20)}, ${e.hi.toExponential(20)}]`;
      expect(e.lo.lte(reference.plus(slack)), where).toBe(true);
      expect(e.hi.gte(reference.minus(slack)), where).toBe(true);
      const ulp = new High(10).pow(1 - WORKING_DIGITS).times(scale(op, args, reference));
      const width = new High(e.hi).minus(e.lo);
      expect(width.lte(ulp.times(FEW_ULP)), `${where}: width ${width.toExponential(3)}`).toBe(true);
    }
  });
});

describe("interval operations on intervals", () => {
  test("a monotone function of a wide interval encloses its enclosures at both ends", () => {
    const a = { lo: new Decimal(-3), hi: new Decimal(2) };
    const e = exp(a);
    expect(e.lo.lte(exp(fromDouble(-3)).lo) && e.hi.gte(exp(fromDouble(2)).hi)).toBe(true);
    expect(e.hi.minus(e.lo).gt(7)).toBe(true);
    // log(1 − e^a) decreases: its bounds come from the opposite ends
    const l = log1mExp({ lo: new Decimal(-5), hi: new Decimal(-0.5) });
    expect(l.lo.lte(log1mExp(fromDouble(-0.5)).lo) && l.hi.gte(log1mExp(fromDouble(-5)).hi)).toBe(true);
  });
  test("products and quotients of intervals of mixed signs take the extreme endpoint products", () => {
    const a = { lo: new Decimal(-2), hi: new Decimal(3) };
    const b = { lo: new Decimal(-5), hi: new Decimal(4) };
    const p = mul(a, b);
    expect([p.lo.toNumber(), p.hi.toNumber()]).toEqual([-15, 12]);
    expect(() => div(a, b)).toThrow(RangeError);
  });
  test("the logistic's slope over an interval: its largest value at the point nearest 0, its least at the farthest", () => {
    const straddling = sigmoidSlope({ lo: new Decimal(-3), hi: new Decimal(2) });
    // σ′(0) = 1/4 exactly; σ′(3) = e^{−3}/(1 + e^{−3})² = 0.04517665973091213…
    expect(straddling.lo.lte("0.0451766597309122") && straddling.lo.gte("0.0451766597309121")).toBe(true);
    expect(straddling.hi.gte(0.25) && straddling.hi.lte("0.2500000000001")).toBe(true);
    const positive = sigmoidSlope({ lo: new Decimal(1), hi: new Decimal(2) });
    expect(positive.lo.lte(sigmoidSlope(fromDouble(2)).lo) && positive.hi.gte(sigmoidSlope(fromDouble(1)).hi)).toBe(
      true,
    );
    expect(positive.hi.lt(0.25)).toBe(true);
  });
  test("a log-sum-exp of zero terms only is the log of zero", () => {
    const e = logSumExp([fromDouble(-Infinity), fromDouble(-Infinity)]);
    expect(e.lo.eq(-Infinity) && e.hi.eq(-Infinity)).toBe(true);
  });
});
