import { describe, expect, it } from "vitest";
import { comparisonFactors } from "../../src/inference/factors.js";
import { evaluateGroups } from "../../src/inference/groups.js";

// Reference: each comparison's terms written out with one exponential each, σ(d) = 1 / (1 + e^(−d)), summed in
// order; the evaluation under test takes e^(−|d|) as a ratio of the items' e^θ while every |θ| ≤ 300 and with one
// exponential per comparison beyond. Both must give the log-likelihood, gradient and curvatures to rounding.
function reference(winners: number[], losers: number[], theta: Float64Array) {
  const gradient = new Float64Array(theta.length);
  const curvature: number[] = [];
  let logLikelihood = 0;
  winners.forEach((w, c) => {
    const d = theta[w] - theta[losers[c]];
    const lose = 1 / (1 + Math.exp(d)); // σ(−d)
    const win = 1 / (1 + Math.exp(-d)); // σ(d)
    gradient[w] += lose;
    gradient[losers[c]] -= lose;
    curvature.push(win * lose);
    logLikelihood += Math.log(win);
  });
  return { gradient, curvature, logLikelihood };
}

describe("pairwise evaluation", () => {
  const nItems = 6;
  const winners = [0, 1, 2, 3, 4, 5, 0, 2, 4, 1, 3, 5, 5, 0];
  const losers = [1, 2, 3, 4, 5, 0, 3, 5, 1, 4, 0, 2, 1, 4];
  const factors = comparisonFactors(
    "test",
    winners.map((w, c) => [w, losers[c]]),
    nItems,
  );
  it.each([
    ["within the ratio's range", [0.3, -1.2, 2.5, -0.7, 40, -41]],
    ["at its edge", [300, -300, 120, -120, 0.5, -0.5]],
    ["past it (one exponential per comparison)", [30, -301, 2, -2, 0, 0.25]],
  ])("%s", (_, values) => {
    const theta = Float64Array.from(values);
    const got = evaluateGroups(factors, theta);
    const want = reference(winners, losers, theta);
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-14 * Math.max(1, Math.abs(b));
    for (let i = 0; i < nItems; i++) expect(close(got.gradient[i], want.gradient[i]), `gradient ${i}`).toBe(true);
    want.curvature.forEach((v, c) =>
      expect(Math.abs(got.curvature[c] - v) <= 1e-14 * v, `curvature ${c}: ${got.curvature[c]} vs ${v}`).toBe(true),
    );
    expect(close(got.logLikelihood, want.logLikelihood)).toBe(true);
  });
});
