import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { test as fcTest, fc } from "@fast-check/vitest";
import {
  bradleyTerryLogLikelihood,
  bradleyTerryLogLikelihoodGradient,
  bradleyTerryLogLikelihoodHessian,
  fitBradleyTerry,
  fitPlackettLuce,
  plackettLuceLogLikelihood,
  plackettLuceLogLikelihoodGradient,
  type Comparison,
  type FitMethod,
} from "../../src/index.js";
import { expectClose, expectLuceError } from "../helpers/close.js";

// choix's answers (test/fixtures/choix/README.md): ILSR to tol 1e-12 on sampled data.
const choix = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/choix/${name}.json`, import.meta.url), "utf8"));

describe("agreement with choix", () => {
  const pairwise = choix("pairwise");
  const rankings = choix("rankings");
  for (const method of ["newton", "mm", "ilsr"] as FitMethod[]) {
    it(`Bradley–Terry (${method}) matches choix to 1e-7`, () => {
      const fit = fitBradleyTerry(pairwise.comparisons, { method, standardErrors: false });
      expect(fit.converged).toBe(true);
      fit.logStrength.forEach((v, i) => expectClose(v, pairwise.estimate[i], { abs: 1e-7 }, `item ${i}`));
    });
    it(`Plackett–Luce (${method}) matches choix to 1e-7`, () => {
      const fit = fitPlackettLuce(rankings.rankings, { method, standardErrors: false });
      expect(fit.converged).toBe(true);
      fit.logStrength.forEach((v, i) => expectClose(v, rankings.estimate[i], { abs: 1e-7 }, `item ${i}`));
    });
  }
});

describe("the estimate is the maximum of the likelihood", () => {
  const data: Comparison[] = [
    [0, 1, 3],
    [1, 0, 1],
    [1, 2, 2],
    [2, 1, 2],
    [0, 2],
    [2, 0],
    [3, 0, 0.5],
    [0, 3, 2.5],
    [3, 2],
  ];
  it("the gradient of bradleyTerryLogLikelihood vanishes there, and the log-likelihood matches", () => {
    const fit = fitBradleyTerry(data);
    bradleyTerryLogLikelihoodGradient(fit.logStrength, data).forEach((g) => expect(Math.abs(g)).toBeLessThan(1e-12));
    expectClose(fit.logLikelihood, bradleyTerryLogLikelihood(fit.logStrength, data), { rel: 1e-14 });
  });
  it("standard errors are the observed information's pseudo-inverse (closed form for two items)", () => {
    // two items, a wins 3 of 4: θ_a − θ_b = log 3; information 4·σσ' = 4·(3/16) = 3/4 on the difference
    // the stopping rule allows |∂ℓ/∂θ| ≤ 1e-12·(1 + 4), i.e. |Δθ| ≤ 5e-12 / (3/4)
    const fit = fitBradleyTerry([
      [0, 1, 3],
      [1, 0, 1],
    ]);
    expectClose(fit.logStrength[0] - fit.logStrength[1], Math.log(3), { abs: 7e-12 });
    // var(θ_a − θ_b) = 4/3; centred: θ_a = (θ_a − θ_b)/2, variance 1/3
    expectClose(fit.stdError![0], Math.sqrt(1 / 3), { rel: 1e-12 });
    const ref = fitBradleyTerry(
      [
        [0, 1, 3],
        [1, 0, 1],
      ],
      { reference: 1 },
    );
    expect(ref.logStrength[1]).toBe(0);
    expect(ref.stdError![1]).toBe(0);
    expectClose(ref.stdError![0], Math.sqrt(4 / 3), { rel: 1e-12 });
  });
  it("standard errors equal the inverse of the analytic Hessian with the reference removed", () => {
    const fit = fitBradleyTerry(data, { reference: 0 });
    const h = bradleyTerryLogLikelihoodHessian(fit.logStrength, data);
    // 3×3 inverse of −H without row/column 0, by cofactors
    const m = [1, 2, 3].map((i) => [1, 2, 3].map((j) => -h[i][j]));
    const det =
      m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
      m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
      m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    const inv00 = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det;
    expectClose(fit.stdError![1], Math.sqrt(inv00), { rel: 1e-10 });
  });
  it("the Elo scale multiplies by 400 / ln 10", () => {
    const log = fitBradleyTerry(data);
    const elo = fitBradleyTerry(data, { scale: "elo" });
    log.logStrength.forEach((v, i) =>
      expectClose(elo.logStrength[i], (v * 400) / Math.LN10, { rel: 1e-13, abs: 1e-11 }),
    );
  });
  it("a prior makes non-identifiable data fittable (MAP by Newton), with a stationary posterior", () => {
    const fit = fitBradleyTerry(
      [
        [0, 1],
        [0, 1],
      ],
      { prior: { variance: 1 } },
    );
    const g = bradleyTerryLogLikelihoodGradient(fit.logStrength, [
      [0, 1],
      [0, 1],
    ]);
    g.forEach((gi, i) => expect(Math.abs(gi - fit.logStrength[i] / 1)).toBeLessThan(1e-12));
    expect(fit.stdError!.every((s) => s > 0 && s < 1)).toBe(true);
  });
  fcTest.prop([
    fc.integer({ min: 3, max: 6 }).chain((n) =>
      fc
        .array(
          fc.tuple(
            fc.shuffledSubarray(
              Array.from({ length: n }, (_, i) => i),
              { minLength: n, maxLength: n },
            ),
          ),
          { minLength: 2 * n, maxLength: 4 * n },
        )
        .map((rs) => ({ n, rankings: rs.map(([r]) => r) })),
    ),
  ])("Plackett–Luce: the three estimators agree and the gradient vanishes (when identifiable)", ({ rankings }) => {
    let fits;
    try {
      fits = (["newton", "mm", "ilsr"] as FitMethod[]).map((method) =>
        fitPlackettLuce(rankings, { method, standardErrors: false }),
      );
    } catch (e) {
      expect((e as Error).message).toContain("does not identify");
      return;
    }
    fits[1].logStrength.forEach((v, i) => expectClose(v, fits[0].logStrength[i], { abs: 1e-8 }));
    fits[2].logStrength.forEach((v, i) => expectClose(v, fits[0].logStrength[i], { abs: 1e-8 }));
    plackettLuceLogLikelihoodGradient(fits[0].logStrength, rankings).forEach((g) =>
      expect(Math.abs(g)).toBeLessThan(1e-9),
    );
    expectClose(fits[0].logLikelihood, plackettLuceLogLikelihood(fits[0].logStrength, rankings), { rel: 1e-13 });
  });
});

describe("bad and non-identifiable input", () => {
  it("names the item that never wins or never loses, and the components", () => {
    expectLuceError(
      () =>
        fitBradleyTerry([
          [0, 1],
          [0, 2],
          [2, 1],
        ]),
      "comparisons",
    );
    expect(() =>
      fitBradleyTerry([
        [0, 1],
        [1, 2],
        [2, 1],
      ]),
    ).toThrow(/item 0 never loses/);
    expect(() =>
      fitBradleyTerry([
        [0, 1],
        [1, 0],
        [2, 3],
        [3, 2],
      ]),
    ).toThrow(/not strongly connected \(2 components/);
    expect(() =>
      fitBradleyTerry(
        [
          [0, 1],
          [1, 0],
        ],
        { nItems: 3 },
      ),
    ).toThrow(/item 2 appears in no comparison/);
    expect(() =>
      fitPlackettLuce([
        [0, 1, 2],
        [0, 2, 1],
      ]),
    ).toThrow(/item 0 never loses/);
  });
  it("rejects bad options and data", () => {
    const ok: Comparison[] = [
      [0, 1],
      [1, 0],
    ];
    expectLuceError(() => fitBradleyTerry(ok, { method: "sgd" as FitMethod }), "options.method");
    expectLuceError(() => fitBradleyTerry(ok, { method: "mm", prior: { variance: 1 } }), "options.method");
    expectLuceError(() => fitBradleyTerry(ok, { prior: { variance: 0 } }), "options.prior.variance");
    expectLuceError(() => fitBradleyTerry(ok, { reference: 2 }), "options.reference");
    expectLuceError(() => fitBradleyTerry(ok, { tolerance: -1 }), "options.tolerance");
    expectLuceError(() => fitBradleyTerry(ok, { nItems: 1 }), "options.nItems");
    expectLuceError(() => fitBradleyTerry(ok, { scale: "glicko" as "elo" }), "options.scale");
    expectLuceError(() => fitBradleyTerry([]), "comparisons");
    expectLuceError(() => fitBradleyTerry([[0, 0]]), "comparisons[0]");
    expectLuceError(() => fitPlackettLuce([]), "observations");
    expectLuceError(() => fitPlackettLuce([[0, 0]]), "observations[0][1]");
    expectLuceError(() => fitBradleyTerry(ok, { orderEffect: [1] }), "options.orderEffect");
    expectLuceError(() => fitBradleyTerry(ok, { orderEffect: [1, 2] }), "options.orderEffect[1]");
    expectLuceError(() => fitBradleyTerry(ok, { orderEffect: [1, -1], prior: { variance: 1 } }), "options.prior");
    expectLuceError(() => fitBradleyTerry(ok, { orderEffect: [1, -1], method: "mm" }), "options.method");
    expectLuceError(() => fitBradleyTerry(ok, null as never), "options");
    expectLuceError(() => fitBradleyTerry(ok, { ties: [] }), "options.ties");
    expectLuceError(() => fitBradleyTerry(ok, { ties: [[0, 0]] }), "options.ties[0]");
    expectLuceError(() => fitBradleyTerry(ok, { ties: [[0, 1]], tieOrderEffect: [1, 1] }), "options.tieOrderEffect");
    expectLuceError(() => fitBradleyTerry(ok, { tieOrderEffect: [1] }), "options.tieOrderEffect");
  });
});
