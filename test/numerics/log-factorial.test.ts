import { describe, expect, it } from "vitest";
import { logFactorial } from "../../src/numerics/log-factorial.js";
import { NeumaierSum } from "../../src/numerics/sum.js";

const EPS = Number.EPSILON;

describe("logFactorial", () => {
  it("equals the compensated sum Σ ln i to a few ulp, on both sides of the switch to Stirling's series", () => {
    // the reference's own error: each ln i within half an ulp, ≤ EPS·ln i/2 each, so ≤ EPS·k·ln k/2 summed, which
    // is below 2·EPS·ln k! for k ≥ 8 (ln k! ≥ k ln k/2 there); Stirling's series adds a few ulp of ln k!
    const sum = new NeumaierSum();
    const checkpoints = new Set([0, 1, 2, 7, 8, 100, 255, 256, 257, 1000, 4096, 65_537, 400_000, 1_000_000]);
    for (let k = 0; k <= 1_000_000; k++) {
      if (k >= 2) sum.add(Math.log(k));
      if (k <= 5000 || checkpoints.has(k)) {
        const reference = sum.value();
        const error = Math.abs(logFactorial(k) - reference);
        expect(error).toBeLessThanOrEqual(6 * EPS * Math.max(reference, 1));
      }
    }
  });

  it("is exact at 0 and 1 and ln 2 at 2", () => {
    expect(logFactorial(0)).toBe(0);
    expect(logFactorial(1)).toBe(0);
    expect(logFactorial(2)).toBe(Math.log(2));
  });
});
