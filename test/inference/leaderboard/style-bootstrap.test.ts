import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { arenaLeaderboard, parseBattles } from "../../../src/index.js";

/** The battles of test/fixtures/leaderboard_reference.py's style_reference. */
const battlesCsv = (
  JSON.parse(readFileSync(new URL("../../fixtures/leaderboard_style.json", import.meta.url), "utf8")) as {
    csv: string;
  }
).csv;
/** A numpy bootstrap of the same ridge-penalised contextual model (test/fixtures/leaderboard_style_bootstrap.py). */
const reference = JSON.parse(
  readFileSync(new URL("../../fixtures/leaderboard_style_bootstrap.json", import.meta.url), "utf8"),
) as {
  rounds: number;
  ridge: number;
  columns: string[];
  names: string[];
  anchor: { model: string; rating: number };
  ratingWidths: number[];
  ratingWidthSe: number[];
  coefficientWidths: number[];
  coefficientWidthSe: number[];
};

describe("arenaLeaderboard's style-control bootstrap (the compiled rounds module under dist/)", () => {
  const battles = parseBattles(battlesCsv, { features: reference.columns });
  const style = { columns: reference.columns, ridge: reference.ridge };

  it("interval widths of ratings and coefficients agree with a numpy bootstrap within Monte-Carlo error", async () => {
    const options = { anchor: reference.anchor, style, rounds: reference.rounds, seed: 17, threads: 2 } as const;
    const board = await arenaLeaderboard(battles, { ...options, ci: "bootstrap" });
    expect(board.bootstrap).toEqual({ rounds: reference.rounds, seed: 17, unconverged: 0 });
    // the point estimates stay the full-data fit's
    const sandwich = await arenaLeaderboard(battles, { anchor: reference.anchor, style });
    reference.names.forEach((name, i) => {
      const model = board.models.find((m) => m.name === name)!;
      expect(model.rating).toBe(sandwich.models.find((m) => m.name === name)!.rating);
      expect(model.lower).toBeLessThanOrEqual(model.rating);
      expect(model.upper).toBeGreaterThanOrEqual(model.rating);
      // two independent bootstraps of as many rounds: the difference's standard error is √2 times each one's
      const tolerance = 4.5 * Math.SQRT2 * reference.ratingWidthSe[i];
      expect(Math.abs(model.upper - model.lower - reference.ratingWidths[i]), name).toBeLessThanOrEqual(
        Math.max(tolerance, 1e-9),
      );
    });
    board.style!.coefficients.forEach((c, j) => {
      expect(c.estimate).toBe(sandwich.style!.coefficients[j].estimate);
      expect(c.lower).toBeLessThan(c.estimate);
      expect(c.upper).toBeGreaterThan(c.estimate);
      const tolerance = 4.5 * Math.SQRT2 * reference.coefficientWidthSe[j];
      expect(Math.abs(c.upper - c.lower - reference.coefficientWidths[j]), c.name).toBeLessThanOrEqual(tolerance);
    });
  });

  it("gives identical intervals for one seed on 1 and 3 threads, and different ones for another seed", async () => {
    const run = (seed: number, threads: number) =>
      arenaLeaderboard(battles, { style, ci: "bootstrap", rounds: 60, seed, threads });
    const one = await run(4, 1);
    const three = await run(4, 3);
    expect(three.models).toEqual(one.models);
    expect(three.style).toEqual(one.style);
    const other = await run(5, 1);
    expect(other.models.map((m) => m.lower)).not.toEqual(one.models.map((m) => m.lower));
  });
});
