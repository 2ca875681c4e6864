import { describe, expect, it } from "vitest";
import {
  appendixA1,
  appendixA2A3,
  checkInstance,
  checkStatement,
  checkVariant,
  assumptionVariants,
  lemma1,
  lemma2,
  MAX_RUNS,
  populationDpo,
  theorem1,
  verifyPaper,
} from "../../src/proofs/index.js";
import { expectLuceError } from "../helpers/close.js";

/** Asserts that a promise rejects with a LuceError from `fn` naming `argument`. */
async function rejectsWith(p: Promise<unknown>, argument: string, fn: string): Promise<void> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect((e as Error | null)?.name).toBe("LuceError");
  expect([(e as { function: string }).function, (e as { argument: string }).argument]).toEqual([fn, argument]);
}

describe("checkStatement, checkVariant and verifyPaper options", () => {
  it("runs beyond MAX_RUNS are refused at once, naming the function called", async () => {
    await rejectsWith(checkStatement(lemma1(), { runs: 2 ** 31 }), "options.runs", "checkStatement");
    await rejectsWith(verifyPaper({ runs: MAX_RUNS + 1 }), "options.runs", "verifyPaper");
    await rejectsWith(checkVariant(assumptionVariants()[0], { runs: 1e9 }), "options.runs", "checkVariant");
  });
  it("unknown keys and null are LuceErrors", async () => {
    await rejectsWith(checkStatement(lemma1(), { rnus: 5 } as never), "options.rnus", "checkStatement");
    await rejectsWith(checkStatement(lemma1(), null as never), "options", "checkStatement");
    await rejectsWith(verifyPaper({ runs: 1, onProgres: () => 0 } as never), "options.onProgres", "verifyPaper");
    await rejectsWith(verifyPaper({ runs: 1, onProgress: 3 } as never), "options.onProgress", "verifyPaper");
  });
});

describe("statement factories check their assumptions", () => {
  const factories = { lemma1, lemma2, theorem1, appendixA1, appendixA2A3, populationDpo };
  it.each(Object.entries(factories))(
    "%s: null, unknown keys and wrong types are LuceErrors naming it",
    (name, make) => {
      expectLuceError(() => make(null as never), "assumptions", name);
      expectLuceError(() => make({ referenceZero: true } as never), "assumptions.referenceZero", name);
      expectLuceError(() => make({ betaSign: 2 } as never), "assumptions.betaSign", name);
      expectLuceError(() => make({ shiftDependsOn: "y" } as never), "assumptions.shiftDependsOn", name);
      expectLuceError(() => make({ referenceZeros: "yes" } as never), "assumptions.referenceZeros", name);
    },
  );
  it("the documented assumptions are accepted", () => {
    expect(lemma1({ referenceZeros: true, betaSign: -1, shiftDependsOn: "response" }).id).toBe("lemma-1");
    expect(populationDpo({ connectedGraph: false }).id).toBe("population-dpo");
  });
});

describe("checkInstance validates its instance", () => {
  const problem = { beta: 1, reward: [[1, 0]], logReference: [[-Math.LN2, -Math.LN2]] };
  const good = { problem, shift: [[3, 3]] };
  it("a valid instance holds (Lemma 2 with f = 3)", () => {
    expect(checkInstance(lemma2(), good).verdict).toBe("holds");
  });
  it("null, a string β, NaN and ±Infinity rewards name the field", () => {
    expectLuceError(() => checkInstance(lemma2(), null as never), "instance", "checkInstance");
    expectLuceError(
      () => checkInstance(lemma2(), { ...good, problem: { ...problem, beta: "1" } } as never),
      "instance.problem.beta",
      "checkInstance",
    );
    expectLuceError(
      () => checkInstance(lemma2(), { ...good, problem: { ...problem, beta: Number.NaN } }),
      "instance.problem.beta",
      "checkInstance",
    );
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      expectLuceError(
        () => checkInstance(lemma2(), { ...good, problem: { ...problem, reward: [[bad, 0]] } }),
        "instance.problem.reward[0][0]",
        "checkInstance",
      );
    }
  });
  it("−Infinity is a log-probability (π_ref = 0) and allowed there", () => {
    const zeros = { ...good, problem: { ...problem, logReference: [[0, -Infinity]] } };
    expect(checkInstance(lemma2({ referenceZeros: true }), zeros).verdict).toBe("holds");
  });
  it("a length-lying row is refused at once instead of looping", () => {
    const lying = { ...good, problem: { ...problem, logReference: [{ length: 1e10 }] } };
    expectLuceError(() => checkInstance(lemma2(), lying as never), "instance.problem.logReference[0]", "checkInstance");
  });
  it("an instance of the wrong shape is a LuceError naming checkInstance, not a TypeError", () => {
    expectLuceError(() => checkInstance(lemma2(), { problem } as never), "instance", "checkInstance");
  });
});

describe("checkInstance names itself for an instance the statement cannot read", () => {
  it("an observation that repeats an item", () => {
    const problem = { beta: 1, reward: [[1, 0]], logReference: [[-Math.LN2, -Math.LN2]] };
    const instance = { problem, shift: [[0, 0]], observations: [[0, 0]] };
    expectLuceError(() => checkInstance(lemma1(), instance as never), "instance", "checkInstance");
  });
});
