import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readProblemFile } from "../../src/cli/frontier.js";
import { expectLuceError } from "../helpers/close.js";

const dir = mkdtempSync(join(tmpdir(), "luce-problem-file-"));
const problem = (name: string, json: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return path;
};
const prompt = { reward: [1, 0], reference: [0.5, 0.5] };

// A field luce does not read would otherwise be ignored without a word: a misspelt "refrence" or a
// "beta" meant for the problem changes nothing in the plot the reader then trusts.
describe("luce frontier's PROBLEM.json: fields it does not read are errors", () => {
  it("an unknown key at the top or in a prompt names the field", () => {
    const top = problem("top.json", { prompts: [prompt], beta: 3 });
    expectLuceError(() => readProblemFile(top), "PROBLEM.beta", "luce frontier");
    const inner = problem("inner.json", { prompts: [{ ...prompt, wieght: 2 }] });
    expectLuceError(() => readProblemFile(inner), "PROBLEM.prompts[0].wieght", "luce frontier");
  });
  it("reference and logReference together are ambiguous", () => {
    const both = problem("both.json", { prompts: [{ ...prompt, logReference: [Math.log(0.9), Math.log(0.1)] }] });
    expectLuceError(() => readProblemFile(both), "PROBLEM.prompts[0]", "luce frontier");
  });
  it("every documented field is read", () => {
    const read = readProblemFile(
      problem("ok.json", {
        prompts: [
          { weight: 2, ...prompt },
          { reward: [0, 1], logReference: [-Math.LN2, -Math.LN2] },
        ],
      }),
    );
    expect(read.promptWeights).toEqual([2, 1]);
    expect(read.logReference[0]).toEqual([-Math.LN2, -Math.LN2]);
  });
});
