import { describe, expect, it } from "vitest";
import { test as fcTest, fc } from "@fast-check/vitest";
import fixtures from "../fixtures/theory.json" with { type: "json" };
import {
  areEquivalentRewards,
  canonicalReward,
  impliedReward,
  klDivergence,
  klRegularizedObjective,
  logOptimalPolicy,
  logPartition,
  logSpace,
  optimalPolicy,
  preferenceLogProbability,
  preferenceProbability,
  projectReward,
} from "../../src/index.js";
import { EPS, expectClose, expectLuceError, num } from "../helpers/close.js";

// Bounds: the issue asks for 1e-12 relative. Values that cross zero (log-probabilities near 0,
// projected rewards) get an absolute part: a few EPS times the size of the terms that cancel,
// here |r/β| + |log π_ref| (times β for rewards).
describe("theory functions against 60-digit references", () => {
  it.each(fixtures.map((c, i) => [i, c] as const))("instance %i", (_i, c) => {
    const ref = logSpace([c.logReference]);
    const terms = Math.max(...c.reward.map((r, y) => Math.abs(r / c.beta) + Math.abs(c.logReference[y])));
    const abs = 16 * EPS * terms;
    expectClose(logPartition([c.reward], ref, c.beta)[0], num(c.logPartition), { rel: 1e-12, abs }, "log Z");
    logOptimalPolicy([c.reward], ref, c.beta)[0].forEach((v, y) =>
      expectClose(v, num(c.logOptimalPolicy[y]), { rel: 1e-12, abs }, `log pi_r ${y}`),
    );
    optimalPolicy([c.reward], ref, c.beta)[0].forEach((v, y) =>
      expectClose(v, Math.exp(num(c.logOptimalPolicy[y])), { rel: 1e-12, abs: abs + 1e-300 }, `pi_r ${y}`),
    );
    projectReward([c.reward], ref, c.beta)[0].forEach((v, y) =>
      expectClose(v, num(c.projectReward[y]), { rel: 1e-12, abs: abs * c.beta }, `f(r) ${y}`),
    );
    const pol = logSpace([c.logPolicy]);
    const policyTerms = Math.max(...c.logPolicy.map((p, y) => Math.abs(p) + Math.abs(c.logReference[y])));
    impliedReward(pol, ref, c.beta)[0].forEach((v, y) =>
      expectClose(v, num(c.impliedReward[y]), { rel: 1e-12, abs: 4 * EPS * c.beta * policyTerms }, `implied ${y}`),
    );
    expectClose(
      klDivergence(pol, ref)[0],
      num(c.klPolicyReference),
      { rel: 1e-12, abs: 16 * EPS * (1 + policyTerms) },
      "KL",
    );
    const rewardScale = Math.max(...c.reward.map(Math.abs));
    expectClose(
      klRegularizedObjective(pol, [c.reward], ref, c.beta)[0],
      num(c.objective),
      { rel: 1e-12, abs: 16 * EPS * (rewardScale + c.beta * (1 + policyTerms)) },
      "objective",
    );
    const [y1, y2] = c.pair;
    const diff = Math.abs(c.reward[y1] - c.reward[y2]);
    expectClose(
      preferenceLogProbability({ reward: [c.reward] }, 0, [y1, y2]),
      num(c.pairLogProbability),
      { rel: 1e-12, abs: 4 * EPS * diff },
      "BT",
    );
  });
});

describe("closed forms and properties", () => {
  it("optimalPolicy with two responses and a uniform reference is the logistic", () => {
    const [[p0, p1]] = optimalPolicy([[1, 0]], [[0.5, 0.5]], 1);
    expectClose(p0, 1 / (1 + Math.exp(-1)), { rel: 2 * EPS });
    expectClose(p1, 1 / (1 + Math.exp(1)), { rel: 4 * EPS });
  });
  it("reference probabilities like e^-5000 do not underflow in log space", () => {
    const logRef = [-5000, Math.log1p(-Math.exp(-5000))];
    const out = logOptimalPolicy([[5000, 0]], logSpace([logRef]), 1);
    // a = [0, ~0]: two equal terms, so each has log-probability -log 2
    expectClose(out[0][0], -Math.LN2, { rel: 2 * EPS });
    expectClose(out[0][1], -Math.LN2, { rel: 2 * EPS });
  });
  it("equivalence: shifts per prompt are equivalent, per response are not", () => {
    expect(
      areEquivalentRewards(
        [
          [1, 2],
          [0, 5],
        ],
        [
          [4, 5],
          [-1, 4],
        ],
      ),
    ).toBe(true);
    expect(areEquivalentRewards([[1, 2]], [[1, 3]])).toBe(false);
    expect(areEquivalentRewards([[1, 2]], [[1, 2.5]], { absoluteTolerance: 0.6 })).toBe(true);
  });
  it("the tolerance relation is not transitive (as documented)", () => {
    const a = [[0, 0]];
    const b = [[0, 0.4]];
    const c = [[0, 0.8]];
    const options = { absoluteTolerance: 0.5 };
    expect(areEquivalentRewards(a, b, options) && areEquivalentRewards(b, c, options)).toBe(true);
    expect(areEquivalentRewards(a, c, options)).toBe(false);
  });
  it("canonicalReward centres each prompt", () => {
    expect(canonicalReward([[1, 2, 6], [3]]).map((r) => Array.from(r))).toEqual([[-2, -1, 3], [0]]);
  });
  fcTest.prop([
    fc
      .integer({ min: 2, max: 6 })
      .chain((k) =>
        fc.tuple(
          fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: k, maxLength: k }),
          fc.array(fc.double({ min: -5, max: 0, noNaN: true }), { minLength: k, maxLength: k }),
          fc.double({ min: 0.05, max: 5, noNaN: true }),
        ),
      ),
  ])("π_r's implied reward is the projection, and the projection has Z = 1", ([reward, logits, beta]) => {
    const z = Math.log(logits.reduce((a, l) => a + Math.exp(l), 0));
    const ref = logSpace([logits.map((l) => l - z)]);
    const pi = logSpace(logOptimalPolicy([reward], ref, beta));
    const f = projectReward([reward], ref, beta)[0];
    const scale = 16 * EPS * (Math.max(...reward.map(Math.abs)) + beta * 30);
    impliedReward(pi, ref, beta)[0].forEach((v, y) => expectClose(v, f[y], { abs: scale }));
    expectClose(logPartition([f], ref, beta)[0], 0, { abs: scale / beta });
  });
  it("preference probabilities from π_r/π_ref equal those from r (eq. 6)", () => {
    const reward = [[1.5, -0.3, 0.2, 2.0]];
    const reference = [[0.1, 0.2, 0.3, 0.4]];
    const policy = optimalPolicy(reward, reference, 0.7);
    const obs = [[3, 0, 2], { ranking: [1], of: [0, 1, 2, 3] }, [2, [0, 1]], [0, 1]] as const;
    for (const o of obs) {
      expectClose(
        preferenceProbability({ policy, reference, beta: 0.7 }, 0, o),
        preferenceProbability({ reward }, 0, o),
        { rel: 1e-14 },
      );
    }
  });
});

describe("bad input", () => {
  const reward = [[1, 2]];
  const reference = [[0.5, 0.5]];
  it("rejects non-distributions, shapes, β, and π_ref without mass", () => {
    for (const f of [optimalPolicy, logOptimalPolicy, logPartition, projectReward]) {
      expectLuceError(() => f(reward, [[0.6, 0.6]], 1), "reference[0]");
      expectLuceError(() => f(reward, [[-0.1, 1.1]], 1), "reference[0][0]");
      expectLuceError(() => f(reward, logSpace([[0.1, -1]]), 1), "reference.log[0][0]");
      expectLuceError(() => f(reward, [[0.5, 0.5], [1]], 1), "reference");
      expectLuceError(() => f(reward, [[1]], 1), "reference[0]");
      expectLuceError(() => f(reward, reference, 0), "beta");
      expectLuceError(() => f(reward, reference, -1), "beta");
      expectLuceError(() => f(reward, reference, Infinity), "beta");
      expectLuceError(() => f([[1, Number.NaN]], reference, 1), "reward[0][1]");
      expectLuceError(() => f([], reference, 1), "reward");
      expectLuceError(() => f([[]], reference, 1), "reward[0]");
    }
    expectLuceError(() => impliedReward([[0.5, 0.5]], [[1, 0]], 1), "reference[0][1]");
    expectLuceError(() => impliedReward([[0.5, 0.5]], [[1, 0]], 0), "beta");
    expectLuceError(() => impliedReward([[1]], reference, 1), "reference[0]");
    expectLuceError(() => klDivergence([[0.5, 0.5]], [[0.5, 0.6]]), "reference[0]");
    expectLuceError(() => klDivergence([[0.5, Number.NaN]], reference), "policy[0][1]");
    expectLuceError(() => klRegularizedObjective([[0.5, 0.5]], [[1]], reference, 1), "reward[0]");
    expectLuceError(() => klRegularizedObjective([[0.5, 0.5]], reward, reference, 0), "beta");
    expectLuceError(() => areEquivalentRewards([[1]], [[1, 2]]), "r2[0]");
    expectLuceError(() => areEquivalentRewards([[1]], [[Infinity]]), "r2[0][0]");
    expectLuceError(() => areEquivalentRewards([[1]], [[1]], { absoluteTolerance: -1 }), "options.absoluteTolerance");
    expectLuceError(
      () => areEquivalentRewards([[1]], [[1]], { relativeTolerance: Number.NaN }),
      "options.relativeTolerance",
    );
    expectLuceError(() => canonicalReward([[Number.NaN]]), "reward[0][0]");
    expectLuceError(() => preferenceLogProbability({ reward }, 1, [0, 1]), "prompt");
    expectLuceError(() => preferenceLogProbability({ reward }, 0, [0, 0]), "observation[1]");
    expectLuceError(() => preferenceLogProbability({ policy: [[1, 0]], reference, beta: 1 }, 0, [0, 1]), "source");
    expectLuceError(() => preferenceLogProbability({ policy: reference, reference, beta: 0 }, 0, [0, 1]), "beta");
    expectLuceError(() => preferenceProbability(null as never, 0, [0, 1]), "source");
    expectLuceError(() => logSpace(3 as never), "log");
  });
});
