import { describe, expect, it } from "vitest";
import { logFactorial, logFactorialRatio } from "../../src/numerics/log-factorial.js";
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

describe("logFactorialRatio", () => {
  /** ln(a!/b!) as the compensated sum of ln i over i between them: each ln i within half an ulp. */
  function referenceRatio(a: number, b: number): number {
    const sum = new NeumaierSum();
    for (let i = Math.min(a, b) + 1; i <= Math.max(a, b); i++) sum.add(Math.log(i));
    return a >= b ? sum.value() : -sum.value();
  }

  it("is ln(a!/b!) to a few ulp of |a − b| ln max(a, b), however large a and b, far and near the table's end", () => {
    // the reference's error is below EPS·|a − b|·ln max/2; the ratio's, from a log1p and a logarithm each scaled by
    // at most |a − b|(ln max + 1), a few times that; below the table's end, a few ulp of the table's ln 255!
    const tableTop = referenceRatio(255, 0);
    const cases: [number, number][] = [
      [0, 0],
      [5, 3],
      [3, 5],
      [255, 200],
      [256, 255],
      [300, 100],
      [100, 300],
      [257, 256],
      [70_000, 69_000],
      [1e6, 1e6 + 31],
      [5e6, 5e6 - 8_000],
      [1e7, 1e7 - 1],
      [1e7 - 20_000, 1e7],
      [1e8, 1e8 - 40_000],
      [3e8 + 7, 3e8 - 50_003],
    ];
    for (const [a, b] of cases) {
      const reference = referenceRatio(a, b);
      const scale = Math.abs(a - b) * (Math.log(Math.max(a, b, 1)) + 1) + (Math.min(a, b) < 256 ? tableTop : 0);
      expect(Math.abs(logFactorialRatio(a, b) - reference)).toBeLessThanOrEqual(8 * EPS * scale);
    }
  });
});
