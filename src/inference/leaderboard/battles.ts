import { LuceError } from "../../errors.js";
import { describe, requireArrayLike, requireOptions } from "../../validation/checks.js";
import { detectPreferenceFormat, LINE_BREAK, splitCsv } from "../read-data.js";

/**
 * The outcome of a battle, seen from its first model (the one with the smaller index in {@link Battles.models}).
 * @internal
 */
export const Outcome = { firstWins: 0, secondWins: 1, tie: 2 } as const;

/** A battle's outcome seen from its first model: 0 it won, 1 the second model won, 2 a tie. */
export type BattleOutcome = 0 | 1 | 2;

/**
 * Battles aggregated to their unique rows: every battle between models `first[r]` and `second[r]` (indices into
 * `models`, `first[r] < second[r]`) with the outcome `outcome[r]` and the per-battle weight `weight[r]` is counted
 * in `battles[r]`. A battle's orientation (which model was `model_a`) does not enter the Bradley–Terry likelihood,
 * so battles are stored with the lower index first and the outcome seen from it.
 */
export interface Battles {
  /** Model names, in order of first appearance; case-sensitive. */
  readonly models: readonly string[];
  /** First model of each unique row. */
  readonly first: Int32Array;
  /** Second model of each unique row (always a larger index than `first`). */
  readonly second: Int32Array;
  /** Outcome of each row's battles ({@link BattleOutcome}: 0 the first model won, 1 the second, 2 a tie). */
  readonly outcome: Uint8Array;
  /** Weight of each battle of the row (1 unless a weight column was named). */
  readonly weight: Float64Array;
  /** Number of battles in each row (a positive integer). */
  readonly battles: Float64Array;
}

/** One battle as the arenas publish it. */
export interface BattleRecord {
  /** The first model's name. */
  readonly model_a: string;
  /** The second model's name. */
  readonly model_b: string;
  /** `model_a`, `model_b`, `tie`, `tie (bothbad)`, or the short spellings `a`, `b`, `both_bad`, `tie_bothbad`. */
  readonly winner: string;
  /** Other fields: a weight column or a column to filter on is named in the options; the rest is ignored. */
  readonly [column: string]: unknown;
}

/** Options of {@link parseBattles} and {@link battlesFromRecords}. */
export interface BattleReadOptions {
  /** `"csv"` or `"jsonl"`; default: detected from the first non-blank line (`{` starts JSON Lines). */
  readonly format?: "csv" | "jsonl";
  /** A column holding each battle's weight (a finite number ≥ 0; a battle of weight 0 is left out). */
  readonly weight?: string;
  /** Keep only battles whose named columns hold these values (compared as text, case-sensitively). */
  readonly filter?: Readonly<Record<string, string>>;
}

/**
 * The `winner` values accepted and the outcome each means: LMSYS's `model_a`, `model_b`, `tie`, `tie (bothbad)`
 * (FastChat's `elo_analysis.py`), and the short spellings of later arena dumps (`a`, `b`, `both_bad`, `tie_bothbad`).
 * Compared after trimming, case-insensitively (they are keywords, not model names).
 * @internal
 */
export const WINNER_SPELLINGS: Readonly<Record<string, "a" | "b" | "tie">> = {
  model_a: "a",
  a: "a",
  model_b: "b",
  b: "b",
  tie: "tie",
  "tie (bothbad)": "tie",
  tie_bothbad: "tie",
  both_bad: "tie",
  bothbad: "tie",
};

const READ_OPTION_KEYS = ["format", "weight", "filter"] as const;
const REQUIRED_COLUMNS = ["model_a", "model_b", "winner"] as const;

/** A decimal weight as written in a file: digits, an optional fraction and exponent (no hex, no blanks). */
const DECIMAL = /^\s*\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

/**
 * Collects battles into unique rows. Every malformed battle is a {@link LuceError} naming `where` (the line) and
 * the column.
 * @internal
 */
export class BattleTable {
  private readonly models: string[] = [];
  private readonly index = new Map<string, number>();
  private readonly rowOf = new Map<string, number>();
  private readonly first: number[] = [];
  private readonly second: number[] = [];
  private readonly outcome: number[] = [];
  private readonly weight: number[] = [];
  private readonly battles: number[] = [];

  constructor(private readonly fn: string) {}

  /** The index of a model name; surrounding blanks are not part of a name, its case is. */
  private id(given: unknown, where: string): number {
    if (typeof given !== "string")
      throw new LuceError(this.fn, where, `must be a model name (a string), got ${describe(given)}`);
    const name = given.trim();
    if (name === "") throw new LuceError(this.fn, where, "is an empty model name");
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.models.length;
      this.models.push(name);
      this.index.set(name, i);
    }
    return i;
  }

  /**
   * Adds one battle.
   * @param where - how errors name the battle, e.g. `line 7`; columns are appended as `line 7.winner`
   */
  add(modelA: unknown, modelB: unknown, winner: unknown, weight: number, where: string): void {
    const a = this.id(modelA, `${where}.model_a`);
    const b = this.id(modelB, `${where}.model_b`);
    if (a === b) throw new LuceError(this.fn, `${where}.model_b`, `is model_a ('${this.models[a]}') itself`);
    const side = typeof winner === "string" ? WINNER_SPELLINGS[winner.trim().toLowerCase()] : undefined;
    if (side === undefined)
      throw new LuceError(
        this.fn,
        `${where}.winner`,
        `must be one of ${Object.keys(WINNER_SPELLINGS).join(", ")}; got ${describe(winner)}`,
      );
    if (weight === 0) return;
    const aFirst = a < b;
    const outcome = side === "tie" ? Outcome.tie : (side === "a") === aFirst ? Outcome.firstWins : Outcome.secondWins;
    const first = aFirst ? a : b;
    const second = aFirst ? b : a;
    const key = `${first} ${second} ${outcome} ${weight}`;
    const row = this.rowOf.get(key);
    if (row !== undefined) {
      this.battles[row]++;
      return;
    }
    this.rowOf.set(key, this.first.length);
    this.first.push(first);
    this.second.push(second);
    this.outcome.push(outcome);
    this.weight.push(weight);
    this.battles.push(1);
  }

  /** The battles read; an error naming `source` when there are none. */
  finish(source: string): Battles {
    if (this.first.length === 0)
      throw new LuceError(this.fn, source, "holds no battles (after the filter, and leaving out weights of 0)");
    return {
      models: this.models,
      first: Int32Array.from(this.first),
      second: Int32Array.from(this.second),
      outcome: Uint8Array.from(this.outcome),
      weight: Float64Array.from(this.weight),
      battles: Float64Array.from(this.battles),
    };
  }
}

function readOptions(fn: string, options: BattleReadOptions | undefined) {
  const o = { ...requireOptions(fn, "options", options, READ_OPTION_KEYS) };
  if (o.format !== undefined && o.format !== "csv" && o.format !== "jsonl")
    throw new LuceError(fn, "options.format", `must be "csv" or "jsonl", got ${describe(o.format)}`);
  if (o.weight !== undefined && (typeof o.weight !== "string" || o.weight === ""))
    throw new LuceError(fn, "options.weight", `must name a column, got ${describe(o.weight)}`);
  const filter: [string, string][] = [];
  if (o.filter !== undefined) {
    if (o.filter === null || typeof o.filter !== "object" || Array.isArray(o.filter))
      throw new LuceError(fn, "options.filter", `must be an object of column: value, got ${describe(o.filter)}`);
    for (const [column, value] of Object.entries(o.filter)) {
      if (typeof value !== "string")
        throw new LuceError(fn, `options.filter.${column}`, `must be a string, got ${describe(value)}`);
      filter.push([column, value]);
    }
  }
  return { format: o.format, weight: o.weight, filter };
}

function weightOf(fn: string, value: unknown, where: string): number {
  const x = typeof value === "number" ? value : typeof value === "string" && DECIMAL.test(value) ? Number(value) : NaN;
  if (!(Number.isFinite(x) && x >= 0))
    throw new LuceError(fn, where, `must be a finite weight >= 0, got ${describe(value)}`);
  return x;
}

/** A filtered field's text: strings as they are, numbers and booleans as JSON writes them. */
function fieldText(value: unknown): string | undefined {
  return typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : undefined;
}

/**
 * Reads an arena battle log: CSV with a header, or JSON Lines (one object per line), with the columns `model_a`,
 * `model_b` and `winner` (`model_a`, `model_b`, `tie`, `tie (bothbad)`, or `a`, `b`, `both_bad`, `tie_bothbad`);
 * other columns are ignored unless named as the weight or in the filter. Model names are case-sensitive (blanks
 * around them are not part of them); a model against itself is an error. The battles are aggregated to unique
 * (model, model, outcome, weight) rows with counts.
 *
 * Blank lines are skipped, a byte-order mark is ignored, and quoted CSV fields may contain commas.
 *
 * @param text - the file's contents
 * @param options - format, weight column, filter
 * @returns the aggregated battles
 * @throws {@link LuceError} naming the line and the column of every malformed battle, a missing column, or no
 *   battles at all
 * @example
 * ```ts
 * const battles = parseBattles("model_a,model_b,winner\nx,y,model_a\ny,x,tie\n");
 * battles.models; // ["x", "y"]
 * ```
 */
export function parseBattles(text: string, options?: BattleReadOptions): Battles {
  const fn = "parseBattles";
  if (typeof text !== "string") throw new LuceError(fn, "text", `must be a string, got ${describe(text)}`);
  const { format, weight, filter } = readOptions(fn, options);
  const table = new BattleTable(fn);
  const lines = text.split(LINE_BREAK);
  const firstLine = lines.find((line) => line.replace(/^\uFEFF/, "").trim() !== "");
  if (firstLine === undefined) throw new LuceError(fn, "text", "is empty: give a header and battles");
  const kind = format ?? detectPreferenceFormat(firstLine);
  let header: Map<string, number> | undefined;
  let fields = 0;
  for (let k = 0; k < lines.length; k++) {
    const line = k === 0 ? lines[k].replace(/^\uFEFF/, "") : lines[k];
    if (line.trim() === "") continue;
    const where = `line ${k + 1}`;
    if (kind === "jsonl") {
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw new LuceError(
          fn,
          where,
          "is not valid JSON (JSON Lines: one object per line; a CSV starts with its header)",
        );
      }
      if (row === null || typeof row !== "object" || Array.isArray(row))
        throw new LuceError(fn, where, "must be a JSON object with model_a, model_b and winner");
      const r = row as Record<string, unknown>;
      for (const column of REQUIRED_COLUMNS)
        if (!Object.hasOwn(r, column)) throw new LuceError(fn, `${where}.${column}`, "is missing");
      if (!filter.every(([column, value]) => fieldText(r[column]) === value)) continue;
      const w = weight === undefined ? 1 : weightOf(fn, r[weight], `${where}.${weight}`);
      table.add(r.model_a, r.model_b, r.winner, w, where);
      continue;
    }
    const cells = splitCsv(line);
    if (header === undefined) {
      header = new Map(cells.map((name, i) => [name.trim(), i]));
      fields = cells.length;
      const needed = [...REQUIRED_COLUMNS, ...(weight === undefined ? [] : [weight]), ...filter.map(([c]) => c)];
      for (const column of needed)
        if (!header.has(column))
          throw new LuceError(fn, `${where}.${column}`, `is missing: the header names ${cells.join(", ")}`);
      continue;
    }
    if (cells.length !== fields) throw new LuceError(fn, where, `has ${cells.length} fields, the header ${fields}`);
    const cell = (column: string) => cells[header!.get(column)!];
    if (!filter.every(([column, value]) => cell(column) === value)) continue;
    const w = weight === undefined ? 1 : weightOf(fn, cell(weight), `${where}.${weight}`);
    table.add(cell("model_a"), cell("model_b"), cell("winner"), w, where);
  }
  return table.finish("text");
}

/**
 * Aggregates battles given as objects (`{ model_a, model_b, winner }`, as in the arenas' JSON dumps) to unique
 * rows, as {@link parseBattles} does for text.
 *
 * @param records - the battles
 * @param options - weight column, filter (`format` does not apply)
 * @returns the aggregated battles
 * @throws {@link LuceError} naming the record (`records[7].winner`) for every malformed battle
 * @example
 * ```ts
 * battlesFromRecords([
 *   { model_a: "x", model_b: "y", winner: "model_a" },
 *   { model_a: "y", model_b: "x", winner: "tie" },
 * ]);
 * ```
 */
export function battlesFromRecords(
  records: readonly BattleRecord[],
  options?: Omit<BattleReadOptions, "format">,
): Battles {
  const fn = "battlesFromRecords";
  const list = requireArrayLike(fn, "records", records);
  const { weight, filter, format } = readOptions(fn, options);
  if (format !== undefined) throw new LuceError(fn, "options.format", "applies to text only (parseBattles)");
  const table = new BattleTable(fn);
  for (let k = 0; k < list.length; k++) {
    const r = list[k] as Record<string, unknown>;
    const where = `records[${k}]`;
    if (r === null || typeof r !== "object" || Array.isArray(r))
      throw new LuceError(fn, where, `must be an object with model_a, model_b and winner, got ${describe(r)}`);
    if (!filter.every(([column, value]) => fieldText(r[column]) === value)) continue;
    const w = weight === undefined ? 1 : weightOf(fn, r[weight], `${where}.${weight}`);
    table.add(r.model_a, r.model_b, r.winner, w, where);
  }
  return table.finish("records");
}

/**
 * A checked copy of caller-supplied {@link Battles} (each field read once), or the aggregate of battle records
 * when given an array.
 * @internal
 */
export function readBattles(fn: string, name: string, battles: Battles | readonly BattleRecord[]): Battles {
  if (Array.isArray(battles)) {
    try {
      return battlesFromRecords(battles as readonly BattleRecord[]);
    } catch (e) {
      if (!(e instanceof LuceError)) throw e;
      throw new LuceError(fn, e.argument.replace(/^records/, name), e.message.replace(/^.*?argument '.*?' /, ""));
    }
  }
  if (battles === null || typeof battles !== "object")
    throw new LuceError(
      fn,
      name,
      `must be battles (from parseBattles) or an array of battle records, got ${describe(battles)}`,
    );
  const b = battles as Battles;
  const models = Array.from(requireArrayLike(fn, `${name}.models`, b.models), (m, i) => {
    if (typeof m !== "string" || m === "")
      throw new LuceError(fn, `${name}.models[${i}]`, `must be a model name, got ${describe(m)}`);
    return m;
  });
  if (new Set(models).size !== models.length) throw new LuceError(fn, `${name}.models`, "repeats a model name");
  // every column read once, as numbers, before any check: the checks and the result use the copies
  const column = (key: keyof Battles): Float64Array => {
    const values = requireArrayLike(fn, `${name}.${key}`, b[key]);
    return Float64Array.from({ length: values.length }, (_, r) => {
      const v = values[r];
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new LuceError(fn, `${name}.${key}[${r}]`, `must be a finite number, got ${describe(v)}`);
      return v;
    });
  };
  const first = column("first");
  const rows = first.length;
  const second = column("second");
  const outcome = column("outcome");
  const weight = column("weight");
  const count = column("battles");
  for (const [key, values] of [
    ["second", second],
    ["outcome", outcome],
    ["weight", weight],
    ["battles", count],
  ] as const)
    if (values.length !== rows)
      throw new LuceError(fn, `${name}.${key}`, `has ${values.length} rows, ${name}.first ${rows}`);
  for (let r = 0; r < rows; r++) {
    if (!(Number.isInteger(first[r]) && first[r] >= 0 && Number.isInteger(second[r])))
      throw new LuceError(fn, `${name}.first[${r}]`, "must be a model index (a whole number >= 0)");
    if (!(first[r] < second[r] && second[r] < models.length))
      throw new LuceError(
        fn,
        `${name}.second[${r}]`,
        `must be a model index above first[${r}] and below ${models.length}`,
      );
    if (!(outcome[r] === Outcome.firstWins || outcome[r] === Outcome.secondWins || outcome[r] === Outcome.tie))
      throw new LuceError(fn, `${name}.outcome[${r}]`, "must be 0 (first wins), 1 (second wins) or 2 (tie)");
    if (!(weight[r] >= 0)) throw new LuceError(fn, `${name}.weight[${r}]`, `must be >= 0, got ${weight[r]}`);
    if (!(Number.isSafeInteger(count[r]) && count[r] >= 1))
      throw new LuceError(fn, `${name}.battles[${r}]`, `must be a whole number of battles >= 1, got ${count[r]}`);
  }
  if (rows === 0) throw new LuceError(fn, name, "holds no battles");
  return {
    models,
    first: Int32Array.from(first),
    second: Int32Array.from(second),
    outcome: Uint8Array.from(outcome),
    weight,
    battles: count,
  };
}
