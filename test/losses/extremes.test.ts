import { describe, expect, it } from "vitest";
import { dpoLoss, plackettLuceDpoLoss, softplus } from "../../src/index.js";
import { EPS, expectClose, expectLuceError } from "../helpers/close.js";
import { DPO_LOSS_TYPES_WITHOUT_LENGTHS } from "../helpers/loss-types.js";

/** The smallest positive double. */
const TINY = 5e-324;

const pair = {
  policyChosenLogps: [-10],
  referenceChosenLogps: [-11],
  policyRejectedLogps: [-12],
  referenceRejectedLogps: [-11],
};

/** Log-ratios u = −1e308 and v = +1e308: u − v overflows although β(u − v) need not. */
const apart = {
  policyChosenLogps: [-1e308],
  referenceChosenLogps: [0],
  policyRejectedLogps: [0],
  referenceRejectedLogps: [-1e308],
};

describe("dpoLoss where β·d passes the float64 range", () => {
  it("exo_pair at β = 1e308: the limit −log(1 − ε) with gradient 0, not NaN", () => {
    // βd = 2e308: σ(βd) = 1 and σ(−βd)·log σ(−βd) → 0, so the loss is KL(1 ‖ 1 − ε) = −log(1 − ε)
    const r = dpoLoss(pair, { beta: 1e308, lossType: "exo_pair" });
    expectClose(r.losses[0], -Math.log1p(-1e-3), { rel: 2 * EPS });
    expect(r.gradPolicyChosen[0] === 0 && r.gradPolicyRejected[0] === 0).toBe(true);
    expect(r.chosenRewards[0]).toBe(1e308);
    expect(r.rejectedRewards[0]).toBe(-1e308);
    expect(r.metrics["rewards/margins"]).toBe(Infinity); // the exact mean margin, 2e308, is beyond the range
    expect(r.metrics["rewards/chosen"]).toBe(1e308);
  });
  it("sigmoid and aot with log-ratios ∓1e308 at β = 0.1: βd = −2e307 and the loss is softplus(2e307)", () => {
    for (const lossType of ["sigmoid", "aot", "aot_unpaired", "hinge"] as const) {
      const r = dpoLoss(apart, { beta: 0.1, lossType });
      const expected = lossType === "hinge" ? 1 + 2e307 : softplus(2e307);
      expectClose(r.losses[0], expected, { rel: 4 * EPS }, lossType);
      expect(Number.isFinite(r.gradPolicyChosen[0]) && Number.isFinite(r.gradPolicyRejected[0])).toBe(true);
    }
    const r = dpoLoss(apart, { beta: 0.1 });
    expectClose(r.gradPolicyChosen[0], -0.1, { rel: EPS }); // −β σ(−βd) with σ(2e307) = 1
    expectClose(r.gradPolicyRejected[0], 0.1, { rel: EPS });
  });
  it("sigmoid at βd = +2e308 (log-ratios ±1e308, β = 1): loss 0, gradient 0", () => {
    const mirrored = {
      policyChosenLogps: [0],
      referenceChosenLogps: [-1e308],
      policyRejectedLogps: [-1e308],
      referenceRejectedLogps: [0],
    };
    const r = dpoLoss(mirrored, { beta: 1 });
    expect(r.losses[0]).toBe(0);
    expect(r.gradPolicyChosen[0] === 0).toBe(true);
  });
  it("ipo and sppo_hard at β = 5e−324: (1/(2β))² is beyond the range, a LuceError naming β", () => {
    expectLuceError(() => dpoLoss(pair, { beta: TINY, lossType: "ipo" }), "options.beta", "dpoLoss");
    expectLuceError(() => dpoLoss(pair, { beta: TINY, lossType: "sppo_hard" }), "options.beta", "dpoLoss");
  });
  it("a loss beyond the range (sigmoid at βd = −2e308) or an implicit reward beyond it is a LuceError", () => {
    expectLuceError(() => dpoLoss(apart, { beta: 1 }), "options.beta", "dpoLoss");
    // discopop at βd = −2e308: the loss is about |βd|, beyond the range (at +2e308 its limit is 0)
    const reversed = { ...pair, policyChosenLogps: [-12], policyRejectedLogps: [-10] };
    expectLuceError(() => dpoLoss(reversed, { beta: 1e308, lossType: "discopop" }), "options.beta", "dpoLoss");
    expect(dpoLoss(pair, { beta: 1e308, lossType: "discopop" }).losses[0]).toBe(0);
    // β·u with β = 1e308 and a log-ratio of −9 is −9e308
    const far = { ...pair, policyChosenLogps: [-20] };
    expectLuceError(() => dpoLoss(far, { beta: 1e308 }), "options.beta", "dpoLoss");
  });
  it("every loss type gives a finite loss or a LuceError at β ∈ {5e−324, 1e308} and log-probs ±1e308", () => {
    const types = DPO_LOSS_TYPES_WITHOUT_LENGTHS;
    for (const lossType of types) {
      for (const beta of [TINY, 1e-300, 0.1, 1, 1e300, 1e308]) {
        for (const inputs of [pair, apart]) {
          let r;
          try {
            r = dpoLoss(inputs, { beta, lossType });
          } catch (e) {
            expect((e as Error).name, `${lossType} β=${beta}`).toBe("LuceError");
            continue;
          }
          for (const v of [...r.losses, ...r.gradPolicyChosen, ...r.gradPolicyRejected, ...r.chosenRewards])
            expect(Number.isFinite(v), `${lossType} β=${beta}`).toBe(true);
          for (const v of Object.values(r.metrics)) expect(Number.isNaN(v), `${lossType} β=${beta}`).toBe(false);
        }
      }
    }
  });
});

describe("dpoLoss and plackettLuceDpoLoss reject log-probabilities above 0", () => {
  it("a probability passed by mistake is named", () => {
    expectLuceError(() => dpoLoss({ ...pair, policyChosenLogps: [0.7] }, { beta: 0.1 }), "inputs.policyChosenLogps[0]");
    expectLuceError(
      () => dpoLoss({ ...pair, referenceRejectedLogps: [1e308] }, { beta: 0.1 }),
      "inputs.referenceRejectedLogps[0]",
      "dpoLoss",
    );
    const good = { policyLogps: [[-1, -2]], referenceLogps: [[-1, -1]], rankings: [[0, 1]] };
    expectLuceError(
      () => plackettLuceDpoLoss({ ...good, referenceLogps: [[-1, 0.5]] }, { beta: 1 }),
      "inputs.referenceLogps[0][1]",
      "plackettLuceDpoLoss",
    );
  });
  it("0 itself is a log-probability (probability 1)", () => {
    expect(dpoLoss({ ...pair, policyChosenLogps: [0] }, { beta: 0.1 }).losses[0]).toBeGreaterThan(0);
  });
});

describe("plackettLuceDpoLoss at the float64 edges", () => {
  it("an implicit reward beyond the range is a LuceError naming β", () => {
    const inputs = { policyLogps: [[-1, -20]], referenceLogps: [[-1, -1]], rankings: [[0, 1]] };
    expectLuceError(() => plackettLuceDpoLoss(inputs, { beta: 1e308 }), "options.beta", "plackettLuceDpoLoss");
  });
  it("β = 5e−324 gives the loss of equal scores, log 2", () => {
    const inputs = { policyLogps: [[-1, -20]], referenceLogps: [[-1, -1]], rankings: [[0, 1]] };
    expectClose(plackettLuceDpoLoss(inputs, { beta: TINY }).losses[0], Math.LN2, { rel: 2 * EPS });
  });
});

describe("loss inputs are read once", () => {
  /** An array whose entry 0 reads `first` once and NaN afterwards. */
  const changing = (first: number, rest: number[]) => {
    let reads = 0;
    return new Proxy([first, ...rest], {
      get: (t, k) => (k === "0" ? (reads++ === 0 ? first : Number.NaN) : Reflect.get(t, k)),
    });
  };
  it("dpoLoss computes on what it validated", () => {
    const r = dpoLoss({ ...pair, policyChosenLogps: changing(-10, []) }, { beta: 0.1 });
    expect(r.losses[0]).toBe(dpoLoss(pair, { beta: 0.1 }).losses[0]);
  });
  it("plackettLuceDpoLoss computes on what it validated", () => {
    const inputs = { policyLogps: [changing(-1, [-2])], referenceLogps: [[-1, -1]], rankings: [[0, 1]] };
    const plain = { policyLogps: [[-1, -2]], referenceLogps: [[-1, -1]], rankings: [[0, 1]] };
    expect(plackettLuceDpoLoss(inputs, { beta: 1 }).losses[0]).toBe(plackettLuceDpoLoss(plain, { beta: 1 }).losses[0]);
  });
});

describe("loss options: unknown keys and non-objects are errors", () => {
  it("a misspelt option lists the known ones", () => {
    expectLuceError(() => dpoLoss(pair, { beta: 0.1, lossTyp: "ipo" } as never), "options.lossTyp", "dpoLoss");
    expectLuceError(
      () =>
        plackettLuceDpoLoss({ policyLogps: [[-1, -2]], referenceLogps: [[-1, -1]], rankings: [[0, 1]] }, {
          beta: 1,
          lossType: "ipo",
        } as never),
      "options.lossType",
      "plackettLuceDpoLoss",
    );
  });
  it("null options, a Symbol loss type and a truthy referenceFree are LuceErrors", () => {
    expectLuceError(() => dpoLoss(pair, null as never), "options", "dpoLoss");
    expectLuceError(() => dpoLoss(pair, { beta: 0.1, lossType: Symbol("x") as never }), "options.lossType", "dpoLoss");
    expectLuceError(() => dpoLoss(pair, { beta: 0.1, referenceFree: "no" as never }), "options.referenceFree");
    expectLuceError(() => dpoLoss(pair, { beta: 0.1, labelSmoothing: null as never }), "options.labelSmoothing");
  });
});
