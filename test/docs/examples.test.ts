// The worked example of docs/property-testing.md, verbatim in substance.
import { it } from "vitest";
import fc from "fast-check";
import { finiteProblemArbitrary } from "../../src/arbitraries/index.js";
import { impliedReward, klDivergence, logOptimalPolicy, logSpace } from "../../src/index.js";

it("E_{π_r}[β log π_r/π_ref] = β KL(π_r ‖ π_ref)", () => {
  fc.assert(
    fc.property(finiteProblemArbitrary({ maxRewardOverBeta: 50 }), ({ beta, reward, logReference }) => {
      const ref = logSpace(logReference);
      const piR = logOptimalPolicy(reward, ref, beta);
      const implied = impliedReward(logSpace(piR), ref, beta);
      const kl = klDivergence(logSpace(piR), ref);
      return piR.every((row, x) => {
        const expected = row.reduce((a, lp, y) => a + Math.exp(lp) * implied[x][y], 0);
        const size = row.reduce((a, lp, y) => a + Math.exp(lp) * Math.abs(implied[x][y]), 0);
        return Math.abs(expected - beta * kl[x]) <= 64 * Number.EPSILON * (size + beta);
      });
    }),
  );
});
