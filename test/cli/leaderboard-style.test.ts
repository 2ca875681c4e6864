import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { leaderboardSvg } from "../../src/cli/leaderboard-plot.js";
import { arenaLeaderboard, parseBattles } from "../../src/index.js";

const bin = fileURLToPath(new URL("../../bin/luce.js", import.meta.url));
const luce = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 120_000 });
/** The style fixture of test/fixtures/leaderboard_reference.py (mpmath contextual Newton). */
const reference = JSON.parse(readFileSync(new URL("../fixtures/leaderboard_style.json", import.meta.url), "utf8")) as {
  csv: string;
  names: string[];
  anchor: { model: string; rating: number };
  ridge: number;
  ridged: { ratings: string[]; coefficients: string[] };
  reweighted: { ratings: string[]; coefficients: string[] };
};
const dir = mkdtempSync(join(tmpdir(), "luce-leaderboard-style-"));
const file = join(dir, "battles.csv");
writeFileSync(file, reference.csv);
const anchorFlag = `${reference.anchor.model}=${reference.anchor.rating}`;

interface Board {
  models: { name: string; rating: number }[];
  style: { ridge: number; coefficients: { name: string; estimate: number; lower: number; upper: number }[] };
  reweight?: { minPairCount: number };
}

describe("luce leaderboard --style, --reweight, --svg (built dist/)", () => {
  it("--style len,bold --ridge: the ratings and coefficients of the reference, in --json", () => {
    const r = luce(
      "leaderboard",
      file,
      "--anchor",
      anchorFlag,
      "--style",
      "len,bold",
      "--ridge",
      `${reference.ridge}`,
      "--json",
    );
    expect(r.status, r.stderr).toBe(0);
    const board = JSON.parse(r.stdout) as Board;
    reference.names.forEach((name, i) => {
      const model = board.models.find((m) => m.name === name)!;
      expect(Math.abs(model.rating - Number(reference.ridged.ratings[i])), name).toBeLessThanOrEqual(1e-6);
    });
    expect(board.style.coefficients.map((c) => c.name)).toEqual(["len", "bold"]);
    board.style.coefficients.forEach((c, j) =>
      expect(Math.abs(c.estimate - Number(reference.ridged.coefficients[j]))).toBeLessThanOrEqual(1e-9),
    );
  });

  it("--reweight with --style: arena-rank's reweighting, as the reference", () => {
    const r = luce(
      "leaderboard",
      file,
      "--anchor",
      anchorFlag,
      "--style",
      "len,bold",
      "--ridge",
      `${reference.ridge}`,
      "--reweight",
      "--json",
    );
    expect(r.status, r.stderr).toBe(0);
    const board = JSON.parse(r.stdout) as Board;
    expect(board.reweight).toEqual({ minPairCount: 50 });
    board.style.coefficients.forEach((c, j) =>
      expect(Math.abs(c.estimate - Number(reference.reweighted.coefficients[j]))).toBeLessThanOrEqual(1e-9),
    );
  });

  it("prints a second table of the style coefficients with their intervals", () => {
    const r = luce("leaderboard", file, "--style", "len,bold");
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    const header = lines.findIndex((l) => l.startsWith("Style coefficients"));
    expect(header).toBeGreaterThan(0);
    const rows = lines.slice(header + 3, header + 5);
    expect(rows.map((l) => l.trim().split(/\s+/)[0])).toEqual(["len", "bold"]);
    for (const row of rows) {
      const [estimate, lower, upper] = row.match(/-?\d+\.\d+/g)!.map(Number);
      expect(lower).toBeLessThan(estimate);
      expect(upper).toBeGreaterThan(estimate);
    }
  });

  it("--ci bootstrap with --style: percentile intervals of the ratings and the coefficients, the same estimates", () => {
    const args = ["leaderboard", file, "--anchor", anchorFlag, "--style", "len,bold", "--ridge", `${reference.ridge}`];
    const boot = luce(...args, "--ci", "bootstrap", "--rounds", "200", "--seed", "3", "--json");
    expect(boot.status, boot.stderr).toBe(0);
    const board = JSON.parse(boot.stdout) as Board & { ci: string; bootstrap: { rounds: number } };
    expect(board.ci).toBe("bootstrap");
    expect(board.bootstrap.rounds).toBe(200);
    board.style.coefficients.forEach((c, j) => {
      expect(Math.abs(c.estimate - Number(reference.ridged.coefficients[j]))).toBeLessThanOrEqual(1e-9);
      expect(c.lower).toBeLessThan(c.estimate);
      expect(c.upper).toBeGreaterThan(c.estimate);
    });
    for (const [i, name] of reference.names.entries()) {
      const model = board.models.find((m) => m.name === name)!;
      expect(Math.abs(model.rating - Number(reference.ridged.ratings[i]))).toBeLessThanOrEqual(1e-6);
    }
  });

  it("errors in the command line's words: a missing column, --ridge without --style", () => {
    const missing = luce("leaderboard", file, "--style", "size");
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("line 1.size");
    expect(missing.stderr).toMatch(/size_a and size_b/);
    const ridge = luce("leaderboard", file, "--ridge", "1");
    expect(ridge.stderr).toMatch(/--ridge.*--style/s);
  });

  it("--svg writes the leaderboard and the heatmap with every model's name", () => {
    const svg = join(dir, "board.svg");
    const r = luce("leaderboard", file, "--anchor", anchorFlag, "--svg", svg);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(svg)).toBe(true);
    const text = readFileSync(svg, "utf8");
    expect(text.startsWith("<svg")).toBe(true);
    for (const name of reference.names) expect(text).toContain(name);
    expect(text).toContain("Observed win rate");
  });
});

describe("leaderboardSvg", () => {
  it("draws one whisker per model and one heatmap cell per pair that met, labelled with the rates", async () => {
    const board = await arenaLeaderboard(parseBattles(reference.csv), { anchor: reference.anchor });
    const svg = await leaderboardSvg(board);
    for (const name of reference.names) expect(svg).toContain(`${name} (`);
    // every observed rate of a pair that met is printed in its cell with two decimals
    const met = board.winRates.observed.flat().filter((v): v is number => v !== null);
    for (const rate of met) expect(svg).toContain(`>${rate.toFixed(2)}<`);
    expect(svg).not.toContain("NaN");
    expect(svg).not.toContain(">null<");
  });
});
