import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import {
  certifyStatement,
  lossConservativeTree,
  lossSigmoid,
  lossStatements,
  verifyLosses,
  type Statement,
} from "../../../src/proofs/index.js";
import type { LossOptimumInstance } from "../../../src/proofs/statements/loss-optimum.js";
import { computeOptimum } from "../../../src/proofs/statements/loss-optimum.js";
import {
  lossOptimumEnclosure,
  pairSystem,
  pairTerms,
  rewardScores,
} from "../../../src/proofs/statements/loss-optimum-enclosure.js";
import { krawczykZero } from "../../../src/proofs/krawczyk.js";
import { expectLuceRejection } from "../../helpers/close.js";
import { add, fromConstant, mul, sub, type Interval } from "../../../src/proofs/interval/index.js";
import { div, endpoints, expectCertifiedHolds, fromDouble } from "./intervals.js";

const RUNS = 20;
const SEED = 20231129;

const holding = lossStatements().filter((s) => s.expected === "holds");
const refuted = lossStatements().filter((s) => s.expected === "refuted");

describe("certified verdicts of the loss statements", () => {
  it.each(holding.map((s) => [s.statement.id, s.statement] as const))(
    "%s: the exact optimum proven by Krawczyk's test, the claim's residual within 1e-40 of 0, populationOptimum within its claimed error",
    (_id, statement) => {
      const c = certifyStatement(statement, { runs: RUNS, seed: SEED });
      expectCertifiedHolds(c);
      const optimum = c.functions.find((f) => f.function === "populationOptimum");
      expect(optimum?.certified).toBe(true);
      expect(optimum!.ratio).toBeLessThanOrEqual(1);
    },
    120_000,
  );

  it.each(refuted.map((s) => [s.statement.id, s.statement] as const))(
    "%s: a refuting instance whose exact residual's enclosure excludes 0",
    (_id, statement) => {
      const c = certifyStatement(statement, { runs: 100, seed: SEED, expected: "refuted" });
      expect(c.certified, c.problem).toBe(true);
      expect(endpoints(c)[0].gt(0)).toBe(true);
      expect(() => JSON.parse(c.counterexample!) as unknown).not.toThrow();
    },
    120_000,
  );

  it("a holding loss statement is not certified as refuted", () => {
    expect(certifyStatement(lossSigmoid(), { runs: 8, seed: SEED, expected: "refuted" }).certified).toBe(false);
  });
});

describe("Krawczyk's test proves a zero only where there is one", () => {
  // F(x) = x² − 2 has its zero at √2: a box around 1.4142135623730951 passes and encloses √2 to 1e-50
  const square = {
    value: ([x]: readonly Interval[]) => [sub(mul(x, x), fromConstant(2))],
    jacobian: ([x]: readonly Interval[]) => [[mul(fromConstant(2), x)]],
  };
  const Wide = Decimal.clone({ precision: 200 });
  const sqrt2 = new Wide(2).sqrt();

  it("encloses √2 from a float64 start", () => {
    const { box } = krawczykZero(square, [Math.SQRT2], 1e-15);
    expect(box[0].lo.lte(sqrt2) && box[0].hi.gte(sqrt2)).toBe(true);
    expect(new Wide(box[0].hi).minus(box[0].lo).lt(1e-50)).toBe(true);
  });

  it("fails on a function without a zero near the start (x² + 1)", () => {
    const shifted = {
      value: ([x]: readonly Interval[]) => [add(mul(x, x), fromConstant(1))],
      jacobian: square.jacobian,
    };
    expect(() => krawczykZero(shifted, [0.5], 1e-15)).toThrow(RangeError);
  });
});

describe("a wrong formula makes the certification fail, not just less accurate", () => {
  it("in a statement: DPO's optimum claimed at z = (r* − r*_0)/(2β) is not certified, its residual proven non-zero", () => {
    const wrong = lossOptimumEnclosure<LossOptimumInstance>({
      solve: (instance) => computeOptimum("sigmoid", instance),
      system: (instance) =>
        pairSystem(instance.reward.length, instance.beta, { kind: "sigmoid", smoothing: 0 }, pairTerms(instance)),
      map: () => ({ kind: "identity" }),
      claimed: (instance) => rewardScores(instance).map((v) => div(v, fromDouble(2))),
    });
    const statement: Statement<LossOptimumInstance> = { ...lossSigmoid(), certify: wrong };
    const c = certifyStatement(statement, { runs: RUNS, seed: SEED });
    expect(c.certified).toBe(false);
    expect(endpoints(c)[0].gt(1e-40)).toBe(true);
  });

  it("in a statement: conservative DPO's tree claim with the smoothing's labels left unsmoothed is not certified", () => {
    const tree = lossConservativeTree();
    const wrong = lossOptimumEnclosure<LossOptimumInstance>({
      solve: (instance) =>
        computeOptimum(instance.labelSmoothing === undefined ? "sigmoid" : "conservative_sigmoid", instance),
      system: (instance) =>
        pairSystem(
          instance.reward.length,
          instance.beta,
          { kind: "sigmoid", smoothing: instance.labelSmoothing ?? 0 },
          pairTerms(instance),
        ),
      map: () => ({ kind: "identity" }),
      // the tree's claim is logit q̃; this one is logit p = r*_i − r*_{i+1}
      claimed: (instance) => rewardScores(instance),
    });
    const c = certifyStatement({ ...tree, certify: wrong }, { runs: RUNS, seed: SEED });
    expect(c.certified).toBe(false);
    expect(endpoints(c)[0].gt(1e-40)).toBe(true);
  });
});

describe("verifyLosses({ certified: true })", () => {
  it("certifies every statement's expected verdict and the table's rows with a kernel or a divergence proof", async () => {
    // few runs: the float64 verdicts may miss a refutation that the enclosures prove (KL ≤ 1e−10 yet ≠ 0)
    const report = await verifyLosses({ runs: 8, seed: 7, certified: true });
    expect(report.certification?.ok).toBe(true);
    for (const s of report.statements) {
      expect(s.certified?.certified, s.id).toBe(true);
      expect(s.certified?.expected).toBe(s.expected);
    }
    const rows = (type: string) => report.table.filter((r) => r.lossType === type);
    for (const r of [...rows("sigmoid"), ...rows("robust"), ...rows("ipo"), ...rows("plackett_luce")])
      expect(r.enclosure?.certified, `${r.lossType} ${r.problem}`).toBe(true);
    // apo_zero: no finite optimum, proven by its net weights
    for (const r of rows("apo_zero")) {
      expect(r.optimum).toBe("no finite optimum");
      expect(r.enclosure?.certified).toBe(true);
    }
    // the rows without an interval kernel say so
    for (const r of rows("exo_pair")) expect(r.enclosure?.detail).toMatch(/^not certified/);
  }, 300_000);

  it("the default run has no certification", async () => {
    const report = await verifyLosses({ runs: 1, seed: 7 });
    expect(report.certification).toBeUndefined();
    expect(report.statements.every((s) => s.certified === undefined)).toBe(true);
  }, 120_000);

  it("rejects a certified that is not a boolean, naming it", async () => {
    await expectLuceRejection(verifyLosses({ certified: "yes" } as never), "options.certified");
  });
});
