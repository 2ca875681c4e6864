import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { arenaLeaderboard, parseBattles, type ArenaLeaderboard } from "../../../src/index.js";

/** References from test/fixtures/leaderboard_reference.py (mpmath at 50 digits, and a numpy bootstrap). */
interface Errors {
  ratings: string[];
  sandwichErrors: string[];
  modelErrors: string[];
}
interface Case {
  anchored: Errors;
  centred: Errors;
}
const reference = JSON.parse(readFileSync(new URL("../../fixtures/leaderboard.json", import.meta.url), "utf8")) as {
  csv: string;
  names: string[];
  anchor: { model: string; rating: number };
  base: number;
  half: Case;
  drop: Case;
  weighted: Case;
  codingOnly: Case;
  bootstrap: { rounds: number; widths: number[]; bootstrapSd: number[]; widthSe: number[] };
};

function byName(board: ArenaLeaderboard, name: string) {
  const model = board.models.find((m) => m.name === name);
  if (model === undefined) throw new Error(`no model ${name}`);
  return model;
}

/** Ratings to 1e-6 Elo points; standard errors to 1e-6 relative (exactly 0 for the anchor). */
function expectMatches(board: ArenaLeaderboard, expected: Errors, interval: "sandwich" | "model") {
  reference.names.forEach((name, i) => {
    const model = byName(board, name);
    expect(Math.abs(model.rating - Number(expected.ratings[i])), name).toBeLessThanOrEqual(1e-6);
    const sandwich = Number(expected.sandwichErrors[i]);
    const informational = Number(expected.modelErrors[i]);
    if (sandwich === 0) {
      expect(model.sandwichError).toBe(0);
      expect(model.modelError).toBe(0);
    } else {
      expect(Math.abs(model.sandwichError! / sandwich - 1), name).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(model.modelError / informational - 1), name).toBeLessThanOrEqual(1e-6);
    }
    const se = interval === "sandwich" ? model.sandwichError! : model.modelError;
    expect(model.upper - model.rating).toBeCloseTo(1.959963984540054 * se, 9);
    expect(model.rating - model.lower).toBeCloseTo(1.959963984540054 * se, 9);
  });
}

describe("arenaLeaderboard against the exact maximum-likelihood reference", () => {
  const battles = parseBattles(reference.csv);
  const anchor = reference.anchor;

  it("reads the two models whose names differ only in case as two models", () => {
    expect([...battles.models].sort()).toEqual([...reference.names].sort());
  });

  it("ties as half, anchored: ratings to 1e-6 Elo, sandwich and model errors to 1e-6 relative", async () => {
    const board = await arenaLeaderboard(battles, { anchor });
    expect(board.ci).toBe("sandwich");
    expectMatches(board, reference.half.anchored, "sandwich");
  });

  it("ties as half, centred at the base: the errors in the centred gauge", async () => {
    expectMatches(await arenaLeaderboard(battles, { base: reference.base }), reference.half.centred, "sandwich");
  });

  it("model-based intervals come from the inverse information", async () => {
    expectMatches(await arenaLeaderboard(battles, { anchor, ci: "model" }), reference.half.anchored, "model");
  });

  it("ties dropped", async () => {
    expectMatches(await arenaLeaderboard(battles, { anchor, ties: "drop" }), reference.drop.anchored, "sandwich");
    expectMatches(await arenaLeaderboard(battles, { ties: "drop" }), reference.drop.centred, "sandwich");
  });

  it("a weight column weights each battle's term", async () => {
    const weighted = parseBattles(reference.csv, { weight: "weight" });
    expectMatches(await arenaLeaderboard(weighted, { anchor }), reference.weighted.anchored, "sandwich");
    expectMatches(await arenaLeaderboard(weighted), reference.weighted.centred, "sandwich");
  });

  it("a filter keeps only the battles whose column holds the value", async () => {
    const coding = parseBattles(reference.csv, { filter: { category: "coding" } });
    expectMatches(await arenaLeaderboard(coding, { anchor }), reference.codingOnly.anchored, "sandwich");
  });

  it("battle counts and observed win rates are those of the battle list", async () => {
    const board = await arenaLeaderboard(battles, { anchor });
    const rows = reference.csv.trim().split("\n").slice(1);
    for (const model of board.models) {
      const played = rows.filter((r) => r.split(",")[0] === model.name || r.split(",")[1] === model.name).length;
      expect(model.battles).toBe(played);
    }
    const [first, second] = [board.winRates.models[0], board.winRates.models[1]];
    let score = 0;
    let count = 0;
    for (const row of rows) {
      const [a, b, winner] = row.split(",");
      if (!((a === first && b === second) || (a === second && b === first))) continue;
      count++;
      const aWon = winner === "model_a" || winner === "a";
      const bWon = winner === "model_b" || winner === "b";
      score += aWon ? (a === first ? 1 : 0) : bWon ? (b === first ? 1 : 0) : 0.5;
    }
    expect(board.winRates.battles[0][1]).toBe(count);
    expect(board.winRates.observed[0][1]).toBeCloseTo(score / count, 12);
    expect(board.winRates.observed[0][0]).toBeNull();
    const d = (board.models[0].rating - board.models[1].rating) / (400 / Math.LN10);
    expect(board.winRates.predicted[0][1]).toBeCloseTo(1 / (1 + Math.exp(-d)), 12);
  });

  it("ranks follow the rule from the intervals it reports", async () => {
    const board = await arenaLeaderboard(battles, { anchor });
    for (const model of board.models) {
      const above = board.models.filter((other) => other.lower > model.upper).length;
      expect(model.rank).toBe(1 + above);
    }
  });
});

describe("arenaLeaderboard's bootstrap (the compiled rounds module under dist/, which npm test builds first)", () => {
  const battles = parseBattles(reference.csv);
  const anchor = reference.anchor;

  it("interval widths agree with a numpy bootstrap of the same scheme within Monte-Carlo error", async () => {
    const rounds = reference.bootstrap.rounds;
    const board = await arenaLeaderboard(battles, { anchor, ci: "bootstrap", rounds, seed: 11, threads: 2 });
    expect(board.bootstrap).toEqual({ rounds, seed: 11, unconverged: 0 });
    reference.names.forEach((name, i) => {
      const model = byName(board, name);
      const width = model.upper - model.lower;
      // Each width is a difference of two sample quantiles from R rounds: its Monte-Carlo standard error is
      // widthSe (the reference's, from the asymptotic variance of sample quantiles). luce's width has the same
      // error from its own R rounds, so the difference of the two has √2·widthSe; 4.5 of those bound it with
      // probability 1 − 7e-6 per model
      const tolerance = 4.5 * Math.SQRT2 * reference.bootstrap.widthSe[i];
      expect(Math.abs(width - reference.bootstrap.widths[i]), name).toBeLessThanOrEqual(Math.max(tolerance, 1e-9));
      // the point estimate stays the full-data fit
      expect(Math.abs(model.rating - Number(reference.half.anchored.ratings[i]))).toBeLessThanOrEqual(1e-6);
    });
  });

  it("gives identical intervals for one seed on 1 and 2 threads, and different ones for another seed", async () => {
    const options = { anchor, ci: "bootstrap" as const, rounds: 300, seed: 5 };
    const one = await arenaLeaderboard(battles, { ...options, threads: 1 });
    const two = await arenaLeaderboard(battles, { ...options, threads: 2 });
    expect(two.models.map((m) => [m.lower, m.upper])).toEqual(one.models.map((m) => [m.lower, m.upper]));
    const other = await arenaLeaderboard(battles, { ...options, seed: 6, threads: 2 });
    expect(other.models.map((m) => m.lower)).not.toEqual(one.models.map((m) => m.lower));
  });

  it("keeps the event loop running and reports progress", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const progress: number[] = [];
    await arenaLeaderboard(battles, {
      ci: "bootstrap",
      rounds: 400,
      threads: 1,
      onProgress: (done, total) => {
        expect(total).toBe(400);
        progress.push(done);
      },
    });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(400);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it("rejects with the error an onProgress callback throws, rather than throwing it out of the event loop", async () => {
    const stop = new Error("stop the bootstrap");
    let calls = 0;
    const onProgress = () => {
      calls++;
      throw stop;
    };
    await expect(arenaLeaderboard(battles, { ci: "bootstrap", rounds: 200, threads: 2, onProgress })).rejects.toBe(
      stop,
    );
    // the rounds stopped with the first call: no later reply reaches the callback
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(1);
  });
});
