import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const script = fileURLToPath(new URL("../../scripts/mutants.mjs", import.meta.url));

// `npm run mutants` takes minutes and is not part of the suite; this keeps its list honest: a mutant whose line a
// refactor removed would check nothing and report "not applicable" instead of being caught
it("every mutant of npm run mutants applies to the working tree", () => {
  const run = spawnSync(process.execPath, [script, "--check"], { encoding: "utf8" });
  expect(run.status, run.stdout + run.stderr).toBe(0);
  expect(run.stdout).toMatch(/^(\d+) of \1 mutants apply/m);
});
