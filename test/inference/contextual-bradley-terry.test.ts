import { describe, expect, it } from "vitest";
import fixtures from "../fixtures/contextual.json" with { type: "json" };
import { arenaStyleFeatures, createRandom, fitContextualBradleyTerry } from "../../src/index.js";
import { expectClose, expectLuceError } from "../helpers/close.js";

const FN = "fitContextualBradleyTerry";

describe("fitContextualBradleyTerry against 50-digit references (test/fixtures/generate_contextual.py)", () => {
  // Bounds: Newton stops at a scaled gradient ≤ 1e-12 and takes one more step, whose error is of the order of the
  // step squared, so what is left is the rounding of the gradient's sums (40–80 terms of size ≤ 5, about 1e-14)
  // divided by H's smallest eigenvalue on θ's complement (about 0.1 here): 1e-13 absolute on θ and γ; 1e-13 relative
  // on the log-likelihood (a sum of ≤ 80 terms); the covariances come from one Cholesky factorisation, its inverse
  // and two products, off by order · EPS · κ(H) with κ(H) below 1e3 here: 1e-11 relative to the largest entry.
  it.each(fixtures.cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const fit = fitContextualBradleyTerry(
      {
        modelA: c.modelA,
        modelB: c.modelB,
        outcome: c.outcome,
        weight: c.weight,
        features: c.features.map((row) => row.map(Number)),
      },
      { ridge: c.ridge, nItems: c.nItems },
    );
    expect(fit.converged).toBe(true);
    expect(fit.warning).toBeUndefined();
    c.logStrength.forEach((v, i) => expectClose(fit.logStrength[i], Number(v), { abs: 1e-13 }, `θ${i}`));
    c.coefficients.forEach((v, j) => expectClose(fit.coefficients[j], Number(v), { abs: 1e-13 }, `γ${j}`));
    expectClose(fit.logLikelihood, Number(c.logLikelihood), { rel: 1e-13 });
    let penalty = 0;
    for (const g of fit.coefficients) penalty += (c.ridge / 2) * g * g;
    expectClose(fit.objective, Number(c.logLikelihood) - penalty, { rel: 1e-13 });
    const n = c.nItems;
    for (const [computed, exact, errors] of [
      [fit.covariance!, c.covariance, fit.stdError!],
      [fit.sandwichCovariance!, c.sandwichCovariance, fit.sandwichStdError!],
    ] as const) {
      const largest = Math.max(...exact.flat().map((v) => Math.abs(Number(v))));
      exact.forEach((row, i) =>
        row.forEach((v, j) => expectClose(computed[i][j], Number(v), { abs: 1e-11 * largest }, `(${i}, ${j})`)),
      );
      exact.forEach((row, i) => {
        const se = i < n ? errors.logStrength[i] : errors.coefficients[i - n];
        expectClose(se, Math.sqrt(Number(row[i])), { rel: 1e-11 }, `se ${i}`);
      });
    }
  });

  it("leaves the errors out when asked, with the same estimate", () => {
    const c = fixtures.cases[0];
    const battles = {
      modelA: c.modelA,
      modelB: c.modelB,
      outcome: c.outcome,
      weight: c.weight,
      features: c.features.map((row) => row.map(Number)),
    };
    const fit = fitContextualBradleyTerry(battles, { ridge: c.ridge, standardErrors: false });
    expect(fit.stdError).toBeUndefined();
    expect(fit.sandwichCovariance).toBeUndefined();
    c.coefficients.forEach((v, j) => expectClose(fit.coefficients[j], Number(v), { abs: 1e-13 }));
  });
});

/** Battles sampled from the model itself with known θ and γ (no ties: the likelihood is then the data's). */
function simulate(seed: number, nModels: number, gamma: number[], count: number) {
  const random = createRandom(seed);
  const theta = Array.from({ length: nModels }, (_, i) => (i - (nModels - 1) / 2) * 0.4);
  const modelA: number[] = [];
  const modelB: number[] = [];
  const outcome: number[] = [];
  const features: number[][] = [];
  for (let k = 0; k < count; k++) {
    const a = Math.floor(random() * nModels);
    let b = Math.floor(random() * (nModels - 1));
    if (b >= a) b++;
    // standard normal features by Box–Muller
    const row = gamma.map(() => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
    const d = theta[a] - theta[b] + row.reduce((s, x, j) => s + x * gamma[j], 0);
    modelA.push(a);
    modelB.push(b);
    outcome.push(random() < 1 / (1 + Math.exp(-d)) ? 1 : 0);
    features.push(row);
  }
  return { theta, battles: { modelA, modelB, outcome, features } };
}

describe("fitContextualBradleyTerry recovers known coefficients from simulated battles", () => {
  // 20,000 battles among 6 models, 3 standard-normal features: each γ_j has Fisher information about
  // B · E[p(1 − p)] · Var(x_j) ≥ 20,000 · 0.12 · 1 (|d| stays below about 3), so its standard error is at most
  // 1/√2400 ≈ 0.02; each θ_i takes part in about 20,000 · 2/6 battles, a standard error below 1/√(6667 · 0.12) ≈
  // 0.035 (and its differences are what the data see). The tolerances are 5 standard errors: 0.1 and 0.175.
  const gamma = [0.8, -0.5, 0];
  const { theta, battles } = simulate(2024, 6, gamma, 20_000);
  const fit = fitContextualBradleyTerry(battles);

  it("γ within 0.1 and θ within 0.175 of the truth", () => {
    expect(fit.converged).toBe(true);
    gamma.forEach((g, j) => expect(Math.abs(fit.coefficients[j] - g)).toBeLessThan(0.1));
    theta.forEach((t, i) => expect(Math.abs(fit.logStrength[i] - t)).toBeLessThan(0.175));
  });

  it("the standard errors are of the size the sample gives, and the sandwich agrees with the model (well specified)", () => {
    for (const j of [0, 1, 2]) {
      const se = fit.stdError!.coefficients[j];
      expect(se).toBeGreaterThan(1 / Math.sqrt(20_000 * 0.25 * 1.2)); // p(1 − p) ≤ ¼, Var(x_j) ≈ 1
      expect(se).toBeLessThan(1 / Math.sqrt(2400));
      // the sandwich estimates the same variance from 20,000 squared residuals: within 10 %
      expect(Math.abs(fit.sandwichStdError!.coefficients[j] / se - 1)).toBeLessThan(0.1);
    }
  });

  it("the ridge shrinks γ towards 0 and leaves the errors finite", () => {
    const ridged = fitContextualBradleyTerry(battles, { ridge: 1e4 });
    for (const j of [0, 1]) expect(Math.abs(ridged.coefficients[j])).toBeLessThan(Math.abs(fit.coefficients[j]));
    expect(ridged.stdError!.coefficients.every(Number.isFinite)).toBe(true);
  });
});

describe("fitContextualBradleyTerry at extremes", () => {
  it("features of size 1e4 (margins of 1e4) give finite results", () => {
    const battles = {
      modelA: [0, 1, 2, 0, 1, 2],
      modelB: [1, 2, 0, 2, 0, 1],
      outcome: [1, 1, 1, 0, 0, 0.5],
      features: [[1e4], [-1e4], [3], [0], [2e4], [-1]],
    };
    const fit = fitContextualBradleyTerry(battles, { ridge: 1 });
    expect([...fit.logStrength, ...fit.coefficients, fit.logLikelihood].every(Number.isFinite)).toBe(true);
  });

  it("warns and leaves out the errors when a feature is collinear and unpenalised", () => {
    const battles = {
      modelA: [0, 1, 2, 0],
      modelB: [1, 2, 0, 2],
      outcome: [1, 1, 1, 0],
      features: [[0], [0], [0], [0]],
    };
    const fit = fitContextualBradleyTerry(battles);
    expect(fit.stdError).toBeUndefined();
    expect(fit.warning).toMatch(/singular/);
    expect(fit.converged).toBe(false);
    expect(fitContextualBradleyTerry(battles, { ridge: 1 }).stdError).toBeDefined();
  });
});

describe("fitContextualBradleyTerry rejects bad input", () => {
  const good = { modelA: [0, 1, 2], modelB: [1, 2, 0], outcome: [1, 0.5, 1], features: [[1], [0], [-1]] };
  it.each([
    [{ ...good, modelA: [0, 1] }, "battles.modelB"],
    [{ ...good, modelB: [1, 1, 0] }, "battles.modelB[1]"],
    [{ ...good, modelA: [0, -1, 2] }, "battles.modelA[1]"],
    [{ ...good, outcome: [1, 2, 0] }, "battles.outcome[1]"],
    [{ ...good, outcome: [1, Number.NaN, 0] }, "battles.outcome[1]"],
    [{ ...good, weight: [1, -1, 1] }, "battles.weight[1]"],
    [{ ...good, features: [[1], [0, 1], [2]] }, "battles.features[1]"],
    [{ ...good, features: [[1], [Infinity], [2]] }, "battles.features[1][0]"],
    [{ ...good, features: undefined }, "battles.features"],
    [{ modelA: [], modelB: [], outcome: [], features: [] }, "battles.modelA"],
    [{ ...good, outcome: [1, 1, 0] }, "battles"], // model 0 beats 1 and 2 and never loses
  ])("%#: names %s", (battles, argument) => {
    expectLuceError(() => fitContextualBradleyTerry(battles as never), argument, FN);
  });
  it("names bad options", () => {
    expectLuceError(() => fitContextualBradleyTerry(good, { ridge: -1 }), "options.ridge", FN);
    expectLuceError(() => fitContextualBradleyTerry(good, { nItems: 2 }), "battles.modelB[1]", FN);
    expectLuceError(() => fitContextualBradleyTerry(good, { ridg: 1 } as never), "options.ridg", FN);
    expectLuceError(
      () => fitContextualBradleyTerry(good, { standardErrors: 1 } as never),
      "options.standardErrors",
      FN,
    );
    expectLuceError(() => fitContextualBradleyTerry(null as never), "battles", FN);
  });
});

describe("arenaStyleFeatures", () => {
  it("is (a − b)/(a + b) per element, 0 where both are 0", () => {
    const rows = arenaStyleFeatures(
      [
        [300, 2, 0],
        [50, 0, 4],
      ],
      [
        [100, 0, 0],
        [150, 1, 1],
      ],
      { standardize: false },
    );
    expect(rows.map((r) => Array.from(r))).toEqual([
      [200 / 400, 1, 0],
      [-100 / 200, -1, 3 / 5],
    ]);
  });

  it("standardises each feature to mean 0 and standard deviation 1 (divisor: the number of battles)", () => {
    const a = [[10], [20], [30], [0]];
    const b = [[30], [20], [10], [5]];
    const raw = [-0.5, 0, 0.5, -1];
    const mean = raw.reduce((s, v) => s + v, 0) / raw.length;
    const sd = Math.sqrt(raw.reduce((s, v) => s + (v - mean) ** 2, 0) / raw.length);
    const rows = arenaStyleFeatures(a, b);
    rows.forEach((r, k) => expectClose(r[0], (raw[k] - mean) / sd, { abs: 4 * Number.EPSILON }));
  });

  it("keeps the ratio for counts near the float64 maximum", () => {
    const [row] = arenaStyleFeatures([[1.5e308]], [[0.5e308]], { standardize: false });
    expectClose(row[0], 0.5, { rel: 4 * Number.EPSILON });
  });

  it("names bad input", () => {
    const f = "arenaStyleFeatures";
    expectLuceError(() => arenaStyleFeatures([[1]], [[1], [2]]), "countsB", f);
    expectLuceError(() => arenaStyleFeatures([[1, 2]], [[1]]), "countsB[0]", f);
    expectLuceError(() => arenaStyleFeatures([[-1]], [[1]]), "countsA[0][0]", f);
    expectLuceError(() => arenaStyleFeatures([[1], [2]], [[1], [Number.NaN]]), "countsB[1][0]", f);
    expectLuceError(() => arenaStyleFeatures([], []), "countsA", f);
    expectLuceError(() => arenaStyleFeatures([[1], [2]], [[1], [2]]), "countsA", f); // constant feature
    expectLuceError(() => arenaStyleFeatures([[1]], [[1]], { standardise: true } as never), "options.standardise", f);
  });
});
