import { describe, expect, it } from "vitest";
import { logSumExp, suffixLogSumExp } from "../../src/index.js";
import { expectLuceError } from "../helpers/close.js";

/** An array whose entry `at` answers `first` on its first read and NaN on every later one. */
function changingAt(values: number[], at: number): number[] {
  let reads = 0;
  return new Proxy(values, {
    get: (t, k) => (k === String(at) ? (reads++ === 0 ? values[at] : Number.NaN) : Reflect.get(t, k)),
  });
}

describe("numerics read each input once", () => {
  it("logSumExp of [1, 2, 3] is log(e + e² + e³) even when entry 0 turns NaN after validation", () => {
    expect(logSumExp(changingAt([1, 2, 3], 0))).toBe(logSumExp([1, 2, 3]));
  });
  it("suffixLogSumExp computes on the values it validated", () => {
    expect(Array.from(suffixLogSumExp(changingAt([0, -120], 1)))).toEqual(Array.from(suffixLogSumExp([0, -120])));
  });
  it("array-likes with lying lengths are LuceErrors, not -Infinity or a RangeError", () => {
    for (const length of [-1, 1e10, Infinity, Number.NaN, 1.5]) {
      expectLuceError(() => logSumExp({ length } as never), "values", "logSumExp");
      expectLuceError(() => suffixLogSumExp({ length } as never), "values", "suffixLogSumExp");
    }
  });
  it("null, strings and booleans are not coerced to numbers", () => {
    for (const bad of [null, "", "1", true, [], undefined]) {
      expectLuceError(() => logSumExp([0, bad as never]), "values[1]", "logSumExp");
    }
  });
});
