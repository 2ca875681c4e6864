import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Node ≥ 20.19 (the engines floor) loads an ES module graph with require() as long as no module in it
 * awaits at its top level. Every subpath must stay loadable that way from CommonJS, with the peers
 * installed (this repository's dev dependencies), and give the same values as an import.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));

/** The export names of `specifier` as require() and as import() see them, in a fresh Node in the repository. */
function exportsBothWays(specifier: string) {
  const script = `
    const required = Object.keys(require(${JSON.stringify(specifier)})).sort();
    import(${JSON.stringify(specifier)}).then((m) => {
      console.log(JSON.stringify({ required, imported: Object.keys(m).sort() }));
    });`;
  return spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8", timeout: 60_000 });
}

describe("require() from CommonJS", () => {
  it.each(["luce", "luce/proofs", "luce/arbitraries", "luce/batch", "luce/tfjs"])("%s loads", (specifier) => {
    const r = exportsBothWays(specifier);
    expect(r.status, r.stderr).toBe(0);
    const { required, imported } = JSON.parse(r.stdout) as { required: string[]; imported: string[] };
    expect(required.length).toBeGreaterThan(0);
    expect(required).toEqual(imported);
  });
});
