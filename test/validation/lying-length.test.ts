import { describe, expect, it } from "vitest";
import { dpoLoss, logOptimalPolicy, logSumExp } from "../../src/index.js";
import { requireArrayLike, requireFiniteArray } from "../../src/validation/checks.js";
import { expectLuceError } from "../helpers/close.js";

// An array-like whose length claims entries it does not have is refused before anything is sized by
// that length: a copy of 2^32 − 1 doubles (32 GiB) cannot be allocated, and a smaller one would be
// gigabytes spent on an input that is wrong at its first entry.
describe("a length without the entries it claims", () => {
  const LARGEST = 2 ** 32 - 1;
  it("is a LuceError naming the last entry it claims", () => {
    expectLuceError(() => requireFiniteArray("f", "a", { length: LARGEST }), `a[${LARGEST - 1}]`, "f");
    expectLuceError(() => requireFiniteArray("f", "a", { length: 3, 0: 1, 1: 2 }), "a[2]", "f");
  });
  it("from the public functions that copy their input, not a RangeError from the allocation", () => {
    expectLuceError(() => logSumExp({ length: LARGEST } as never), `values[${LARGEST - 1}]`, "logSumExp");
    expectLuceError(
      () =>
        dpoLoss(
          {
            policyChosenLogps: { length: LARGEST } as never,
            policyRejectedLogps: [-1],
            referenceChosenLogps: [-1],
            referenceRejectedLogps: [-1],
          },
          { beta: 1 },
        ),
      `inputs.policyChosenLogps[${LARGEST - 1}]`,
      "dpoLoss",
    );
    expectLuceError(
      () => logOptimalPolicy([{ length: LARGEST } as never], [[0.5, 0.5]], 1),
      `reward[0][${LARGEST - 1}]`,
      "logOptimalPolicy",
    );
  });
  it("arrays, typed arrays and array-likes with every entry pass, an empty one too", () => {
    expect(requireArrayLike("f", "a", [1, 2]).length).toBe(2);
    expect(requireArrayLike("f", "a", new Float32Array(3)).length).toBe(3);
    expect(requireArrayLike("f", "a", { length: 2, 0: 1, 1: 2 }).length).toBe(2);
    expect(requireArrayLike("f", "a", { length: 0 }).length).toBe(0);
    expect(logSumExp([0, 0])).toBe(Math.LN2);
  });
});
