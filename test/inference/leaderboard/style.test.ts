import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  arenaLeaderboard,
  battlesFromRecords,
  createRandom,
  LuceError,
  parseBattles,
  type ArenaLeaderboard,
  type ArenaLeaderboardOptions,
} from "../../../src/index.js";

/** References from test/fixtures/leaderboard_reference.py (style_reference: mpmath Newton at 30 digits). */
interface StyleCase {
  ratings: string[];
  centredRatings: string[];
  sandwichErrors: string[];
  modelErrors: string[];
  coefficients: string[];
  coefficientSandwichErrors: string[];
  coefficientModelErrors: string[];
}
const reference = JSON.parse(
  readFileSync(new URL("../../fixtures/leaderboard_style.json", import.meta.url), "utf8"),
) as {
  csv: string;
  names: string[];
  anchor: { model: string; rating: number };
  ridge: number;
  minPairCount: number;
  both: StyleCase;
  ridged: StyleCase;
  lengthDropped: StyleCase;
  reweighted: StyleCase;
  plainReweighted: { ratings: string[]; sandwichErrors: string[]; modelErrors: string[] };
};
const Z_95 = 1.959963984540054;

function byName(board: ArenaLeaderboard, name: string) {
  const model = board.models.find((m) => m.name === name);
  if (model === undefined) throw new Error(`no model ${name}`);
  return model;
}

/** Ratings to 1e-6 Elo points, coefficients to 1e-9, standard errors to 1e-6 relative (0 for the anchor). */
function expectMatches(board: ArenaLeaderboard, expected: StyleCase, ratings: "anchored" | "centred") {
  reference.names.forEach((name, i) => {
    const model = byName(board, name);
    const rating = Number((ratings === "anchored" ? expected.ratings : expected.centredRatings)[i]);
    expect(Math.abs(model.rating - rating), name).toBeLessThanOrEqual(1e-6);
    if (ratings === "centred") return;
    const sandwich = Number(expected.sandwichErrors[i]);
    if (sandwich === 0) {
      expect(model.sandwichError).toBe(0);
      expect(model.modelError).toBe(0);
      return;
    }
    expect(Math.abs(model.sandwichError! / sandwich - 1), name).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(model.modelError / Number(expected.modelErrors[i]) - 1), name).toBeLessThanOrEqual(1e-6);
    expect(model.upper - model.rating).toBeCloseTo(Z_95 * model.sandwichError!, 9);
  });
  const coefficients = board.style!.coefficients;
  expect(coefficients.length).toBe(expected.coefficients.length);
  coefficients.forEach((c, j) => {
    expect(Math.abs(c.estimate - Number(expected.coefficients[j])), c.name).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(c.sandwichError / Number(expected.coefficientSandwichErrors[j]) - 1)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(c.modelError / Number(expected.coefficientModelErrors[j]) - 1)).toBeLessThanOrEqual(1e-6);
    expect(c.upper - c.estimate).toBeCloseTo(Z_95 * c.sandwichError, 12);
    expect(c.estimate - c.lower).toBeCloseTo(Z_95 * c.sandwichError, 12);
  });
}

describe("style control against an independent contextual maximum-likelihood reference", () => {
  const battles = parseBattles(reference.csv, { features: ["len", "bold"] });
  const anchor = reference.anchor;

  it("reads len_a/len_b as counts (normalised, standardised) and bold as a ready-made difference", () => {
    expect(battles.features!.names).toEqual(["len", "bold"]);
    expect(battles.first.length).toBe(reference.csv.trim().split("\n").length - 1);
  });

  it("ties as half, no ridge: ratings, coefficients and both kinds of errors", async () => {
    const board = await arenaLeaderboard(battles, { anchor, style: {} });
    expect(board.style!.coefficients.map((c) => c.name)).toEqual(["len", "bold"]);
    expectMatches(board, reference.both, "anchored");
    expectMatches(await arenaLeaderboard(battles, { style: {} }), reference.both, "centred");
  });

  it("with a ridge on the coefficients", async () => {
    const board = await arenaLeaderboard(battles, { anchor, style: { ridge: reference.ridge } });
    expect(board.style!.ridge).toBe(reference.ridge);
    expectMatches(board, reference.ridged, "anchored");
  });

  it("one column chosen, ties dropped", async () => {
    const board = await arenaLeaderboard(battles, { anchor, ties: "drop", style: { columns: ["len"] } });
    expectMatches(board, reference.lengthDropped, "anchored");
  });

  it("reweighted pairs (inverse propensity, floor 50, mean 1) with a ridge", async () => {
    const board = await arenaLeaderboard(battles, { anchor, reweight: true, style: { ridge: reference.ridge } });
    expect(board.reweight).toEqual({ minPairCount: reference.minPairCount });
    expectMatches(board, reference.reweighted, "anchored");
  });

  it("model-based intervals use the inverse information", async () => {
    const board = await arenaLeaderboard(battles, { anchor, ci: "model", style: {} });
    for (const m of board.models) expect(m.upper - m.rating).toBeCloseTo(Z_95 * m.modelError, 9);
    for (const c of board.style!.coefficients) expect(c.upper - c.estimate).toBeCloseTo(Z_95 * c.modelError, 12);
  });

  it("refuses Davidson ties with style, and columns the battles do not carry", async () => {
    const cases: [unknown, ArenaLeaderboardOptions, string, RegExp][] = [
      [battles, { style: {}, ties: "davidson" }, "options.ties", /half/],
      [battles, { style: { columns: ["bold", "size"] } }, "options.style.columns[1]", /do not carry/],
      [battles, { style: { ridge: -1 } }, "options.style.ridge", />= 0/],
      [parseBattles(reference.csv), { style: {} }, "options.style.columns", /features option/],
      [battles, { minPairCount: 10 }, "options.minPairCount", /reweight/],
    ];
    for (const [data, options, argument, problem] of cases) {
      const e = await arenaLeaderboard(data as never, options).then(
        () => new Error("no error"),
        (error: unknown) => error,
      );
      expect(e, argument).toBeInstanceOf(LuceError);
      expect((e as LuceError).argument).toBe(argument);
      expect((e as LuceError).message).toMatch(problem);
    }
  });
});

describe("reweighting without style", () => {
  it("weights each battle by 1/max(pair count, 50), scaled to mean 1: ratings and sandwich as the reference", async () => {
    const board = await arenaLeaderboard(parseBattles(reference.csv), { anchor: reference.anchor, reweight: true });
    const expected = reference.plainReweighted;
    reference.names.forEach((name, i) => {
      const model = byName(board, name);
      expect(Math.abs(model.rating - Number(expected.ratings[i])), name).toBeLessThanOrEqual(1e-6);
      const se = Number(expected.sandwichErrors[i]);
      if (se === 0) return;
      expect(Math.abs(model.sandwichError! / se - 1), name).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(model.modelError / Number(expected.modelErrors[i]) - 1), name).toBeLessThanOrEqual(1e-6);
    });
  });

  it("the bootstrap refits the reweighted battles: its point is the reweighted fit, its widths near the sandwich's", async () => {
    const board = await arenaLeaderboard(parseBattles(reference.csv), {
      anchor: reference.anchor,
      reweight: true,
      ci: "bootstrap",
      rounds: 400,
      seed: 3,
      threads: 2,
    });
    reference.names.forEach((name, i) => {
      const model = byName(board, name);
      expect(Math.abs(model.rating - Number(reference.plainReweighted.ratings[i])), name).toBeLessThanOrEqual(1e-6);
      const se = Number(reference.plainReweighted.sandwichErrors[i]);
      if (se === 0) return;
      // percentile and normal intervals agree asymptotically; 400 rounds leave a width a Monte-Carlo error of
      // about 5% and a midpoint one of about 0.1 se, and 1500 battles some skewness: 20% and 0.3 se hold both.
      // Rounds refitted without the weights would centre the intervals on the unweighted fit, 15 rating points
      // (0.75 se) away for delta
      expect(Math.abs((model.upper - model.lower) / (2 * Z_95 * se) - 1), name).toBeLessThanOrEqual(0.2);
      expect(Math.abs((model.upper + model.lower) / 2 - model.rating), name).toBeLessThanOrEqual(0.3 * se);
    });
  });

  it("a pair sampled 10× as often as another weighs the same in total (floor 1)", async () => {
    // x–y 10 times as often as y–z and x–z; with minPairCount 1 each pair's total weight is the same, so the fit
    // equals that of the pairs' win shares with equal counts
    const records = [];
    for (let k = 0; k < 10; k++) records.push({ model_a: "x", model_b: "y", winner: k < 7 ? "model_a" : "model_b" });
    records.push({ model_a: "y", model_b: "z", winner: "model_a" }, { model_a: "z", model_b: "y", winner: "a" });
    records.push({ model_a: "y", model_b: "z", winner: "model_a" });
    records.push({ model_a: "x", model_b: "z", winner: "model_a" }, { model_a: "z", model_b: "x", winner: "tie" });
    records.push({ model_a: "x", model_b: "z", winner: "b" });
    const reweighted = await arenaLeaderboard(records, { reweight: true, minPairCount: 1 });
    // the same win shares (x–y 0.7, y–z 2/3, x–z 0.5) on 3 battles each, as fractional-weight battles
    const equal = [];
    for (let k = 0; k < 10; k++)
      equal.push({ model_a: "x", model_b: "y", winner: k < 7 ? "model_a" : "model_b", w: 3 / 10 });
    for (const r of records.slice(10)) equal.push({ ...r, w: 1 });
    const plain = await arenaLeaderboard(battlesFromRecords(equal, { weight: "w" }));
    for (const m of plain.models) expect(byName(reweighted, m.name).rating).toBeCloseTo(m.rating, 9);
  });
});

describe("style control recovers known coefficients from simulated battles", () => {
  it("each estimate within 4 sandwich standard errors of the truth (20,000 battles, 6 models, no ties)", async () => {
    const random = createRandom(20231129);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const theta = [0.8, 0.4, 0.1, -0.2, -0.5, -0.6];
    const gamma = [0.5, -0.25, 0];
    const records = [];
    for (let k = 0; k < 20000; k++) {
      const a = Math.floor(random() * 6);
      const b = (a + 1 + Math.floor(random() * 5)) % 6;
      const x = [normal(), normal(), normal()];
      const d = theta[a] - theta[b] + x[0] * gamma[0] + x[1] * gamma[1] + x[2] * gamma[2];
      const winner = random() < 1 / (1 + Math.exp(-d)) ? "model_a" : "model_b";
      records.push({ model_a: `m${a}`, model_b: `m${b}`, winner, f0: x[0], f1: x[1], f2: x[2] });
    }
    const board = await arenaLeaderboard(records, {
      style: { columns: ["f0", "f1", "f2"] },
      anchor: { model: "m5", rating: 0 },
    });
    // the estimator is consistent and asymptotically normal: 4 standard errors (≈0.06 at 20,000 battles) bound
    // each error with probability 1 − 6e-5; the standard errors themselves shrink as 1/√battles
    board.style!.coefficients.forEach((c, j) => {
      expect(c.sandwichError).toBeLessThan(0.03);
      expect(Math.abs(c.estimate - gamma[j]), c.name).toBeLessThanOrEqual(4 * c.sandwichError);
    });
    for (const [i, t] of theta.entries()) {
      const m = byName(board, `m${i}`);
      if (i === 5) continue;
      expect(Math.abs(m.rating - (400 / Math.LN10) * (t - theta[5]))).toBeLessThanOrEqual(4 * m.sandwichError!);
    }
  });
});

describe("parseBattles' feature columns", () => {
  it("orients each row first − second and standardises counts over the battles (arenaStyleFeatures)", () => {
    // x is model index 0, y 1: the second battle has model_a = y, so its row is negated
    const text = "model_a,model_b,winner,n_a,n_b,d\nx,y,model_a,3,1,0.5\ny,x,tie,1,1,0.25\nx,y,b,0,0,-1\n";
    const battles = parseBattles(text, { features: ["n", "d"] });
    // (a − b)/(a + b) in model_a − model_b orientation: 0.5, 0, 0 (both 0); mean 1/6, sd √(1/18)
    const sd = Math.sqrt(((0.5 - 1 / 6) ** 2 + 2 * (1 / 6) ** 2) / 3);
    const n = [(0.5 - 1 / 6) / sd, -(-1 / 6 / sd), -1 / 6 / sd];
    const d = [0.5, -0.25, -1];
    for (let r = 0; r < 3; r++) {
      expect(battles.features!.values[2 * r]).toBeCloseTo(n[r], 14);
      expect(battles.features!.values[2 * r + 1]).toBe(d[r]);
    }
    const jsonl = parseBattles(
      '{"model_a":"x","model_b":"y","winner":"a","n_a":3,"n_b":1,"d":0.5}\n' +
        '{"model_a":"y","model_b":"x","winner":"tie","n_a":1,"n_b":1,"d":0.25}\n' +
        '{"model_a":"x","model_b":"y","winner":"b","n_a":0,"n_b":0,"d":-1}\n',
      { features: ["n", "d"] },
    );
    expect(Array.from(jsonl.features!.values)).toEqual(Array.from(battles.features!.values));
  });

  it("names the line and column of a bad feature value, and a column that is not there", () => {
    const cases: [string, string[], string, RegExp][] = [
      ["model_a,model_b,winner,n_a,n_b\nx,y,a,-1,2\n", ["n"], "line 2.n_a", />= 0/],
      ["model_a,model_b,winner,d\nx,y,a,big\n", ["d"], "line 2.d", /finite number/],
      ["model_a,model_b,winner,n_a\nx,y,a,1\n", ["n"], "line 1.n", /n_a and n_b/],
      ["model_a,model_b,winner,n_a,n_b\nx,y,a,1,1\ny,x,b,2,2\n", ["n"], "text", /same normalised difference/],
      ["model_a,model_b,winner,d\nx,y,a,1\n", ["d", "d"], "options.features", /twice/],
    ];
    for (const [text, features, argument, problem] of cases) {
      let thrown: unknown;
      try {
        parseBattles(text, { features });
      } catch (e) {
        thrown = e;
      }
      expect(thrown, argument).toBeInstanceOf(LuceError);
      expect((thrown as LuceError).argument).toBe(argument);
      expect((thrown as LuceError).message).toMatch(problem);
    }
  });
});
