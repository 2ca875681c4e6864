import { parseArgs } from "node:util";
import { LuceError } from "../errors.js";

/**
 * Command-line arguments of a `luce` subcommand, checked so that every misuse is one
 * {@link LuceError} naming the flag (or the positional) and what was expected.
 * @internal
 */

/** A flag: `string` flags take a value (`--runs 5`, `--runs=5`), `boolean` flags none. */
export interface FlagSpec {
  readonly type: "string" | "boolean";
  /** One-letter alias, e.g. `h` for `--help`. */
  readonly short?: string;
  /** How the help names the value, e.g. `N` in `--runs N`. */
  readonly value?: string;
}

/** The parsed command line: flag values by name, and the positionals in order. */
export interface CommandLine {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

/** A decimal number as written on a command line: digits, an optional fraction and exponent (no hex, no blanks). */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Parses `args` against `flags`. A value that starts with `-` is taken as a value only where it
 * is a number (`--seed -5`); otherwise the flag is missing its value (`--reference=-x` gives such
 * a name). Positionals after `--` are taken as they are.
 *
 * @param command - the subcommand as the user typed it, e.g. `"luce fit"`
 * @param args - the arguments after the subcommand
 * @param flags - the known flags by long name
 * @param positionals - how many positionals the command takes, and what it calls them
 * @throws {@link LuceError} for an unknown flag, a missing or unexpected value, or a wrong number of positionals
 */
export function parseCommandLine(
  command: string,
  args: string[],
  flags: Record<string, FlagSpec>,
  positionals: { readonly min: number; readonly max: number; readonly name: string },
): CommandLine {
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, spec]) => [
      name,
      spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short },
    ]),
  );
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean | undefined> = {};
  const found: string[] = [];
  const known = Object.entries(flags)
    .map(([name, spec]) => `--${name}${spec.type === "string" ? ` ${spec.value ?? "VALUE"}` : ""}`)
    .join(", ");
  for (const token of tokens) {
    if (token.kind === "positional") {
      found.push(token.value);
      continue;
    }
    if (token.kind !== "option") continue;
    const raw = args[token.index].split("=")[0];
    const spec = Object.hasOwn(flags, token.name) ? flags[token.name] : undefined;
    if (spec === undefined) {
      const guess = closest(raw.replace(/^-+/, ""), Object.keys(flags));
      const hint = guess === undefined ? "" : `; did you mean --${guess}?`;
      throw new LuceError(command, raw, `is not an option of ${command} (options: ${known})${hint}`);
    }
    const flag = `--${token.name}`;
    if (spec.type === "boolean") {
      if (token.value !== undefined) throw new LuceError(command, flag, `takes no value, got '${token.value}'`);
      values[token.name] = true;
      continue;
    }
    const usage = `${flag} ${spec.value ?? "VALUE"}`;
    if (token.value === undefined) throw new LuceError(command, flag, `needs a value: ${usage}`);
    if (!token.inlineValue && token.value.startsWith("-") && !NUMBER.test(token.value)) {
      throw new LuceError(
        command,
        flag,
        `needs a value: ${usage}; got the option '${token.value}' (write ${flag}=${token.value} for a value that starts with '-')`,
      );
    }
    values[token.name] = token.value;
  }
  if (values.help === true) return { values, positionals: found };
  if (found.length > positionals.max) {
    const takes =
      positionals.max === 0 ? "takes no positional arguments" : `takes at most ${positionals.max} ${positionals.name}`;
    throw new LuceError(command, found[positionals.max], `is one argument too many: ${command} ${takes}`);
  }
  if (found.length < positionals.min)
    throw new LuceError(command, positionals.name, `is missing: give ${positionals.name}`);
  return { values, positionals: found };
}

/**
 * An integer flag value in [min, max], written in decimal (`1e4` is 10000). The default range is
 * every integer a double holds exactly (|x| <= 2^53 - 1).
 * @throws {@link LuceError} naming the flag, for text that is not such an integer
 */
export function integerFlag(
  command: string,
  flag: string,
  text: string,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const x = NUMBER.test(text.trim()) ? Number(text) : Number.NaN;
  const range =
    min === Number.MIN_SAFE_INTEGER && max === Number.MAX_SAFE_INTEGER
      ? "with |x| <= 2^53 - 1"
      : `from ${min} to ${max}`;
  if (!Number.isSafeInteger(x) || x < min)
    throw new LuceError(command, flag, `must be an integer ${range}, got '${text}'`);
  if (x > max) throw new LuceError(command, flag, `is ${text}; ${command} accepts at most ${max}`);
  return x;
}

/**
 * A number flag value that is finite and greater than zero.
 * @throws {@link LuceError} naming the flag
 */
export function positiveFlag(command: string, flag: string, text: string, what: string): number {
  const x = NUMBER.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(x) || x <= 0) throw new LuceError(command, flag, `must be ${what} > 0, got '${text}'`);
  return x;
}

/** The known name within edit distance 2 of `name`, if exactly one is closest. */
function closest(name: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance with adjacent transpositions counted as one edit (`rnus` → `runs`). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
