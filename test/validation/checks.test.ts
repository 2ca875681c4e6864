import { describe, expect, it } from "vitest";
import { LuceError } from "../../src/errors.js";
import {
  describe as describeValue,
  requireArrayLike,
  requireBoolean,
  requireCount,
  requireOptions,
} from "../../src/validation/checks.js";
import { expectLuceError } from "../helpers/close.js";

describe("requireOptions", () => {
  const known = ["beta", "lossType"] as const;
  it("takes undefined as no options and passes a known subset through", () => {
    expect(requireOptions("f", "options", undefined, known)).toEqual({});
    const given = { beta: 1 };
    expect(requireOptions("f", "options", given, known)).toBe(given);
  });
  it("names a misspelt key and lists the known ones", () => {
    let thrown: unknown;
    try {
      requireOptions("f", "options", { lossTyp: "ipo" }, known);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(LuceError);
    expect((thrown as LuceError).argument).toBe("options.lossTyp");
    expect((thrown as LuceError).message).toContain("known: beta, lossType");
  });
  it("rejects non-objects, arrays, null and Symbol keys", () => {
    for (const bad of [null, 3, "x", [1], true])
      expectLuceError(() => requireOptions("f", "options", bad as never, known), "options", "f");
    expectLuceError(() => requireOptions("f", "options", { [Symbol("s")]: 1 }, known), "options.Symbol(s)", "f");
  });
});

describe("requireArrayLike", () => {
  it("refuses lengths that lie", () => {
    for (const length of [-1, 1.5, Number.NaN, Infinity, 2 ** 32]) {
      expectLuceError(() => requireArrayLike("f", "a", { length }), "a", "f");
    }
    expect(requireArrayLike("f", "a", { length: 0 }).length).toBe(0);
  });
});

describe("requireBoolean and requireCount", () => {
  it("take no truthy stand-ins and honour a maximum", () => {
    for (const bad of ["no", 0, 1, null])
      expectLuceError(() => requireBoolean("f", "options.shift", bad), "options.shift", "f");
    expect(requireBoolean("f", "b", false)).toBe(false);
    expectLuceError(() => requireCount("f", "runs", 2 ** 31, 1, 1e6), "runs", "f");
    expect(requireCount("f", "runs", 1e6, 1, 1e6)).toBe(1e6);
  });
});

describe("messages never throw", () => {
  it("describes Symbols, BigInts and null-prototype objects", () => {
    expect(describeValue(Symbol("s"))).toBe("symbol");
    expect(describeValue(5n)).toBe("the BigInt 5n");
    expect(describeValue(Object.create(null))).toBe("object");
    const e = new LuceError(Symbol("f") as never, Object.create(null), "bad");
    expect(e.message).toContain("Symbol(f)");
  });
});
