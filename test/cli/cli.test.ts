import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

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
    const report = JSON.parse(r.stdout) as { ok: boolean; statements: { verdict: string }[]; variants: { asPredicted: boolean }[] };
    expect(report.ok).toBe(true);
    expect(report.statements).toHaveLength(8);
    expect(report.statements.every((s) => s.verdict === "holds")).toBe(true);
    expect(report.variants).toHaveLength(6);
  });
  it("verify prints the table", () => {
    const r = luce("verify", "--runs", "10");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("8 of 8 statements hold; 6 of 6 assumption variants behave as the table predicts.");
  });
  it("verify rejects bad options", () => {
    expect(luce("verify", "--runs", "0").status).toBe(2);
    expect(luce("verify", "--seed", "x").status).toBe(2);
  });
});
