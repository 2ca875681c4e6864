/**
 * The keys of a JSON object's top level, in order and with repeats, from text that `JSON.parse` has already accepted
 * as an object. `JSON.parse` keeps the last of two equal keys silently; this scan lets a reader refuse them. Nested
 * values are skipped by counting brackets outside strings, without recursion, so any nesting depth is safe.
 * @internal
 */
export function jsonObjectKeys(text: string): string[] {
  const keys: string[] = [];
  let at = text.indexOf("{") + 1;
  let depth = 0; // of brackets opened inside the top-level object
  let expectKey = true;
  while (at < text.length) {
    const c = text[at];
    if (c === '"') {
      const end = stringEnd(text, at);
      if (depth === 0 && expectKey) {
        keys.push(JSON.parse(text.slice(at, end)) as string);
        expectKey = false;
      }
      at = end;
      continue;
    }
    if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      if (depth === 0) break;
      depth--;
    } else if (c === "," && depth === 0) expectKey = true;
    at++;
  }
  return keys;
}

/** The index just past the JSON string that opens at `start` (a backslash escapes the next character). */
function stringEnd(text: string, start: number): number {
  let at = start + 1;
  while (at < text.length && text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
  return at + 1;
}
