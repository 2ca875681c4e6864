import { describe, expect, it } from "vitest";
import {
  areEquivalentRewards,
  frontierRewardAtKl,
  impliedReward,
  klRegularizedObjective,
  logOptimalPolicy,
  logPartition,
  logSpace,
  optimalPolicy,
  preferenceLogProbability,
  preferenceProbability,
  projectReward,
  rewardKlFrontier,
  rewardKlPoint,
} from "../../src/index.js";
import { logOptimalPolicyRow } from "../../src/theory/kernels.js";
import { EPS, expectClose, expectLuceError } from "../helpers/close.js";

/** The smallest positive double. */
const TINY = 5e-324;

// Where r/β passes the float64 range the exact optimal policy puts all its mass on the best
// responses (shared by exact ties in proportion to π_ref): every other response is more than
// 1e308 below in log space, so e^{−that} is 0 in any float format. The expected values below are
// that closed form.
describe("the optimal policy where r/β overflows: the limit, not NaN", () => {
  it("logOptimalPolicy([[1e308, −1e308]], ½, ½) is [0, −Infinity]", () => {
    const [row] = logOptimalPolicy([[1e308, -1e308]], [[0.5, 0.5]], 0.5);
    expect(row[0] === 0).toBe(true);
    expect(row[1]).toBe(-Infinity);
  });
  it("optimalPolicy([[1e200, 0]], ½, 1e−200) is [1, 0]", () => {
    expect(Array.from(optimalPolicy([[1e200, 0]], [[0.5, 0.5]], 1e-200)[0])).toEqual([1, 0]);
  });
  it("β = 5e−324 puts all mass on the best reward, for probabilities and log space", () => {
    expect(Array.from(optimalPolicy([[1, 0, 2]], [[0.2, 0.3, 0.5]], TINY)[0])).toEqual([0, 0, 1]);
    const [row] = logOptimalPolicy([[1, 0, 2]], logSpace([[Math.log(0.2), Math.log(0.3), Math.log(0.5)]]), TINY);
    expect(Array.from(row)).toEqual([-Infinity, -Infinity, 0]);
  });
  it("exact ties share the mass in proportion to π_ref", () => {
    const ref = [0.2, 0.3, 0.5];
    const [pi] = optimalPolicy([[1e308, 1e308, -1e308]], [ref], 1e-10);
    // π_r(y) = π_ref(y) / (π_ref(0) + π_ref(1)) on the tied best responses
    expectClose(pi[0], 0.2 / 0.5, { rel: 4 * EPS });
    expectClose(pi[1], 0.3 / 0.5, { rel: 4 * EPS });
    expect(pi[2]).toBe(0);
    const [logPi] = logOptimalPolicy([[-1e308, -1e308]], [[0.25, 0.75]], 0.5); // r/β = −Infinity for both
    expectClose(logPi[0], Math.log(0.25), { rel: 4 * EPS });
    expectClose(logPi[1], Math.log(0.75), { rel: 4 * EPS });
  });
  it("a response without reference mass stays at 0, even when its reward is the largest", () => {
    const [pi] = optimalPolicy([[1e308, 5, 1e300]], [[0, 0.5, 0.5]], 1e-300);
    expect(Array.from(pi)).toEqual([0, 0, 1]);
  });
  it("β < 0 (the proof checkers drop β > 0) leads with the smallest reward", () => {
    // the row kernel the checkers call: r/β = +Infinity for the smallest reward when β = −1e−10
    const row = logOptimalPolicyRow([-1e308, 1e308], [Math.log(0.5), Math.log(0.5)], -1e-10);
    expect(row[0] === 0).toBe(true);
    expect(row[1]).toBe(-Infinity);
  });
});

describe("log Z and the projection where r/β overflows", () => {
  it("logPartition refuses a log Z beyond the float64 range, naming β", () => {
    expectLuceError(() => logPartition([[1e200, 0]], [[0.5, 0.5]], 1e-200), "beta", "logPartition");
    expectLuceError(() => logPartition([[1, 0]], [[0.5, 0.5]], TINY), "beta", "logPartition");
  });
  it("logPartition stays finite where log Z is finite although a term's r/β is −Infinity", () => {
    // log Z = log(½ e^{0} + ½ e^{−2e308}) = log ½
    expectClose(logPartition([[0, -1e308]], [[0.5, 0.5]], 0.5)[0], Math.log(0.5), { rel: EPS });
  });
  it("projectReward is r − r_max − β log Σ π_ref e^{(r − r_max)/β}: finite where r/β overflows", () => {
    // r = [1e200, 0], β = 1e−200: f = [−β log ½, −1e200 − β log ½] (the second response has no mass)
    const beta = 1e-200;
    const [f] = projectReward([[1e200, 0]], [[0.5, 0.5]], beta);
    expectClose(f[0], -beta * Math.log(0.5), { rel: 2 * EPS });
    expectClose(f[1], -1e200, { rel: EPS });
    const [g] = projectReward([[1, 0]], [[0.5, 0.5]], TINY);
    expect(g[0]).toBe(-TINY * Math.log(0.5));
    expect(g[1]).toBe(-1 - TINY * Math.log(0.5));
  });
  it("projectReward refuses an entry beyond the float64 range (r − r_max ≈ −2e308)", () => {
    expectLuceError(() => projectReward([[1e308, -1e308]], [[0.5, 0.5]], 0.5), "reward[0][1]", "projectReward");
  });
  it("impliedReward refuses β log π/π_ref beyond the float64 range", () => {
    expectLuceError(() => impliedReward([[1e-300, 1]], [[0.5, 0.5]], 1e306), "beta", "impliedReward");
  });
  it("preferences from a policy whose implied reward overflows: a LuceError about the range", () => {
    const source = { policy: [[1e-300, 1 - 1e-300]], reference: [[0.5, 0.5]], beta: 1e306 };
    expectLuceError(() => preferenceLogProbability(source, 0, [1, 0]), "source.beta", "preferenceLogProbability");
  });
});

describe("the frontier where r/β overflows", () => {
  const problem = { reward: [[1e308, -1e308]], reference: [[0.5, 0.5]] };
  it("rewardKlFrontier at β = ½ and 5e−324: the policy on the best response (KL log 2, reward 1e308)", () => {
    for (const point of rewardKlFrontier(problem, [0.5, TINY])) {
      expectClose(point.kl, Math.LN2, { rel: 2 * EPS });
      expect(point.expectedReward).toBe(1e308);
    }
  });
  it("rewardKlFrontier on the default grid has no NaN", () => {
    for (const point of rewardKlFrontier(problem)) {
      expect(Number.isFinite(point.kl) && Number.isFinite(point.expectedReward)).toBe(true);
    }
  });
  it("frontierRewardAtKl with ±1e308 rewards: 0 at KL 0, 1e308 past the frontier", () => {
    expect(frontierRewardAtKl(problem, 0)).toBe(0);
    expect(frontierRewardAtKl(problem, 1)).toBe(1e308);
  });
  it("frontierRewardAtKl past the frontier on a prompt with 200,000 responses (no spread of the row)", () => {
    const k = 200_000;
    const reward = [Float64Array.from({ length: k }, (_, y) => (y === 7 ? 3 : 0))];
    const reference = [new Float64Array(k).fill(1 / k)];
    expect(frontierRewardAtKl({ reward, reference }, 100)).toBe(3);
  });
});

describe("theory inputs are read once", () => {
  it("prompt weights that change after validation do not reach the computation", () => {
    let reads = 0;
    const weights = new Proxy([1, 1], {
      get: (t, k) => (k === "0" ? (reads++ === 0 ? 1 : Number.NaN) : Reflect.get(t, k)),
    });
    const problem = {
      reward: [
        [1, 0],
        [0, 1],
      ],
      reference: [
        [0.5, 0.5],
        [0.5, 0.5],
      ],
      promptWeights: weights,
    };
    const point = rewardKlPoint(problem, [
      [1, 0],
      [0, 1],
    ]);
    expectClose(point.kl, Math.LN2, { rel: 2 * EPS });
    expect(point.expectedReward).toBe(1);
    reads = 0;
    expect(frontierRewardAtKl(problem, 0)).toBe(0.5);
  });
  it("a reward row whose length grows after it was read", () => {
    let reads = 0;
    const row = new Proxy([1, 0], {
      get: (t, k) => (k === "length" ? (reads++ === 0 ? 2 : 3) : Reflect.get(t, k)),
    });
    expect(Array.from(optimalPolicy([row], [[0.5, 0.5]], 1)[0]).length).toBe(2);
  });
  it("an unknown key of a weighted problem is an error listing the known ones", () => {
    const typo = { reward: [[1, 0]], reference: [[0.5, 0.5]], promptWeight: [1] };
    expectLuceError(() => rewardKlPoint(typo as never, [[1, 0]]), "problem.promptWeight", "rewardKlPoint");
  });
});

describe("preferenceProbability names itself in its errors", () => {
  it("a bad prompt index", () => {
    expectLuceError(() => preferenceProbability({ reward: [[1, 0]] }, 3, [0, 1]), "prompt", "preferenceProbability");
  });
});

describe("areEquivalentRewards options", () => {
  it("null and unknown keys are LuceErrors naming it", () => {
    expectLuceError(() => areEquivalentRewards([[1]], [[2]], null as never), "options", "areEquivalentRewards");
    expectLuceError(
      () => areEquivalentRewards([[1]], [[2]], { relativeTolerence: 1 } as never),
      "options.relativeTolerence",
      "areEquivalentRewards",
    );
    expect(areEquivalentRewards([[1, 2]], [[4, 5]], { absoluteTolerance: 0 })).toBe(true);
  });
});

describe("klRegularizedObjective beyond the float64 range", () => {
  it("β·KL past 1.8e308 is a LuceError; π outside π_ref's support is −Infinity", () => {
    // KL([1, 0] ‖ [½, ½]) = log 2 ≈ 0.69 and 1.7e308·0.69 is finite, but KL([1, 0] ‖ [0.01, 0.99]) = log 100 is not
    expectLuceError(() => klRegularizedObjective([[1, 0]], [[0, 0]], [[0.01, 0.99]], 1.7e308), "beta");
    expect(klRegularizedObjective([[0, 1]], [[0, 0]], [[1, 0]], 1)[0]).toBe(-Infinity);
  });
});
