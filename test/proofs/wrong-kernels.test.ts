import { afterEach, describe, expect, it, vi } from "vitest";

// Checkers fed a deliberately wrong kernel must not say "holds": each case replaces one theory kernel by a wrong one
// (a 1e3·EPS relative perturbation, a relative error of 1e−9, a missing β) for a fresh import of the checkers.

type Kernels = typeof import("../../src/theory/kernels.js");
const EPS = Number.EPSILON;

async function checkWith(wrong: (real: Kernels) => Partial<Kernels>, statement: "theorem1" | "lemma2") {
  vi.resetModules();
  vi.doMock("../../src/theory/kernels.js", async (importOriginal) => {
    const real = await importOriginal<Kernels>();
    return { ...real, ...wrong(real) };
  });
  const proofs = await import("../../src/proofs/index.js");
  return proofs.checkStatement(proofs[statement](), { runs: 100, seed: 42 });
}

afterEach(() => {
  vi.doUnmock("../../src/theory/kernels.js");
  vi.resetModules();
});

describe("checkers fed a wrong kernel", () => {
  it("Theorem 1 sees projectReward off by a relative 1e3·EPS", async () => {
    const r = await checkWith(
      (real) => ({
        projectRewardRow: (...a: Parameters<Kernels["projectRewardRow"]>) =>
          real.projectRewardRow(...a).map((v) => v * (1 + 1e3 * EPS)),
      }),
      "theorem1",
    );
    expect(r.verdict).not.toBe("holds");
  });
  it("Theorem 1 sees projectReward off by a relative 1e−9", async () => {
    const r = await checkWith(
      (real) => ({
        projectRewardRow: (...a: Parameters<Kernels["projectRewardRow"]>) =>
          real.projectRewardRow(...a).map((v) => v * (1 + 1e-9)),
      }),
      "theorem1",
    );
    expect(r.verdict).not.toBe("holds");
  });
  it("Lemma 2 sees log π_r computed without β (still shift-invariant)", async () => {
    const r = await checkWith(
      (real) => ({
        logOptimalPolicyRow: (reward, logReference) => real.logOptimalPolicyRow(reward, logReference, 1),
      }),
      "lemma2",
    );
    expect(r.verdict).not.toBe("holds");
  });
  it("Lemma 2 sees log π_r off by 1e3·EPS", async () => {
    const r = await checkWith(
      (real) => ({
        logOptimalPolicyRow: (...a: Parameters<Kernels["logOptimalPolicyRow"]>) =>
          real.logOptimalPolicyRow(...a).map((v) => v * (1 + 1e3 * EPS)),
      }),
      "lemma2",
    );
    expect(r.verdict).not.toBe("holds");
  });
});
