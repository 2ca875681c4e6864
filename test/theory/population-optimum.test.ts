import { describe, expect, it } from "vitest";
import { populationOptimum, type PopulationProblem } from "../../src/index.js";
import { expectClose, expectLuceError } from "../helpers/close.js";

const L = Math.log;
const sigma = (x: number) => 1 / (1 + Math.exp(-x));
/** log π_r = log π_ref + r/β − log Σ π_ref e^{r/β} (eq. 4), written out here. */
function logPiR(reward: number[], logRef: number[], beta: number): number[] {
  const a = reward.map((r, y) => logRef[y] + r / beta);
  const m = Math.max(...a);
  const z = m + L(a.reduce((s, v) => s + Math.exp(v - m), 0));
  return a.map((v) => v - z);
}
const complete = (k: number) =>
  Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 0 : 1)));
const two = [
  [0, 1],
  [1, 0],
];
/** β·(h_0 − h_1) of a K = 2 optimum, h = log π − log π_ref. */
const margin = (logPi: Float64Array, logRef: number[], beta: number) =>
  beta * (logPi[0] - logRef[0] - (logPi[1] - logRef[1]));

describe("populationOptimum against closed forms", () => {
  const logRef3 = [L(0.5), L(0.25), L(0.25)];
  it("sigmoid on a connected μ is π_r (eq. 4)", () => {
    const reward = [1, 0, -1];
    const r = populationOptimum({ beta: 0.5, reward: [reward], logReference: [logRef3], pairWeights: [complete(3)] });
    logPiR(reward, logRef3, 0.5).forEach((v, y) => expectClose(r.logPolicy[0][y], v, { abs: 1e-12 }, `y=${y}`));
    expect(r.certificates[0].method).toBe("newton");
    expect(r.certificates[0].positiveDefinite).toBe(true);
    expect(r.certificates[0].gradientNorm).toBeLessThanOrEqual(r.certificates[0].gradientBound);
    r.impliedReward[0].forEach((v, y) => expectClose(v, 0.5 * (r.logPolicy[0][y] - logRef3[y]), { abs: 1e-15 }));
  });

  it("sigmoid at the extremes: K = 8, |r/β| up to 800, π_ref down to 1e-300, weights 1e-4 apart", () => {
    const reward = [8, -8, 3, 0.5, -2, 7.5, -6, 1];
    const beta = 0.01;
    const raw = [0, -690, -1, -2, -690, -0.5, -3, -1.5];
    const m = Math.max(...raw);
    const z = m + L(raw.reduce((s, v) => s + Math.exp(v - m), 0));
    const logRef = raw.map((v) => v - z);
    // a path 0-1-…-7 with weights from 1 to 1e-4, and two chords
    const mu = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
    for (let i = 0; i < 7; i++) mu[i][i + 1] = mu[i + 1][i] = 10 ** -(i % 5);
    mu[0][5] = mu[5][0] = 0.3;
    mu[2][7] = mu[7][2] = 1e-4;
    const r = populationOptimum({ beta, reward: [reward], logReference: [logRef], pairWeights: [mu] });
    const target = logPiR(reward, logRef, beta);
    const kl = target.reduce((s, t, y) => s + Math.exp(r.logPolicy[0][y]) * (r.logPolicy[0][y] - t), 0);
    expect(Math.abs(kl)).toBeLessThan(1e-10);
    // the implied rewards differ from r* by one constant (reward units)
    const shift = r.impliedReward[0].map((v, y) => v - reward[y]);
    for (const s of shift) expectClose(s, shift[0], { abs: 1e-6 });
  });

  it("K = 2 conservative DPO: σ(β margin) = (1 − ε)p + εp̄", () => {
    for (const [gap, eps] of [
      [2, 0.1],
      [-5, 0.3],
      [0.5, 0.01],
    ]) {
      const logRef = [L(0.3), L(0.7)];
      const r = populationOptimum({
        lossType: "conservative_sigmoid",
        labelSmoothing: eps,
        beta: 0.7,
        reward: [[gap, 0]],
        logReference: [logRef],
        pairWeights: [two],
      });
      const q = (1 - eps) * sigma(gap) + eps * sigma(-gap);
      expectClose(sigma(margin(r.logPolicy[0], logRef, 0.7)), q, { abs: 1e-13 });
    }
  });

  it("K = 2 plain DPO on labels flipped at rate ε fits the flipped preference; robust DPO recovers π_r", () => {
    const logRef = [L(0.6), L(0.4)];
    const problem = { beta: 2, reward: [[3, 0]], logReference: [logRef], pairWeights: [two], labelNoise: 0.2 };
    const plain = populationOptimum(problem);
    expectClose(sigma(margin(plain.logPolicy[0], logRef, 2)), 0.8 * sigma(3) + 0.2 * sigma(-3), { abs: 1e-13 });
    const robust = populationOptimum({ ...problem, lossType: "robust", labelSmoothing: 0.2 });
    expectClose(margin(robust.logPolicy[0], logRef, 2), 3, { abs: 1e-11 });
  });

  it("K = 2 IPO: β margin = p − ½ (TRL's units)", () => {
    const logRef = [L(0.5), L(0.5)];
    const r = populationOptimum({
      lossType: "ipo",
      beta: 0.1,
      reward: [[4, 1]],
      logReference: [logRef],
      pairWeights: [two],
    });
    expectClose(margin(r.logPolicy[0], logRef, 0.1), sigma(3) - 0.5, { abs: 1e-12 });
  });

  it("K = 2 hinge: margin ±1 whatever the gap, found by enumeration", () => {
    const logRef = [L(0.5), L(0.5)];
    for (const gap of [0.01, 30, -7]) {
      const r = populationOptimum({
        lossType: "hinge",
        beta: 3,
        reward: [[gap, 0]],
        logReference: [logRef],
        pairWeights: [two],
      });
      expectClose(margin(r.logPolicy[0], logRef, 3), Math.sign(gap), { abs: 1e-14 });
      expect(r.certificates[0].method).toBe("enumeration");
    }
  });

  it("sigmoid_norm: β(h_0/L_0 − h_1/L_1) = r*_0 − r*_1, so π ≠ π_r for unequal lengths", () => {
    const logRef = [L(0.5), L(0.5)];
    const r = populationOptimum({
      lossType: "sigmoid_norm",
      beta: 1,
      reward: [[1, 0]],
      logReference: [logRef],
      pairWeights: [two],
      lengths: [[2, 5]],
    });
    const h = r.logPolicy[0].map((v, y) => v - logRef[y]);
    expectClose(h[0] / 2 - h[1] / 5, 1, { abs: 1e-12 });
  });

  it("listwise Plackett–Luce DPO from PL(r*) rankings is π_r", () => {
    const reward = [0.5, -1, 2, 0];
    const logRef = [L(0.1), L(0.2), L(0.3), L(0.4)];
    const r = populationOptimum({ lossType: "plackett_luce", beta: 0.3, reward: [reward], logReference: [logRef] });
    logPiR(reward, logRef, 0.3).forEach((v, y) => expectClose(r.logPolicy[0][y], v, { abs: 1e-11 }, `y=${y}`));
  });

  it("several prompts are solved independently; off π_ref's support the policy is 0", () => {
    const r = populationOptimum({
      beta: 1,
      reward: [
        [1, 0],
        [0, 2, 5],
      ],
      logReference: [
        [L(0.5), L(0.5)],
        [L(0.5), L(0.5), -Infinity],
      ],
      pairWeights: [
        two,
        [
          [0, 1, 0],
          [1, 0, 0],
          [0, 0, 0],
        ],
      ],
    });
    expectClose(r.logPolicy[0][0], L(sigma(1)), { abs: 1e-13 });
    expectClose(r.logPolicy[1][1], L(sigma(2)), { abs: 1e-13 });
    expect(r.logPolicy[1][2]).toBe(-Infinity);
    expect(r.impliedReward[1][2]).toBe(-Infinity);
  });

  it("a disconnected μ: the certificate says the Hessian is not definite (the minimiser is not unique)", () => {
    const mu = [
      [0, 1, 0, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 1],
      [0, 0, 1, 0],
    ];
    const r = populationOptimum({
      beta: 1,
      reward: [[1, 0, 1, 0]],
      logReference: [[L(0.25), L(0.25), L(0.25), L(0.25)]],
      pairWeights: [mu],
    });
    expect(r.certificates[0].positiveDefinite).toBe(false);
  });
});

describe("populationOptimum: no finite optimum", () => {
  it("apo_zero pushes the responses that lose more often than they win to π = 0", () => {
    expectLuceError(
      () =>
        populationOptimum({
          lossType: "apo_zero",
          beta: 0.5,
          reward: [[1, 0, -1]],
          logReference: [[L(0.5), L(0.25), L(0.25)]],
          pairWeights: [complete(3)],
        }),
      "problem",
      "populationOptimum",
    );
    try {
      populationOptimum({
        lossType: "apo_zero",
        beta: 0.5,
        reward: [[1, 0, -1]],
        logReference: [[L(0.5), L(0.25), L(0.25)]],
        pairWeights: [complete(3)],
      });
    } catch (e) {
      expect((e as Error).message).toContain("no finite optimum");
      expect((e as Error).message).toContain("y_2");
    }
  });
});

describe("populationOptimum: apo_zero's divergence from its net weights", () => {
  const problem = (reward: number[]): PopulationProblem => ({
    lossType: "apo_zero",
    beta: 0.5,
    reward: [reward],
    logReference: [[L(0.5), L(0.25), L(0.25)]],
    pairWeights: [complete(3)],
  });
  it("r* = (1, 0.2, −1): only y_2 loses more weight than it wins (a_y by hand), so only y_2 runs to −∞", () => {
    const p = (d: number) => 1 / (1 + Math.exp(-d));
    // a_y = Σ_j (p(y_j ≻ y) − p(y ≻ y_j)) on the complete μ
    const r = [1, 0.2, -1];
    const a = r.map((ry, y) => r.reduce((s, rj, j) => (j === y ? s : s + p(rj - ry) - p(ry - rj)), 0));
    expect(a[0] < 0 && a[1] < 0 && a[2] > 0).toBe(true);
    let message = "";
    try {
      populationOptimum(problem(r));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("no finite optimum");
    expect(message).toContain("y_2");
    expect(message).not.toContain("y_1");
  });
  it("a_y within rounding but one beyond it the other way: the a_y sum to 0, so the loss is not flat", () => {
    // y_0's reward 6e−14 above the rest, μ on the star around y_0: a_y = q(y_0 ≻ y) − q(y ≻ y_0) = σ(6e−14) − σ(−6e−14)
    // ≈ 3e−14 for y = 1…4, each within the rounding allowed on the weights (3.2e−14), a_0 = −1.2e−13 beyond it
    const K = 5;
    const mu = Array.from({ length: K }, (_, i) =>
      Array.from({ length: K }, (_, j) => (i !== j && i * j === 0 ? 1 : 0)),
    );
    const a = 1 / (1 + Math.exp(-6e-14)) - 1 / (1 + Math.exp(6e-14));
    expect(a).toBeGreaterThan(0);
    let message = "";
    try {
      populationOptimum({
        lossType: "apo_zero",
        beta: 1,
        reward: [[6e-14, 0, 0, 0, 0]],
        logReference: [new Array(K).fill(L(1 / K))],
        pairWeights: [mu],
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("no finite optimum");
    expect(message).toContain("y_1, y_2, y_3, y_4");
    expect(message).not.toContain("y_0");
  });
  /** The certificate of a flat loss: π_ref, the constant Σ_{i<j} μ_ij, and no uniqueness or accuracy claimed. */
  function expectFlat(p: PopulationProblem, muTotal: number): void {
    const r = populationOptimum(p);
    const c = r.certificates[0];
    expect(c.positiveDefinite).toBe(false);
    expect(c.logPolicyError).toBe(Infinity);
    expect(c.gradientNorm).toBeLessThanOrEqual(c.gradientBound);
    // σ(−βh_w) + σ(βh_l) is 1 at h = 0 for each labelled pair, q_ij + q_ji = 1: a sum of K(K−1)/2 weights,
    // rounded once per addition in the loss and in this reference
    expectClose(r.loss[0], muTotal, { rel: 8 * Number.EPSILON });
    // π_ref itself: log π = log π_ref − log Σ π_ref, Σ π_ref within a few ulp of 1
    r.logPolicy[0].forEach((l, y) => expectClose(l, p.logReference[0][y], { abs: 4 * Number.EPSILON }));
  }
  it("equal rewards: every a_y is 0, the loss is constant: π_ref, not unique", () => {
    expectFlat(problem([0.3, 0.3, 0.3]), 3);
  });
  it("labels flipped at rate ½: every a_y is 0 whatever r*, the loss is constant: π_ref, not unique", () => {
    const mu = [
      [0, 2, 0.5, 0],
      [2, 0, 1, 3],
      [0.5, 1, 0, 0],
      [0, 3, 0, 0],
    ];
    const logReference = [[L(0.1), L(0.2), L(0.3), L(0.4)]];
    const p = { lossType: "apo_zero" as const, beta: 2, reward: [[5, -3, 0.5, 8]], logReference, pairWeights: [mu] };
    expectFlat({ ...p, labelNoise: 0.5 }, 2 + 0.5 + 1 + 3);
  });
  it("rewards one ulp apart: σ of the gap rounds to ½, every a_y is 0 in float64: π_ref, not unique", () => {
    // Newton on this constant loss can find a definite Hessian in its rounding noise (and a finite error)
    const p: PopulationProblem = {
      lossType: "apo_zero",
      beta: 2.4366432964496196,
      reward: [[0.7, 0.7000000000000001]],
      logReference: [[-9.572686639845717, -0.00006960655341714528]],
      pairWeights: [
        [
          [0, 3.38187142926472],
          [3.38187142926472, 0],
        ],
      ],
    };
    expectFlat(p, 3.38187142926472);
  });
});

describe("populationOptimum: the log π error its certificate claims", () => {
  it("DPO on a connected μ: a small finite claim that the closed form π_r* meets", () => {
    const reward = [[1, 0.2, -1]];
    const logReference = [[L(0.5), L(0.25), L(0.25)]];
    const r = populationOptimum({ beta: 0.5, reward, logReference, pairWeights: [complete(3)] });
    const e = r.certificates[0].logPolicyError;
    expect(e).toBeGreaterThan(0);
    expect(e).toBeLessThan(1e-10);
    // π_r* from eq. 4 in float64, itself within a few ulp
    const target = reward[0].map((v, y) => logReference[0][y] + v / 0.5);
    const logZ = Math.log(target.reduce((s, t) => s + Math.exp(t), 0));
    r.logPolicy[0].forEach((l, y) => expect(Math.abs(l - (target[y] - logZ))).toBeLessThanOrEqual(e));
  });
});

describe("populationOptimum: bad input names the argument", () => {
  const ok = (): PopulationProblem => ({
    beta: 1,
    reward: [[1, 0]],
    logReference: [[L(0.5), L(0.5)]],
    pairWeights: [two.map((row) => [...row])],
  });
  const cases: [string, (p: Record<string, unknown>) => void, string][] = [
    ["unknown key", (p) => (p.betta = 1), "problem.betta"],
    ["β ≤ 0", (p) => (p.beta = 0), "problem.beta"],
    ["pairWeights missing", (p) => delete p.pairWeights, "problem.pairWeights"],
    ["asymmetric μ", (p) => ((p.pairWeights as number[][][])[0][0][1] = 2), "problem.pairWeights[0][1][0]"],
    [
      "negative weight",
      (p) =>
        (p.pairWeights = [
          [
            [0, -1],
            [-1, 0],
          ],
        ]),
      "problem.pairWeights[0][0][1]",
    ],
    [
      "self-comparison",
      (p) =>
        (p.pairWeights = [
          [
            [1, 1],
            [1, 0],
          ],
        ]),
      "problem.pairWeights[0][0][0]",
    ],
    ["reference not a distribution", (p) => (p.logReference = [[L(0.5), L(0.4)]]), "problem.logReference[0]"],
    ["a compared response off the support", (p) => (p.logReference = [[0, -Infinity]]), "problem.pairWeights[0][0][1]"],
    ["labelNoise above 1", (p) => (p.labelNoise = 1.5), "problem.labelNoise"],
    [
      "labelSmoothing out of dpoLoss's range",
      (p) => Object.assign(p, { lossType: "robust", labelSmoothing: 0.7 }),
      "problem.labelSmoothing",
    ],
    ["an aot type", (p) => (p.lossType = "aot"), "problem.lossType"],
    ["an unknown type", (p) => (p.lossType = "sigmoyd"), "problem.lossType"],
    ["sigmoid_norm without lengths", (p) => (p.lossType = "sigmoid_norm"), "problem.lengths"],
    ["a zero length", (p) => Object.assign(p, { lossType: "ipo", lengths: [[1, 0]] }), "problem.lengths[0][1]"],
    ["plackett_luce with pairWeights", (p) => (p.lossType = "plackett_luce"), "problem.pairWeights"],
    [
      "reward rows ≠ reference rows",
      (p) =>
        (p.reward = [
          [1, 0],
          [0, 1],
        ]),
      "problem.logReference",
    ],
  ];
  it.each(cases)("%s", (_name, spoil, argument) => {
    const p = ok() as unknown as Record<string, unknown>;
    spoil(p);
    expectLuceError(() => populationOptimum(p as unknown as PopulationProblem), argument, "populationOptimum");
  });

  it("hinge beyond K = 5 and the listwise loss beyond K = 6 are refused (enumeration limits)", () => {
    const k = 7;
    const logRef = new Array<number>(k).fill(-L(k));
    const reward = Array.from({ length: k }, (_, y) => y);
    expectLuceError(
      () => populationOptimum({ lossType: "plackett_luce", beta: 1, reward: [reward], logReference: [logRef] }),
      "problem.reward[0]",
      "populationOptimum",
    );
    expectLuceError(
      () =>
        populationOptimum({
          lossType: "hinge",
          beta: 1,
          reward: [reward.slice(0, 6)],
          logReference: [new Array<number>(6).fill(-L(6))],
          pairWeights: [complete(6)],
        }),
      "problem.reward[0]",
      "populationOptimum",
    );
  });
});
