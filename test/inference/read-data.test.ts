import { describe, expect, it } from "vitest";
import { parsePreferenceData } from "../../src/index.js";
import { expectLuceError } from "../helpers/close.js";

describe("parsePreferenceData", () => {
  it("reads CSV comparisons with counts and quoted names", () => {
    const d = parsePreferenceData('Winner,Loser,count\n"Smith, J",bob,2\nbob,"Smith, J",0.5\n\n', "csv");
    expect(d.items).toEqual(["Smith, J", "bob"]);
    expect(d.comparisons).toEqual([
      [0, 1, 2],
      [1, 0, 0.5],
    ]);
  });
  it("reads JSON Lines in every observation form", () => {
    const d = parsePreferenceData(
      [
        '{"ranking": ["a", "b", "c"]}',
        '{"ranking": ["c"], "of": ["a", "b", "c"]}',
        '{"chosen": "b", "others": ["a"]}',
        '["b", "a"]',
      ].join("\n"),
      "jsonl",
    );
    expect(d.items).toEqual(["a", "b", "c"]);
    expect(d.observations).toEqual([[0, 1, 2], { ranking: [2], of: [0, 1, 2] }, [1, [0]], [1, 0]]);
  });
  it("reads JSON Lines pairs", () => {
    expect(
      parsePreferenceData('{"winner": "x", "loser": "y", "count": 3}\n{"winner": "y", "loser": "x"}', "jsonl")
        .comparisons,
    ).toEqual([
      [0, 1, 3],
      [1, 0],
    ]);
  });
  it("names the line of bad input", () => {
    expectLuceError(() => parsePreferenceData("a,b\nx,y", "csv"), "line 1");
    expectLuceError(() => parsePreferenceData("winner,loser,count\nx,y,-1", "csv"), "line 2.count");
    expectLuceError(() => parsePreferenceData("winner,loser\nx", "csv"), "line 2");
    expectLuceError(() => parsePreferenceData("winner,loser\n", "csv"), "text");
    expectLuceError(() => parsePreferenceData('["a", "b"]\n{oops', "jsonl"), "line 2");
    expectLuceError(() => parsePreferenceData('["a", "b"]\n{"winner": "a", "loser": "b"}', "jsonl"), "line 2");
    expectLuceError(() => parsePreferenceData('{"winner": "a", "loser": ""}', "jsonl"), "line 1.loser");
    expectLuceError(() => parsePreferenceData('{"foo": 1}', "jsonl"), "line 1");
    expectLuceError(() => parsePreferenceData("x", "xml" as "csv"), "format");
  });
});
