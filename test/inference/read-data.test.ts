import { describe, expect, it } from "vitest";
import { detectPreferenceFormat, parsePreferenceData } from "../../src/index.js";
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
  it("refuses columns and keys it does not read: a tie or draw field would otherwise count as a win", () => {
    expectLuceError(() => parsePreferenceData("winner,loser,tie\na,b,1\n", "csv"), "line 1[2]", "parsePreferenceData");
    expectLuceError(
      () => parsePreferenceData('{"winner": "a", "loser": "b", "tie": true}', "jsonl"),
      "line 1.tie",
      "parsePreferenceData",
    );
    expectLuceError(
      () => parsePreferenceData('{"ranking": ["a", "b"], "weight": 2}', "jsonl"),
      "line 1.weight",
      "parsePreferenceData",
    );
    expectLuceError(
      () => parsePreferenceData('{"chosen": "a", "others": ["b"], "draw": 1}', "jsonl"),
      "line 1.draw",
      "parsePreferenceData",
    );
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

describe("parsePreferenceData: formats, line endings and repeated items", () => {
  it("tells CSV from JSON Lines by the first non-blank line, whatever the file's name", () => {
    expect(detectPreferenceFormat('{"winner": "a", "loser": "b"}')).toBe("jsonl");
    expect(detectPreferenceFormat('  ["a", "b"]')).toBe("jsonl");
    expect(detectPreferenceFormat('\uFEFF{"ranking": ["a", "b"]}')).toBe("jsonl");
    expect(detectPreferenceFormat("winner,loser,count")).toBe("csv");
    expect(detectPreferenceFormat("\uFEFFWinner,Loser")).toBe("csv");
  });
  it("reads JSON Lines that start with a byte-order mark", () => {
    expect(parsePreferenceData('\uFEFF["a", "b"]\n["b", "a"]\n', "jsonl").observations).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });
  it("reads lines ending in \\r\\n, \\n or a lone \\r alike", () => {
    const rows = ["winner,loser", "a,b", "b,c", "c,a"];
    const expected = [
      [0, 1],
      [1, 2],
      [2, 0],
    ];
    for (const eol of ["\n", "\r\n", "\r"]) {
      expect(parsePreferenceData(rows.join(eol) + eol, "csv").comparisons, JSON.stringify(eol)).toEqual(expected);
    }
    expect(parsePreferenceData('["a", "b"]\r["b", "a"]', "jsonl").observations).toHaveLength(2);
  });
  it("names the line and the item's name when a ranking repeats an item", () => {
    expect(() => parsePreferenceData('["x", "y"]\n{"ranking": ["a", "b", "a"]}', "jsonl")).toThrow(
      "argument 'line 2.ranking[2]' repeats the item 'a'",
    );
    expect(() => parsePreferenceData('["a", "b", "a"]', "jsonl")).toThrow("'line 1[2]' repeats the item 'a'");
    expect(() => parsePreferenceData('{"ranking": ["a"], "of": ["a", "b", "b"]}', "jsonl")).toThrow(
      "'line 1.of[2]' repeats the item 'b'",
    );
    expect(() => parsePreferenceData('{"ranking": ["c"], "of": ["a", "b"]}', "jsonl")).toThrow(
      "'line 1.ranking[0]' names 'c', which is not in 'line 1.of'",
    );
    expect(() => parsePreferenceData('{"chosen": "a", "others": ["b", "a"]}', "jsonl")).toThrow(
      "'line 1.others' lists the chosen item 'a'",
    );
    expect(() => parsePreferenceData("winner,loser\nx,x", "csv")).toThrow("'line 2.loser' is the winner 'x' itself");
    // the same item in two different rankings is fine
    expect(parsePreferenceData('["a", "b"]\n["a", "b"]', "jsonl").observations).toHaveLength(2);
  });
  it("refuses counts that are not decimal numbers, and rows with more fields than the header", () => {
    expectLuceError(() => parsePreferenceData("winner,loser,count\nx,y,0x10", "csv"), "line 2.count");
    expectLuceError(() => parsePreferenceData("winner,loser,count\nx,y,", "csv"), "line 2.count");
    expectLuceError(() => parsePreferenceData("winner,loser\nx,y,z", "csv"), "line 2");
    expect(parsePreferenceData("winner,loser,count\nx,y,1e2", "csv").comparisons).toEqual([[0, 1, 100]]);
  });
  it("says how to tell the formats apart when a CSV is read as JSON Lines", () => {
    expect(() => parsePreferenceData("winner,loser\na,b", "jsonl")).toThrow("a CSV starts with its header");
  });
});
