import { describe, expect, it } from "vitest";
import fixtures from "../fixtures/new_losses.json" with { type: "json" };
import {
  logSigmoid,
  plackettLuceLogProbability,
  plackettLuceRewardModelLoss,
  rewardModelLoss,
  sigmoid,
} from "../../src/index.js";
import { EPS, expectClose, expectLuceError, num } from "../helpers/close.js";

type Case = (typeof fixtures.rewardModel)[number];
type ListCase = (typeof fixtures.plackettLuceRewardModel)[number];

/**
 * x = r_w − r_l − m is two roundings, 8·EPS·(|r_w| + |r_l| + |m|); −log σ(x) and σ(−x) have relative
 * sensitivity at most 1 to x. The centring term 2c(r_w + r_l) carries EPS·(|r_w| + |r_l|)·2c absolutely.
 */
function bounds(c: Case, i: number) {
  const m = "margins" in c ? c.margins![i] : 0;
  const size = Math.abs(c.chosenRewards[i]) + Math.abs(c.rejectedRewards[i]) + Math.abs(m);
  const rel = 1e-12 + 8 * EPS * size;
  const n = c.chosenRewards.length;
  const centring = (16 * EPS * size * 2 * c.centerRewardsCoefficient) / n;
  return { loss: { rel }, grad: { rel, abs: centring + 1e-300 } };
}

describe("rewardModelLoss against high-precision references", () => {
  it.each(fixtures.rewardModel.map((c, i) => [`${c.extreme ? "extreme" : "ordinary"} #${i}`, c] as const))(
    "%s",
    (_name, c) => {
      const r = rewardModelLoss(
        {
          chosenRewards: c.chosenRewards,
          rejectedRewards: c.rejectedRewards,
          ...("margins" in c ? { margins: c.margins } : {}),
        },
        { centerRewardsCoefficient: c.centerRewardsCoefficient },
      );
      let size = 0;
      for (let i = 0; i < c.chosenRewards.length; i++) {
        const b = bounds(c, i);
        size = Math.max(size, Math.abs(c.chosenRewards[i]) + Math.abs(c.rejectedRewards[i]));
        expectClose(r.losses[i], num(c.losses[i]), b.loss, `loss ${i}`);
        expectClose(r.gradChosen[i], num(c.gradChosen[i]), b.grad, `grad chosen ${i}`);
        expectClose(r.gradRejected[i], num(c.gradRejected[i]), b.grad, `grad rejected ${i}`);
      }
      // the batch loss: the losses' bound, and the centring term's (r_w + r_l)² to 16·EPS·size² absolutely
      const largest = Math.max(...c.losses.map(num));
      const bound = (1e-12 + 8 * EPS * size) * largest + 16 * EPS * size * size * c.centerRewardsCoefficient;
      expectClose(r.loss, num(c.loss), { rel: 1e-12, abs: bound }, "loss");
    },
  );

  it("covers margins and centring, ordinary and extreme (rewards 1e3 apart)", () => {
    expect(fixtures.rewardModel.some((c) => "margins" in c && c.centerRewardsCoefficient > 0)).toBe(true);
    const gaps = fixtures.rewardModel.flatMap((c) => c.chosenRewards.map((w, i) => Math.abs(w - c.rejectedRewards[i])));
    expect(Math.max(...gaps)).toBeGreaterThan(400);
  });
});

describe("plackettLuceRewardModelLoss against high-precision references", () => {
  it.each(fixtures.plackettLuceRewardModel.map((c, i) => [`#${i}`, c] as const))("%s", (_name, c: ListCase) => {
    const r = plackettLuceRewardModelLoss(
      { rewards: c.rewards, rankings: c.rankings },
      { centerRewardsCoefficient: c.centerRewardsCoefficient },
    );
    const n = c.rewards.length;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const row = c.rewards[i];
      // each factor is a log-softmax of rewards: a few EPS of the rewards it reads, K factors at most
      const size = Math.max(...row.map(Math.abs)) + 1;
      const abs = 16 * EPS * size * row.length;
      worst = Math.max(worst, abs);
      expectClose(r.losses[i], num(c.losses[i]), { rel: 1e-12, abs }, `loss ${i}`);
      const sum = Math.abs(row.reduce((a, b) => a + b, 0)) + row.reduce((a, b) => a + Math.abs(b), 0);
      const gradAbs = (abs + 16 * EPS * sum * c.centerRewardsCoefficient) / n + 1e-300;
      row.forEach((_, k) =>
        expectClose(r.gradRewards[i][k], num(c.gradRewards[i][k]), { rel: 1e-12, abs: gradAbs }, `grad ${i},${k}`),
      );
    }
    expectClose(r.loss, num(c.loss), { rel: 1e-12, abs: 4 * worst }, "loss");
  });

  it("at K = 2 it is rewardModelLoss without margins, centring included", () => {
    const pairs = { chosenRewards: [1.5, -0.25, 40], rejectedRewards: [0.5, 0.75, -80] };
    const pair = rewardModelLoss(pairs, { centerRewardsCoefficient: 0.1 });
    const list = plackettLuceRewardModelLoss(
      { rewards: pairs.chosenRewards.map((w, i) => [pairs.rejectedRewards[i], w]), rankings: [[1], [1, 0], [1, 0]] },
      { centerRewardsCoefficient: 0.1 },
    );
    for (let i = 0; i < 3; i++) {
      expectClose(list.losses[i], pair.losses[i], { rel: 4 * EPS });
      expectClose(list.gradRewards[i][1], pair.gradChosen[i], { rel: 8 * EPS });
      expectClose(list.gradRewards[i][0], pair.gradRejected[i], { rel: 8 * EPS });
    }
    expectClose(list.loss, pair.loss, { rel: 4 * EPS });
  });
  it("each row's loss is −plackettLuceLogProbability of its ranking", () => {
    const rewards = [[2, 0.5, -1, 3]];
    const r = plackettLuceRewardModelLoss({ rewards, rankings: [[3, 0]] });
    expect(r.losses[0]).toBe(-plackettLuceLogProbability(rewards[0], [3, 0]));
    expect(r.metrics).toEqual({ min_reward: -1, mean_reward: 1.125, max_reward: 3 });
  });
});

describe("rewardModelLoss: closed forms, metrics and extremes", () => {
  it("is TRL's −log σ(r_w − r_l − m) + c·mean((r_w + r_l)²)", () => {
    const r = rewardModelLoss(
      { chosenRewards: [1.5, 0.2], rejectedRewards: [0.5, 0.4], margins: [0.5, 0] },
      { centerRewardsCoefficient: 0.01 },
    );
    expect(r.losses[0]).toBe(-logSigmoid(0.5));
    expectClose(r.loss, (-logSigmoid(0.5) - logSigmoid(-0.2)) / 2 + 0.01 * ((4 + 0.36) / 2), { rel: 4 * EPS });
    expectClose(r.gradChosen[1], (-sigmoid(0.2) + 0.02 * 0.6) / 2, { rel: 4 * EPS });
    expect(r.metrics).toEqual({
      accuracy: 0.5,
      margin: expect.closeTo(0.4, 15),
      min_reward: 0.2,
      mean_reward: 0.65,
      max_reward: 1.5,
    });
  });
  it("no options means no centring; a tie counts as wrong", () => {
    const r = rewardModelLoss({ chosenRewards: [3, 1], rejectedRewards: [3, 0] });
    expect(r.losses[0]).toBe(Math.LN2);
    expect(r.metrics.accuracy).toBe(0.5);
    expect(r.gradChosen[0]).toBe(-0.25);
  });
  it("rewards 1e4 apart: loss 1e4 one way, e^−1e4 (0) the other, finite gradients", () => {
    const r = rewardModelLoss({ chosenRewards: [-5000, 5000], rejectedRewards: [5000, -5000] });
    expect(r.losses[0]).toBe(1e4);
    expect(r.losses[1]).toBe(0);
    expect(Array.from(r.gradChosen)).toEqual([-0.5, 0]);
  });
});

describe("reward-model losses: bad input", () => {
  const good = () => ({ chosenRewards: [1, 2], rejectedRewards: [0, 3] });
  const list = () => ({ rewards: [[1, 2, 3]], rankings: [[2, 0, 1]] });
  const cases: [string, () => unknown, string, string][] = [
    ["unknown option", () => rewardModelLoss(good(), { centre: 1 } as never), "options.centre", "rewardModelLoss"],
    [
      "negative c",
      () => rewardModelLoss(good(), { centerRewardsCoefficient: -1 }),
      "options.centerRewardsCoefficient",
      "rewardModelLoss",
    ],
    [
      "NaN reward",
      () => rewardModelLoss({ ...good(), chosenRewards: [NaN, 1] }),
      "inputs.chosenRewards[0]",
      "rewardModelLoss",
    ],
    [
      "mismatch",
      () => rewardModelLoss({ ...good(), rejectedRewards: [1] }),
      "inputs.rejectedRewards",
      "rewardModelLoss",
    ],
    ["margins mismatch", () => rewardModelLoss({ ...good(), margins: [1, 2, 3] }), "inputs.margins", "rewardModelLoss"],
    [
      "empty",
      () => rewardModelLoss({ chosenRewards: [], rejectedRewards: [] }),
      "inputs.chosenRewards",
      "rewardModelLoss",
    ],
    [
      "centring overflow",
      () => rewardModelLoss({ chosenRewards: [1e200], rejectedRewards: [1e200] }, { centerRewardsCoefficient: 1 }),
      "options.centerRewardsCoefficient",
      "rewardModelLoss",
    ],
    [
      "loss overflow",
      () => rewardModelLoss({ chosenRewards: [-1.7e308], rejectedRewards: [1.7e308] }),
      "inputs.rejectedRewards",
      "rewardModelLoss",
    ],
    ["options not an object", () => rewardModelLoss(good(), 1 as never), "options", "rewardModelLoss"],
    [
      "list: one reward",
      () => plackettLuceRewardModelLoss({ rewards: [[1]], rankings: [[0]] }),
      "inputs.rewards[0]",
      "plackettLuceRewardModelLoss",
    ],
    [
      "list: repeated rank",
      () => plackettLuceRewardModelLoss({ ...list(), rankings: [[0, 0]] }),
      "inputs.rankings[0][1]",
      "plackettLuceRewardModelLoss",
    ],
    [
      "list: out of range",
      () => plackettLuceRewardModelLoss({ ...list(), rankings: [[3]] }),
      "inputs.rankings[0][0]",
      "plackettLuceRewardModelLoss",
    ],
    [
      "list: rows mismatch",
      () => plackettLuceRewardModelLoss({ ...list(), rankings: [] }),
      "inputs.rankings",
      "plackettLuceRewardModelLoss",
    ],
    [
      "list: empty",
      () => plackettLuceRewardModelLoss({ rewards: [], rankings: [] }),
      "inputs.rewards",
      "plackettLuceRewardModelLoss",
    ],
    [
      "list: Infinity",
      () => plackettLuceRewardModelLoss({ ...list(), rewards: [[1, Infinity, 0]] }),
      "inputs.rewards[0][1]",
      "plackettLuceRewardModelLoss",
    ],
    [
      "list: bad c",
      () => plackettLuceRewardModelLoss(list(), { centerRewardsCoefficient: NaN }),
      "options.centerRewardsCoefficient",
      "plackettLuceRewardModelLoss",
    ],
  ];
  it.each(cases)("%s", (_name, call, argument, fn) => expectLuceError(call, argument, fn));
});
