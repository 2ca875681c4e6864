import { describe, expect, it } from "vitest";
import { test as fcTest, fc } from "@fast-check/vitest";
import fixtures from "../fixtures/losses.json" with { type: "json" };
import { dpoLoss, logSigmoid, plackettLuceDpoLoss, type DpoLossOptions, type DpoLossType } from "../../src/index.js";
import { EPS, expectClose, expectLuceError, num } from "../helpers/close.js";
import { finiteDifferenceGradient } from "../helpers/permutations.js";
import { DPO_LOSS_TYPES_WITHOUT_LENGTHS } from "../helpers/loss-types.js";

type Case = (typeof fixtures.pairwise)[number];

function inputsOf(c: Case) {
  return {
    policyChosenLogps: c.pc,
    policyRejectedLogps: c.pr,
    referenceChosenLogps: c.rc,
    referenceRejectedLogps: c.rr,
    ...(c.lengths ? { chosenLengths: c.lengths[0], rejectedLengths: c.lengths[1] } : {}),
  };
}

// these references are TRL 0.x's numbers (cDPO label smoothing in sigmoid, bco_pair's running mean δ)
function optionsOf(c: Case) {
  const usesEps = ["sigmoid", "aot", "aot_unpaired", "robust", "exo_pair"].includes(c.lossType);
  return {
    beta: c.beta,
    lossType: c.lossType as DpoLossType,
    semantics: "trl-0" as const,
    ...(usesEps ? { labelSmoothing: c.eps } : {}),
    discopopTau: c.tau,
    bcoDelta: c.delta,
  };
}

/**
 * The same case under TRL 1.x semantics where TRL 1.x computes the same loss (sigmoid without label smoothing,
 * bco_pair without a running mean, every other type; cDPO is conservative_sigmoid); null where it has none.
 */
function trl1OptionsOf(c: Case) {
  if (c.lossType === "bco_pair" && c.delta !== 0) return null;
  const rest: DpoLossOptions = { ...optionsOf(c), semantics: undefined, bcoDelta: undefined };
  if (c.lossType === "sigmoid" && c.eps !== 0) return { ...rest, lossType: "conservative_sigmoid" as const };
  return rest;
}

// The bound: the 1e-12 relative; near zero, absolute. The absolute part is the rounding
// that the float64 inputs force on any implementation: the log-ratios u = pc − rc and
// v = pr − rr are each one rounding (EPS/2 relative), so the loss moves by about
// EPS·(|u| + |v|)·|∂loss/∂u|, plus a few EPS of the terms that cancel inside the formula.
function bound(c: Case, i: number, slope: number) {
  const u = Math.abs(c.pc[i] - c.rc[i]);
  const v = Math.abs(c.pr[i] - c.rr[i]);
  // the AOT types pair entries across the batch: any entry's rounding may reach any loss
  const spread = c.lossType.startsWith("aot")
    ? Math.max(...c.pc.map((x, j) => Math.abs(x) + Math.abs(c.pr[j]) + Math.abs(c.rc[j]) + Math.abs(c.rr[j])))
    : 0;
  return { rel: 1e-12, abs: 16 * EPS * ((u + v + spread) * (slope + c.beta) + 1) };
}

describe("dpoLoss against 60-digit references", () => {
  it.each(fixtures.pairwise.map((c, i) => [`${c.lossType}${c.extreme ? " (extreme)" : ""} #${i}`, c] as const))(
    "%s",
    (_name, c) => {
      const r = dpoLoss(inputsOf(c), optionsOf(c));
      for (let i = 0; i < c.n; i++) {
        const slope = Math.max(Math.abs(num(c.gradPolicyChosen[i])), Math.abs(num(c.gradPolicyRejected[i])));
        expectClose(r.losses[i], num(c.losses[i]), bound(c, i, slope), `loss ${i}`);
        expectClose(r.chosenRewards[i], num(c.chosenRewards[i]), { rel: 2 * EPS }, `chosen reward ${i}`);
        expectClose(r.rejectedRewards[i], num(c.rejectedRewards[i]), { rel: 2 * EPS }, `rejected reward ${i}`);
        // gradients: absolute part from the inputs' rounding through the curvature (≤ β²/4·|u| for the
        // sigmoid forms, 2·|u| for the quadratic ones)
        const curvatureScale =
          (Math.abs(c.pc[i] - c.rc[i]) + Math.abs(c.pr[i] - c.rr[i])) * (c.beta * c.beta + 2 + c.beta);
        const gBound = { rel: 1e-12, abs: 16 * EPS * curvatureScale + 1e-300 };
        expectClose(r.gradPolicyChosen[i], num(c.gradPolicyChosen[i]), gBound, `grad chosen ${i}`);
        expectClose(r.gradPolicyRejected[i], num(c.gradPolicyRejected[i]), gBound, `grad rejected ${i}`);
      }
      for (const v of [...r.losses, ...r.gradPolicyChosen, ...r.gradPolicyRejected])
        expect(Number.isFinite(v)).toBe(true);
      // TRL 1.x semantics change no number of a loss that TRL 1.x kept
      const trl1 = trl1OptionsOf(c);
      if (trl1 !== null) {
        const same = dpoLoss(inputsOf(c), trl1);
        expect(Array.from(same.losses)).toEqual(Array.from(r.losses));
        expect(Array.from(same.gradPolicyChosen)).toEqual(Array.from(r.gradPolicyChosen));
        expect(Array.from(same.gradPolicyRejected)).toEqual(Array.from(r.gradPolicyRejected));
      }
    },
  );

  it("covers every loss type, ordinary and extreme", () => {
    const types = new Set(fixtures.pairwise.map((c) => `${c.lossType}/${c.extreme}`));
    expect(types.size).toBe(28);
  });
});

/**
 * One pair with the given log-ratios u = pc − rc and v = pr − rr, shifted so that every log-probability is ≤ 0
 * (the shift is by an integer or by the value itself, so u and v are exact).
 */
function nonPositivePair(pc: number, pr: number, rc: number, rr: number) {
  const c = Math.max(pc, rc, 0);
  const r = Math.max(pr, rr, 0);
  return {
    policyChosenLogps: [pc - c],
    policyRejectedLogps: [pr - r],
    referenceChosenLogps: [rc - c],
    referenceRejectedLogps: [rr - r],
  };
}

describe("dpoLoss: closed forms, limits and metrics", () => {
  const pair = (pc: number, pr: number, rc = 0, rr = 0) => nonPositivePair(pc, pr, rc, rr);
  it("sigmoid is -log σ(β d) and equals TRL's default", () => {
    const r = dpoLoss(pair(-10, -12, -11, -11), { beta: 0.1 });
    expectClose(r.losses[0], -logSigmoid(0.2), { rel: 2 * EPS });
    expectClose(r.gradPolicyChosen[0], -0.1 / (1 + Math.exp(0.2)), { rel: 4 * EPS });
    expect(r.gradPolicyRejected[0]).toBe(-r.gradPolicyChosen[0]);
  });
  it("stays finite where TRL overflows: DiscoPOP at β d = -1e4", () => {
    const r = dpoLoss(pair(-1e4, 0), { beta: 1, lossType: "discopop" });
    expectClose(r.losses[0], 1e4, { rel: 2 * EPS }); // (1 − w)·softplus(1e4) + w·e^{1e4} with w = σ(−2e5)
    expect(Number.isFinite(r.gradPolicyChosen[0])).toBe(true);
  });
  it("hinge has the one-sided gradient 0 at the kink", () => {
    const r = dpoLoss(pair(1, 0), { beta: 1, lossType: "hinge" });
    expect(r.losses[0]).toBe(0);
    expect(r.gradPolicyChosen[0]).toBe(0);
  });
  it("referenceFree means zero reference log-probs everywhere", () => {
    const free = dpoLoss(
      { policyChosenLogps: [-3, -7], policyRejectedLogps: [-5, -2] },
      { beta: 0.5, referenceFree: true, lossType: "nca_pair" },
    );
    const zeros = dpoLoss(
      {
        ...pair(0, 0),
        policyChosenLogps: [-3, -7],
        policyRejectedLogps: [-5, -2],
        referenceChosenLogps: [0, 0],
        referenceRejectedLogps: [0, 0],
      },
      { beta: 0.5, lossType: "nca_pair" },
    );
    expect(Array.from(free.losses)).toEqual(Array.from(zeros.losses));
    expect(Array.from(free.chosenRewards)).toEqual([-1.5, -3.5]);
  });
  it("ipo without lengths is the IPO paper's (d - 1/(2β))²", () => {
    const r = dpoLoss(pair(-2, -3), { beta: 0.25, lossType: "ipo" });
    expect(r.losses[0]).toBe((1 - 2) ** 2);
  });
  it("aot_pair is aot_unpaired", () => {
    const inputs = {
      policyChosenLogps: [-3, -1, -4],
      policyRejectedLogps: [-2, -6, -5],
      referenceChosenLogps: [-1, -2, -2],
      referenceRejectedLogps: [-3, -3, -1],
    };
    expect(dpoLoss(inputs, { beta: 0.3, lossType: "aot_pair" })).toEqual(
      dpoLoss(inputs, { beta: 0.3, lossType: "aot_unpaired" }),
    );
  });
  it("metrics follow TRL's names; ties are counted and scored as wrong", () => {
    const r = dpoLoss(
      {
        policyChosenLogps: [-1, -2, -3],
        policyRejectedLogps: [-2, -2, -1],
        referenceChosenLogps: [0, 0, 0],
        referenceRejectedLogps: [0, 0, 0],
      },
      { beta: 1 },
    );
    expect(r.metrics["rewards/chosen"]).toBe(-2);
    expect(r.metrics["rewards/rejected"]).toBeCloseTo(-5 / 3, 15);
    expect(r.metrics["rewards/accuracies"]).toBeCloseTo(1 / 3, 15);
    expect(r.metrics["rewards/margins"]).toBeCloseTo(-1 / 3, 15);
    expect(r.metrics["rewards/ties"]).toBe(1);
  });
  const logp = fc.double({ min: -1e3, max: -0.01, noNaN: true });
  const types = DPO_LOSS_TYPES_WITHOUT_LENGTHS;
  fcTest.prop([
    fc.constantFrom(...types),
    fc.array(fc.tuple(logp, logp, logp, logp), { minLength: 1, maxLength: 5 }),
    fc.constantFrom(0.05, 0.1, 0.5),
  ])("gradients of the summed loss match finite differences", (lossType, rows, beta) => {
    const n = rows.length;
    const total = (x: number[]) => {
      const r = dpoLoss(
        {
          policyChosenLogps: x.slice(0, n),
          policyRejectedLogps: x.slice(n),
          referenceChosenLogps: rows.map((q) => q[2]),
          referenceRejectedLogps: rows.map((q) => q[3]),
        },
        { beta, lossType },
      );
      return r.losses.reduce((a, b) => a + b, 0);
    };
    const x = [...rows.map((q) => q[0]), ...rows.map((q) => q[1])];
    const r = dpoLoss(
      {
        policyChosenLogps: x.slice(0, n),
        policyRejectedLogps: x.slice(n),
        referenceChosenLogps: rows.map((q) => q[2]),
        referenceRejectedLogps: rows.map((q) => q[3]),
      },
      { beta, lossType },
    );
    const fd = finiteDifferenceGradient(total, x, 1e-6);
    const grad = [...r.gradPolicyChosen, ...r.gradPolicyRejected];
    const kinkOrTie = lossType === "hinge" || lossType.startsWith("aot");
    grad.forEach((g, i) => {
      if (kinkOrTie && Math.abs(g - fd[i]) > 1e-4) return; // a kink or a sort swap within h; checked on the fixtures
      // truncation (h² times the third derivative) plus cancellation (EPS·|total|/h)
      expectClose(g, fd[i], { abs: 1e-5 * (1 + Math.abs(g)) * n + (4 * EPS * Math.abs(total(x))) / 1e-6 });
    });
  });
});

describe("plackettLuceDpoLoss", () => {
  it.each(fixtures.plackettLuce.map((c, i) => [i, c] as const))("60-digit reference %i", (_i, c) => {
    const r = plackettLuceDpoLoss(
      { policyLogps: [c.policyLogps], referenceLogps: [c.referenceLogps], rankings: [c.ranking] },
      { beta: c.beta },
    );
    const rhatScale = c.policyLogps.reduce((a, p, k) => a + c.beta * (Math.abs(p) + Math.abs(c.referenceLogps[k])), 0);
    // inputs' rounding: each r̂ carries EPS·β(|log π| + |log π_ref|); the loss is 1-Lipschitz per factor in r̂
    expectClose(r.losses[0], num(c.loss), { rel: 1e-12, abs: 8 * EPS * c.ranking.length * rhatScale * 1e-3 + 1e-300 });
    c.gradPolicy.forEach((g, k) => expectClose(r.gradPolicy[0][k], num(g), { rel: 1e-12, abs: 1e-300 }, `grad ${k}`));
  });
  const logp = fc.double({ min: -500, max: -0.01, noNaN: true });
  fcTest.prop([logp, logp, logp, logp, fc.constantFrom(0.1, 1, 5)])(
    "K = 2 equals sigmoid dpoLoss",
    (pc, pr, rc, rr, beta) => {
      const pl = plackettLuceDpoLoss(
        { policyLogps: [[pc, pr]], referenceLogps: [[rc, rr]], rankings: [[0, 1]] },
        { beta },
      );
      const bt = dpoLoss(
        {
          policyChosenLogps: [pc],
          policyRejectedLogps: [pr],
          referenceChosenLogps: [rc],
          referenceRejectedLogps: [rr],
        },
        { beta },
      );
      const scale = beta * (Math.abs(pc - rc) + Math.abs(pr - rr));
      expectClose(pl.losses[0], bt.losses[0], { rel: 8 * EPS, abs: 8 * EPS * scale });
      expectClose(pl.gradPolicy[0][0], bt.gradPolicyChosen[0], { rel: 8 * EPS, abs: 8 * EPS * beta * scale });
      expectClose(pl.gradPolicy[0][1], bt.gradPolicyRejected[0], { rel: 8 * EPS, abs: 8 * EPS * beta * scale });
    },
  );
  fcTest.prop([
    fc.array(fc.tuple(logp, logp), { minLength: 2, maxLength: 8 }),
    fc.integer({ min: -64, max: 64 }).map((k) => k / 4),
    fc.constantFrom(0.1, 1),
  ])("adding a constant to all of one example's log-ratios changes nothing (Lemma 1)", (rows, c, beta) => {
    const policy = rows.map((q) => q[0]);
    const ranking = rows.map((_, k) => k);
    const base = plackettLuceDpoLoss(
      { policyLogps: [policy], referenceLogps: [rows.map((q) => q[1])], rankings: [ranking] },
      { beta },
    );
    // c is added to every log-ratio by lowering the reference (c > 0) or the policy (c < 0): log-probs stay ≤ 0
    const shifted = plackettLuceDpoLoss(
      {
        policyLogps: [policy.map((p) => (c < 0 ? p + c : p))],
        referenceLogps: [rows.map((q) => (c > 0 ? q[1] - c : q[1]))],
        rankings: [ranking],
      },
      { beta },
    );
    const scale = rows.reduce((a, q) => a + beta * (Math.abs(q[0]) + Math.abs(q[1]) + Math.abs(c)), 0);
    expectClose(shifted.losses[0], base.losses[0], { rel: 16 * EPS, abs: 16 * EPS * scale });
  });
  it("stays accurate when implicit rewards lie hundreds apart", () => {
    const r = plackettLuceDpoLoss(
      { policyLogps: [[0, -300, -600]], referenceLogps: [[0, 0, 0]], rankings: [[0, 1, 2]] },
      { beta: 1 },
    );
    expectClose(r.losses[0], Math.exp(-300) + Math.exp(-600) + Math.exp(-300), { rel: 8 * EPS });
  });
});

describe("bad input", () => {
  const ok = {
    policyChosenLogps: [-1, -2],
    policyRejectedLogps: [-2, -3],
    referenceChosenLogps: [-1, -1],
    referenceRejectedLogps: [-2, -2],
  };
  it("dpoLoss names the argument", () => {
    expectLuceError(() => dpoLoss(ok, { beta: 0 }), "options.beta");
    expectLuceError(() => dpoLoss(ok, { beta: Number.NaN }), "options.beta");
    expectLuceError(() => dpoLoss(ok, { beta: -1 }), "options.beta");
    expectLuceError(() => dpoLoss(ok, { beta: 1, lossType: "kto" as DpoLossType }), "options.lossType");
    expectLuceError(() => dpoLoss(ok, { beta: 1, labelSmoothing: 0.6 }), "options.labelSmoothing");
    expectLuceError(() => dpoLoss(ok, { beta: 1, lossType: "robust", labelSmoothing: 0.5 }), "options.labelSmoothing");
    expectLuceError(() => dpoLoss(ok, { beta: 1, lossType: "exo_pair", labelSmoothing: 0 }), "options.labelSmoothing");
    expectLuceError(() => dpoLoss(ok, { beta: 1, lossType: "hinge", labelSmoothing: 0.1 }), "options.labelSmoothing");
    expectLuceError(() => dpoLoss(ok, { beta: 1, lossType: "discopop", discopopTau: 0 }), "options.discopopTau");
    expectLuceError(() => dpoLoss(ok, { beta: 1, lossType: "bco_pair", bcoDelta: Infinity }), "options.bcoDelta");
    expectLuceError(
      () => dpoLoss({ ...ok, policyChosenLogps: [Number.NaN, -1] }, { beta: 1 }),
      "inputs.policyChosenLogps[0]",
    );
    expectLuceError(
      () => dpoLoss({ ...ok, referenceRejectedLogps: [-1, -Infinity] }, { beta: 1 }),
      "inputs.referenceRejectedLogps[1]",
    );
    expectLuceError(() => dpoLoss({ ...ok, policyRejectedLogps: [-1] }, { beta: 1 }), "inputs.policyRejectedLogps");
    expectLuceError(
      () => dpoLoss({ ...ok, referenceChosenLogps: undefined }, { beta: 1 }),
      "inputs.referenceChosenLogps",
    );
    expectLuceError(
      () =>
        dpoLoss(
          {
            ...ok,
            policyChosenLogps: [],
            policyRejectedLogps: [],
            referenceChosenLogps: [],
            referenceRejectedLogps: [],
          },
          { beta: 1 },
        ),
      "inputs.policyChosenLogps",
    );
    expectLuceError(() => dpoLoss(ok, { beta: 1, lossType: "sigmoid_norm" }), "inputs.chosenLengths");
    expectLuceError(
      () => dpoLoss({ ...ok, chosenLengths: [1, 0], rejectedLengths: [1, 1] }, { beta: 1, lossType: "ipo" }),
      "inputs.chosenLengths[1]",
    );
    expectLuceError(
      () => dpoLoss({ ...ok, chosenLengths: [1, 2] }, { beta: 1, lossType: "ipo" }),
      "inputs.rejectedLengths",
    );
    expectLuceError(() => dpoLoss(null as unknown as typeof ok, { beta: 1 }), "inputs");
    expectLuceError(() => dpoLoss(ok, null as unknown as { beta: number }), "options");
  });
  it("plackettLuceDpoLoss names the argument", () => {
    const good = { policyLogps: [[-1, -2, -3]], referenceLogps: [[-1, -1, -1]], rankings: [[2, 0, 1]] };
    expectLuceError(() => plackettLuceDpoLoss(good, { beta: 0 }), "options.beta");
    expectLuceError(
      () => plackettLuceDpoLoss({ ...good, policyLogps: [[-1]], referenceLogps: [[-1]], rankings: [[0]] }, { beta: 1 }),
      "inputs.policyLogps[0]",
    );
    expectLuceError(
      () => plackettLuceDpoLoss({ ...good, referenceLogps: [[-1, -1]] }, { beta: 1 }),
      "inputs.referenceLogps[0]",
    );
    expectLuceError(
      () => plackettLuceDpoLoss({ ...good, policyLogps: [[-1, Number.NaN, -3]] }, { beta: 1 }),
      "inputs.policyLogps[0][1]",
    );
    expectLuceError(() => plackettLuceDpoLoss({ ...good, rankings: [[0, 0]] }, { beta: 1 }), "inputs.rankings[0][1]");
    expectLuceError(() => plackettLuceDpoLoss({ ...good, rankings: [[3]] }, { beta: 1 }), "inputs.rankings[0][0]");
    expectLuceError(() => plackettLuceDpoLoss({ ...good, rankings: [[]] }, { beta: 1 }), "inputs.rankings[0]");
    expectLuceError(() => plackettLuceDpoLoss({ ...good, rankings: [] }, { beta: 1 }), "inputs.rankings");
  });
});

describe("known limits of each loss", () => {
  const at = (lossType: DpoLossType, d: number, beta = 1, extra: Record<string, number> = {}) =>
    dpoLoss(nonPositivePair(d, 0, 0, 0), { beta, lossType, ...extra }).losses[0];
  it("sigmoid: → 0 for a large positive margin, ≈ −βd for a large negative one, log 2 at 0", () => {
    expect(at("sigmoid", 1e4)).toBe(0);
    expect(at("sigmoid", -1e4)).toBe(1e4);
    expectClose(at("sigmoid", 0), Math.LN2, { rel: 2 * EPS });
  });
  it("hinge: 0 beyond the margin 1/β, 1 − βd below", () => {
    expect(at("hinge", 3, 0.5)).toBe(0);
    expect(at("hinge", 1, 0.5)).toBe(0.5);
  });
  it("ipo and sppo_hard: zero exactly at their targets", () => {
    expect(at("ipo", 1 / (2 * 0.25), 0.25)).toBe(0);
    expect(dpoLoss(nonPositivePair(2, -2, 0, 0), { beta: 0.25, lossType: "sppo_hard" }).losses[0]).toBe(0);
  });
  it("exo_pair: zero where σ(βd) = 1 − ε, positive elsewhere", () => {
    const eps = 0.25;
    const target = Math.log((1 - eps) / eps);
    expectClose(at("exo_pair", target, 1, { labelSmoothing: eps }), 0, { abs: 8 * EPS * (target + 2) });
    expect(at("exo_pair", 0, 1, { labelSmoothing: eps })).toBeGreaterThan(0);
  });
  it("robust with ε = 0 is sigmoid; apo_zero and apo_down stay in [0, 2]", () => {
    expect(at("robust", 0.7, 1, { labelSmoothing: 0 })).toBe(at("sigmoid", 0.7));
    for (const d of [-1e4, -3, 0, 3, 1e4]) {
      for (const t of ["apo_zero", "apo_down"] as const) {
        expect(at(t, d)).toBeGreaterThanOrEqual(0);
        expect(at(t, d)).toBeLessThanOrEqual(2);
      }
    }
  });
  it("discopop: the logistic loss for large positive margins, e^{-l}·w → 0 weight for large negative", () => {
    expectClose(at("discopop", 40), Math.exp(-40), { rel: 1e-12 }); // w ≈ 1: e^{-l}
    expect(at("discopop", -1e4)).toBe(1e4); // w ≈ 0: −log σ(l)
  });
});
