// A checker written from the public exports of luce/proofs only, as docs/property-testing.md shows.
import { describe, expect, it } from "vitest";
import { finiteProblemArbitrary, type FiniteProblem } from "../../src/arbitraries/index.js";
import { logOptimalPolicy, logSpace, logSumExp } from "../../src/index.js";
import {
  checkInstance,
  checkStatement,
  constant,
  exact,
  preciseLogSumExp,
  preciseMax,
  preciseRow,
  preciseSigmoid,
  type Statement,
} from "../../src/proofs/index.js";

const normalised: Statement<FiniteProblem> = {
  id: "optimal-policy-normalised",
  title: "π_r(·|x) sums to 1",
  reference: "eq. 4",
  definition: "max over prompts of |log Σ_y π_r(y|x)|",
  instances: finiteProblemArbitrary(),
  float64({ beta, reward, logReference }) {
    return logOptimalPolicy(reward, logSpace(logReference), beta).map((row, x) => {
      const size = row.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
      return { name: `prompt ${x}`, residual: Math.abs(logSumExp(row)), bound: 8 * Number.EPSILON * (1 + size) };
    });
  },
  precise({ beta, reward, logReference }) {
    return preciseMax(
      reward.map((row, x) => {
        const a = row.map((r, y) => exact(logReference[x][y]).plus(exact(r).div(exact(beta))));
        const logZ = preciseLogSumExp(a);
        return preciseLogSumExp(a.map((v) => v.minus(logZ))).abs();
      }),
    );
  },
  show: (problem) => JSON.stringify(problem),
};

describe("a user's own Statement from the exported 50-digit helpers", () => {
  it("holds on generated instances and on one given instance", async () => {
    expect((await checkStatement(normalised, { runs: 30, seed: 1 })).verdict).toBe("holds");
    const instance = { beta: 0.5, reward: [[1e308, -1e308, 0]], logReference: [[-1, -2, -Infinity]] };
    const ref = instance.logReference[0];
    const total = Math.log(Math.exp(ref[0]) + Math.exp(ref[1]));
    const normalisedInstance = { ...instance, logReference: [ref.map((v) => v - total)] };
    expect(checkInstance(normalised, normalisedInstance).verdict).toBe("holds");
  });
  it("the helpers agree with closed forms: exact inputs, σ, a 50-digit log-sum-exp", () => {
    expect(exact(0.1).minus(constant("0.1")).toExponential(3)).toBe("5.551e-18");
    expect(preciseSigmoid(constant(0)).toString()).toBe("0.5");
    // log(e^0 + e^0) = log 2 = 0.693147180559945309417232121458176568075500134360255...
    expect(preciseLogSumExp(preciseRow([0, 0, -Infinity])).toFixed(45)).toBe(
      "0.693147180559945309417232121458176568075500134",
    );
  });
  it("a statement that is false is refuted", async () => {
    const wrong: Statement<FiniteProblem> = {
      ...normalised,
      id: "off-by-log-2",
      float64: (p) => normalised.float64(p).map((r) => ({ ...r, residual: Math.abs(r.residual - Math.LN2) })),
      precise: (p) => normalised.precise(p).minus(exact(Math.LN2)).abs(),
    };
    expect((await checkStatement(wrong, { runs: 5, seed: 1 })).verdict).toBe("refuted");
  });
});
