import { createReadStream } from "node:fs";
import { LuceError } from "../errors.js";
import type { PlackettLuceObservation } from "../ranking/observations.js";
import { detectPreferenceFormat, LINE_BREAK, PreferenceReader, type ReadComparisons } from "../inference/read-data.js";

/**
 * The longest line `luce fit` reads. A longer one is not a row of comparisons or rankings but a
 * file without line breaks (or of another kind), and holding it would cost memory without bound.
 * @internal
 */
export const MAX_LINE_LENGTH = 1 << 24;

/** Bytes read from the file at a time: large enough that per-chunk work is negligible. */
const CHUNK_BYTES = 1 << 20;

/**
 * Streams a CSV or JSON Lines file of comparisons or rankings into columns, line by line: memory
 * grows with the number of rows (16 bytes a comparison), never with the file as one string.
 * The format is detected from the content ({@link detectPreferenceFormat}) unless given.
 *
 * @param command - how errors name the caller, e.g. `"luce fit"`
 * @param path - the file
 * @param format - `"csv"` or `"jsonl"`, or undefined to detect it from the first non-blank line
 * @throws {@link LuceError} naming the line for malformed rows, or the file when it has no rows
 * @internal
 */
export async function readPreferenceFile(
  command: string,
  path: string,
  format?: "csv" | "jsonl",
): Promise<{ items: string[]; columns?: ReadComparisons; observations?: PlackettLuceObservation[] }> {
  let reader: PreferenceReader | undefined;
  const pending: string[] = [];
  const feed = (line: string) => {
    if (reader === undefined) {
      pending.push(line);
      if (line.trim() === "" || line === "\uFEFF") return;
      reader = new PreferenceReader(command, format ?? detectPreferenceFormat(line));
      for (const held of pending) reader.line(held);
      pending.length = 0;
    } else reader.line(line);
  };
  let rest = "";
  let lineNumber = 1;
  for await (const chunk of createReadStream(path, { encoding: "utf8", highWaterMark: CHUNK_BYTES })) {
    const text = rest + (chunk as string);
    // a chunk that ends in \r may be the first half of \r\n: hold it for the next chunk
    const end = text.endsWith("\r") ? text.length - 1 : text.length;
    const lines = text.slice(0, end).split(LINE_BREAK);
    rest = lines.pop() + text.slice(end);
    for (const line of lines) {
      if (line.length > MAX_LINE_LENGTH) tooLong(command, lineNumber);
      feed(line);
      lineNumber++;
    }
    if (rest.length > MAX_LINE_LENGTH) tooLong(command, lineNumber);
  }
  if (rest !== "") feed(rest);
  if (reader === undefined)
    throw new LuceError(command, path, "is empty: give comparisons (CSV) or rankings (JSON Lines)");
  return reader.finish(path);
}

function tooLong(command: string, lineNumber: number): never {
  throw new LuceError(
    command,
    `line ${lineNumber}`,
    `is longer than ${MAX_LINE_LENGTH} characters: not a CSV or JSON Lines file of comparisons or rankings`,
  );
}
