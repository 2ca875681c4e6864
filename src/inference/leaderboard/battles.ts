import { LuceError } from "../../errors.js";
import { copyArrayLike, describe, requireArrayLike, requireOptions } from "../../validation/checks.js";
import { arenaStyleFeatures } from "../arena-style-features.js";
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
  /** Per-battle feature columns (style control), when read: then every row is one battle's row. */
  readonly features?: BattleFeatures;
}

/**
 * Feature columns of battles, for style control: row r's values at `values[r · names.length + j]`, oriented
 * as the row is, first model minus second (a battle read with model_a as the second model has its differences
 * negated, so that the contextual model's margin θ_first − θ_second + xᵀγ is the battle's own).
 */
export interface BattleFeatures {
  /** The columns' names, as named when read. */
  readonly names: readonly string[];
  /** The values, row-major: one row per battle row, one entry per column. */
  readonly values: Float64Array;
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
  /**
   * Feature columns to read for style control. A name `COL` is read as a ready-made difference (model_a's
   * minus model_b's, any finite number) when the battles have a column `COL`; otherwise from the per-side
   * counts `COL_a` and `COL_b` (finite numbers ≥ 0), turned into the normalised difference (a − b)/(a + b),
   * standardised over the battles read, by {@link arenaStyleFeatures} (arena-rank's convention).
   */
  readonly features?: readonly string[];
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

const READ_OPTION_KEYS = ["format", "weight", "filter", "features"] as const;
const REQUIRED_COLUMNS = ["model_a", "model_b", "winner"] as const;

/** A decimal weight as written in a file: digits, an optional fraction and exponent (no hex, no blanks). */
const DECIMAL = /^\s*\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

/** How a feature column is read: a ready-made difference `COL`, or per-side counts `COL_a` and `COL_b`. */
interface FeatureColumn {
  readonly name: string;
  readonly kind: "difference" | "counts";
}

/** A signed decimal as written in a file (a ready-made feature difference). */
const SIGNED_DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

/**
 * Collects battles into unique rows (or, with feature columns, one row per battle). Every malformed battle is a
 * {@link LuceError} naming `where` (the line) and the column.
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
  /** Per row, the feature values as read (model_a's side first), and whether model_a became the second model. */
  private readonly raw: number[][] = [];
  private readonly swapped: boolean[] = [];

  constructor(
    private readonly fn: string,
    private readonly columns: readonly FeatureColumn[] = [],
  ) {}

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
   * @param field - reads a named field of the battle (for the feature columns)
   */
  add(
    modelA: unknown,
    modelB: unknown,
    winner: unknown,
    weight: number,
    where: string,
    field?: (column: string) => unknown,
  ): void {
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
    const values = this.columns.length === 0 ? [] : this.featureValues(where, field!);
    if (weight === 0) return;
    const aFirst = a < b;
    const outcome = side === "tie" ? Outcome.tie : (side === "a") === aFirst ? Outcome.firstWins : Outcome.secondWins;
    const first = aFirst ? a : b;
    const second = aFirst ? b : a;
    if (this.columns.length === 0) {
      const key = `${first} ${second} ${outcome} ${weight}`;
      const row = this.rowOf.get(key);
      if (row !== undefined) {
        this.battles[row]++;
        return;
      }
      this.rowOf.set(key, this.first.length);
    }
    this.first.push(first);
    this.second.push(second);
    this.outcome.push(outcome);
    this.weight.push(weight);
    this.battles.push(1);
    if (this.columns.length > 0) {
      this.raw.push(values);
      this.swapped.push(!aFirst);
    }
  }

  /** The battle's feature fields: one value per difference column, two (model_a's, model_b's) per counts column. */
  private featureValues(where: string, field: (column: string) => unknown): number[] {
    const values: number[] = [];
    for (const { name, kind } of this.columns) {
      if (kind === "difference") {
        values.push(this.number(field(name), `${where}.${name}`, SIGNED_DECIMAL, -Infinity));
        continue;
      }
      for (const side of ["_a", "_b"])
        values.push(this.number(field(name + side), `${where}.${name}${side}`, DECIMAL, 0));
    }
    return values;
  }

  /** A finite number ≥ `least`, given as a number or as text matching `pattern`. */
  private number(value: unknown, where: string, pattern: RegExp, least: number): number {
    const x =
      typeof value === "number" ? value : typeof value === "string" && pattern.test(value) ? Number(value) : NaN;
    if (!(Number.isFinite(x) && x >= least))
      throw new LuceError(
        this.fn,
        where,
        least === 0
          ? `must be a finite count >= 0, got ${describe(value)}`
          : `must be a finite number, got ${describe(value)}`,
      );
    return x;
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
      ...(this.columns.length === 0 ? {} : { features: this.features(source) }),
    };
  }

  /**
   * The feature columns: differences as read, counts through {@link arenaStyleFeatures} (normalised and
   * standardised over the battles, in model_a − model_b orientation, as arena-rank computes them), each row then
   * turned to first − second.
   */
  private features(source: string): BattleFeatures {
    const p = this.columns.length;
    const rows = this.raw.length;
    const values = new Float64Array(rows * p);
    const countsAt: number[] = [];
    let offset = 0;
    this.columns.forEach(({ kind }, j) => {
      if (kind === "counts") countsAt.push(j);
      for (let r = 0; r < rows; r++) if (kind === "difference") values[r * p + j] = this.raw[r][offset];
      offset += kind === "difference" ? 1 : 2;
    });
    if (countsAt.length > 0) {
      const positions: number[] = [];
      offset = 0;
      for (const { kind } of this.columns) {
        if (kind === "counts") positions.push(offset);
        offset += kind === "difference" ? 1 : 2;
      }
      const countsA = this.raw.map((row) => positions.map((at) => row[at]));
      const countsB = this.raw.map((row) => positions.map((at) => row[at + 1]));
      let normalised: Float64Array[];
      try {
        normalised = arenaStyleFeatures(countsA, countsB);
      } catch (e) {
        if (!(e instanceof LuceError)) throw e;
        const column = /feature (\d+)/.exec(e.message);
        const name = column === null ? "" : this.columns[countsAt[Number(column[1])]].name;
        throw new LuceError(
          this.fn,
          source,
          `gives the counts ${name}_a and ${name}_b the same normalised difference in every battle: it cannot ` +
            "be standardised (leave the column out)",
        );
      }
      for (let r = 0; r < rows; r++) countsAt.forEach((j, k) => (values[r * p + j] = normalised[r][k]));
    }
    for (let r = 0; r < rows; r++)
      if (this.swapped[r]) for (let j = 0; j < p; j++) values[r * p + j] = -values[r * p + j];
    return { names: this.columns.map((c) => c.name), values };
  }
}

/**
 * How each feature column is read, from the names a battle has: `COL` itself (a difference), or `COL_a` and
 * `COL_b` (counts).
 */
function featureColumns(
  fn: string,
  names: readonly string[],
  has: (column: string) => boolean,
  where: string,
): FeatureColumn[] {
  return names.map((name) => {
    if (has(name)) return { name, kind: "difference" };
    if (has(`${name}_a`) && has(`${name}_b`)) return { name, kind: "counts" };
    throw new LuceError(
      fn,
      `${where}.${name}`,
      `is missing: give a column ${name} (a difference) or ${name}_a and ${name}_b`,
    );
  });
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
  let features: string[] = [];
  if (o.features !== undefined) {
    features = copyArrayLike(fn, "options.features", o.features).map((name, j) => {
      if (typeof name !== "string" || name.trim() === "")
        throw new LuceError(fn, `options.features[${j}]`, `must name a column, got ${describe(name)}`);
      return name.trim();
    });
    if (new Set(features).size !== features.length) throw new LuceError(fn, "options.features", "names a column twice");
  }
  return { format: o.format, weight: o.weight, filter, features };
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
  const { format, weight, filter, features } = readOptions(fn, options);
  let table: BattleTable | undefined;
  const tableFor = (has: (column: string) => boolean, where: string) =>
    (table ??= new BattleTable(fn, featureColumns(fn, features, has, where)));
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
      tableFor((column) => Object.hasOwn(r, column), where).add(r.model_a, r.model_b, r.winner, w, where, (c) => r[c]);
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
      const named = header;
      tableFor((column) => named.has(column), where);
      continue;
    }
    if (cells.length !== fields) throw new LuceError(fn, where, `has ${cells.length} fields, the header ${fields}`);
    const cell = (column: string) => cells[header!.get(column)!];
    if (!filter.every(([column, value]) => cell(column) === value)) continue;
    const w = weight === undefined ? 1 : weightOf(fn, cell(weight), `${where}.${weight}`);
    table!.add(cell("model_a"), cell("model_b"), cell("winner"), w, where, cell);
  }
  if (table === undefined)
    throw new LuceError(fn, "text", "holds no battles (after the filter, and leaving out weights of 0)");
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
  const { weight, filter, format, features } = readOptions(fn, options);
  if (format !== undefined) throw new LuceError(fn, "options.format", "applies to text only (parseBattles)");
  let table: BattleTable | undefined;
  for (let k = 0; k < list.length; k++) {
    const r = list[k] as Record<string, unknown>;
    const where = `records[${k}]`;
    if (r === null || typeof r !== "object" || Array.isArray(r))
      throw new LuceError(fn, where, `must be an object with model_a, model_b and winner, got ${describe(r)}`);
    if (!filter.every(([column, value]) => fieldText(r[column]) === value)) continue;
    const w = weight === undefined ? 1 : weightOf(fn, r[weight], `${where}.${weight}`);
    table ??= new BattleTable(
      fn,
      featureColumns(fn, features, (column) => Object.hasOwn(r, column), where),
    );
    table.add(r.model_a, r.model_b, r.winner, w, where, (c) => r[c]);
  }
  if (table === undefined)
    throw new LuceError(fn, "records", "holds no battles (after the filter, and leaving out weights of 0)");
  return table.finish("records");
}

/**
 * A checked copy of caller-supplied {@link Battles} (each field read once), or the aggregate of battle records
 * when given an array.
 * @internal
 */
export function readBattles(
  fn: string,
  name: string,
  battles: Battles | readonly BattleRecord[],
  features?: readonly string[],
): Battles {
  if (Array.isArray(battles)) {
    try {
      return battlesFromRecords(battles as readonly BattleRecord[], features === undefined ? {} : { features });
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
  const givenFeatures = b.features;
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
    ...(givenFeatures === undefined ? {} : { features: readFeatures(fn, `${name}.features`, givenFeatures, rows) }),
  };
}

/** A checked copy of feature columns for `rows` rows. */
function readFeatures(fn: string, name: string, given: BattleFeatures, rows: number): BattleFeatures {
  if (given === null || typeof given !== "object")
    throw new LuceError(fn, name, `must be { names, values }, got ${describe(given)}`);
  const { names: givenNames, values: givenValues } = given;
  const names = copyArrayLike(fn, `${name}.names`, givenNames).map((n, j) => {
    if (typeof n !== "string" || n === "")
      throw new LuceError(fn, `${name}.names[${j}]`, `must be a column name, got ${describe(n)}`);
    return n;
  });
  if (new Set(names).size !== names.length) throw new LuceError(fn, `${name}.names`, "repeats a column name");
  const list = copyArrayLike(fn, `${name}.values`, givenValues);
  if (list.length !== rows * names.length)
    throw new LuceError(
      fn,
      `${name}.values`,
      `has ${list.length} values; ${rows} rows of ${names.length} need ${rows * names.length}`,
    );
  const values = Float64Array.from({ length: list.length }, (_, k) => {
    const v = list[k];
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new LuceError(fn, `${name}.values[${k}]`, `must be a finite number, got ${describe(v)}`);
    return v;
  });
  return { names, values };
}
