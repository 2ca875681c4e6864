import fc from "fast-check";
/**
 * What the fuzz suite found, one regression each: the caller gets a LuceError naming the public
 * function and the argument, never a raw TypeError, a fast-check error or an out-of-memory abort.
 */
import { describe, expect, it } from "vitest";
import { LuceError } from "../../src/errors.js";
import {
  detectPreferenceFormat,
  fitBradleyTerry,
  fitPlackettLuce,
  parsePreferenceData,
  rewardKlFrontier,
} from "../../src/index.js";
import { allocateLogits, plackettLuceDpoBatch, releaseLogits, sequenceLogProbs } from "../../src/batch/index.js";
import {
  assumptionVariants,
  checkInstance,
  checkStatement,
  checkVariant,
  constant,
  exact,
  lemma1,
  preciseLogSumExp,
  preciseMax,
  precisePlackettLuce,
  preciseRow,
  preciseSigmoid,
} from "../../src/proofs/index.js";

/** The function and argument a LuceError names; fails on any other throw or on none. */
async function named(call: () => unknown): Promise<[string, string]> {
  try {
    await call();
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(LuceError);
    return [(e as LuceError).function, (e as LuceError).argument];
  }
  throw new Error("expected a LuceError, got a result");
}

describe("lying lengths are refused before the copy (they aborted the process out of memory)", () => {
  it("fitPlackettLuce: observations claiming 1e9 entries, the first not a ranking (the item-count scan ran 1e9 steps)", async () => {
    expect(await named(() => fitPlackettLuce({ length: 1e9, 0: 1 } as never))).toEqual([
      "fitPlackettLuce",
      "observations[0]",
    ]);
    expect(await named(() => fitPlackettLuce([[0, 1], { length: 1e9 }] as never))).toEqual([
      "fitPlackettLuce",
      "observations[1][0]",
    ]);
  });
  it("plackettLuceDpoBatch: rankings claiming 1e9 entries", async () => {
    const logits = { data: new Float32Array(2 * 2 * 3), shape: [2, 2, 3] };
    const inputs = {
      policyLogits: logits,
      referenceLogps: [-1, -1],
      labels: [
        [0, 1],
        [1, 2],
      ],
      responses: 2,
    };
    const rankings = { length: 1e9, 0: [0, 1] };
    expect(await named(() => plackettLuceDpoBatch({ ...inputs, rankings } as never, { beta: 0.1 }))).toEqual([
      "plackettLuceDpoBatch",
      `inputs.rankings[${1e9 - 1}]`,
    ]);
  });
  it("rewardKlFrontier: betas claiming 1e9 entries", async () => {
    const problem = { reward: [[1, 0]], reference: [[0.5, 0.5]] };
    expect(await named(() => rewardKlFrontier(problem, { length: 1e9, 0: 1 }))).toEqual([
      "rewardKlFrontier",
      `betas[${1e9 - 1}]`,
    ]);
  });
});

describe("values that are not what they should be are LuceErrors, not TypeErrors", () => {
  const nullProto = Object.create(null) as never;
  it("rewardKlFrontier: a null-prototype object as a β", async () => {
    const problem = { reward: [[1, 0]], reference: [[0.5, 0.5]] };
    expect(await named(() => rewardKlFrontier(problem, [0.1, nullProto]))).toEqual(["rewardKlFrontier", "betas[1]"]);
  });
  it("parsePreferenceData: a null-prototype object as the format", async () => {
    expect(await named(() => parsePreferenceData("winner,loser\na,b\n", nullProto))).toEqual([
      "parsePreferenceData",
      "format",
    ]);
  });
  it("detectPreferenceFormat: a number as the line", async () => {
    expect(await named(() => detectPreferenceFormat(Number.NaN as never))).toEqual([
      "detectPreferenceFormat",
      "firstLine",
    ]);
  });
  it("the 50-digit helpers of luce/proofs check their arguments", async () => {
    expect(await named(() => exact({} as never))).toEqual(["exact", "x"]);
    expect(await named(() => exact(Number.NaN))).toEqual(["exact", "x"]);
    expect(await named(() => constant("\0"))).toEqual(["constant", "x"]);
    expect(await named(() => constant(nullProto))).toEqual(["constant", "x"]);
    expect(await named(() => preciseSigmoid(Number.NaN as never))).toEqual(["preciseSigmoid", "x"]);
    expect(await named(() => preciseLogSumExp(Number.NaN as never))).toEqual(["preciseLogSumExp", "xs"]);
    expect(await named(() => preciseMax([exact(1), 2 as never]))).toEqual(["preciseMax", "xs[1]"]);
    expect(await named(() => preciseRow(Object.assign(new Array<number>(3), { 0: 1, 2: 3 })))).toEqual([
      "preciseRow",
      "row[1]",
    ]);
    // 5000 repeats of one item ran 5000² 50-digit exponentials (minutes) before it was refused
    expect(await named(() => precisePlackettLuce([exact(0), exact(1)], new Array(5000).fill(1), [0]))).toEqual([
      "precisePlackettLuce",
      "ranked[1]",
    ]);
    expect(await named(() => precisePlackettLuce([exact(0), exact(1)], [1], [1]))).toEqual([
      "precisePlackettLuce",
      "unranked[0]",
    ]);
    expect(await named(() => precisePlackettLuce([exact(0), exact(1)], [2], [0]))).toEqual([
      "precisePlackettLuce",
      "ranked[0]",
    ]);
  });
  it("the helpers still give the values they gave (checked against independent closed forms)", () => {
    expect(exact(0.5).toNumber()).toBe(0.5);
    expect(constant("-Infinity").toNumber()).toBe(-Infinity);
    expect(preciseSigmoid(exact(0)).toNumber()).toBe(0.5);
    expect(preciseLogSumExp([exact(0), exact(0)]).toNumber()).toBeCloseTo(Math.LN2, 15);
    // P(item 1 first of {0, 1}) with scores 0, 1: e/(1 + e)
    expect(precisePlackettLuce([exact(0), exact(1)], [1], [0]).toNumber()).toBeCloseTo(
      Math.log(Math.E / (1 + Math.E)),
      15,
    );
  });
  it("checkStatement and checkVariant: a Statement whose instances is not an arbitrary", async () => {
    expect(await named(() => checkStatement({ ...lemma1(), instances: Number.NaN } as never))).toEqual([
      "checkStatement",
      "statement",
    ]);
    const variant = assumptionVariants()[0];
    const statements = variant.statements.map((s, i) =>
      i === 0 ? { ...s, statement: { ...s.statement, instances: {} } } : s,
    );
    expect(await named(() => checkVariant({ ...variant, statements } as never, { runs: 1 }))).toEqual([
      "checkVariant",
      "variant.statements[0].statement",
    ]);
    expect(await named(() => checkVariant({ ...variant, statements: [Number.NaN] } as never, { runs: 1 }))).toEqual([
      "checkVariant",
      "variant.statements[0]",
    ]);
  });
  it("a Statement whose instances come from another fast-check copy still runs (the check is by shape)", async () => {
    const statement = lemma1();
    const own = statement.instances;
    const foreign = {
      generate: own.generate.bind(own),
      shrink: own.shrink.bind(own),
      canShrinkWithoutContext: own.canShrinkWithoutContext.bind(own),
      filter: own.filter.bind(own),
      map: own.map.bind(own),
      chain: own.chain.bind(own),
    } as unknown as typeof own;
    const report = await checkStatement({ ...statement, instances: foreign }, { runs: 2 });
    expect(report.verdict).toBe("holds");
  });
});

describe("what a caller's Statement returns is checked", () => {
  it("float64 returning a number, precise returning a number, a NaN reference: LuceErrors naming the statement", async () => {
    const statement = lemma1();
    expect(await named(() => checkStatement({ ...statement, float64: () => 1 } as never, { runs: 1 }))).toEqual([
      "checkStatement",
      "statement",
    ]);
    expect(await named(() => checkStatement({ ...statement, float64: () => [] } as never, { runs: 1 }))).toEqual([
      "checkStatement",
      "statement",
    ]);
    const instance = fc.sample(statement.instances, { numRuns: 1, seed: 1 })[0];
    expect(await named(() => checkInstance({ ...statement, precise: () => 0 } as never, instance))).toEqual([
      "checkInstance",
      "statement",
    ]);
    expect(await named(() => checkStatement({ ...statement, reference: Number.NaN } as never))).toEqual([
      "checkStatement",
      "statement",
    ]);
  });
});

describe("a Proxy posing as a typed array is refused by name (its internal slots throw a TypeError)", () => {
  it("sequenceLogProbs: logits data", async () => {
    const data = new Proxy(new Float32Array(2 * 2 * 3), {});
    expect(
      await named(() =>
        sequenceLogProbs({ data, shape: [2, 2, 3] }, [
          [0, 1],
          [1, 2],
        ]),
      ),
    ).toEqual(["sequenceLogProbs", "logits.data"]);
  });
  it("releaseLogits: a shared-memory tensor's data behind a Proxy", async () => {
    const logits = allocateLogits([1, 1, 2]);
    expect(await named(() => releaseLogits({ data: new Proxy(logits.data, {}) }))).toEqual(["releaseLogits", "logits"]);
    releaseLogits(logits);
  });
});

describe("options of fitBradleyTerry that are null-prototype objects", () => {
  it("method and scale", async () => {
    const comparisons = [
      [0, 1],
      [1, 0],
      [1, 2],
      [2, 1],
    ] as const;
    for (const key of ["method", "scale"])
      expect(await named(() => fitBradleyTerry(comparisons, { [key]: Object.create(null) } as never))).toEqual([
        "fitBradleyTerry",
        `options.${key}`,
      ]);
  });
});
