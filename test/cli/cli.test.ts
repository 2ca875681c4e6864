import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fitBradleyTerry } from "../../src/index.js";

const bin = fileURLToPath(new URL("../../bin/luce.js", import.meta.url));
const luce = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 120_000 });

describe("the luce command (built dist/)", () => {
  it("prints help", () => {
    const r = luce("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("verify");
  });
  it("rejects an unknown command", () => {
    const r = luce("frobnicate");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command");
  });
  it("verify --json reports every statement holding and every variant as predicted", () => {
    const r = luce("verify", "--runs", "20", "--seed", "3", "--json");
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      statements: { verdict: string }[];
      variants: { asPredicted: boolean }[];
    };
    expect(report.ok).toBe(true);
    expect(report.statements).toHaveLength(8);
    expect(report.statements.every((s) => s.verdict === "holds")).toBe(true);
    expect(report.variants).toHaveLength(6);
  });
  it("verify prints the table", () => {
    const r = luce("verify", "--runs", "10");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("8 of 8 statements hold; 6 of 6 assumption variants behave as the table predicts.");
    expect(r.stdout).toContain("luce's own functions");
    expect(r.stdout).toMatch(/(\d+) of \1 functions within their bounds/);
  });
  it("verify rejects bad options", () => {
    expect(luce("verify", "--runs", "0").status).toBe(2);
    expect(luce("verify", "--seed", "x").status).toBe(2);
  });
});

describe("luce fit", () => {
  const dir = mkdtempSync(join(tmpdir(), "luce-fit-"));
  const csv = join(dir, "games.csv");
  writeFileSync(
    csv,
    "winner,loser,count\nalice,bob,3\nbob,alice,1\nbob,carol,2\ncarol,bob,2\nalice,carol,1\ncarol,alice,1\n",
  );
  it("prints a table, and JSON with names, equal to the library's fit", () => {
    const table = luce("fit", csv);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toContain("log-likelihood");
    const r = luce("fit", csv, "--json", "--reference", "bob");
    const out = JSON.parse(r.stdout) as { items: { name: string; logStrength: number; stdError: number }[] };
    const fit = fitBradleyTerry(
      [
        [0, 1, 3],
        [1, 0, 1],
        [1, 2, 2],
        [2, 1, 2],
        [0, 2, 1],
        [2, 0, 1],
      ],
      { reference: 1 },
    );
    expect(out.items.map((i) => i.name)).toEqual(["alice", "bob", "carol"]);
    out.items.forEach((item, i) => expect(item.logStrength).toBe(fit.logStrength[i]));
  });
  it("reports bad files and options as errors", () => {
    expect(luce("fit", join(dir, "missing.csv")).status).toBe(2);
    expect(luce("fit", csv, "--reference", "nobody").stderr).toContain("--reference");
    expect(luce("fit").status).toBe(2);
  });
});
