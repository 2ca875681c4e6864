import { describe, expect, it } from "vitest";
import { klDivergence, klRegularizedObjective, logSpace } from "../../src/theory/index.js";

// KL(π ‖ π_ref) is +∞ when π puts mass where π_ref has none (π is not absolutely continuous with respect to π_ref):
// Σ_y π log(π/π_ref) has a term π(y)·log(π(y)/0) = +∞. Skipping that response would give a finite number.
describe("KL divergence outside the reference's support", () => {
  it("is +Infinity when π has mass where π_ref has none", () => {
    expect(Array.from(klDivergence([[0.5, 0.5]], [[1, 0]]))).toEqual([Infinity]);
    expect(Array.from(klDivergence(logSpace([[Math.log(0.25), Math.log(0.75)]]), logSpace([[0, -Infinity]])))).toEqual([
      Infinity,
    ]);
    // even a tiny mass outside the support, e^{-5000}
    expect(Array.from(klDivergence(logSpace([[0, -5000]]), logSpace([[0, -Infinity]])))).toEqual([Infinity]);
  });
  it("is finite where π's zeros cover π_ref's zeros, prompt by prompt", () => {
    const kl = klDivergence(
      [
        [1, 0],
        [0.5, 0.5],
      ],
      [
        [0.5, 0.5],
        [1, 0],
      ],
    );
    expect(kl[0]).toBeCloseTo(Math.LN2, 15);
    expect(kl[1]).toBe(Infinity);
  });
  it("makes the KL-regularised objective −Infinity for β > 0", () => {
    expect(Array.from(klRegularizedObjective([[0.5, 0.5]], [[1, 0]], [[1, 0]], 0.1))).toEqual([-Infinity]);
  });
});
