import { describe, expect, it } from "vitest";
import { DEFAULT_PROBLEM, frontierData } from "../../src/cli/frontier.js";
import { frontierSvg } from "../../src/cli/frontier-plot.js";
import { frontierRewardAtKl, logSpace, optimalPolicy, rewardKlFrontier, rewardKlPoint } from "../../src/index.js";
import { expectClose, expectLuceError } from "../helpers/close.js";

const weighted = {
  reward: DEFAULT_PROBLEM.reward,
  reference: logSpace(DEFAULT_PROBLEM.logReference),
  promptWeights: DEFAULT_PROBLEM.promptWeights,
};

describe("the reward–KL frontier", () => {
  const data = frontierData(DEFAULT_PROBLEM, 200, 1);
  it("every DPO-trained policy lies on or below the frontier at its own KL", () => {
    expect(data.dpo.length).toBe(24);
    for (const p of data.dpo) {
      const best = frontierRewardAtKl(weighted, p.kl);
      // the frontier is found by bisection to ~1e-13 in log β; rounding of the sums is far below 1e-12
      expect(p.expectedReward, `β ${p.beta}, ${p.steps} steps: KL ${p.kl}`).toBeLessThanOrEqual(best + 1e-12);
    }
  });
  it("DPO moves policies away from π_ref towards the frontier (the points are not all at KL 0)", () => {
    expect(Math.max(...data.dpo.map((p) => p.kl))).toBeGreaterThan(0.1);
  });
  it("the frontier point at β is the optimal policy's own point, and KL decreases with β", () => {
    const [a, b] = rewardKlFrontier(weighted, [0.3, 3]);
    const pi = optimalPolicy(DEFAULT_PROBLEM.reward, weighted.reference, 0.3);
    const own = rewardKlPoint(weighted, pi);
    expectClose(a.kl, own.kl, { rel: 1e-13 });
    expectClose(a.expectedReward, own.expectedReward, { rel: 1e-13 });
    expect(a.kl).toBeGreaterThan(b.kl);
    // bisection recovers the same reward at that KL
    expectClose(frontierRewardAtKl(weighted, a.kl), a.expectedReward, { rel: 1e-9 });
  });
  it("beyond the frontier's range the bound is the best achievable reward", () => {
    expectClose(frontierRewardAtKl(weighted, 100), 0.5 * 0.9 + 0.5 * 1.2, { rel: 1e-15 });
    expectClose(frontierRewardAtKl({ reward: [[1, 0]], reference: [[0.5, 0.5]] }, 0), 0.5, { rel: 1e-12 });
  });
  it("renders an SVG with the frontier, the points and labelled axes", async () => {
    const svg = await frontierSvg(data.frontier, data.dpo);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("KL(π ‖ π_ref)");
    expect(svg).toContain("expected reward");
    expect(svg).toContain("frontier");
  });
  it("rejects bad input", () => {
    expectLuceError(() => frontierRewardAtKl(weighted, -1), "kl");
    expectLuceError(() => rewardKlFrontier(weighted, [0]), "betas[0]");
    expectLuceError(() => rewardKlFrontier({ ...weighted, promptWeights: [1] }), "problem.promptWeights");
    expectLuceError(() => rewardKlFrontier({ ...weighted, promptWeights: [1, -1] }), "problem.promptWeights[1]");
    expectLuceError(() => rewardKlPoint(weighted, [[1]]), "policy");
  });
});
