import { LuceError } from "../../errors.js";

/** A value of a .npy header dict: a string, a boolean, or a tuple of non-negative integers. @internal */
export type NpyHeaderValue = string | boolean | number[];

/**
 * Parses the Python dict literal of a .npy header, the subset numpy writes: `{` string keys, `:`, values that are
 * single- or double-quoted strings (no escapes), `True`/`False`, or tuples of decimal integers (`()`, `(2,)`,
 * `(2, 3)`, a trailing comma allowed), `}`, then only whitespace. Python 2 long suffixes (`2L`) are accepted in
 * format versions 1 and 2, as numpy accepts them there.
 *
 * numpy evaluates the header with `ast.literal_eval`; where it would reject the text (`(2,,2)`, a bare `(2)` that is
 * not a tuple, trailing text) this parser does too. A key given twice is refused: numpy never writes one, and with
 * Python's last-wins rule a reader that takes the first would read other data from the same file.
 * @internal
 */
export function parseNpyHeaderLiteral(fn: string, text: string, allowLongSuffix: boolean): Map<string, NpyHeaderValue> {
  let at = 0;
  const fail = (what: string): never => {
    throw new LuceError(fn, "header", `is not a dict literal numpy reads: ${what} at character ${at}`);
  };
  const skipSpace = () => {
    while (at < text.length && " \t\r\n".includes(text[at])) at++;
  };
  const expect = (char: string) => {
    skipSpace();
    if (text[at] !== char) fail(`expected '${char}'`);
    at++;
  };
  const string = (): string => {
    const quote = text[at];
    const end = text.indexOf(quote, at + 1);
    if (end < 0) fail("an unterminated string");
    const value = text.slice(at + 1, end);
    if (value.includes("\\") || value.includes("\n")) fail("a string with an escape or a line break");
    at = end + 1;
    return value;
  };
  const integer = (): number => {
    const start = at;
    while (at < text.length && text[at] >= "0" && text[at] <= "9") at++;
    if (at === start) fail("expected a non-negative integer");
    const digits = text.slice(start, at);
    if (digits.length > 1 && digits[0] === "0") fail("an integer with a leading zero");
    if (allowLongSuffix && (text[at] === "L" || text[at] === "l")) at++;
    const value = Number(digits);
    if (!Number.isSafeInteger(value)) fail(`the integer ${digits}, beyond 2^53`);
    return value;
  };
  const tuple = (): number[] => {
    at++; // "("
    const entries: number[] = [];
    let comma = false; // after the last entry
    for (skipSpace(); text[at] !== ")"; skipSpace()) {
      if (entries.length > 0 && !comma) fail("expected ',' or ')' in a tuple");
      entries.push(integer());
      skipSpace();
      comma = text[at] === ",";
      if (comma) at++;
    }
    // Python reads "(2)" as the integer 2, not a tuple
    if (entries.length === 1 && !comma) fail("a parenthesised integer where a tuple is needed (write (2,))");
    at++;
    return entries;
  };
  const value = (): NpyHeaderValue => {
    skipSpace();
    const c = text[at];
    if (c === "'" || c === '"') return string();
    if (c === "(") return tuple();
    if (text.startsWith("True", at)) return ((at += 4), true);
    if (text.startsWith("False", at)) return ((at += 5), false);
    return fail("expected a string, True, False or a tuple");
  };

  const dict = new Map<string, NpyHeaderValue>();
  expect("{");
  for (;;) {
    skipSpace();
    if (text[at] === "}") break;
    if (text[at] !== "'" && text[at] !== '"') fail("expected a quoted key");
    const key = string();
    if (dict.has(key)) throw new LuceError(fn, `header.${key}`, "is given twice (numpy never writes a key twice)");
    expect(":");
    dict.set(key, value());
    skipSpace();
    if (text[at] === ",") at++;
    else if (text[at] !== "}") fail("expected ',' or '}'");
  }
  at++;
  skipSpace();
  if (at !== text.length) fail("text after the dict");
  return dict;
}
