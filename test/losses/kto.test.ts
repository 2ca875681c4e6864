import { describe, expect, it } from "vitest";
import fixtures from "../fixtures/new_losses.json" with { type: "json" };
import { ktoLoss, sigmoid, type KtoInputs, type KtoLossType } from "../../src/index.js";
import { EPS, expectClose, expectLuceError, num } from "../helpers/close.js";

type Case = (typeof fixtures.kto)[number];

function inputsOf(c: Case): KtoInputs {
  return {
    policyLogps: c.policyLogps,
    referenceLogps: c.referenceLogps,
    desirable: c.desirable,
    ...("policyKlLogps" in c ? { policyKlLogps: c.policyKlLogps, referenceKlLogps: c.referenceKlLogps } : {}),
  };
}

/**
 * Each loss and gradient is a function of x = β(r − z₀) whose relative sensitivity to x is at most 1
 * (σ(−x), σ(x)σ(−x)), so the inputs' rounding (r = policy − reference and z₀, a mean of KL log-ratios,
 * each a few EPS of the log-probs they come from) bounds the error at 8·EPS·β·(|r| + z₀ + the largest
 * KL log-prob), on top of a few ulp; 1e−12 is the floor.
 */
function relativeBound(c: Case, i: number): number {
  const r = Math.abs(c.policyLogps[i] - c.referenceLogps[i]);
  const kl = Math.max(0, ...[...(c.policyKlLogps ?? []), ...(c.referenceKlLogps ?? [])].map(Math.abs));
  return 1e-12 + 8 * EPS * c.beta * (r + Math.abs(c.policyLogps[i]) + num(c.z0) + kl);
}

describe("ktoLoss against 60-digit references", () => {
  it.each(fixtures.kto.map((c, i) => [`${c.lossType}${c.extreme ? " (extreme)" : ""} #${i}`, c] as const))(
    "%s",
    (_name, c) => {
      const r = ktoLoss(inputsOf(c), {
        beta: c.beta,
        lossType: c.lossType as KtoLossType,
        desirableWeight: c.desirableWeight,
        undesirableWeight: c.undesirableWeight,
      });
      let worst = 0;
      for (let i = 0; i < c.policyLogps.length; i++) {
        const rel = relativeBound(c, i);
        worst = Math.max(worst, rel);
        expectClose(r.losses[i], num(c.losses[i]), { rel, abs: 1e-300 }, `loss ${i}`);
        expectClose(r.gradPolicy[i], num(c.gradPolicy[i]), { rel, abs: 1e-300 }, `gradient ${i}`);
        expectClose(r.rewards[i], c.beta * (c.policyLogps[i] - c.referenceLogps[i]), { rel: 2 * EPS }, `reward ${i}`);
      }
      const largest = Math.max(...c.losses.map((v) => Math.abs(num(v))));
      expectClose(r.loss, num(c.loss), { rel: worst, abs: worst * largest }, "batch loss");
      expectClose(r.metrics.kl, num(c.z0), { rel: 1e-13, abs: 1e-300 }, "z0");
    },
  );

  it("covers both loss types, ordinary and extreme, with z0 > 0 and every weight", () => {
    const kinds = new Set(fixtures.kto.map((c) => `${c.lossType}/${c.extreme}`));
    expect(kinds.size).toBe(4);
    expect(fixtures.kto.some((c) => c.lossType === "kto" && num(c.z0) > 0)).toBe(true);
    expect(fixtures.kto.some((c) => c.desirableWeight === 0)).toBe(true);
    // the extreme cases reach log-ratios of several hundred nats
    const largest = Math.max(
      ...fixtures.kto.flatMap((c) => c.policyLogps.map((p, i) => Math.abs(p - c.referenceLogps[i]))),
    );
    expect(largest).toBeGreaterThan(500);
  });
});

describe("ktoLoss: closed forms and TRL's conventions", () => {
  const inputs = {
    policyLogps: [-10, -14, -3],
    referenceLogps: [-11, -13, -3.5],
    desirable: [true, false, true],
    policyKlLogps: [-12, -15, -4],
    referenceKlLogps: [-12.5, -15.5, -5],
  };
  it("z0 = max(0, mean KL log-ratio); desirable σ(−β(r − z0)), undesirable σ(β(r − z0))", () => {
    const r = ktoLoss(inputs, { beta: 0.5, desirableWeight: 2, undesirableWeight: 0.5 });
    const z0 = (0.5 + 0.5 + 1) / 3;
    expectClose(r.metrics.kl, z0, { rel: EPS });
    expectClose(r.losses[0], 2 * sigmoid(-0.5 * (1 - z0)), { rel: 4 * EPS });
    expectClose(r.losses[1], 0.5 * sigmoid(0.5 * (-1 - z0)), { rel: 4 * EPS });
    expectClose(r.loss, (r.losses[0] + r.losses[1] + r.losses[2]) / 3, { rel: 4 * EPS });
  });
  it("a negative mean KL log-ratio clamps z0 at 0", () => {
    const r = ktoLoss({ ...inputs, policyKlLogps: [-20, -20, -20] }, { beta: 0.5 });
    expect(r.metrics.kl).toBe(0);
    expectClose(r.losses[0], sigmoid(-0.5), { rel: 4 * EPS });
  });
  it("apo_zero_unpaired is 1 − σ(βr) and σ(βr), and refuses KL log-probs", () => {
    const unpaired = {
      policyLogps: inputs.policyLogps,
      referenceLogps: inputs.referenceLogps,
      desirable: inputs.desirable,
    };
    const r = ktoLoss(unpaired, { beta: 0.5, lossType: "apo_zero_unpaired" });
    expectClose(r.losses[0], sigmoid(-0.5), { rel: 4 * EPS });
    expectClose(r.losses[1], sigmoid(-0.5), { rel: 4 * EPS });
    expect(r.metrics.kl).toBe(0);
    expectLuceError(
      () => ktoLoss(inputs, { beta: 0.5, lossType: "apo_zero_unpaired" }),
      "inputs.policyKlLogps",
      "ktoLoss",
    );
  });
  it("the gradient is −βσ(x)σ(−x)/n at x = β(r − z0), z0 held constant", () => {
    const r = ktoLoss(inputs, { beta: 1 });
    const z0 = r.metrics.kl;
    const x = 1 - z0;
    expectClose(r.gradPolicy[0], -(sigmoid(x) * sigmoid(-x)) / 3, { rel: 8 * EPS });
  });
  it("metrics: group means as TRL logs them; a missing group leaves its keys out", () => {
    const r = ktoLoss(inputs, { beta: 0.5 });
    expectClose(r.metrics["rewards/chosen"]!, (0.5 + 0.25) / 2, { rel: 2 * EPS });
    expect(r.metrics["rewards/rejected"]).toBe(-0.5);
    expectClose(r.metrics["rewards/margins"]!, 0.375 + 0.5, { rel: 2 * EPS });
    expect(r.metrics["logps/chosen"]).toBe(-6.5);
    const only = ktoLoss({ ...inputs, desirable: [true, true, true] }, { beta: 0.5 });
    expect("rewards/rejected" in only.metrics || "rewards/margins" in only.metrics).toBe(false);
  });
  it("finite at log-ratios of ±1e3 and z0 of 1e3: losses 0 or the weight, gradients that underflow to 0", () => {
    const r = ktoLoss(
      {
        policyLogps: [-1, -1001, -1, -1001],
        referenceLogps: [-1001, -1, -1001, -1],
        desirable: [true, true, false, false],
        policyKlLogps: [-1],
        referenceKlLogps: [-1001],
      },
      { beta: 1 },
    );
    // z0 = 1000: r − z0 is 0 for the first and third, −2000 for the others
    expect(Array.from(r.losses)).toEqual([0.5, 1, 0.5, 0]);
    expect(r.gradPolicy.every(Number.isFinite)).toBe(true);
    expect(r.gradPolicy[1]).toBe(-0);
  });
});

describe("ktoLoss: bad input", () => {
  const good = () => ({
    policyLogps: [-1, -2],
    referenceLogps: [-1.5, -2],
    desirable: [true, false],
    policyKlLogps: [-3, -3],
    referenceKlLogps: [-3.5, -3],
  });
  const cases: [string, () => unknown, string][] = [
    ["unknown option", () => ktoLoss(good(), { beta: 1, betta: 2 } as never), "options.betta"],
    ["β ≤ 0", () => ktoLoss(good(), { beta: 0 }), "options.beta"],
    ["unknown loss type", () => ktoLoss(good(), { beta: 1, lossType: "sigmoid" as never }), "options.lossType"],
    ["negative weight", () => ktoLoss(good(), { beta: 1, desirableWeight: -1 }), "options.desirableWeight"],
    ["NaN weight", () => ktoLoss(good(), { beta: 1, undesirableWeight: NaN }), "options.undesirableWeight"],
    ["log-prob above 0", () => ktoLoss({ ...good(), policyLogps: [0.5, -1] }, { beta: 1 }), "inputs.policyLogps[0]"],
    ["length mismatch", () => ktoLoss({ ...good(), referenceLogps: [-1] }, { beta: 1 }), "inputs.referenceLogps"],
    ["flag not boolean", () => ktoLoss({ ...good(), desirable: [1, 0] as never }, { beta: 1 }), "inputs.desirable[0]"],
    ["KL missing for kto", () => ktoLoss({ ...good(), policyKlLogps: undefined }, { beta: 1 }), "inputs.policyKlLogps"],
    ["KL lengths differ", () => ktoLoss({ ...good(), referenceKlLogps: [-1] }, { beta: 1 }), "inputs.referenceKlLogps"],
    ["empty batch", () => ktoLoss({ ...good(), policyLogps: [] }, { beta: 1 }), "inputs.policyLogps"],
    ["reward overflow", () => ktoLoss({ ...good(), policyLogps: [-1e308, 0] }, { beta: 10 }), "options.beta"],
    [
      "gradient overflow",
      () => ktoLoss({ ...good(), referenceKlLogps: [-3, -3] }, { beta: 1e10, undesirableWeight: 1e300 }),
      "options.beta",
    ],
    ["inputs not an object", () => ktoLoss(null as never, { beta: 1 }), "inputs"],
    ["options not an object", () => ktoLoss(good(), 3 as never), "options"],
  ];
  it.each(cases)("%s", (_name, call, argument) => expectLuceError(call, argument, "ktoLoss"));
});
