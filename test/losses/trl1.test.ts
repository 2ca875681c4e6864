import { describe, expect, it } from "vitest";
import fixtures from "../fixtures/losses.json" with { type: "json" };
import { dpoLoss, logSigmoid, type DpoLossOptions, type DpoLossType, type FDivergence } from "../../src/index.js";
import { dpoBatch } from "../../src/batch/index.js";
import { EPS, expectClose, expectLuceError, num } from "../helpers/close.js";

type Case = (typeof fixtures.trl1)[number];

/** Below this a float64 has lost relative precision (subnormal): differences there are absolute. */
const SMALLEST_NORMAL = 2 ** -1022;

function inputsOf(c: Case) {
  return {
    policyChosenLogps: c.pc,
    policyRejectedLogps: c.pr,
    referenceChosenLogps: c.rc,
    referenceRejectedLogps: c.rr,
    ...(c.chosenLengths ? { chosenLengths: c.chosenLengths } : {}),
    ...(c.rejectedLengths ? { rejectedLengths: c.rejectedLengths } : {}),
    ...(c.routerAuxLoss !== null ? { routerAuxLoss: c.routerAuxLoss } : {}),
  };
}

function optionsOf(c: Case): DpoLossOptions {
  return {
    beta: c.beta,
    lossType: (c.lossTypes.length === 1 ? c.lossTypes[0] : c.lossTypes) as DpoLossType | DpoLossType[],
    ...(c.weights ? { lossWeights: c.weights } : {}),
    fDivergence: c.fDivergence as FDivergence,
    ...(c.alpha !== null ? { fAlphaDivergenceCoef: c.alpha } : {}),
    ...(c.eps !== null ? { labelSmoothing: c.eps } : {}),
    ...(c.lossTypes.includes("discopop") ? { discopopTau: c.tau } : {}),
  };
}

// The bound: 1e-12 relative for luce's own arithmetic (a few dozen roundings), plus the reference's measured
// change when each log-ratio and each score moves by 4 EPS relative (the generator's lossTolerance and
// gradient tolerances: the condition number of the value in the quantities luce rounds), plus the subnormal
// range, where float64 keeps no relative precision.
function bound(expected: number, tolerance: string) {
  return { abs: 1e-12 * Math.abs(expected) + num(tolerance) + SMALLEST_NORMAL };
}

function label(c: Case, i: number) {
  const alpha = c.alpha === null ? "" : ` α=${c.alpha}`;
  return `${c.lossTypes.join("+")} ${c.fDivergence}${alpha}${c.extreme ? " (extreme)" : ""} #${i}`;
}

describe("dpoLoss under TRL 1.x semantics against 60-digit references", () => {
  it.each(fixtures.trl1.map((c, i) => [label(c, i), c] as const))("%s", (_name, c) => {
    if (c.beyond) {
      // a loss or gradient beyond the float64 range is a LuceError, never ±Infinity or NaN
      expect(() => dpoLoss(inputsOf(c), optionsOf(c))).toThrowError(/beyond the float64 range/);
      return;
    }
    const r = dpoLoss(inputsOf(c), optionsOf(c));
    for (let i = 0; i < c.n; i++) {
      const loss = num(c.losses[i]);
      expectClose(r.losses[i], loss, bound(loss, c.lossTolerance[i]), `loss ${i}`);
      const gc = num(c.gradPolicyChosen[i]);
      expectClose(r.gradPolicyChosen[i], gc, bound(gc, c.gradChosenTolerance[i]), `grad chosen ${i}`);
      const gr = num(c.gradPolicyRejected[i]);
      expectClose(r.gradPolicyRejected[i], gr, bound(gr, c.gradRejectedTolerance[i]), `grad rejected ${i}`);
      expect(r.chosenRewards[i]).toBe(c.beta * (c.pc[i] - c.rc[i]));
    }
    expect(r.components.map((k) => k.lossType)).toEqual(c.lossTypes);
    c.componentLosses.forEach((expected, k) => {
      expect(r.components[k].weight).toBe(c.weights ? c.weights[k] : 1);
      for (let i = 0; i < c.n; i++) {
        // a component's tolerance is at most the mixture's divided by its weight; the sum bounds it for every k
        const tolerance = c.lossTolerance.reduce((a, t) => a + num(t), 0) / Math.min(1, ...(c.weights ?? [1]));
        const e = num(expected[i]);
        expectClose(r.components[k].losses[i], e, bound(e, String(tolerance)), `component ${k} loss ${i}`);
      }
    });
    const total = c.lossTolerance.reduce((a, t) => a + num(t), 0) / c.n;
    expectClose(r.loss, num(c.loss), bound(num(c.loss), String(total)), "loss");
  });

  it("covers every loss type under every f-divergence, ordinary and extreme, and some mixtures", () => {
    const singles = new Set(
      fixtures.trl1.filter((c) => c.lossTypes.length === 1).map((c) => `${c.lossTypes[0]}/${c.fDivergence}/${c.alpha}`),
    );
    expect(singles.size).toBe(15 * 7);
    expect(fixtures.trl1.filter((c) => c.lossTypes.includes("sft")).length).toBeGreaterThanOrEqual(8);
    // both outcomes occur at |log-ratio| up to 1e3: finite references and references beyond the range
    expect(fixtures.trl1.some((c) => c.extreme && !c.beyond)).toBe(true);
    expect(fixtures.trl1.some((c) => c.beyond)).toBe(true);
  });
});

/** One pair with log-ratios rw and rl, each log-prob ≤ 0 (the references sit 2000 below 0, exactly). */
function pair(rw: number, rl: number) {
  return {
    policyChosenLogps: [rw - 2000],
    policyRejectedLogps: [rl - 2000],
    referenceChosenLogps: [-2000],
    referenceRejectedLogps: [-2000],
  };
}

describe("f-divergence scores: closed forms and limits", () => {
  it("forward KL: −log σ(β(e^{−r_l} − e^{−r_w})) with gradient −βσ(−βd)e^{−r_w}", () => {
    const r = dpoLoss(pair(1, 2), { beta: 0.5, fDivergence: "forward_kl" });
    const d = Math.exp(-2) - Math.exp(-1);
    expectClose(r.losses[0], -logSigmoid(0.5 * d), { rel: 8 * EPS });
    const g = 0.5 / (1 + Math.exp(0.5 * d));
    expectClose(r.gradPolicyChosen[0], -g * Math.exp(-1), { rel: 8 * EPS });
    expectClose(r.gradPolicyRejected[0], g * Math.exp(-2), { rel: 8 * EPS });
  });

  it("α-divergence keeps its exact gradient where TRL clamps the exponent at 80 (gradient 0 there)", () => {
    // α = 0.5, r_w = −200: t = (α − 1) r = 100 > 80; s_w = −2e^{100}, s′ = e^{100}
    const r = dpoLoss(pair(-200, -200.5), { beta: 1e-44, fDivergence: "alpha_divergence" });
    const d = -2 * Math.exp(100) + 2 * Math.exp(100.25);
    const x = 1e-44 * d;
    expectClose(r.losses[0], -logSigmoid(x), { rel: 1e-13 });
    expectClose(r.gradPolicyChosen[0], (-1e-44 * Math.exp(100)) / (1 + Math.exp(x)), { rel: 1e-13 });
    expect(r.gradPolicyChosen[0]).not.toBe(0);
  });

  it("α within 1e−6 of 1 is reverse KL itself, as TRL; α = 0 is forward KL", () => {
    const p = pair(-3, -5);
    const dpo = dpoLoss(p, { beta: 0.2 });
    const nearOne = dpoLoss(p, { beta: 0.2, fDivergence: "alpha_divergence", fAlphaDivergenceCoef: 1 + 5e-7 });
    expect(Array.from(nearOne.losses)).toEqual(Array.from(dpo.losses));
    const forward = dpoLoss(p, { beta: 0.2, fDivergence: "forward_kl" });
    const zero = dpoLoss(p, { beta: 0.2, fDivergence: "alpha_divergence", fAlphaDivergenceCoef: 0 });
    expectClose(zero.losses[0], forward.losses[0], { rel: 4 * EPS });
    expectClose(zero.gradPolicyChosen[0], forward.gradPolicyChosen[0], { rel: 4 * EPS });
  });

  it("JS at |r| = 1000: log σ(r) keeps its digits, the loss is finite and correct", () => {
    // log σ(−1000) − log σ(−1001) = 1 − (softplus(−1000) − softplus(−1001)) = 1 to within e^{−1000}
    const r = dpoLoss(pair(-1000, -1001), { beta: 1, fDivergence: "js_divergence" });
    expectClose(r.losses[0], -logSigmoid(1), { rel: 4 * EPS });
    expectClose(r.gradPolicyChosen[0], -1 / (1 + Math.E), { rel: 4 * EPS });
  });

  it("forward KL with both scores beyond the float64 range: the exact difference decides", () => {
    // s = −e^{750}, −e^{749.5}: d = e^{749.5} − e^{750} = −e^{750}(1 − e^{−0.5}); the loss ≈ β|d| is beyond
    // the range at β = 1 and finite at β = 1e−320 (β·d = −1e−320·e^{750}(1 − e^{−0.5}))
    expect(() => dpoLoss(pair(-750, -749.5), { beta: 1, fDivergence: "forward_kl" })).toThrowError(/beyond/);
    // β = 1e−323 (a subnormal, 2^−1073 exactly): β·d ≈ 186, the loss ≈ e^{−186}; its relative error is
    // about 186 × the relative error of β·d (≈ 750 EPS from the exponent), so 1e−9
    const tiny = dpoLoss(pair(-749.5, -750), { beta: 1e-323, fDivergence: "forward_kl" });
    const x = 1e-323 * Math.exp(375) * Math.exp(375) * -Math.expm1(-0.5);
    expectClose(tiny.losses[0], -logSigmoid(x), { rel: 1e-9 });
    expect(tiny.losses[0]).toBeGreaterThan(0);
  });
});

describe("loss mixtures", () => {
  const inputs = {
    policyChosenLogps: [-10, -20, -7],
    policyRejectedLogps: [-12, -18, -9],
    referenceChosenLogps: [-11, -19, -8],
    referenceRejectedLogps: [-11, -19, -8.5],
    chosenLengths: [5, 8, 3],
  };
  it("is Σ w_k · loss_k entry by entry, and the gradients add likewise", () => {
    const types = ["sigmoid", "bco_pair", "nca_pair"] as const;
    const weights = [0.8, 0.2, 1.5];
    const mix = dpoLoss(inputs, { beta: 0.3, lossType: [...types], lossWeights: weights });
    const parts = types.map((lossType) => dpoLoss(inputs, { beta: 0.3, lossType }));
    for (let i = 0; i < 3; i++) {
      const expected = parts.reduce((a, p, k) => a + weights[k] * p.losses[i], 0);
      expectClose(mix.losses[i], expected, { rel: 4 * EPS });
      const grad = parts.reduce((a, p, k) => a + weights[k] * p.gradPolicyChosen[i], 0);
      expectClose(mix.gradPolicyChosen[i], grad, { rel: 4 * EPS, abs: 4 * EPS });
    }
    expect(mix.components.map((c) => [c.lossType, c.weight])).toEqual(types.map((t, k) => [t, weights[k]]));
  });

  it("sft is the token-mean NLL of the chosen responses, −Σ log π / Σ |y|, in every entry", () => {
    const r = dpoLoss(inputs, { beta: 0.1, lossType: "sft" });
    expect(Array.from(r.losses)).toEqual([37 / 16, 37 / 16, 37 / 16]);
    expect(Array.from(r.gradPolicyChosen)).toEqual([-3 / 16, -3 / 16, -3 / 16]);
    expect(Array.from(r.gradPolicyRejected)).toEqual([0, 0, 0]);
    expect(r.loss).toBe(37 / 16);
  });

  it("loss is mean(losses) + routerAuxLossCoef · routerAuxLoss, TRL's default coefficient 0.001", () => {
    const r = dpoLoss({ ...inputs, routerAuxLoss: 2.5 }, { beta: 0.1, lossType: "sft" });
    expect(r.routerAuxTerm).toBe(0.0025);
    expectClose(r.loss, 37 / 16 + 0.0025, { rel: 2 * EPS });
    const c = dpoLoss({ ...inputs, routerAuxLoss: 2.5 }, { beta: 0.1, lossType: "sft", routerAuxLossCoef: 0.1 });
    expectClose(c.loss, 37 / 16 + 0.25, { rel: 2 * EPS });
    expect(dpoLoss(inputs, { beta: 0.1, lossType: "sft" }).routerAuxTerm).toBe(0);
  });

  it("sft needs the chosen lengths", () => {
    const withoutLengths = { ...inputs, chosenLengths: undefined };
    expectLuceError(() => dpoLoss(withoutLengths, { beta: 0.1, lossType: ["sigmoid", "sft"] }), "inputs.chosenLengths");
  });
});

describe("semantics: TRL 1.x by default, TRL 0.x on request", () => {
  const p = pair(-3, -1);
  it("sigmoid with label smoothing is TRL 0.x's cDPO, conservative_sigmoid under TRL 1.x", () => {
    const old = dpoLoss(p, { beta: 0.5, labelSmoothing: 0.2, semantics: "trl-0" });
    const now = dpoLoss(p, { beta: 0.5, labelSmoothing: 0.2, lossType: "conservative_sigmoid" });
    expect(Array.from(now.losses)).toEqual(Array.from(old.losses));
    expectClose(now.losses[0], -0.8 * logSigmoid(-1) - 0.2 * logSigmoid(1), { rel: 4 * EPS });
    expectLuceError(() => dpoLoss(p, { beta: 0.5, labelSmoothing: 0.2 }), "options.labelSmoothing", "dpoLoss");
  });
  it("bco_pair's running mean δ exists under TRL 0.x only", () => {
    const old = dpoLoss(p, { beta: 0.5, lossType: "bco_pair", bcoDelta: 0.7, semantics: "trl-0" });
    expectClose(old.losses[0], -logSigmoid(-1.5 - 0.7) - logSigmoid(-(-0.5 - 0.7)), { rel: 4 * EPS });
    expectLuceError(() => dpoLoss(p, { beta: 0.5, lossType: "bco_pair", bcoDelta: 0.7 }), "options.bcoDelta");
  });
  it("f-divergences other than reverse KL need TRL 1.x semantics", () => {
    expectLuceError(
      () => dpoLoss(p, { beta: 0.5, fDivergence: "js_divergence", semantics: "trl-0" }),
      "options.fDivergence",
    );
  });
});

describe("bad options are LuceErrors naming the option", () => {
  const p = { ...pair(-3, -1), chosenLengths: [2] };
  const cases: [string, DpoLossOptions | Record<string, unknown>][] = [
    ["options.fDivergence", { beta: 1, fDivergence: "kl" }],
    ["options.fAlphaDivergenceCoef", { beta: 1, fDivergence: "alpha_divergence", fAlphaDivergenceCoef: NaN }],
    ["options.fAlphaDivergenceCoef", { beta: 1, fAlphaDivergenceCoef: 0.3 }],
    ["options.lossWeights", { beta: 1, lossType: ["sigmoid", "sft"], lossWeights: [1] }],
    ["options.lossWeights[1]", { beta: 1, lossType: ["sigmoid", "sft"], lossWeights: [1, -0.5] }],
    ["options.lossWeights[0]", { beta: 1, lossType: ["sigmoid", "sft"], lossWeights: [Infinity, 1] }],
    ["options.lossWeights", { beta: 1, lossType: ["sigmoid"], lossWeights: "1" }],
    ["options.lossType", { beta: 1, lossType: [] }],
    ["options.lossType[1]", { beta: 1, lossType: ["sigmoid", "kto"] }],
    ["options.semantics", { beta: 1, semantics: "trl-2" }],
    ["options.routerAuxLossCoef", { beta: 1, routerAuxLossCoef: 0.01 }],
  ];
  it.each(cases)("%s", (argument, options) => {
    expectLuceError(() => dpoLoss(p, options as DpoLossOptions), argument, "dpoLoss");
  });
  it("a negative or non-finite router coefficient or auxiliary loss", () => {
    const aux = { ...p, routerAuxLoss: 1 };
    expectLuceError(() => dpoLoss(aux, { beta: 1, routerAuxLossCoef: -1 }), "options.routerAuxLossCoef", "dpoLoss");
    expectLuceError(() => dpoLoss({ ...p, routerAuxLoss: NaN }, { beta: 1 }), "inputs.routerAuxLoss", "dpoLoss");
  });
});

describe("dpoBatch passes the TRL 1.x options through", () => {
  const logits = { data: Float32Array.from({ length: 4 * 3 * 5 }, (_, i) => Math.sin(0.7 * i)), shape: [4, 3, 5] };
  const labels = [
    [0, 1, 2],
    [3, 4, 0],
    [1, 1, 1],
    [2, 0, 4],
  ];
  const inputs = { policyLogits: logits, referenceLogps: [-4, -5, -3, -6], labels };
  it("a mixture with sft: the token counts reach dpoLoss as lengths", async () => {
    const options = { beta: 0.2, lossType: ["sigmoid", "sft"] as DpoLossType[], lossWeights: [1, 0.5] };
    const r = await dpoBatch(inputs, options);
    // with the default shift, labels[:, 1..2] are scored: 2 tokens per sequence; sft = −(chosen log-probs) / 4
    const sft = -(r.policyLogps[0] + r.policyLogps[1]) / 4;
    expectClose(r.components[1].loss, sft, { rel: 4 * EPS });
    const direct = dpoLoss(
      {
        policyChosenLogps: r.policyLogps.subarray(0, 2),
        policyRejectedLogps: r.policyLogps.subarray(2),
        referenceChosenLogps: [-4, -5],
        referenceRejectedLogps: [-3, -6],
        chosenLengths: [2, 2],
        rejectedLengths: [2, 2],
      },
      { ...options, fDivergence: "js_divergence" },
    );
    const viaBatch = await dpoBatch(inputs, { ...options, fDivergence: "js_divergence" });
    expect(Array.from(viaBatch.losses)).toEqual(Array.from(direct.losses));
  });
  it("sft with averaged log-probs and routerAuxLossCoef are named errors", async () => {
    await expect(dpoBatch(inputs, { beta: 0.2, lossType: "sft", average: true })).rejects.toThrowError(
      /options\.average/,
    );
    await expect(dpoBatch(inputs, { beta: 0.2, routerAuxLossCoef: 1 } as never)).rejects.toThrowError(
      /routerAuxLossCoef/,
    );
  });
});
