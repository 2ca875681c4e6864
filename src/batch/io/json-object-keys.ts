/**
 * The first key given twice at a JSON object's top level, or undefined, from text that `JSON.parse` has already
 * accepted as an object (it keeps the last of two equal keys silently; a reader should refuse them). Nested values are
 * skipped by counting brackets outside strings, without recursion, so any nesting depth is safe.
 * @internal
 */
export function repeatedJsonKey(text: string): string | undefined {
  const keys = new Set<string>();
  let at = text.indexOf("{") + 1;
  let depth = 0; // of brackets opened inside the top-level object
  let expectKey = true;
  while (at < text.length) {
    const c = text[at];
    if (c === '"') {
      const end = stringEnd(text, at);
      if (depth === 0 && expectKey) {
        const key = JSON.parse(text.slice(at, end)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
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
  return undefined;
}

/** The index just past the JSON string that opens at `start` (a backslash escapes the next character). */
function stringEnd(text: string, start: number): number {
  let at = start + 1;
  while (at < text.length && text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
  return at + 1;
}
