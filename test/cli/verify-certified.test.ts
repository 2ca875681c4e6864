import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../bin/luce.js", import.meta.url));
const luce = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 300_000 });

interface Certified {
  expected: string;
  certified: boolean;
  instances: number;
  residual: { enclosure: string };
  functions: { function: string; certified: boolean }[];
}

describe("luce verify --certified (built dist/)", () => {
  it("certifies every statement and every variant's predicted verdict, per statement in the JSON report", () => {
    const r = luce("verify", "--runs", "6", "--seed", "3", "--certified", "--json");
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      certification: { ok: boolean; seconds: number };
      statements: { id: string; certified: Certified }[];
      variants: { results: { expected: string; report: unknown; certified?: Certified }[] }[];
    };
    expect(report.ok && report.certification.ok).toBe(true);
    expect(report.statements).toHaveLength(8);
    for (const s of report.statements) {
      expect(s.certified.expected).toBe("holds");
      expect(s.certified.certified).toBe(true);
      expect(s.certified.residual.enclosure).toMatch(/^\[.*, .*\]$/);
    }
    // every statement uses at least one of luce's float64 functions, each held to its bound
    expect(report.statements.every((s) => s.certified.functions.length > 0)).toBe(true);
    const results = report.variants.flatMap((v) => v.results).filter((x) => x.report !== null);
    expect(results.every((x) => x.certified?.certified === true && x.certified.expected === x.expected)).toBe(true);
    expect(results.filter((x) => x.expected === "refuted")).toHaveLength(6);
  });
  it("prints the certified section, and the default run prints none", () => {
    const certified = luce("verify", "--runs", "3", "--certified");
    expect(certified.status, certified.stderr).toBe(0);
    expect(certified.stdout).toContain("Every verdict certified");
    expect(certified.stdout).toContain("proof, at the doubles");
    const plain = luce("verify", "--runs", "3");
    expect(plain.status).toBe(0);
    expect(plain.stdout).not.toContain("Certified");
  });
  it("--losses --certified: every loss statement's verdict certified, per statement in the JSON report", () => {
    const r = luce("verify", "--losses", "--runs", "8", "--seed", "7", "--certified", "--json");
    expect(r.status === 0 || r.status === 1, r.stderr).toBe(true);
    const report = JSON.parse(r.stdout) as {
      certification: { ok: boolean; seconds: number };
      statements: { id: string; expected: string; certified: Certified }[];
      table: { lossType: string; enclosure?: { certified: boolean; detail: string } }[];
    };
    expect(report.certification.ok).toBe(true);
    expect(report.statements).toHaveLength(19);
    for (const s of report.statements) {
      expect(s.certified.certified, s.id).toBe(true);
      expect(s.certified.expected).toBe(s.expected);
      expect(s.certified.residual.enclosure).toMatch(/^\[.*, .*\]$/);
    }
    // every holding statement holds populationOptimum to its claimed error
    for (const s of report.statements.filter((s) => s.expected === "holds"))
      expect(
        s.certified.functions.some((f) => f.function === "populationOptimum" && f.certified),
        s.id,
      ).toBe(true);
    expect(report.table.every((row) => row.enclosure !== undefined)).toBe(true);
  });
  it("--losses --certified prints the certified section and the table's rows", () => {
    const r = luce("verify", "--losses", "--runs", "8", "--seed", "7", "--certified");
    expect(r.stdout).toContain("Every verdict certified");
    expect(r.stdout).toContain("loss-ipo-least-squares");
    expect(r.stdout).toMatch(/ok apo_zero \(K=3 balanced\): no finite optimum proven/);
    const plain = luce("verify", "--losses", "--runs", "2");
    expect(plain.stdout).not.toContain("Certified");
  });
});
