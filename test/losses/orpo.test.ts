import { describe, expect, it } from "vitest";
import fixtures from "../fixtures/new_losses.json" with { type: "json" };
import { log1mExp, logSigmoid, orpoLoss, type OrpoInputs } from "../../src/index.js";
import { EPS, expectClose, expectLuceError, num } from "../helpers/close.js";

type Case = (typeof fixtures.orpo)[number];

function inputsOf(c: Case): OrpoInputs {
  return {
    policyChosenLogps: c.policyChosenLogps,
    policyRejectedLogps: c.policyRejectedLogps,
    chosenLengths: c.chosenLengths,
    rejectedLengths: c.rejectedLengths,
    ...("chosenPromptLogps" in c
      ? { chosenPromptLogps: c.chosenPromptLogps, chosenPromptLengths: c.chosenPromptLengths }
      : {}),
  };
}

/**
 * Relative error of one pair's terms from the inputs' rounding: ℓ = S/|y| is rounded by EPS/2·|ℓ|, and
 * the log odds ℓ − log(1 − e^ℓ) moves by that times 1/(1 − p), which stays near 1 as p → 1
 * (|ℓ|/(1 − e^ℓ) → 1); the log-space products of the gradient add a few EPS of each log term.
 * The loss −λ log σ(x) and the gradients have relative sensitivity at most 1 to these shifts.
 */
function relativeBound(c: Case, i: number): number {
  const lw = c.policyChosenLogps[i] / c.chosenLengths[i];
  const ll = c.policyRejectedLogps[i] / c.rejectedLengths[i];
  const shift = (l: number) => Math.abs(l) / -Math.expm1(l) + Math.abs(l) + Math.abs(log1mExp(l));
  return 1e-12 + 16 * EPS * (shift(lw) + shift(ll) + 1);
}

describe("orpoLoss against high-precision references", () => {
  it.each(fixtures.orpo.map((c, i) => [`${c.mode} #${i}`, c] as const))("%s", (_name, c) => {
    const r = orpoLoss(inputsOf(c), { beta: c.beta });
    const n = c.policyChosenLogps.length;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const rel = relativeBound(c, i);
      worst = Math.max(worst, rel);
      expectClose(r.losses[i], num(c.losses[i]), { rel }, `loss ${i}`);
      expectClose(r.logOddsRatios[i], num(c.logOddsRatios[i]), { rel, abs: rel }, `log odds ratio ${i}`);
      expectClose(r.gradPolicyChosen[i], num(c.gradPolicyChosen[i]), { rel, abs: 1e-300 }, `grad chosen ${i}`);
      expectClose(r.gradPolicyRejected[i], num(c.gradPolicyRejected[i]), { rel, abs: 1e-300 }, `grad rejected ${i}`);
    }
    c.gradChosenPrompt.forEach((g, i) => expectClose(r.gradChosenPrompt[i], num(g), { rel: 8 * EPS }, `prompt ${i}`));
    expect(r.gradChosenPrompt.length).toBe(c.gradChosenPrompt.length);
    expectClose(r.metrics.nll_loss, num(c.nll), { rel: 8 * EPS }, "nll");
    const largest = Math.max(...c.losses.map((v) => num(v)), num(c.nll));
    expectClose(r.loss, num(c.loss), { rel: worst, abs: worst * largest }, "loss");
  });

  it("covers ordinary, extreme (ℓ to −1e3) and near-one (1 − p to 1e−300) cases, with and without prompts", () => {
    expect(new Set(fixtures.orpo.map((c) => c.mode))).toEqual(new Set(["ordinary", "extreme", "near_one"]));
    const averages = fixtures.orpo.flatMap((c) => c.policyChosenLogps.map((s, i) => s / c.chosenLengths[i]));
    expect(Math.min(...averages)).toBeLessThan(-500);
    expect(Math.max(...averages)).toBeGreaterThan(-1e-290);
    expect(fixtures.orpo.some((c) => "chosenPromptLogps" in c)).toBe(true);
    expect(fixtures.orpo.some((c) => !("chosenPromptLogps" in c))).toBe(true);
  });
});

describe("orpoLoss: closed forms and probabilities near 1", () => {
  const logOdds = (l: number) => l - log1mExp(l);
  it("is −λ log σ(log odds_w − log odds_l) plus the NLL per token", () => {
    const r = orpoLoss(
      { policyChosenLogps: [-3, -8], policyRejectedLogps: [-10, -6], chosenLengths: [3, 4], rejectedLengths: [5, 6] },
      { beta: 0.25 },
    );
    const x = logOdds(-1) - logOdds(-2);
    expectClose(r.losses[0], -0.25 * logSigmoid(x), { rel: 8 * EPS });
    expectClose(r.metrics.nll_loss, 11 / 7, { rel: 2 * EPS });
    expectClose(r.loss, 11 / 7 + (r.losses[0] + r.losses[1]) / 2, { rel: 4 * EPS });
  });
  it("the NLL takes the prompts where given (TRL's ORPOTrainer), with the same slope for every token", () => {
    const base = { policyChosenLogps: [-3], policyRejectedLogps: [-10], chosenLengths: [3], rejectedLengths: [5] };
    const r = orpoLoss({ ...base, chosenPromptLogps: [-9], chosenPromptLengths: [9] }, { beta: 0.25 });
    expect(r.metrics.nll_loss).toBe(1);
    expect(r.gradChosenPrompt[0]).toBe(-1 / 12);
  });
  it("p_w = e^{−1e−300} (1 − p_w rounds to 0): log odds ≈ 690.8, loss and gradients finite and correct", () => {
    const r = orpoLoss(
      { policyChosenLogps: [-1e-300], policyRejectedLogps: [-1], chosenLengths: [1], rejectedLengths: [1] },
      { beta: 1 },
    );
    const x = -1e-300 - Math.log(1e-300) - logOdds(-1); // log(1 − e^{−1e−300}) = log(1e−300) to 1e−300
    expectClose(r.logOddsRatios[0], x, { rel: 4 * EPS });
    expectClose(r.losses[0], Math.exp(-x), { rel: 1e-12 });
    // ∂L/∂ℓ_w = −λ p_l / E, E = (1 − p_w) p_l + p_w (1 − p_l) = (1 − p_l) to 1e−300: −odds(y_l), plus the NLL slope −1
    expectClose(r.gradPolicyChosen[0], -Math.exp(logOdds(-1)) - 1, { rel: 4 * EPS });
    expect(Number.isFinite(r.gradPolicyRejected[0])).toBe(true);
  });
  it("p_w = 1 exactly: loss 0, log odds +Infinity, ∂L/∂ℓ_w = −λ odds(y_l), ∂L/∂ℓ_l = 0", () => {
    const r = orpoLoss(
      { policyChosenLogps: [0], policyRejectedLogps: [-30], chosenLengths: [3], rejectedLengths: [10] },
      { beta: 0.1 },
    );
    expect(r.losses[0]).toBe(0);
    expect(r.logOddsRatios[0]).toBe(Infinity);
    expectClose(r.gradPolicyChosen[0], (-0.1 * Math.exp(logOdds(-3))) / 3 - 1 / 3, { rel: 4 * EPS });
    expect(r.gradPolicyRejected[0]).toBe(0);
  });
  it("ℓ = −1e3 on both sides: the log odds ratio is ℓ_w − ℓ_l, the gradient −λσ(ℓ_l − ℓ_w)", () => {
    const r = orpoLoss(
      { policyChosenLogps: [-1000], policyRejectedLogps: [-1001], chosenLengths: [1], rejectedLengths: [1] },
      { beta: 1 },
    );
    expectClose(r.logOddsRatios[0], 1, { rel: 1e3 * EPS });
    expectClose(r.losses[0], -logSigmoid(1), { rel: 1e3 * EPS });
  });
});

describe("orpoLoss: bad input", () => {
  const good = () => ({
    policyChosenLogps: [-3, -4],
    policyRejectedLogps: [-5, -4.5],
    chosenLengths: [3, 4],
    rejectedLengths: [5, 2],
  });
  const cases: [string, () => unknown, string][] = [
    ["unknown option", () => orpoLoss(good(), { beta: 1, lambda: 1 } as never), "options.lambda"],
    ["λ ≤ 0", () => orpoLoss(good(), { beta: 0 }), "options.beta"],
    ["options missing", () => orpoLoss(good(), undefined as never), "options"],
    [
      "log-prob above 0",
      () => orpoLoss({ ...good(), policyChosenLogps: [1e-9, -1] }, { beta: 1 }),
      "inputs.policyChosenLogps[0]",
    ],
    [
      "lengths missing",
      () => orpoLoss({ ...good(), rejectedLengths: undefined as never }, { beta: 1 }),
      "inputs.rejectedLengths",
    ],
    ["length 0", () => orpoLoss({ ...good(), chosenLengths: [3, 0] }, { beta: 1 }), "inputs.chosenLengths[1]"],
    ["mismatch", () => orpoLoss({ ...good(), chosenLengths: [3] }, { beta: 1 }), "inputs.chosenLengths"],
    ["empty", () => orpoLoss({ ...good(), policyChosenLogps: [] }, { beta: 1 }), "inputs.policyChosenLogps"],
    [
      "prompt without lengths",
      () => orpoLoss({ ...good(), chosenPromptLogps: [-1, -1] }, { beta: 1 }),
      "inputs.chosenPromptLengths",
    ],
    [
      "lengths without prompt",
      () => orpoLoss({ ...good(), chosenPromptLengths: [1, 1] }, { beta: 1 }),
      "inputs.chosenPromptLogps",
    ],
    [
      "rejected probability 1",
      () => orpoLoss({ ...good(), policyRejectedLogps: [-1, 0] }, { beta: 1 }),
      "inputs.policyRejectedLogps[1]",
    ],
    [
      "both probabilities 1",
      () => orpoLoss({ ...good(), policyChosenLogps: [0, -1], policyRejectedLogps: [0, -1] }, { beta: 1 }),
      "inputs.policyRejectedLogps[0]",
    ],
  ];
  it.each(cases)("%s", (_name, call, argument) => expectLuceError(call, argument, "orpoLoss"));
});
