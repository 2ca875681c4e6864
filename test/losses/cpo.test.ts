import { describe, expect, it } from "vitest";
import fixtures from "../fixtures/new_losses.json" with { type: "json" };
import { cpoLoss, dpoLoss, logSigmoid, type CpoLossOptions, type CpoLossType } from "../../src/index.js";
import { EPS, expectClose, expectLuceError, num } from "../helpers/close.js";

type Case = (typeof fixtures.cpo)[number];

const AVERAGED = ["ipo", "simpo", "alphapo"];

function optionsOf(c: Case): CpoLossOptions {
  const smoothed = ["sigmoid", "simpo", "alphapo"].includes(c.lossType);
  const simpo = c.lossType === "simpo" || c.lossType === "alphapo";
  return {
    beta: c.beta,
    lossType: c.lossType as CpoLossType,
    ...(smoothed ? { labelSmoothing: c.labelSmoothing } : {}),
    ...(simpo ? { simpoGamma: c.simpoGamma } : {}),
    ...(c.lossType === "alphapo" ? { alpha: c.alpha } : { alpha: c.alpha, cpoAlpha: c.cpoAlpha }),
  };
}

/**
 * The error bound of one pair, from the inputs' rounding: ℓ = S/|y| is one rounding, ρ(ℓ) = −expm1(−αℓ)/α
 * a few more, so the margin h = ρ_w − ρ_l carries δh = 16·EPS·(|ρ_w| + |ρ_l| + |ℓ_w|ρ′_w + |ℓ_l|ρ′_l + 1)
 * (ρ′ = e^{−αℓ}; γ/β and 1/(2β) enter as constants). The loss moves by at most slope·δh and its derivative in h
 * by curvature·δh: slope β, curvature β²/4 for the sigmoid forms; slope 2|h − 1/(2β)|, curvature 2 for ipo.
 */
function pairBounds(c: Case, r: ReturnType<typeof cpoLoss>, i: number) {
  const averaged = AVERAGED.includes(c.lossType);
  const lw = averaged ? c.policyChosenLogps[i] / c.chosenLengths[i] : c.policyChosenLogps[i];
  const ll = averaged ? c.policyRejectedLogps[i] / c.rejectedLengths[i] : c.policyRejectedLogps[i];
  const dw = Math.exp(-c.alpha * lw);
  const dl = Math.exp(-c.alpha * ll);
  const rhoW = r.chosenRewards[i] / c.beta;
  const rhoL = r.rejectedRewards[i] / c.beta;
  const dh =
    16 * EPS * (Math.abs(rhoW) + Math.abs(rhoL) + Math.abs(lw) * dw + Math.abs(ll) * dl + c.simpoGamma / c.beta + 1);
  const ipo = c.lossType === "ipo";
  const slope = ipo ? 2 * Math.abs(rhoW - rhoL - 1 / (2 * c.beta)) + dh : c.beta;
  const curvature = ipo ? 2 : (c.beta * c.beta) / 4;
  const n = c.policyChosenLogps.length;
  const nllSlope = c.cpoAlpha > 0 && c.lossType !== "alphapo" ? 1 / c.chosenLengths.reduce((a, b) => a + b, 0) : 0;
  // the gradient is slope(h)·ρ′(ℓ)/(n|y|): ρ′ = e^{−αℓ} is exp of a rounded −αℓ, a relative 8·EPS·(|αℓ| + 1)
  const grad = (d: number, l: number, length: number) =>
    (d / (n * length)) * (curvature * dh + slope * 8 * EPS * (Math.abs(c.alpha * l) + 1)) + 8 * EPS * nllSlope + 1e-300;
  return {
    loss: { rel: 1e-12, abs: slope * dh },
    chosen: { rel: 1e-12, abs: grad(dw, lw, averaged ? c.chosenLengths[i] : 1) },
    rejected: { rel: 1e-12, abs: grad(dl, ll, averaged ? c.rejectedLengths[i] : 1) },
  };
}

describe("cpoLoss against high-precision references", () => {
  const name = (c: Case) => `${c.lossType}${c.alpha !== 0 ? ` α=${c.alpha}` : ""}${c.extreme ? " (extreme)" : ""}`;
  it.each(fixtures.cpo.map((c, i) => [`${name(c)} #${i}`, c] as const))("%s", (_name, c) => {
    const r = cpoLoss(
      {
        policyChosenLogps: c.policyChosenLogps,
        policyRejectedLogps: c.policyRejectedLogps,
        chosenLengths: c.chosenLengths,
        rejectedLengths: c.rejectedLengths,
      },
      optionsOf(c),
    );
    let lossBound = 0;
    for (let i = 0; i < c.policyChosenLogps.length; i++) {
      const b = pairBounds(c, r, i);
      lossBound = Math.max(lossBound, b.loss.abs);
      expectClose(r.losses[i], num(c.losses[i]), b.loss, `loss ${i}`);
      expectClose(r.gradPolicyChosen[i], num(c.gradPolicyChosen[i]), b.chosen, `grad chosen ${i}`);
      expectClose(r.gradPolicyRejected[i], num(c.gradPolicyRejected[i]), b.rejected, `grad rejected ${i}`);
      expectClose(
        r.chosenRewards[i],
        num(c.chosenRewards[i]),
        { rel: 1e-12 + 16 * EPS * Math.abs(c.alpha * c.policyChosenLogps[i]) },
        `reward ${i}`,
      );
    }
    expectClose(r.metrics.nll_loss, num(c.nll), { rel: 4 * EPS }, "nll");
    expectClose(
      r.loss,
      num(c.loss),
      { rel: 1e-12, abs: lossBound + 4 * EPS * c.cpoAlpha * Math.abs(num(c.nll)) },
      "loss",
    );
  });

  it("covers every loss type, ordinary and extreme, and α with every type", () => {
    const kinds = new Set(fixtures.cpo.map((c) => `${c.lossType}/${c.extreme}`));
    expect(kinds.size).toBe(10);
    const withAlpha = new Set(fixtures.cpo.filter((c) => c.alpha !== 0).map((c) => c.lossType));
    expect(withAlpha.size).toBe(5);
    expect(fixtures.cpo.some((c) => c.labelSmoothing > 0 && c.lossType === "simpo")).toBe(true);
  });
});

describe("cpoLoss: closed forms and TRL's conventions", () => {
  const inputs = {
    policyChosenLogps: [-12, -20],
    policyRejectedLogps: [-15, -18],
    chosenLengths: [6, 10],
    rejectedLengths: [5, 9],
  };
  it("sigmoid without the NLL term is reference-free DPO on the summed log-probs", () => {
    const r = cpoLoss(inputs, { beta: 0.1, cpoAlpha: 0 });
    const dpo = dpoLoss(
      { policyChosenLogps: inputs.policyChosenLogps, policyRejectedLogps: inputs.policyRejectedLogps },
      { beta: 0.1, referenceFree: true },
    );
    expect(Array.from(r.losses)).toEqual(Array.from(dpo.losses));
    expect(r.gradPolicyChosen[0]).toBe(dpo.gradPolicyChosen[0] / 2);
  });
  it("the NLL term is the chosen responses' cross-entropy per token, with slope −cpoAlpha/Σ|y_w|", () => {
    const withNll = cpoLoss(inputs, { beta: 0.1, cpoAlpha: 0.5 });
    const without = cpoLoss(inputs, { beta: 0.1, cpoAlpha: 0 });
    expect(withNll.metrics.nll_loss).toBe(32 / 16);
    expect(without.metrics.nll_loss).toBe(0);
    expectClose(withNll.loss, without.loss + 0.5 * 2, { rel: 2 * EPS });
    expectClose(withNll.gradPolicyChosen[1], without.gradPolicyChosen[1] - 0.5 / 16, { rel: 2 * EPS });
    expect(withNll.gradPolicyRejected[1]).toBe(without.gradPolicyRejected[1]);
  });
  it("simpo is −log σ(β(ℓ_w − ℓ_l) − γ) on token averages", () => {
    const r = cpoLoss(inputs, { beta: 2, lossType: "simpo", simpoGamma: 0.5, cpoAlpha: 0 });
    expectClose(r.losses[0], -logSigmoid(2 * (-2 + 3) - 0.5), { rel: 2 * EPS });
    expectClose(r.chosenRewards[0], -4, { rel: EPS });
  });
  it("alphapo is simpo with (1 − p^−α)/α, its limit at α → 0 is simpo, and it has no NLL term", () => {
    const simpo = cpoLoss(inputs, { beta: 2, lossType: "simpo", cpoAlpha: 0 });
    const tiny = cpoLoss(inputs, { beta: 2, lossType: "alphapo", alpha: 1e-12 });
    expectClose(tiny.losses[0], simpo.losses[0], { rel: 1e-11 });
    expect(tiny.metrics.nll_loss).toBe(0);
    const r = cpoLoss(inputs, { beta: 2, lossType: "alphapo", alpha: 0.5 });
    const reward = (l: number) => (1 - Math.exp(l) ** -0.5) / 0.5;
    expectClose(r.losses[1], -logSigmoid(2 * (reward(-2) - reward(-2)) - 0.5), { rel: 4 * EPS });
  });
  it("alphapo at ℓ = −1e3, α = 0.5: rewards near −e^500, a saturated sigmoid, finite gradients", () => {
    const r = cpoLoss(
      { policyChosenLogps: [-1000], policyRejectedLogps: [-1001], chosenLengths: [1], rejectedLengths: [1] },
      { beta: 1, lossType: "alphapo", alpha: 0.5 },
    );
    // h = 2(e^{500.5} − e^{500}) ≈ 1.9e217 > 0: the chosen is far better, loss 0 and gradient 0 (e^{−1e217})
    expect(r.losses[0]).toBe(0);
    expect(r.gradPolicyChosen[0] === 0).toBe(true);
    // p = e^−1000 underflows to 0 (TRL's p^−α is then Infinity); from ℓ, ρ = (1 − e^500)/0.5
    expectClose(r.chosenRewards[0], -2 * Math.expm1(500), { rel: 4 * EPS });
    const reversed = cpoLoss(
      { policyChosenLogps: [-1001], policyRejectedLogps: [-1000], chosenLengths: [1], rejectedLengths: [1] },
      { beta: 1, lossType: "alphapo", alpha: 0.5 },
    );
    // h ≈ −1.9e217: loss −h + γ, ∂loss/∂ℓ_w = −e^{−αℓ_w} = −e^{500.5}
    expectClose(reversed.losses[0], 2 * (Math.exp(500.5) - Math.exp(500)) + 0.5, { rel: 1e-13 });
    expectClose(reversed.gradPolicyChosen[0], -Math.exp(500.5), { rel: 1e-13 });
    expectClose(reversed.gradPolicyRejected[0], Math.exp(500), { rel: 1e-13 });
  });
});

describe("cpoLoss: bad input", () => {
  const good = () => ({
    policyChosenLogps: [-3, -4],
    policyRejectedLogps: [-5, -4.5],
    chosenLengths: [3, 4],
    rejectedLengths: [5, 2],
  });
  const cases: [string, () => unknown, string][] = [
    ["unknown option", () => cpoLoss(good(), { beta: 1, gamma: 1 } as never), "options.gamma"],
    ["β ≤ 0", () => cpoLoss(good(), { beta: -1 }), "options.beta"],
    ["unknown loss type", () => cpoLoss(good(), { beta: 1, lossType: "orpo" as never }), "options.lossType"],
    [
      "ε for hinge",
      () => cpoLoss(good(), { beta: 1, lossType: "hinge", labelSmoothing: 0.1 }),
      "options.labelSmoothing",
    ],
    ["ε above ½", () => cpoLoss(good(), { beta: 1, labelSmoothing: 0.6 }), "options.labelSmoothing"],
    ["γ for sigmoid", () => cpoLoss(good(), { beta: 1, simpoGamma: 1 }), "options.simpoGamma"],
    ["γ not finite", () => cpoLoss(good(), { beta: 1, lossType: "simpo", simpoGamma: Infinity }), "options.simpoGamma"],
    ["negative cpoAlpha", () => cpoLoss(good(), { beta: 1, cpoAlpha: -1 }), "options.cpoAlpha"],
    [
      "cpoAlpha for alphapo",
      () => cpoLoss(good(), { beta: 1, lossType: "alphapo", alpha: 1, cpoAlpha: 1 }),
      "options.cpoAlpha",
    ],
    ["alphapo without α", () => cpoLoss(good(), { beta: 1, lossType: "alphapo" }), "options.alpha"],
    ["α NaN", () => cpoLoss(good(), { beta: 1, alpha: NaN }), "options.alpha"],
    [
      "log-prob above 0",
      () => cpoLoss({ ...good(), policyRejectedLogps: [-1, 2] }, { beta: 1 }),
      "inputs.policyRejectedLogps[1]",
    ],
    [
      "lengths for simpo",
      () => cpoLoss({ ...good(), rejectedLengths: undefined }, { beta: 1, lossType: "simpo", cpoAlpha: 0 }),
      "inputs.rejectedLengths",
    ],
    [
      "lengths for the NLL",
      () => cpoLoss({ ...good(), chosenLengths: undefined }, { beta: 1 }),
      "inputs.chosenLengths",
    ],
    ["zero length", () => cpoLoss({ ...good(), chosenLengths: [0, 1] }, { beta: 1 }), "inputs.chosenLengths[0]"],
    [
      "length mismatch",
      () => cpoLoss({ ...good(), policyRejectedLogps: [-1] }, { beta: 1 }),
      "inputs.policyRejectedLogps",
    ],
    ["empty batch", () => cpoLoss({ ...good(), policyChosenLogps: [] }, { beta: 1 }), "inputs.policyChosenLogps"],
    ["reward overflow", () => cpoLoss(good(), { beta: 1, alpha: 300, cpoAlpha: 0 }), "options.alpha"],
    ["inputs not an object", () => cpoLoss([] as never, { beta: 1 }), "inputs"],
  ];
  it.each(cases)("%s", (_name, call, argument) => expectLuceError(call, argument, "cpoLoss"));
});
