import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fitBradleyTerry } from "../../src/index.js";

const bin = fileURLToPath(new URL("../../bin/luce.js", import.meta.url));
const luce = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 120_000 });
const reference = JSON.parse(readFileSync(new URL("../fixtures/leaderboard.json", import.meta.url), "utf8")) as {
  csv: string;
  names: string[];
  anchor: { model: string; rating: number };
  half: { anchored: { ratings: string[] } };
};
const dir = mkdtempSync(join(tmpdir(), "luce-leaderboard-"));
const file = join(dir, "battles.csv");
writeFileSync(file, reference.csv);
const anchorFlag = `${reference.anchor.model}=${reference.anchor.rating}`;

interface Board {
  models: {
    name: string;
    rating: number;
    lower: number;
    upper: number;
    rank: number;
    battles: number;
    modelError: number;
  }[];
  tieParameter?: number;
}

describe("luce leaderboard (built dist/)", () => {
  it("prints the table: rank, model, rating, interval, battles, best first", () => {
    const r = luce("leaderboard", file, "--anchor", anchorFlag);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toContain("7 models, 2400 battles; ties as half; 95% sandwich");
    expect(lines[2]).toMatch(/rank\s+model\s+rating\s+95% interval\s+battles/);
    const rows = lines.slice(3).map((l) => l.trim().split(/\s+/));
    expect(rows).toHaveLength(7);
    for (const row of rows) {
      const i = reference.names.indexOf(row[1]);
      expect(Number(row[2])).toBeCloseTo(Number(reference.half.anchored.ratings[i]), 1);
    }
    expect(rows.map((row) => Number(row[2]))).toEqual(rows.map((row) => Number(row[2])).sort((a, b) => b - a));
  });

  it("--json gives each model's name, rating, lower, upper, rank, battles, the ratings to 1e-6", () => {
    const r = luce("leaderboard", file, "--anchor", anchorFlag, "--json");
    expect(r.status, r.stderr).toBe(0);
    const board = JSON.parse(r.stdout) as Board;
    for (const m of board.models) {
      expect(Object.keys(m)).toEqual(expect.arrayContaining(["name", "rating", "lower", "upper", "rank", "battles"]));
      const i = reference.names.indexOf(m.name);
      expect(Math.abs(m.rating - Number(reference.half.anchored.ratings[i]))).toBeLessThanOrEqual(1e-6);
    }
  });

  it("--ties davidson agrees with fitBradleyTerry's Davidson ties on the same battles", () => {
    const r = luce("leaderboard", file, "--anchor", anchorFlag, "--ties", "davidson", "--json");
    expect(r.status, r.stderr).toBe(0);
    const board = JSON.parse(r.stdout) as Board;
    // the battles as fitBradleyTerry takes them: wins [winner, loser], ties [a, b]
    const index = new Map(reference.names.map((n, i) => [n, i]));
    const wins: [number, number][] = [];
    const ties: [number, number][] = [];
    for (const line of reference.csv.trim().split("\n").slice(1)) {
      const [a, b, winner] = line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
      const [i, j] = [index.get(a)!, index.get(b)!];
      if (winner === "model_a" || winner === "a") wins.push([i, j]);
      else if (winner === "model_b" || winner === "b") wins.push([j, i]);
      else ties.push([i, j]);
    }
    const anchor = index.get(reference.anchor.model)!;
    const fit = fitBradleyTerry(wins, { ties, reference: anchor, scale: "elo", nItems: reference.names.length });
    for (const m of board.models) {
      const i = index.get(m.name)!;
      expect(Math.abs(m.rating - (fit.logStrength[i] + reference.anchor.rating))).toBeLessThanOrEqual(1e-6);
      expect(m.modelError).toBeCloseTo(fit.stdError![i], 6);
    }
    expect(board.tieParameter).toBeCloseTo(fit.tieParameter!.estimate, 9);
  });

  it("--ci bootstrap gives the same intervals on 1 and 2 threads, without a progress bar off a terminal", () => {
    const run = (threads: string) => {
      const r = luce(
        "leaderboard",
        file,
        "--ci",
        "bootstrap",
        "--rounds",
        "200",
        "--seed",
        "3",
        "--threads",
        threads,
        "--json",
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe("");
      return (JSON.parse(r.stdout) as Board).models.map((m) => [m.name, m.lower, m.upper]);
    };
    expect(run("2")).toEqual(run("1"));
  });

  it("names the flag, the file's line and column, or the file in its errors", () => {
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "model_a,model_b,winner\nx,y,model_a\ny,x,tie\nx,y,draw\n");
    const cases: [string[], RegExp][] = [
      [[bad], /argument '.*bad\.csv: line 4\.winner' must be one of/],
      [[file, "--anchor", "mixtral-w"], /argument '--anchor' must be NAME=RATING/],
      [[file, "--anchor", "nobody=1"], /argument '--anchor' names 'nobody'/],
      [[file, "--anchor", "mixtral-w=high"], /argument '--anchor' must be a finite number/],
      [[file, "--ties", "third"], /argument '--ties' must be "half", "davidson" or "drop"/],
      [[file, "--rounds", "5"], /argument '--rounds' applies to ci "bootstrap" only/],
      [[file, "--weight", "strength"], /argument '.*line 1\.strength' is missing/],
      [[file, "--filter", "category"], /argument '--filter' must be COL=VALUE/],
      [[join(dir, "none.csv")], /does not exist/],
    ];
    for (const [args, message] of cases) {
      const r = luce("leaderboard", ...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^luce leaderboard: /);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe("docs/media/leaderboard.svg", () => {
  it("is the plot `--svg` draws on this fixture with the anchor docs/fitting.md gives, every model named", () => {
    const svg = join(dir, "docs.svg");
    const r = luce("leaderboard", file, "--anchor", anchorFlag, "--svg", svg);
    expect(r.status, r.stderr).toBe(0);
    const inDocs = readFileSync(new URL("../../docs/media/leaderboard.svg", import.meta.url), "utf8");
    for (const name of reference.names) expect(inDocs).toContain(`${name} (`);
    // regenerate with (battles.csv: the fixture's csv field)
    // node bin/luce.js leaderboard battles.csv --anchor mixtral-w=1114 --svg docs/media/leaderboard.svg
    expect(inDocs).toBe(readFileSync(svg, "utf8"));
  });
});
