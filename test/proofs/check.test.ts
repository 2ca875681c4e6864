import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { checkInstance, checkStatement, lemma2, paperStatements, type Statement } from "../../src/proofs/index.js";
import { exact } from "../../src/proofs/precise.js";
import { expectLuceRejection } from "../helpers/close.js";

// A toy statement whose truth we know: "x + 1 − 1 = x", with a float64 residual and a bound we choose.
function toy(bound: number, preciseResidual: number): Statement<number> {
  return {
    id: "toy",
    title: "toy",
    reference: "none",
    definition: "none",
    instances: fc.double({ min: 0, max: 1, noNaN: true }),
    float64: (x) => [{ name: "x + 1 - 1 = x", residual: Math.abs(x + 1 - 1 - x), bound }],
    precise: () => exact(preciseResidual),
    show: (x) => String(x),
  };
}

describe("checkStatement verdicts", () => {
  it("holds when float64 stays within its bound and the 50-digit residual vanishes", async () => {
    const r = await checkStatement(toy(2 * Number.EPSILON, 0), { runs: 200, seed: 1 });
    expect(r.verdict).toBe("holds");
    expect(r.instances).toBe(200);
  });
  it("is inaccurate when float64 exceeds a too-tight bound but the mathematics holds", async () => {
    const r = await checkStatement(toy(0, 0), { runs: 200, seed: 1 });
    expect(r.verdict).toBe("inaccurate");
    expect(r.counterexample).toBeDefined();
  });
  it("is refuted when the 50-digit residual is real", async () => {
    const r = await checkStatement(toy(0, 0.5), { runs: 200, seed: 1 });
    expect(r.verdict).toBe("refuted");
  });
  it("is reproducible from the seed", async () => {
    const a = await checkStatement(lemma2(), { runs: 30, seed: 9 });
    const b = await checkStatement(lemma2(), { runs: 30, seed: 9 });
    expect(a.worst).toEqual(b.worst);
  });
  it("checks one given instance", () => {
    const report = checkInstance(lemma2(), {
      problem: { beta: 1, reward: [[1, 0]], logReference: [[-Math.LN2, -Math.LN2]] },
      shift: [[3, 3]],
    });
    expect(report.verdict).toBe("holds");
    const broken = checkInstance(lemma2(), {
      problem: { beta: 1, reward: [[1, 0]], logReference: [[-Math.LN2, -Math.LN2]] },
      shift: [[3, 2]],
    });
    expect(broken.verdict).toBe("refuted");
    // the reward gap goes from 1 to 2: log π moves most at the worse response, log σ(−1) → log σ(−2)
    expect(Number(broken.preciseResidual)).toBeCloseTo(Math.log1p(Math.exp(2)) - Math.log1p(Math.exp(1)), 3);
  });
  it("rejects bad options", async () => {
    await expectLuceRejection(checkStatement(lemma2(), { runs: 0 }), "options.runs");
    await expectLuceRejection(checkStatement(lemma2(), { seed: 1.5 }), "options.seed");
    await expectLuceRejection(checkStatement({} as never), "statement");
    expect(() => checkInstance(null as never, {})).toThrow(/'statement'/);
  });
  it("lists the paper's statements in order", () => {
    expect(paperStatements().map((s) => s.id)).toEqual([
      "definition-1",
      "lemma-1",
      "lemma-2",
      "theorem-1",
      "appendix-a1",
      "appendix-a2-a3",
      "appendix-a4",
      "population-dpo",
    ]);
  });
});
