import { describe, expect, it } from "vitest";
import { arenaLeaderboard, arenaRanks, battlesFromRecords, LuceError, parseBattles } from "../../../src/index.js";
import { Outcome } from "../../../src/inference/leaderboard/battles.js";

/** The LuceError a call throws. */
function errorOf(call: () => unknown): LuceError {
  try {
    call();
  } catch (e) {
    expect(e).toBeInstanceOf(LuceError);
    return e as LuceError;
  }
  throw new Error("no error thrown");
}

describe("parseBattles", () => {
  it("aggregates CSV battles to unique rows with counts, lower index first, every winner spelling", () => {
    const csv =
      "model_a,model_b,winner,extra\n" +
      'x,y,model_a,1\ny,x,b,2\nx,y,a,3\ny,x,model_b,4\nx,y,tie,5\ny,x,"tie (bothbad)",6\nx,z,both_bad,7\nz,x,A,8\n';
    const b = parseBattles(csv);
    expect(b.models).toEqual(["x", "y", "z"]);
    const rows = Array.from(b.first, (f, r) => [b.models[f], b.models[b.second[r]], b.outcome[r], b.battles[r]]);
    // x beat y four times (model_a twice as x; model_b twice with x second), two ties; z beat x once, one tie
    expect(rows).toEqual([
      ["x", "y", Outcome.firstWins, 4],
      ["x", "y", Outcome.tie, 2],
      ["x", "z", Outcome.tie, 1],
      ["x", "z", Outcome.secondWins, 1],
    ]);
  });

  it("reads JSON Lines with extra keys ignored, and records", () => {
    const jsonl =
      '{"model_a": "p", "model_b": "q", "winner": "model_b", "turn": 2}\n\n{"model_a": "q", "model_b": "p", "winner": "tie"}\n';
    const b = parseBattles(jsonl);
    expect(b.models).toEqual(["p", "q"]);
    expect(Array.from(b.outcome)).toEqual([Outcome.secondWins, Outcome.tie]);
    const r = battlesFromRecords([{ model_a: "p", model_b: "q", winner: "model_b", judge: "human" }]);
    expect(Array.from(r.outcome)).toEqual([Outcome.secondWins]);
  });

  it("keeps names that differ in case apart", () => {
    expect(parseBattles("model_a,model_b,winner\nGPT,gpt,model_a\n").models).toEqual(["GPT", "gpt"]);
  });

  it("names the line and the column of every malformed battle", () => {
    const header = "model_a,model_b,winner,w,cat\n";
    const cases: [string, object | undefined, string, RegExp][] = [
      [header + "x,y,model_a,1,c\nx,x,tie,1,c\n", undefined, "line 3.model_b", /itself/],
      [header + "x,y,model_c,1,c\n", undefined, "line 2.winner", /must be one of/],
      [header + "x,y,model_a,1\n", undefined, "line 2", /has 4 fields, the header 5/],
      [header + "x,,model_a,1,c\n", undefined, "line 2.model_b", /empty model name/],
      [header + "x,y,model_a,-1,c\n", { weight: "w" }, "line 2.w", /finite weight/],
      [header + "x,y,model_a,0x10,c\n", { weight: "w" }, "line 2.w", /finite weight/],
      [header + "x,y,model_a,1,c\n", { weight: "weight" }, "line 1.weight", /is missing/],
      [header + "x,y,model_a,1,c\n", { filter: { language: "en" } }, "line 1.language", /is missing/],
      ["model_a,loser,winner\nx,y,a\n", undefined, "line 1.model_b", /is missing/],
      [header + "x,y,model_a,1,c\n", { filter: { cat: "d" } }, "text", /no battles/],
      ['{"model_a": "x", "model_b": "y", "winner": "a"}\n{"model_a": "x"\n', undefined, "line 2", /not valid JSON/],
      ['{"model_a": "x", "winner": "a"}\n', undefined, "line 1.model_b", /is missing/],
      ['{"model_a": "x", "model_b": 3, "winner": "a"}\n', undefined, "line 1.model_b", /model name/],
      ["", undefined, "text", /empty/],
    ];
    for (const [text, options, argument, problem] of cases) {
      const e = errorOf(() => parseBattles(text, options));
      expect(e.function).toBe("parseBattles");
      expect(e.argument, text).toBe(argument);
      expect(e.message).toMatch(problem);
    }
    expect(errorOf(() => parseBattles("model_a,model_b,winner\n", { filter: { x: 1 } as never })).argument).toBe(
      "options.filter.x",
    );
    expect(errorOf(() => parseBattles("a", { colour: 1 } as never)).argument).toBe("options.colour");
    expect(errorOf(() => battlesFromRecords([{ model_a: "x", model_b: "x", winner: "tie" }])).argument).toBe(
      "records[0].model_b",
    );
  });
});

describe("arenaLeaderboard's input checks", () => {
  const battles = parseBattles("model_a,model_b,winner\nx,y,model_a\ny,x,model_a\ny,z,model_a\nz,y,model_a\nx,z,tie\n");

  it("refuses bad options and unidentifiable battles by name", async () => {
    const cases: [unknown, object, string, RegExp][] = [
      [battles, { anchor: { model: "w", rating: 1 } }, "options.anchor.model", /not among/],
      [battles, { anchor: { model: "x", rating: NaN } }, "options.anchor.rating", /finite/],
      [battles, { ties: "third" }, "options.ties", /half/],
      [battles, { ci: "jackknife" }, "options.ci", /sandwich/],
      [battles, { ties: "davidson", ci: "bootstrap" }, "options.ci", /"model"/],
      [battles, { rounds: 10 }, "options.rounds", /bootstrap/],
      [battles, { ci: "bootstrap", rounds: 0 }, "options.rounds", /integer >= 1/],
      [battles, { ci: "bootstrap", threads: 1.5 }, "options.threads", /integer/],
      [battles, { base: Infinity }, "options.base", /finite/],
      [battles, { colour: 1 }, "options.colour", /not an option/],
      [parseBattles("model_a,model_b,winner\nx,y,a\ny,z,a\nz,y,a\n"), {}, "battles", /'y'|'x'/],
      [{ ...battles, second: battles.second.map((v, r) => (r === 0 ? 0 : v)) }, {}, "battles.second[0]", /model index/],
      [
        { ...battles, battles: battles.battles.map((v, r) => (r === 0 ? 1.5 : v)) },
        {},
        "battles.battles[0]",
        /whole number/,
      ],
      [[{ model_a: "x", model_b: "y", winner: "nobody" }], {}, "battles[0].winner", /must be one of/],
    ];
    for (const [data, options, argument, problem] of cases) {
      const e = await arenaLeaderboard(data as never, options as never).then(
        () => new Error("no error"),
        (error: unknown) => error,
      );
      expect(e, argument).toBeInstanceOf(LuceError);
      expect((e as LuceError).function).toBe("arenaLeaderboard");
      expect((e as LuceError).argument).toBe(argument);
      expect((e as LuceError).message).toMatch(problem);
    }
  });
});

describe("arenaLeaderboard on battles that do not identify the ratings", () => {
  it("names the model and a remedy arenaLeaderboard accepts, with every interval method", async () => {
    // y never loses: its rating's maximum likelihood is +∞; arenaLeaderboard has no prior to offer as a way out
    const unidentified = parseBattles("model_a,model_b,winner\nx,y,b\ny,z,a\nx,z,a\nz,x,a\n");
    for (const ci of ["sandwich", "bootstrap", "model"] as const) {
      const e = await arenaLeaderboard(unidentified, { ci }).then(
        () => new Error("no error"),
        (error: unknown) => error,
      );
      expect(e, ci).toBeInstanceOf(LuceError);
      expect((e as LuceError).argument).toBe("battles");
      expect((e as LuceError).message).toMatch(/model 'y' never loses/);
      expect((e as LuceError).message).not.toMatch(/options\.prior/);
      expect((e as LuceError).message).toMatch(/leave .* out or add battles/);
    }
  });
});

describe("arenaRanks", () => {
  it("counts the models whose lower bound lies above the model's upper bound", () => {
    // intervals: A [10, 14], B [8, 12], C [2, 5], D [6, 9], E [13, 20]
    // A: lower bounds above 14: none → 1;  B: above 12: E (13) → 2;  C: above 5: A, B, D, E → 5
    // D: above 9: A (10), E (13) → 3;  E: above 20: none → 1
    expect(Array.from(arenaRanks([10, 8, 2, 6, 13], [14, 12, 5, 9, 20]))).toEqual([1, 2, 5, 3, 1]);
    // a bound equal to another's is not above it
    expect(Array.from(arenaRanks([1, 3], [3, 4]))).toEqual([1, 1]);
  });

  it("refuses mismatched or crossed bounds", () => {
    expect(errorOf(() => arenaRanks([1, 2], [3])).argument).toBe("upper");
    expect(errorOf(() => arenaRanks([5], [3])).argument).toBe("lower[0]");
    expect(errorOf(() => arenaRanks([NaN], [3])).argument).toBe("lower[0]");
  });
});
