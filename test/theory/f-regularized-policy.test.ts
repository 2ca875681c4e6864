import { describe, expect, it } from "vitest";
import { fRegularizedOptimalPolicy, logSpace, type FRegularizer } from "../../src/index.js";
import { expectClose, expectLuceError } from "../helpers/close.js";

const L = Math.log;
/** f of each divergence, written from its definition (f(1) = 0 is not needed: constants do not move the maximiser). */
function f(divergence: FRegularizer, alpha: number): (t: number) => number {
  switch (divergence) {
    case "reverse_kl":
      return (t) => (t === 0 ? 0 : t * L(t));
    case "forward_kl":
      return (t) => -L(t);
    case "js_divergence":
      return (t) => (t === 0 ? 0 : t * L(t)) - (1 + t) * L(1 + t);
    default:
      return (t) => t ** alpha / (alpha * (alpha - 1));
  }
}
/** E_π r − β Σ π_ref f(π/π_ref), brute force. */
function objective(pi: number[], reward: number[], ref: number[], beta: number, fn: (t: number) => number): number {
  return pi.reduce((s, p, y) => s + p * reward[y] - beta * ref[y] * fn(p / ref[y]), 0);
}

describe("fRegularizedOptimalPolicy against closed forms", () => {
  it("reverse KL is π_r (eq. 4)", () => {
    const { logPolicy } = fRegularizedOptimalPolicy([[1, 0, -2]], [[0.2, 0.3, 0.5]], 0.5, "reverse_kl");
    const a = [L(0.2) + 2, L(0.3), L(0.5) - 4];
    const z = L(a.reduce((s, v) => s + Math.exp(v), 0));
    a.forEach((v, y) => expectClose(logPolicy[0][y], v - z, { abs: 1e-15 }));
  });

  it("forward KL, K = 2: π = π_ref β/(λ − r), λ the root of a quadratic", () => {
    // ½/(λ − 1) + ½/λ = 1  ⇔  2λ² − 4λ + 1 = 0, λ = 1 + 1/√2
    const { logPolicy, normalizer } = fRegularizedOptimalPolicy([[1, 0]], [[0.5, 0.5]], 1, "forward_kl");
    expectClose(normalizer[0], 1 + Math.SQRT1_2, { rel: 1e-15 });
    expectClose(Math.exp(logPolicy[0][0]), Math.SQRT1_2, { rel: 1e-15 });
    expectClose(Math.exp(logPolicy[0][1]), 1 - Math.SQRT1_2, { rel: 1e-15 });
  });

  it("α = 2: π = π_ref (r − λ)/β on the responses above λ, 0 below (the KKT boundary)", () => {
    // active set {0, 1}: 0.2(3 − λ) + 0.3(0 − λ) = 1 ⇒ λ = −0.8 > −2, so y_2 gets no mass
    const { logPolicy, normalizer } = fRegularizedOptimalPolicy(
      [[3, 0, -2]],
      [[0.2, 0.3, 0.5]],
      1,
      "alpha_divergence",
      2,
    );
    expectClose(normalizer[0], -0.8, { abs: 1e-15 });
    expectClose(Math.exp(logPolicy[0][0]), 0.76, { rel: 1e-14 });
    expectClose(Math.exp(logPolicy[0][1]), 0.24, { rel: 1e-14 });
    expect(logPolicy[0][2]).toBe(-Infinity);
  });

  it("α → 1 is reverse KL; α = 0 is forward KL (s = −e^{−ℓ})", () => {
    const reward = [[2, -1, 0.5]];
    const ref = [[0.1, 0.6, 0.3]];
    const one = fRegularizedOptimalPolicy(reward, ref, 0.7, "alpha_divergence", 1);
    const rkl = fRegularizedOptimalPolicy(reward, ref, 0.7, "reverse_kl");
    one.logPolicy[0].forEach((v, y) => expectClose(v, rkl.logPolicy[0][y], { abs: 1e-15 }));
    const zero = fRegularizedOptimalPolicy(reward, ref, 0.7, "alpha_divergence", 0);
    const fkl = fRegularizedOptimalPolicy(reward, ref, 0.7, "forward_kl");
    zero.logPolicy[0].forEach((v, y) => expectClose(v, fkl.logPolicy[0][y], { abs: 1e-14 }));
  });

  const divergences: [FRegularizer, number | undefined][] = [
    ["reverse_kl", undefined],
    ["forward_kl", undefined],
    ["js_divergence", undefined],
    ["alpha_divergence", 0.5],
    ["alpha_divergence", -1],
    ["alpha_divergence", 3],
  ];
  it.each(divergences)("%s (α %s) maximises the objective: no perturbation of π scores higher", (divergence, alpha) => {
    const reward = [1.5, 0, -0.7, 0.2];
    const ref = [0.1, 0.4, 0.3, 0.2];
    const beta = 0.8;
    const { logPolicy } = fRegularizedOptimalPolicy([reward], [ref], beta, divergence, alpha);
    const pi = Array.from(logPolicy[0], Math.exp);
    expectClose(
      pi.reduce((s, p) => s + p, 0),
      1,
      { abs: 1e-15 },
    );
    const fn = f(divergence, alpha ?? 0.5);
    const best = objective(pi, reward, ref, beta, fn);
    // moves of mass ±δ between two responses: the objective is concave, so its maximiser beats each of them
    for (const delta of [1e-2, 1e-4])
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 4; j++) {
          if (i === j || pi[i] < delta) continue;
          const moved = [...pi];
          moved[i] -= delta;
          moved[j] += delta;
          expect(objective(moved, reward, ref, beta, fn)).toBeLessThanOrEqual(best + 1e-15);
        }
  });

  it("stationarity f′(π/π_ref) = (r − λ)/β holds on every response (Jensen–Shannon, f′ = log 2t/(1 + t))", () => {
    const reward = [1.5, 0, -0.7];
    const ref = [0.1, 0.6, 0.3];
    const beta = 0.4;
    const { logPolicy, normalizer } = fRegularizedOptimalPolicy([reward], [ref], beta, "js_divergence");
    logPolicy[0].forEach((lp, y) => {
      const t = Math.exp(lp) / ref[y];
      // the score log σ(ℓ) = log(t/(1 + t)) equals f′ − log 2
      expectClose(L(t / (1 + t)), (reward[y] - normalizer[0]) / beta, { abs: 1e-14 });
    });
  });

  it("extremes: rewards 4000β apart and π_ref of e^-5000 give finite, normalised rows", () => {
    for (const [divergence, alpha] of divergences) {
      const { logPolicy } = fRegularizedOptimalPolicy(
        [[4000, 0, -4000]],
        logSpace([[-5000, Math.log1p(-Math.exp(-2)), -2]]),
        1,
        divergence,
        alpha,
      );
      const row = logPolicy[0];
      expect(row.every((v) => v <= 0 && !Number.isNaN(v))).toBe(true);
      const m = Math.max(...row);
      expectClose(m + L(row.reduce((s, v) => s + Math.exp(v - m), 0)), 0, { abs: 1e-13 }, divergence);
    }
  });
});

describe("fRegularizedOptimalPolicy: bad input names the argument", () => {
  const fn = "fRegularizedOptimalPolicy";
  it("rejects an unknown divergence, α given to another divergence, a non-finite α, β ≤ 0", () => {
    expectLuceError(() => fRegularizedOptimalPolicy([[1, 0]], [[0.5, 0.5]], 1, "kl" as FRegularizer), "divergence", fn);
    expectLuceError(() => fRegularizedOptimalPolicy([[1, 0]], [[0.5, 0.5]], 1, "forward_kl", 0.5), "alpha", fn);
    expectLuceError(() => fRegularizedOptimalPolicy([[1, 0]], [[0.5, 0.5]], 1, "alpha_divergence", NaN), "alpha", fn);
    expectLuceError(() => fRegularizedOptimalPolicy([[1, 0]], [[0.5, 0.5]], 0, "forward_kl"), "beta", fn);
    expectLuceError(() => fRegularizedOptimalPolicy([[1, 0]], [[0.5, 0.4]], 1, "forward_kl"), "reference[0]", fn);
  });
});
