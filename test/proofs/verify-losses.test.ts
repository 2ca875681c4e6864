import { describe, expect, it } from "vitest";
import { lossOptimumTable, verifyLosses } from "../../src/proofs/index.js";
import { expectLuceRejection } from "../helpers/close.js";

describe("verifyLosses", () => {
  it("every loss statement gives its expected verdict; refuted claims carry a counterexample", async () => {
    const report = await verifyLosses({ runs: 40, seed: 42 });
    for (const s of report.statements) {
      expect(s.verdict, s.id).toBe(s.expected);
      if (s.expected === "refuted") expect(s.counterexample, s.id).toBeDefined();
    }
    expect(report.ok).toBe(true);
  }, 300_000);

  it("the table: DPO and robust DPO at π_r*, apo_zero and apo_down without finite optimum, aot not computed", () => {
    const rows = lossOptimumTable();
    const row = (type: string) => rows.filter((r) => r.lossType === type);
    for (const r of [...row("sigmoid"), ...row("robust"), ...row("plackett_luce")]) {
      expect(r.optimum).toBe("finite");
      expect(r.klToOptimal!).toBeLessThan(1e-10);
    }
    for (const r of [...row("apo_zero"), ...row("apo_down")]) expect(r.optimum).toBe("no finite optimum");
    for (const r of row("aot")) expect(r.optimum).toBe("not computed");
    for (const r of rows.filter((r) => r.optimum === "finite")) expect(r.certified, r.lossType).toBe(true);
    // IPO's optimum is not π_r*: its targets p − ½ are bounded
    for (const r of row("ipo")) expect(r.klToOptimal!).toBeGreaterThan(1e-3);
  }, 120_000);

  it("rejects bad options naming them", async () => {
    await expectLuceRejection(verifyLosses({ runs: 0 }), "options.runs");
    await expectLuceRejection(verifyLosses({ onProgress: 3 } as never), "options.onProgress");
  });
});
