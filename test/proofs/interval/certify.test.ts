import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  assumptionVariants,
  certifyStatement,
  lemma2,
  paperStatements,
  theorem1,
  verifyPaper,
  type InstanceEnclosure,
  type Lemma2Instance,
  type Statement,
} from "../../../src/proofs/index.js";
import { LuceError } from "../../../src/errors.js";
import { logPolicyOf, intervalRow } from "../../../src/proofs/enclosures.js";
import { div, endpoints, expectCertifiedHolds, fromDouble, maxAbsDiffOf } from "./intervals.js";

const RUNS = 12;
const SEED = 20231129;

describe("certified verdicts of the built-in statements", () => {
  it.each(paperStatements().map((s) => [s.id, s] as const))(
    "%s: every exact residual within 1e-40 of 0 and every float64 error within its bound",
    (_id, statement) => {
      expectCertifiedHolds(certifyStatement(statement, { runs: RUNS, seed: SEED }));
    },
  );

  const refuted = assumptionVariants().flatMap((v) =>
    v.statements
      .filter((s) => s.expected === "refuted")
      .map((s) => [`${v.id}/${s.statement.id}`, s.statement] as const),
  );
  it.each(refuted)("%s: a refuting instance whose exact residual's enclosure excludes 0", (_id, statement) => {
    const c = certifyStatement(statement, { runs: 100, seed: SEED, expected: "refuted" });
    expect(c.certified).toBe(true);
    const [lo] = endpoints(c);
    expect(lo.gt(0)).toBe(true);
    // the instance is given as the doubles enclosed: JSON of shortest round-trip decimals
    expect(() => JSON.parse(c.counterexample!) as unknown).not.toThrow();
  });

  it("a statement that holds is not certified as refuted, nor a refuted one as holding", () => {
    expect(certifyStatement(lemma2(), { runs: RUNS, seed: SEED, expected: "refuted" }).certified).toBe(false);
    const wrong = certifyStatement(lemma2({ shiftDependsOn: "response" }), { runs: RUNS, seed: SEED });
    expect(wrong.certified).toBe(false);
    expect(endpoints(wrong)[0].gt(0)).toBe(true);
  });
});

describe("a wrong formula makes certification fail, not just less accurate", () => {
  /**
   * Lemma 2's enclosure with the tilt written r·β instead of r/β on the shifted side: a wrong statement of the lemma
   * (π_r depends on the shift through β²), so its residual is a real number bounded away from 0.
   */
  const wrongLemma2 = (instance: Lemma2Instance): InstanceEnclosure => {
    const { problem, shift } = instance;
    const beta = fromDouble(problem.beta);
    const residuals = problem.reward.map((r, x) => {
      const ref = intervalRow(problem.logReference[x]);
      const s = intervalRow(r);
      const shifted = r.map((v, y) =>
        div(fromDouble(v + shift[x][y]), div(fromDouble(1), fromDouble(problem.beta ** 2))),
      );
      return {
        name: `prompt ${x}`,
        value: maxAbsDiffOf(logPolicyOf(s, ref, beta), logPolicyOf(shifted, ref, beta)),
        claim: "= 0" as const,
      };
    });
    return { residuals, float64: [] };
  };

  it("in a statement: Lemma 2 with the tilt r·β on one side is not certified, its residual proven non-zero", () => {
    const statement: Statement<Lemma2Instance> = { ...lemma2(), certify: wrongLemma2 };
    const c = certifyStatement(statement, { runs: RUNS, seed: SEED });
    expect(c.certified).toBe(false);
    expect(endpoints(c)[0].gt(1e-40)).toBe(true);
  });

  type Kernels = typeof import("../../../src/theory/kernels.js");
  type Dpo = typeof import("../../../src/losses/dpo.js");
  afterEach(() => {
    vi.doUnmock("../../../src/theory/kernels.js");
    vi.doUnmock("../../../src/losses/dpo.js");
    vi.resetModules();
  });

  async function certifyWithKernels(wrong: (real: Kernels) => Partial<Kernels>, name: "theorem1" | "lemma2") {
    vi.resetModules();
    vi.doMock("../../../src/theory/kernels.js", async (importOriginal) => {
      const real = await importOriginal<Kernels>();
      return { ...real, ...wrong(real) };
    });
    const proofs = await import("../../../src/proofs/index.js");
    return proofs.certifyStatement(proofs[name](), { runs: RUNS, seed: SEED });
  }

  it("in luce: projectReward off by a relative 1e3·EPS fails Theorem 1's certification on projectReward", async () => {
    const c = await certifyWithKernels(
      (real) => ({
        projectRewardRow: (...a: Parameters<Kernels["projectRewardRow"]>) =>
          real.projectRewardRow(...a).map((v) => v * (1 + 1e3 * Number.EPSILON)),
      }),
      "theorem1",
    );
    expect(c.certified).toBe(false);
    expect(c.problem).toMatch(/^projectReward/);
    expect(c.functions.find((f) => f.function === "projectReward")?.certified).toBe(false);
  });

  it("in luce: log π_r computed without β fails Lemma 2's certification on logOptimalPolicy", async () => {
    const c = await certifyWithKernels(
      (real) => ({ logOptimalPolicyRow: (reward, logReference) => real.logOptimalPolicyRow(reward, logReference, 1) }),
      "lemma2",
    );
    expect(c.certified).toBe(false);
    expect(c.problem).toMatch(/^logOptimalPolicy/);
  });

  /** The proofs module with luce's dpo.js replaced in part. */
  async function proofsWithDpo(wrong: (real: Dpo) => Partial<Dpo>) {
    vi.resetModules();
    vi.doMock("../../../src/losses/dpo.js", async (importOriginal) => {
      const real = await importOriginal<Dpo>();
      return { ...real, ...wrong(real) };
    });
    return import("../../../src/proofs/index.js");
  }

  it("in luce: dpoLoss's losses off by a relative 1e-13 fail A.4's certification (its gradient residuals do not see it)", async () => {
    const proofs = await proofsWithDpo((real) => ({
      dpoLoss: (...a) => {
        const r = real.dpoLoss(...a);
        return { ...r, losses: r.losses.map((v) => v * (1 + 1e-13)) };
      },
    }));
    const c = proofs.certifyStatement(proofs.appendixA4(), { runs: RUNS, seed: SEED });
    expect(c.certified).toBe(false);
    expect(c.problem).toMatch(/^dpoLoss/);
    expect((await proofs.checkStatement(proofs.appendixA4(), { runs: RUNS, seed: SEED })).verdict).toBe("holds");
  });

  it("in populationOptimum: the chosen side's kernel gradient off by a relative 1e-9 fails the loss-sigmoid certification on populationOptimum's error, while its 50-digit verdict still holds", async () => {
    const proofs = await proofsWithDpo((real) => ({
      dpoLossOf: (...a) => {
        const r = real.dpoLossOf(...a);
        return { ...r, gradPolicyChosen: r.gradPolicyChosen.map((g) => g * (1 + 1e-9)) };
      },
    }));
    const statement = proofs.lossSigmoid();
    const c = proofs.certifyStatement(statement, { runs: 20, seed: SEED });
    expect(c.certified).toBe(false);
    expect(c.problem).toMatch(/^populationOptimum/);
    // KL ~ 1e-18 is far below the statement's 1e-10: the float64 and 50-digit check does not see it
    expect((await proofs.checkStatement(statement, { runs: 20, seed: SEED })).verdict).toBe("holds");
  });
});

describe("certifyStatement's arguments", () => {
  it("names the argument it refuses", () => {
    expect(() => certifyStatement({} as never)).toThrow(LuceError);
    expect(() => certifyStatement({} as never)).toThrow(/statement/);
    expect(() => certifyStatement(lemma2(), { expected: "maybe" as never })).toThrow(/options\.expected/);
    expect(() => certifyStatement(lemma2(), { runs: 0 })).toThrow(/options\.runs/);
    expect(() => certifyStatement(lemma2(), { colour: 1 } as never)).toThrow(/options/);
  });
  it("a statement of the caller's without an enclosure is not certified, and says why", () => {
    const own: Statement<number> = {
      ...(theorem1() as unknown as Statement<number>),
      id: "own",
      instances: fc.integer(),
      certify: undefined,
    };
    const c = certifyStatement(own, { runs: 2 });
    expect(c.certified).toBe(false);
    expect(c.problem).toMatch(/no enclosure/);
  });
  it("verifyPaper refuses a certified option that is not a boolean", async () => {
    await expect(verifyPaper({ runs: 1, certified: "yes" as never })).rejects.toThrow(/options\.certified/);
  });
});
