import { describe, expect, it } from "vitest";
import { createRandom, fitBradleyTerry, fitPlackettLuce, type Comparison, type FitResult } from "../../src/index.js";
import { expectClose } from "../helpers/close.js";

// The standard errors and covariance of every gauge against a plain dense reference computed here: the
// observed information written out from the model's probabilities at the fit's estimate, inverted by
// Gauss–Jordan elimination (no Cholesky, no grounding). The centred gauge's covariance is the
// Moore–Penrose pseudo-inverse (J + uuᵀ)⁻¹ − uuᵀ, u the unit vector along the log-strengths' null
// direction; the reference gauge's the inverse of J without the reference's row and column.

const RELATIVE = 1e-10;

function gaussJordanInverse(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    const p = m[col][col];
    for (let j = 0; j < 2 * n; j++) m[col][j] /= p;
    for (let r = 0; r < n; r++) {
      if (r === col || m[r][col] === 0) continue;
      const f = m[r][col];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[col][j];
    }
  }
  return m.map((row) => row.slice(n));
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Σ w p(1 − p) x xᵀ, x = e_winner − e_loser (+ h on the order effect's row), at the fit's estimate. */
function bradleyTerryInformation(fit: FitResult, data: Comparison[], advantage?: number[]): number[][] {
  const n = fit.logStrength.length;
  const size = n + (advantage === undefined ? 0 : 1);
  const theta = Array.from(fit.logStrength, (t) => t / fit.scaleFactor);
  const alpha = advantage === undefined ? 0 : fit.orderEffect!.estimate / fit.scaleFactor;
  const j = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  data.forEach(([a, b, w = 1], c) => {
    const h = advantage?.[c] ?? 0;
    const p = sigmoid(theta[a] - theta[b] + alpha * h);
    const x = new Array<number>(size).fill(0);
    x[a] = 1;
    x[b] = -1;
    if (advantage !== undefined) x[n] = h;
    for (let r = 0; r < size; r++) for (let s = 0; s < size; s++) j[r][s] += w * p * (1 - p) * x[r] * x[s];
  });
  return j;
}

/** Σ over each ranking's stages of diag(p) − p pᵀ over the items not yet placed. */
function plackettLuceInformation(fit: FitResult, rankings: number[][]): number[][] {
  const n = fit.logStrength.length;
  const j = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const ranking of rankings)
    for (let stage = 0; stage + 1 < ranking.length; stage++) {
      const rest = ranking.slice(stage);
      const e = rest.map((i) => Math.exp(fit.logStrength[i]));
      const total = e.reduce((s, v) => s + v, 0);
      rest.forEach((a, x) => {
        j[a][a] += e[x] / total;
        rest.forEach((b, y) => (j[a][b] -= (e[x] * e[y]) / total ** 2));
      });
    }
  return j;
}

/** The reference covariance in the fit's gauge, over all parameters (log-strengths first). */
function referenceCovariance(j: number[][], nItems: number, gauge: { reference?: number; priorVariance?: number }) {
  const size = j.length;
  if (gauge.priorVariance !== undefined) {
    const c = gaussJordanInverse(j.map((row, r) => row.map((v, s) => (r === s ? v + 1 / gauge.priorVariance! : v))));
    const k = gauge.reference;
    return k === undefined ? c : c.map((row, r) => row.map((v, s) => v - c[r][k] - c[k][s] + c[k][k]));
  }
  if (gauge.reference !== undefined) {
    const k = gauge.reference;
    const keep = Array.from({ length: size }, (_, i) => i).filter((i) => i !== k);
    const reduced = gaussJordanInverse(keep.map((r) => keep.map((s) => j[r][s])));
    const c = Array.from({ length: size }, () => new Array<number>(size).fill(0));
    keep.forEach((r, a) => keep.forEach((s, b) => (c[r][s] = reduced[a][b])));
    return c;
  }
  const u = Array.from({ length: size }, (_, i) => (i < nItems ? 1 / Math.sqrt(nItems) : 0));
  const c = gaussJordanInverse(j.map((row, r) => row.map((v, s) => v + u[r] * u[s])));
  return c.map((row, r) => row.map((v, s) => v - u[r] * u[s]));
}

function expectErrors(fit: FitResult, reference: number[][], label: string) {
  const n = fit.logStrength.length;
  const f = fit.scaleFactor;
  expect(fit.stdError, label).toBeDefined();
  for (let i = 0; i < n; i++)
    expectClose(fit.stdError![i], Math.sqrt(Math.max(0, reference[i][i])) * f, { rel: RELATIVE }, `${label} se ${i}`);
  const covariance = fit.covariance!;
  expect(covariance.length).toBe(n);
  // entries relative to the largest variance (a reference item's row is 0 up to rounding)
  let largest = 0;
  for (let i = 0; i < n; i++) largest = Math.max(largest, reference[i][i] * f * f);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++)
      expectClose(covariance[i][k], reference[i][k] * f * f, { abs: RELATIVE * largest }, `${label} cov ${i},${k}`);
  if (fit.orderEffect !== undefined)
    expectClose(fit.orderEffect.stdError!, Math.sqrt(reference[n][n]) * f, { rel: RELATIVE }, `${label} α`);
}

/** Both directions of every edge of the graph, with random counts: strongly connected when the graph is. */
function comparisons(edges: [number, number][], seed: number): Comparison[] {
  const random = createRandom(seed);
  return edges.flatMap(([a, b]): Comparison[] => [
    [a, b, 1 + Math.floor(random() * 9)],
    [b, a, 1 + Math.floor(random() * 3)],
  ]);
}

/** A cycle over n items with `chords` random chords: sparse. */
function sparseGraph(n: number, chords: number, seed: number): [number, number][] {
  const random = createRandom(seed);
  const edges: [number, number][] = Array.from({ length: n }, (_, i) => [i, (i + 1) % n]);
  for (let c = 0; c < chords; c++) {
    const a = Math.floor(random() * n);
    const b = (a + 1 + Math.floor(random() * (n - 1))) % n;
    edges.push([a, b]);
  }
  return edges;
}

function completeGraph(n: number): [number, number][] {
  const edges: [number, number][] = [];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) edges.push([a, b]);
  return edges;
}

describe("standard errors and covariance equal a dense Gauss–Jordan reference to 1e-10 relative", () => {
  const graphs: [string, Comparison[]][] = [
    ["a sparse cycle with chords, 31 items", comparisons(sparseGraph(31, 12, 1), 11)],
    ["a sparse cycle with chords, 40 items", comparisons(sparseGraph(40, 30, 2), 12)],
    ["all pairs of 12 items", comparisons(completeGraph(12), 13)],
    ["all pairs of 2 items", comparisons(completeGraph(2), 14)],
    ["all pairs of 3 items", comparisons(completeGraph(3), 15)],
  ];
  for (const [name, data] of graphs) {
    const n = Math.max(...data.flatMap(([a, b]) => [a, b])) + 1;
    it(`${name}: centred`, () => {
      const fit = fitBradleyTerry(data);
      expectErrors(fit, referenceCovariance(bradleyTerryInformation(fit, data), n, {}), name);
    });
    it(`${name}: reference items 0 and ${n - 1}, Elo scale`, () => {
      for (const reference of [0, n - 1]) {
        const fit = fitBradleyTerry(data, { reference, scale: "elo" });
        expectErrors(fit, referenceCovariance(bradleyTerryInformation(fit, data), n, { reference }), name);
      }
    });
    it(`${name}: a prior, centred and relative to item 1`, () => {
      for (const reference of [undefined, 1]) {
        const priorVariance = 2.5;
        const fit = fitBradleyTerry(data, { prior: { variance: priorVariance }, reference });
        const j = bradleyTerryInformation(fit, data);
        expectErrors(fit, referenceCovariance(j, n, { reference, priorVariance }), name);
      }
    });
  }

  it("a prior on data that cannot identify the strengths alone (two components, one-way wins)", () => {
    const data: Comparison[] = [
      [0, 1, 3],
      [1, 2],
      [3, 4, 2],
      [4, 3],
      [5, 3],
    ];
    const fit = fitBradleyTerry(data, { prior: { variance: 0.7 } });
    expectErrors(fit, referenceCovariance(bradleyTerryInformation(fit, data), 6, { priorVariance: 0.7 }), "prior");
  });

  it("an order effect: centred and with a reference (the extra parameter shares the factorisation)", () => {
    const data = comparisons(sparseGraph(15, 10, 3), 16);
    const random = createRandom(17);
    const advantage = data.map(() => [1, -1, 0][Math.floor(random() * 3)]);
    for (const reference of [undefined, 4]) {
      const fit = fitBradleyTerry(data, { orderEffect: advantage, reference });
      const j = bradleyTerryInformation(fit, data, advantage);
      expectErrors(fit, referenceCovariance(j, 15, { reference }), "order effect");
    }
  });

  it("Plackett–Luce rankings of 3–6 of 20 items, centred and with a prior", () => {
    const random = createRandom(18);
    const rankings = Array.from({ length: 120 }, () => {
      const items = Array.from({ length: 20 }, (_, i) => i).sort(() => random() - 0.5);
      return items.slice(0, 3 + Math.floor(random() * 4));
    });
    const fit = fitPlackettLuce(rankings);
    expect(fit.converged).toBe(true);
    expectErrors(fit, referenceCovariance(plackettLuceInformation(fit, rankings), 20, {}), "Plackett–Luce");
    const map = fitPlackettLuce(rankings, { prior: { variance: 3 } });
    const j = plackettLuceInformation(map, rankings);
    expectErrors(map, referenceCovariance(j, 20, { priorVariance: 3 }), "Plackett–Luce MAP");
  });
});

describe("the covariance is a property formed when first read", () => {
  const data = comparisons(completeGraph(5), 19);
  it("present exactly when the standard errors are, enumerable, the same arrays on every read", () => {
    const fit = fitBradleyTerry(data);
    expect(Object.keys(fit)).toContain("covariance");
    expect(fit.covariance).toBe(fit.covariance);
    expect({ ...fit }.covariance).toBe(fit.covariance);
    const none = fitBradleyTerry(data, { standardErrors: false });
    expect("covariance" in none).toBe(false);
    expect(none.stdError).toBeUndefined();
  });
});
