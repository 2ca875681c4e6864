import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * luce as an install without any peer: package.json, bin/ and the built dist/ copied into a
 * project's node_modules under the system's temporary folder, where no node_modules above can
 * supply a peer (copied, not linked: Node resolves a link to its target, beside this repository's
 * node_modules).
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const project = mkdtempSync(join(tmpdir(), "luce-no-peers-"));
const installed = join(project, "node_modules", "luce");
mkdirSync(installed, { recursive: true });
for (const part of ["package.json", "bin", "dist"])
  cpSync(join(root, part), join(installed, part), { recursive: true });

const node = (...args: string[]) =>
  spawnSync(process.execPath, args, { cwd: project, encoding: "utf8", timeout: 60_000 });
const importIn = (specifier: string) =>
  node("--input-type=module", "-e", `await import(${JSON.stringify(specifier)});`);

describe("an install without the optional peers", () => {
  it("the core import needs none of them", () => {
    const r = node(
      "--input-type=module",
      "-e",
      'const { logSigmoid } = await import("luce"); console.log(logSigmoid(0) === -Math.LN2);',
    );
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("true");
  });
  it.each([
    ["luce/arbitraries", "fast-check"],
    ["luce/proofs", "fast-check"],
    ["luce/tfjs", "@tensorflow/tfjs-core"],
  ])("%s without %s is a LuceError naming the package to install", (subpath, peer) => {
    const r = importIn(subpath);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`LuceError: ${subpath}: argument '${peer}' is not installed`);
    expect(r.stderr).toContain(`npm install ${peer}`);
    expect(r.stderr).not.toContain("ERR_MODULE_NOT_FOUND");
  });
  it("luce verify without fast-check says so in one line, exit 2", () => {
    const r = node(join(installed, "bin", "luce.js"), "verify");
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toEqual([
      "luce verify: argument 'fast-check' is not installed; luce verify needs it: npm install fast-check",
    ]);
  });
  it("luce frontier without vega says so before any training", () => {
    const r = node(join(installed, "bin", "luce.js"), "frontier", "--out", join(project, "plot.svg"));
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toEqual([
      "luce frontier: argument 'vega' is not installed; luce frontier needs it: npm install vega",
    ]);
    // --json needs no plotting library
    const json = node(join(installed, "bin", "luce.js"), "frontier", "--json", "--pairs", "5");
    expect(json.status, json.stderr).toBe(0);
  });
  it("luce leaderboard --svg without vega says so before the fit; without --svg it needs none", () => {
    const battles = join(project, "battles.csv");
    writeFileSync(battles, "model_a,model_b,winner\nx,y,model_a\ny,x,model_a\nx,y,tie\n");
    const r = node(join(installed, "bin", "luce.js"), "leaderboard", battles, "--svg", join(project, "board.svg"));
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toEqual([
      "luce leaderboard: argument 'vega' is not installed; luce leaderboard needs it: npm install vega",
    ]);
    const table = node(join(installed, "bin", "luce.js"), "leaderboard", battles);
    expect(table.status, table.stderr).toBe(0);
  });
});

describe("each subpath's runtime entry exports exactly what its index exports", () => {
  it.each(["arbitraries", "proofs", "tfjs"])("luce/%s", async (subpath) => {
    const index = (await import(`../../src/${subpath}/index.ts`)) as Record<string, unknown>;
    const entry = (await import(`../../src/${subpath}/entry.ts`)) as Record<string, unknown>;
    expect(Object.keys(entry).sort()).toEqual(Object.keys(index).sort());
    for (const key of Object.keys(index)) expect(entry[key], key).toBe(index[key]);
  });
});
