import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LuceError } from "../../src/errors.js";
import {
  assumptionVariants,
  checkStatement,
  checkVariant,
  type AssumptionVariant,
  type Statement,
} from "../../src/proofs/index.js";
import { exact, type Precise } from "../../src/proofs/precise.js";

// Checks of the checkers: statements whose truth is known by construction, fed to checkStatement and checkVariant,
// so a checker that counts, compares or decides wrongly fails here rather than printing "holds".

/** A toy statement over x ∈ [0, 1] with a chosen float64 residual, bound and 50-digit residual, counting calls. */
function toy(
  residual: (x: number) => number,
  bound: number,
  precise: (x: number) => Precise = () => exact(0),
): Statement<number> & { calls: Set<number>; evaluations: () => number } {
  const calls = new Set<number>();
  let evaluations = 0;
  return {
    id: "toy",
    title: "toy",
    reference: "none",
    definition: "none",
    instances: fc.double({ min: 0, max: 1, noNaN: true }),
    float64: (x) => {
      calls.add(x);
      evaluations++;
      return [{ name: "toy residual", residual: residual(x), bound }];
    },
    precise,
    show: (x) => String(x),
    calls,
    evaluations: () => evaluations,
  };
}

describe("checkStatement evaluates what it reports", () => {
  it("evaluates every instance it counts, and counts the requested runs", async () => {
    const s = toy(() => 0, 1);
    const r = await checkStatement(s, { runs: 100, seed: 3 });
    expect(r.verdict).toBe("holds");
    expect(r.instances).toBe(100);
    expect(s.evaluations()).toBe(100);
    // fast-check's generated doubles repeat a few corner values; most of the 100 are distinct
    expect(s.calls.size).toBeGreaterThan(50);
  });
  it("does not count shrinking steps as instances", async () => {
    // fails on x > 0.5 only: the shrinker then evaluates many more candidates than the instances generated
    let evaluated = 0;
    let firstFailure = -1;
    const s = toy(
      (x) => {
        evaluated++;
        if (x > 0.5 && firstFailure < 0) firstFailure = evaluated;
        return x > 0.5 ? 1 : 0;
      },
      0.5,
      () => exact(1),
    );
    const r = await checkStatement(s, { runs: 100, seed: 3 });
    expect(r.verdict).toBe("refuted");
    expect(r.instances).toBe(firstFailure);
    expect(s.evaluations()).toBeGreaterThan(r.instances + 1);
  });
  it("never counts a NaN residual as within its bound", async () => {
    const nanResidual = await checkStatement(
      toy(() => NaN, 1),
      { runs: 20, seed: 1 },
    );
    expect(nanResidual.verdict).not.toBe("holds");
    const nanBound = await checkStatement(
      toy(() => 0, NaN),
      { runs: 20, seed: 1 },
    );
    expect(nanBound.verdict).not.toBe("holds");
    const nanPrecise = await checkStatement(
      toy(
        () => 0,
        1,
        () => exact(0).div(exact(0)),
      ),
      { runs: 20, seed: 1 },
    );
    expect(nanPrecise.verdict).toBe("refuted");
  });
  it("refutes a statement whose 50-digit residual is 1e-30 though float64 sees nothing", async () => {
    const r = await checkStatement(
      toy(
        () => 0,
        1e-15,
        () => exact(1e-30),
      ),
      { runs: 50, seed: 2 },
    );
    expect(r.verdict).toBe("refuted");
    expect(Number(r.preciseResidual)).toBeCloseTo(1e-30, 40);
  });
  it("refutes a 50-digit residual of 1e-30 met on an instance that is not float64's worst", async () => {
    // the float64 residual is largest near x = 1; the mathematics fails only near x = 0
    const r = await checkStatement(
      toy(
        (x) => x * 1e-16,
        1e-15,
        (x) => exact(x < 0.25 ? 1e-30 : 0),
      ),
      { runs: 100, seed: 2 },
    );
    expect(r.verdict).toBe("refuted");
  });
  it("rejects a statement that returns no residuals (it would check nothing)", async () => {
    const empty: Statement<number> = { ...toy(() => 0, 1), float64: () => [] };
    await expect(checkStatement(empty, { runs: 5, seed: 1 })).rejects.toThrow(/no residual/);
  });
});

describe("checkVariant compares every verdict with the prediction", () => {
  const holding = toy(() => 0, 1) as unknown as Statement<never>;
  const refuted = toy(
    () => 1,
    0,
    () => exact(1),
  ) as unknown as Statement<never>;
  const variant = (expected: ["holds" | "refuted", "holds" | "refuted"]): AssumptionVariant => ({
    id: "toy-variant",
    assumption: "none",
    dropped: "none",
    prediction: "none",
    statements: [
      { statement: holding, expected: expected[0] },
      { statement: refuted, expected: expected[1] },
    ],
  });
  it("is as predicted when every verdict matches", async () => {
    expect((await checkVariant(variant(["holds", "refuted"]), { runs: 10 })).asPredicted).toBe(true);
  });
  it("fails when one expected verdict is wrong", async () => {
    expect((await checkVariant(variant(["holds", "holds"]), { runs: 10 })).asPredicted).toBe(false);
    expect((await checkVariant(variant(["refuted", "refuted"]), { runs: 10 })).asPredicted).toBe(false);
  });
  it("requires the β = 0 domain error to name beta", () => {
    const betaZero = assumptionVariants().find((v) => v.id === "beta-zero");
    expect(betaZero?.domain).toBeDefined();
    const check = betaZero!.domain!();
    expect(check.verdict).toBe("domain error");
    expect(check.evidence).toMatch(/'beta'/);
  });
  it("does not take a LuceError naming another argument as β = 0's domain error", async () => {
    const { betaDomainCheck } = await import("../../src/proofs/assumptions.js");
    const other = betaDomainCheck(() => {
      throw new LuceError("logPartition", "reward", "must be finite");
    });
    expect(other.verdict).toBe("holds");
    const named = betaDomainCheck(() => {
      throw new LuceError("logPartition", "beta", "must be positive");
    });
    expect(named.verdict).toBe("domain error");
  });
});

describe("the bounds are the derived ones, not looser", () => {
  // β = 1, π_ref uniform over two responses, r = (1, 0): log Z = log((e + 1)/2); the bounds of theorem1()'s
  // documentation, recomputed here from the instance
  const EPS = Number.EPSILON;
  const logZ = Math.log((Math.E + 1) / 2);
  const instance = {
    problem: { beta: 1, reward: [[1, 0]], logReference: [[-Math.LN2, -Math.LN2]] },
    shift: [[3, 3]],
    otherReward: [[0, 2]],
    logPolicy: [[Math.log(0.25), Math.log(0.75)]],
  };
  it("Theorem 1", async () => {
    const { theorem1 } = await import("../../src/proofs/index.js");
    const bounds = Object.fromEntries(
      theorem1()
        .float64(instance)
        .map((r) => [r.name.replace("prompt 0: ", ""), r.bound]),
    );
    const s = Math.LN2 + 1 + logZ; // |β|·max|log π_ref| + max|r| + |β log Z|
    const logZOther = Math.log((1 + Math.exp(2)) / 2);
    const sOther = Math.LN2 + 2 + logZOther;
    const close = (actual: number, expected: number) => expect(actual / expected).toBeCloseTo(1, 12);
    close(bounds["f(r) − r constant"], 4 * EPS * (1 + logZ));
    close(bounds["f(r) = β log π_r/π_ref"], 8 * EPS * s);
    close(bounds["Z(f(r)) = 1"], 8 * EPS * s);
    close(bounds["unique representative"], 16 * EPS * (s + 1 + 4));
    close(bounds["one-to-one"], 16 * EPS * (s + sOther));
    close(bounds["onto full-support policies"], 16 * EPS * (Math.log(4) + Math.LN2));
  });
  it("Lemma 2", async () => {
    const { lemma2 } = await import("../../src/proofs/index.js");
    const [r] = lemma2().float64({ problem: instance.problem, shift: instance.shift });
    // 8·EPS·(max|log π_ref| + (max|r| + max|r + f|)/|β|)
    expect(r.bound / (8 * EPS * (Math.LN2 + 1 + 4))).toBeCloseTo(1, 12);
  });
});
