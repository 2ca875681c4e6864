import { LuceError } from "../errors.js";
import type { Comparison, PlackettLuceObservation } from "../ranking/observations.js";

/** Preference data read from text, with item names mapped to indices in order of first appearance. */
export interface PreferenceData {
  /** Item names; index i in the data is `items[i]`. */
  readonly items: string[];
  /** Pairwise comparisons, when the data are pairs (fit with Bradley–Terry). */
  readonly comparisons?: Comparison[];
  /** Rankings and choices, when the data are rankings (fit with Plackett–Luce). */
  readonly observations?: PlackettLuceObservation[];
}

const FN = "parsePreferenceData";

/**
 * Reads comparisons or rankings with item names from CSV or JSON Lines.
 *
 * - CSV with a header naming `winner` and `loser` (and optionally `count`): pairwise comparisons.
 * - JSON Lines, one object per line: `{"winner": "a", "loser": "b", "count": 2}` (pairs),
 *   `{"ranking": ["a", "b", "c"]}` (a ranking of exactly those items), `{"ranking": ["a"], "of":
 *   ["a", "b", "c"]}` (top-k of a listed set), `{"chosen": "a", "others": ["b", "c"]}` (a choice),
 *   or a bare array `["a", "b", "c"]` (a ranking). Pairs and rankings may not be mixed.
 *
 * Names are trimmed; blank lines are skipped. Quoted CSV fields may contain commas.
 *
 * @param text - the file's contents
 * @param format - `"csv"` or `"jsonl"`
 * @returns item names and the data over their indices
 * @throws {@link LuceError} naming the line for malformed rows, missing columns, bad counts or mixed data
 * @example
 * ```ts
 * parsePreferenceData("winner,loser\nalice,bob\nbob,carol\n", "csv");
 * // { items: ["alice", "bob", "carol"], comparisons: [[0, 1], [1, 2]] }
 * ```
 */
export function parsePreferenceData(text: string, format: "csv" | "jsonl"): PreferenceData {
  if (typeof text !== "string") throw new LuceError(FN, "text", "must be a string");
  const items: string[] = [];
  const index = new Map<string, number>();
  const id = (name: unknown, where: string): number => {
    if (typeof name !== "string" && typeof name !== "number")
      throw new LuceError(FN, where, `must name an item (a string), got ${typeof name}`);
    const key = String(name).trim();
    if (key === "") throw new LuceError(FN, where, "is an empty item name");
    let i = index.get(key);
    if (i === undefined) {
      i = items.length;
      items.push(key);
      index.set(key, i);
    }
    return i;
  };
  if (format === "csv") return { items, comparisons: readCsv(text, id) };
  if (format !== "jsonl") throw new LuceError(FN, "format", `must be "csv" or "jsonl", got '${String(format)}'`);

  const comparisons: Comparison[] = [];
  const observations: PlackettLuceObservation[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, n) => {
    if (line.trim() === "") return;
    const where = `line ${n + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new LuceError(FN, where, "is not valid JSON");
    }
    if (Array.isArray(row)) {
      observations.push(row.map((name, k) => id(name, `${where}[${k}]`)));
    } else if (row !== null && typeof row === "object") {
      const r = row as Record<string, unknown>;
      if ("winner" in r || "loser" in r) {
        const count = r.count === undefined ? undefined : Number(r.count);
        if (count !== undefined && !(Number.isFinite(count) && count >= 0))
          throw new LuceError(FN, `${where}.count`, `must be a finite count >= 0, got ${String(r.count)}`);
        const pair = [id(r.winner, `${where}.winner`), id(r.loser, `${where}.loser`)] as const;
        comparisons.push(count === undefined ? pair : [...pair, count]);
      } else if (Array.isArray(r.ranking)) {
        const ranking = r.ranking.map((name, k) => id(name, `${where}.ranking[${k}]`));
        observations.push(
          Array.isArray(r.of) ? { ranking, of: r.of.map((name, k) => id(name, `${where}.of[${k}]`)) } : ranking,
        );
      } else if ("chosen" in r && Array.isArray(r.others)) {
        observations.push([
          id(r.chosen, `${where}.chosen`),
          r.others.map((name, k) => id(name, `${where}.others[${k}]`)),
        ]);
      } else {
        throw new LuceError(FN, where, "must have winner/loser, ranking (and of), or chosen/others");
      }
    } else {
      throw new LuceError(FN, where, "must be a JSON object or array");
    }
    if (comparisons.length > 0 && observations.length > 0)
      throw new LuceError(FN, where, "mixes pairs and rankings: give one kind per file (a pair is a ranking of two)");
  });
  return comparisons.length > 0 ? { items, comparisons } : { items, observations };
}

function readCsv(text: string, id: (name: unknown, where: string) => number): Comparison[] {
  const lines = text.split(/\r?\n/);
  const header = splitCsv(lines[0] ?? "").map((h) => h.trim().toLowerCase());
  const w = header.indexOf("winner");
  const l = header.indexOf("loser");
  const c = header.indexOf("count");
  if (w < 0 || l < 0)
    throw new LuceError(FN, "line 1", "must be a header naming the columns winner and loser (and optionally count)");
  const out: Comparison[] = [];
  for (let n = 1; n < lines.length; n++) {
    if (lines[n].trim() === "") continue;
    const where = `line ${n + 1}`;
    const cells = splitCsv(lines[n]);
    if (cells.length < header.length)
      throw new LuceError(FN, where, `has ${cells.length} fields, the header ${header.length}`);
    const pair = [id(cells[w], `${where}.winner`), id(cells[l], `${where}.loser`)] as const;
    if (c < 0) {
      out.push(pair);
      continue;
    }
    const count = Number(cells[c]);
    if (cells[c].trim() === "" || !Number.isFinite(count) || count < 0)
      throw new LuceError(FN, `${where}.count`, `must be a finite count >= 0, got '${cells[c]}'`);
    out.push([...pair, count]);
  }
  if (out.length === 0) throw new LuceError(FN, "text", "has a header but no rows");
  return out;
}

/** Splits one CSV line, honouring double-quoted fields with "" escapes. */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cell);
      cell = "";
    } else cell += ch;
  }
  out.push(cell);
  return out;
}
