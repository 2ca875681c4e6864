import { LuceError } from "../errors.js";
import { describe } from "../validation/checks.js";
import type { Comparison, PlackettLuceObservation } from "../ranking/observations.js";
import type { ComparisonColumns } from "./factors.js";

/** Preference data read from text, with item names mapped to indices in order of first appearance. */
export interface PreferenceData {
  /** Item names; index i in the data is `items[i]`. */
  readonly items: string[];
  /** Pairwise comparisons, when the data are pairs (fit with Bradley–Terry). */
  readonly comparisons?: Comparison[];
  /** Rankings and choices, when the data are rankings (fit with Plackett–Luce). */
  readonly observations?: PlackettLuceObservation[];
}

/**
 * Reads comparisons or rankings with item names from CSV or JSON Lines.
 *
 * - CSV with a header naming `winner` and `loser` (and optionally `count`): pairwise comparisons.
 * - JSON Lines, one object per line: `{"winner": "a", "loser": "b", "count": 2}` (pairs),
 *   `{"ranking": ["a", "b", "c"]}` (a ranking of exactly those items), `{"ranking": ["a"], "of":
 *   ["a", "b", "c"]}` (top-k of a listed set), `{"chosen": "a", "others": ["b", "c"]}` (a choice),
 *   or a bare array `["a", "b", "c"]` (a ranking). Pairs and rankings may not be mixed.
 *
 * Names are trimmed; blank lines are skipped; a byte-order mark is ignored; lines may end in
 * `\n`, `\r\n` or `\r`. Quoted CSV fields may contain commas. An item may appear once per ranking.
 *
 * @param text - the file's contents
 * @param format - `"csv"` or `"jsonl"`; {@link detectPreferenceFormat} tells them apart by content
 * @returns item names and the data over their indices
 * @throws {@link LuceError} naming the line (and the item) for malformed rows, missing columns, bad counts,
 * repeated items or mixed data
 * @example
 * ```ts
 * parsePreferenceData("winner,loser\nalice,bob\nbob,carol\n", "csv");
 * // { items: ["alice", "bob", "carol"], comparisons: [[0, 1], [1, 2]] }
 * ```
 */
export function parsePreferenceData(text: string, format: "csv" | "jsonl"): PreferenceData {
  const fn = "parsePreferenceData";
  if (typeof text !== "string") throw new LuceError(fn, "text", "must be a string");
  if (format !== "csv" && format !== "jsonl")
    throw new LuceError(fn, "format", `must be "csv" or "jsonl", got ${describe(format)}`);
  const reader = new PreferenceReader(fn, format);
  for (const line of text.split(LINE_BREAK)) reader.line(line);
  const { items, columns, observations } = reader.finish("text");
  if (columns === undefined) return { items, observations };
  const comparisons: Comparison[] = [];
  for (let i = 0; i < columns.winners.length; i++) {
    const pair = [columns.winners[i], columns.losers[i]] as const;
    comparisons.push(columns.countGiven[i] === 1 ? [...pair, columns.counts[i]] : pair);
  }
  return { items, comparisons };
}

/**
 * Tells the two formats apart by content: JSON Lines rows are objects or arrays, so a first
 * non-blank line that starts with `{` or `[` is JSON Lines; anything else is CSV (its header).
 *
 * @param firstLine - the first non-blank line (a leading byte-order mark is ignored)
 * @returns `"jsonl"` or `"csv"`
 * @throws {@link LuceError} when `firstLine` is not a string
 * @example
 * ```ts
 * detectPreferenceFormat('{"winner": "a", "loser": "b"}'); // "jsonl"
 * detectPreferenceFormat("winner,loser,count"); // "csv"
 * ```
 */
export function detectPreferenceFormat(firstLine: string): "csv" | "jsonl" {
  if (typeof firstLine !== "string")
    throw new LuceError("detectPreferenceFormat", "firstLine", `must be a string, got ${describe(firstLine)}`);
  const start = firstLine.replace(BOM, "").trimStart()[0];
  return start === "{" || start === "[" ? "jsonl" : "csv";
}

/**
 * A line break: `\r\n`, `\n`, or a lone `\r` (old Mac files), so no file reads as one long line.
 * @internal
 */
export const LINE_BREAK = /\r\n|\n|\r/;

const BOM = /^\uFEFF/;

/**
 * Comparisons in growable columns; `countGiven[i]` is 1 where row i stated its count.
 * @internal
 */
export interface ReadComparisons extends ComparisonColumns {
  readonly winners: Int32Array;
  readonly losers: Int32Array;
  readonly counts: Float64Array;
  readonly countGiven: Uint8Array;
}

/** The CSV columns `luce fit` reads. */
const CSV_COLUMNS = ["winner", "loser", "count"];

/** The keys of each kind of JSON Lines object (pairs, rankings, choices), in the order the kinds are tried. */
const JSON_KEYS = [
  ["winner", "loser", "count"],
  ["ranking", "of"],
  ["chosen", "others"],
];

/**
 * Why a column or key is refused: a field the reader does not know could carry the outcome (a `tie` or `draw`
 * column), and ignoring it would count that row as a plain win.
 */
function unreadField(name: string, kind: "column" | "key"): string {
  return (
    `is a ${kind} the reader does not know ('${name}'); it reads winner, loser and count for pairs, ranking and ` +
    `of for rankings, chosen and others for choices. Remove it (ties: fit them with fitBradleyTerry's ties option)`
  );
}

/** A decimal count as written in a file: digits, an optional fraction and exponent (no hex, no blanks). */
const DECIMAL = /^\s*\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

/**
 * Reads preference data one line at a time, so a file can be streamed into columns without being
 * held as one string. Lines are numbered from 1 in the order given; errors name `line N`.
 * @internal
 */
export class PreferenceReader {
  private readonly items: string[] = [];
  private readonly index = new Map<string, number>();
  private lineNumber = 0;
  private header: { winner: number; loser: number; count: number; fields: number } | undefined;
  private size = 0;
  private winners = new Int32Array(1024);
  private losers = new Int32Array(1024);
  private counts = new Float64Array(1024);
  private countGiven = new Uint8Array(1024);
  private readonly observations: PlackettLuceObservation[] = [];
  /** Per item, the last observation (numbered from 1) it appeared in, to find repeats within one. */
  private readonly lastSeen: number[] = [];
  private readonly seenOf: number[] = [];

  /**
   * @param fn - the name errors carry (`parsePreferenceData`, `luce fit`)
   * @param format - how to read every line
   */
  constructor(
    private readonly fn: string,
    private readonly format: "csv" | "jsonl",
  ) {}

  /** Reads the next line (without its line break). */
  line(text: string): void {
    this.lineNumber++;
    if (this.lineNumber === 1) text = text.replace(BOM, "");
    if (text.trim() === "") return;
    const where = `line ${this.lineNumber}`;
    if (this.format === "csv") this.csvLine(text, where);
    else this.jsonLine(text, where);
    if (this.size > 0 && this.observations.length > 0)
      throw new LuceError(
        this.fn,
        where,
        "mixes pairs and rankings: give one kind per file (a pair is a ranking of two)",
      );
  }

  /**
   * The data read so far.
   * @param source - how errors name the whole input (`text`, or a file name)
   */
  finish(source: string): { items: string[]; columns?: ReadComparisons; observations?: PlackettLuceObservation[] } {
    if (this.format === "csv" && this.header === undefined)
      throw new LuceError(this.fn, source, "is empty: a CSV needs a header naming winner and loser, and rows");
    if (this.size === 0 && this.observations.length === 0)
      throw new LuceError(this.fn, source, this.format === "csv" ? "has a header but no rows" : "has no rows");
    if (this.size === 0) return { items: this.items, observations: this.observations };
    return {
      items: this.items,
      columns: {
        winners: this.winners.subarray(0, this.size),
        losers: this.losers.subarray(0, this.size),
        counts: this.counts.subarray(0, this.size),
        countGiven: this.countGiven.subarray(0, this.size),
      },
    };
  }

  private id(name: unknown, where: string): number {
    if (typeof name !== "string" && typeof name !== "number")
      throw new LuceError(this.fn, where, `must name an item (a string), got ${name === null ? "null" : typeof name}`);
    const key = String(name).trim();
    if (key === "") throw new LuceError(this.fn, where, "is an empty item name");
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.items.length;
      this.items.push(key);
      this.index.set(key, i);
      this.lastSeen.push(0);
      this.seenOf.push(0);
    }
    return i;
  }

  private pushComparison(winner: number, loser: number, count: number | undefined): void {
    if (this.size === this.winners.length) {
      const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a as never);
        return b;
      };
      this.winners = grow(this.winners, (n) => new Int32Array(n));
      this.losers = grow(this.losers, (n) => new Int32Array(n));
      this.counts = grow(this.counts, (n) => new Float64Array(n));
      this.countGiven = grow(this.countGiven, (n) => new Uint8Array(n));
    }
    this.winners[this.size] = winner;
    this.losers[this.size] = loser;
    this.counts[this.size] = count ?? 1;
    this.countGiven[this.size] = count === undefined ? 0 : 1;
    this.size++;
  }

  private count(text: unknown, where: string): number {
    const x = typeof text === "number" ? text : typeof text === "string" && DECIMAL.test(text) ? Number(text) : NaN;
    if (!(Number.isFinite(x) && x >= 0))
      throw new LuceError(this.fn, `${where}.count`, `must be a finite count >= 0, got '${String(text)}'`);
    return x;
  }

  private csvLine(text: string, where: string): void {
    const cells = splitCsv(text);
    if (this.header === undefined) {
      const names = cells.map((h) => h.trim().toLowerCase());
      const winner = names.indexOf("winner");
      const loser = names.indexOf("loser");
      if (winner < 0 || loser < 0)
        throw new LuceError(
          this.fn,
          where,
          "must be a header naming the columns winner and loser (and optionally count); " +
            "JSON Lines rows start with { or [",
        );
      const unknown = names.findIndex((name) => !CSV_COLUMNS.includes(name));
      if (unknown >= 0) throw new LuceError(this.fn, `${where}[${unknown}]`, unreadField(cells[unknown], "column"));
      this.header = { winner, loser, count: names.indexOf("count"), fields: names.length };
      return;
    }
    const h = this.header;
    if (cells.length !== h.fields)
      throw new LuceError(this.fn, where, `has ${cells.length} fields, the header ${h.fields}`);
    const winner = this.id(cells[h.winner], `${where}.winner`);
    const loser = this.id(cells[h.loser], `${where}.loser`);
    if (winner === loser)
      throw new LuceError(this.fn, `${where}.loser`, `is the winner '${this.items[winner]}' itself`);
    this.pushComparison(winner, loser, h.count < 0 ? undefined : this.count(cells[h.count], where));
  }

  private jsonLine(text: string, where: string): void {
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch {
      throw new LuceError(
        this.fn,
        where,
        "is not valid JSON (JSON Lines: one object or array per line; a CSV starts with its header)",
      );
    }
    if (Array.isArray(row)) {
      this.observations.push(this.ranking(row, where));
      return;
    }
    if (row === null || typeof row !== "object") throw new LuceError(this.fn, where, "must be a JSON object or array");
    const r = row as Record<string, unknown>;
    const keys = JSON_KEYS.find((known) => known.some((key) => key in r)) ?? [];
    const unknown = Object.keys(r).find((key) => !keys.includes(key));
    if (keys.length > 0 && unknown !== undefined)
      throw new LuceError(this.fn, `${where}.${unknown}`, unreadField(unknown, "key"));
    if ("winner" in r || "loser" in r) {
      const count = r.count === undefined ? undefined : this.count(r.count, where);
      const winner = this.id(r.winner, `${where}.winner`);
      const loser = this.id(r.loser, `${where}.loser`);
      if (winner === loser)
        throw new LuceError(this.fn, `${where}.loser`, `is the winner '${this.items[winner]}' itself`);
      this.pushComparison(winner, loser, count);
    } else if (Array.isArray(r.ranking)) {
      const ranking = this.ranking(r.ranking, `${where}.ranking`);
      if (r.of === undefined) {
        this.observations.push(ranking);
        return;
      }
      if (!Array.isArray(r.of)) throw new LuceError(this.fn, `${where}.of`, "must be an array of item names");
      const of = this.offered(r.of, `${where}.of`);
      for (let k = 0; k < ranking.length; k++) {
        if (this.seenOf[ranking[k]] !== this.observations.length + 1)
          throw new LuceError(
            this.fn,
            `${where}.ranking[${k}]`,
            `names '${this.items[ranking[k]]}', which is not in '${where}.of'`,
          );
      }
      this.observations.push({ ranking, of });
    } else if ("chosen" in r && Array.isArray(r.others)) {
      const chosen = this.id(r.chosen, `${where}.chosen`);
      const others = this.offered(r.others, `${where}.others`);
      if (this.seenOf[chosen] === this.observations.length + 1)
        throw new LuceError(
          this.fn,
          `${where}.others`,
          `lists the chosen item '${this.items[chosen]}' (others exclude it)`,
        );
      this.observations.push([chosen, others]);
    } else {
      throw new LuceError(this.fn, where, "must have winner/loser, ranking (and of), or chosen/others");
    }
  }

  /** A ranking's items, each at most once. */
  private ranking(names: unknown[], where: string): number[] {
    if (names.length === 0) throw new LuceError(this.fn, where, "is an empty ranking");
    const stamp = this.observations.length + 1;
    return names.map((name, k) => {
      const i = this.id(name, `${where}[${k}]`);
      if (this.lastSeen[i] === stamp)
        throw new LuceError(this.fn, `${where}[${k}]`, `repeats the item '${this.items[i]}'`);
      this.lastSeen[i] = stamp;
      return i;
    });
  }

  /** A set on offer (`of`, `others`), each item at most once. */
  private offered(names: unknown[], where: string): number[] {
    const stamp = this.observations.length + 1;
    return names.map((name, k) => {
      const i = this.id(name, `${where}[${k}]`);
      if (this.seenOf[i] === stamp)
        throw new LuceError(this.fn, `${where}[${k}]`, `repeats the item '${this.items[i]}'`);
      this.seenOf[i] = stamp;
      return i;
    });
  }
}

/** Splits one CSV line, honouring double-quoted fields with "" escapes. @internal */
export function splitCsv(line: string): string[] {
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
