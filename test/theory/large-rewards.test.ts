import { describe, expect, it } from "vitest";
import { logOptimalPolicy, logPartition, logSpace, optimalPolicy, projectReward } from "../../src/index.js";
import { EPS, expectClose } from "../helpers/close.js";

// Where r/β is large but finite (|r/β| beyond 2^53 |log π_ref|), log π_ref(y) + r(y)/β rounds to r(y)/β
// and π_ref drops out. The optimal policy depends on r only through differences r(y) − r(y′), so the
// expected values below are closed forms in those differences: equal rewards give π_r = π_ref at
// every β, and log π_r(y) = a_y − log Σ e^{a} with a_y = log π_ref(y) + (r(y) − r*)/β.
const REFERENCE = [0.78, 0.22];

describe("large finite r/β: π_ref is not rounded away", () => {
  it.each([
    [1, 1e-200],
    [1e15, 1],
    [1e200, 1],
    [-3, 1e-300],
  ])("equal rewards %d at β = %d give π_r = π_ref", (reward, beta) => {
    const [row] = logOptimalPolicy([[reward, reward]], [REFERENCE], beta);
    // log π_ref to within a few roundings of terms of size ≤ 2
    expectClose(row[0], Math.log(REFERENCE[0]), { abs: 8 * EPS }, "log π_r(0)");
    expectClose(row[1], Math.log(REFERENCE[1]), { abs: 8 * EPS }, "log π_r(1)");
    const [p] = optimalPolicy([[reward, reward]], [REFERENCE], beta);
    expectClose(p[0], REFERENCE[0], { rel: 8 * EPS }, "π_r(0)");
    expectClose(p[1], REFERENCE[1], { rel: 8 * EPS }, "π_r(1)");
  });

  it("the rewards tied for best share the mass in proportion to π_ref as β → 0", () => {
    const reference = [0.42, 0.34, 0.24];
    const [row] = logOptimalPolicy([[3.7, -0.66, 3.7]], [reference], 1e-200);
    expectClose(row[0], Math.log(0.42 / 0.66), { abs: 8 * EPS });
    expectClose(row[2], Math.log(0.24 / 0.66), { abs: 8 * EPS });
    expect(row[1]).toBeLessThan(-1e200);
  });

  it("a reward half a unit below another at 1e15: log π_r from the difference", () => {
    const [row] = logOptimalPolicy([[1e15, 1e15 - 0.5]], [REFERENCE], 1);
    const a = [Math.log(REFERENCE[0]), Math.log(REFERENCE[1]) - 0.5];
    const logSum = Math.log(Math.exp(a[0]) + Math.exp(a[1]));
    expectClose(row[0], a[0] - logSum, { abs: 8 * EPS });
    expectClose(row[1], a[1] - logSum, { abs: 8 * EPS });
  });

  it("log Z of equal rewards c is c/β, and their projection is 0", () => {
    // log Σ π_ref e^{c/β} = c/β + log Σ π_ref = c/β
    expectClose(logPartition([[1, 1]], logSpace([REFERENCE.map(Math.log)]), 1e-200)[0], 1e200, { rel: 2 * EPS });
    expect(logPartition([[1e15, 1e15]], [REFERENCE], 1)[0]).toBe(1e15);
    const [f] = projectReward([[1, 1]], [REFERENCE], 1e-200);
    expectClose(f[0], 0, { abs: 4 * EPS });
    expectClose(f[1], 0, { abs: 4 * EPS });
  });
});

describe("reward differences past the float64 range at a large β", () => {
  it("rewards 1.5e308 and −1e308 at β = 1e308: r(y) − r* overflows, (r(y) − r*)/β = −2.5 does not", () => {
    const [row] = logOptimalPolicy([[1.5e308, -1e308]], [[0.5, 0.5]], 1e308);
    // a = [log ½, log ½ − 2.5]: log π_r = a − log Σ e^a, terms of size ≤ 4
    const logSum = Math.log(0.5) + Math.log1p(Math.exp(-2.5));
    expectClose(row[0], Math.log(0.5) - logSum, { abs: 16 * EPS });
    expectClose(row[1], Math.log(0.5) - 2.5 - logSum, { abs: 16 * EPS });
  });
});
