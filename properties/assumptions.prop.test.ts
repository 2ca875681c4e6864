// Each row of the paper's table of assumptions: dropping it breaks exactly the predicted statements.
import { describe, expect, it } from "vitest";
import { assumptionVariants, checkVariant } from "../src/proofs/index.js";

const seed = Number(process.env.LUCE_SEED ?? 42);
describe("assumption variants", () => {
  for (const variant of assumptionVariants()) {
    it(`${variant.assumption} → ${variant.dropped}`, async () => {
      const report = await checkVariant(variant, { runs: 60, seed });
      for (const r of report.results) expect(`${r.id}: ${r.verdict}`).toBe(`${r.id}: ${r.expected}`);
    });
  }
});
