import { describe, expect, it } from "vitest";
import { winLossLogOdds } from "../../src/inference/estimators.js";

describe("winLossLogOdds", () => {
  it("is the maximum-likelihood estimate of two items, ±½ log(W/L), centred", () => {
    // item 0 beats item 1 W times and loses L times: θ_0 − θ_1 = log(W/L) maximises W log σ(d) + L log σ(−d)
    const [w, l] = [37, 11];
    const theta = winLossLogOdds({ wins: Float64Array.of(w, l), losses: Float64Array.of(l, w) });
    expect(theta[0]).toBeCloseTo(Math.log(w / l) / 2, 14);
    expect(theta[1]).toBeCloseTo(-Math.log(w / l) / 2, 14);
  });

  it("is the origin when an item lacks wins or losses, or the log-odds spread past 50", () => {
    expect([...winLossLogOdds({ wins: Float64Array.of(3, 0), losses: Float64Array.of(0, 3) })]).toEqual([0, 0]);
    expect([...winLossLogOdds({ wins: Float64Array.of(3, 2, 4), losses: Float64Array.of(1, 0, 2) })]).toEqual([
      0, 0, 0,
    ]);
    // two items: spread (log(W/L) − log(L/W))/2 = log(W/L); e^51 ≈ 1.4e22 wins to 1
    const wide = winLossLogOdds({ wins: Float64Array.of(Math.exp(51), 1), losses: Float64Array.of(1, Math.exp(51)) });
    expect([...wide]).toEqual([0, 0]);
    const narrow = winLossLogOdds({ wins: Float64Array.of(Math.exp(49), 1), losses: Float64Array.of(1, Math.exp(49)) });
    expect(narrow[0]).toBeCloseTo(24.5, 12);
  });
});
