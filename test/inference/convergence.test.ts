import { describe, expect, it } from "vitest";
import { fitBradleyTerry, fitPlackettLuce, type Comparison, type FitMethod } from "../../src/index.js";
import { expectClose } from "../helpers/close.js";

const methods: FitMethod[] = ["newton", "mm", "ilsr"];

describe("the three estimators reach the closed-form maximum on extreme counts", () => {
  // two items seen both ways: θ0 − θ1 = log(a / b), centred θ0 = log(a / b) / 2
  for (const [a, b] of [
    [1, 1e-13],
    [1, 1e-15],
    [5, 1e-300],
  ]) {
    for (const method of methods) {
      it(`${method}: counts ${a} vs ${b}`, () => {
        const fit = fitBradleyTerry(
          [
            [0, 1, a],
            [1, 0, b],
          ],
          { method, standardErrors: false },
        );
        const exact = (Math.log(a) - Math.log(b)) / 2;
        expect(fit.converged).toBe(true);
        // the rule leaves a step of ≤ √1e-12 that is then taken: the error is second order in it
        expectClose(fit.logStrength[0], exact, { rel: 1e-9 });
        expectClose(fit.logStrength[1], -exact, { rel: 1e-9 });
      });
    }
  }
  // beyond float64's exponent range for e^(−d) alone: log-odds 1381.6, and a subnormal count
  for (const [a, b] of [
    [1e300, 1e-300],
    [1, 1e-320],
  ]) {
    for (const method of methods) {
      it(`${method}: counts ${a} vs ${b} give the closed form or say they did not converge (never a silent miss)`, () => {
        const fit = fitBradleyTerry(
          [
            [0, 1, a],
            [1, 0, b],
          ],
          { method, standardErrors: false },
        );
        const exact = (Math.log(a) - Math.log(b)) / 2;
        if (fit.converged) expectClose(fit.logStrength[0], exact, { rel: 1e-9 });
        else expect(fit.warning).toMatch(/did not converge/);
        expect(fit.logStrength.every(Number.isFinite)).toBe(true);
        if (method !== "ilsr" && a === 1e300) expect(fit.converged).toBe(true);
      });
    }
  }
  // a chain 0 – 1 – 2 (a tree): each edge fits its own odds, θ0 − θ1 = θ1 − θ2 = log(1 / ε)
  for (const epsilon of [1e-14, 1e-100]) {
    for (const method of methods) {
      it(`${method}: a 3-item chain with rare wins of weight ${epsilon}`, () => {
        const data: Comparison[] = [
          [0, 1, 1],
          [1, 0, epsilon],
          [1, 2, 1],
          [2, 1, epsilon],
        ];
        const fit = fitBradleyTerry(data, { method, standardErrors: false });
        const gap = -Math.log(epsilon);
        if (method === "mm" && !fit.converged) {
          // MM's linear rate on this tail is too slow for its iteration cap: it must say so, not stop early
          expect(fit.warning).toMatch(/did not converge/);
          return;
        }
        expect(fit.converged).toBe(true);
        expectClose(fit.logStrength[0], gap, { rel: 1e-9 });
        expectClose(fit.logStrength[1], 0, { abs: 1e-9 * gap });
        expectClose(fit.logStrength[2], -gap, { rel: 1e-9 });
      });
    }
  }
});

describe("the stopping rule is reachable at every data size", () => {
  it("sorted data: per-item gradient sums keep their digits (all three methods converge to the closed form)", () => {
    // all of item 0's wins first, then item 1's: a plain running sum drifts by (terms)·EPS of its size, more
    // than a tolerance of 1e-14 allows at this size; the compensated sum does not
    const n = 200_000;
    const a = Math.round((2 * n) / 3);
    const winners = new Int32Array(n);
    for (let i = a; i < n; i++) winners[i] = 1;
    const losers = winners.map((w) => 1 - w);
    const exact = Math.log(a / (n - a)) / 2;
    for (const method of methods) {
      const fit = fitBradleyTerry(
        { winners, losers },
        { method, tolerance: 1e-14, maxIterations: 50, standardErrors: false },
      );
      expect(fit.converged, method).toBe(true);
      expectClose(fit.logStrength[0], exact, { rel: 1e-13 }, method);
    }
  });
  it("an unreachable tolerance ends early, not converged, with a warning (ILSR and MM stall detection)", () => {
    const rankings = Array.from(
      { length: 3000 },
      (_, i) =>
        [
          [0, 1, 2],
          [2, 1, 0],
          [1, 0, 2],
        ][i % 3],
    );
    for (const method of ["mm", "ilsr"] as FitMethod[]) {
      const fit = fitPlackettLuce(rankings, { method, tolerance: 5e-324, maxIterations: 1e9 });
      expect(fit.converged).toBe(false);
      expect(fit.iterations).toBeLessThan(5000);
      expect(fit.warning).toMatch(/did not converge \(it stalled/);
    }
    const capped = fitPlackettLuce(rankings, { method: "newton", tolerance: 5e-324, maxIterations: 3 });
    expect(capped.converged).toBe(false);
    expect(capped.warning).toMatch(/maxIterations \(3\)/);
    expect(fitPlackettLuce(rankings).warning).toBeUndefined();
  });
});
