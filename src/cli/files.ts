import { statSync, type Stats } from "node:fs";
import { dirname } from "node:path";
import { LuceError } from "../errors.js";

/**
 * Checks on the files a `luce` command reads and writes, made before any work so that a wrong
 * path is one line naming it rather than a system error after minutes of computing.
 * @internal
 */

function stat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * A path to an existing regular file (not a directory or device), or a pipe where `allowPipe` says
 * the reader streams it with bounded lines (`luce fit /dev/stdin < games.csv`).
 * @param command - e.g. `"luce fit"`
 * @param what - how the usage names the file, e.g. `"FILE"`
 * @throws {@link LuceError} naming the path
 */
export function requireInputFile(command: string, what: string, path: string, allowPipe = false): string {
  const s = stat(path);
  if (s === undefined) throw new LuceError(command, path, `does not exist (${what} must be a readable file)`);
  if (s.isDirectory()) throw new LuceError(command, path, `is a directory (${what} must be a file)`);
  if (!s.isFile() && !(allowPipe && s.isFIFO()))
    throw new LuceError(command, path, `is not a regular file (${what} must be a file)`);
  return path;
}

/**
 * A path a file can be written to: not a directory, and in a folder that exists.
 * @param flag - the flag that named it, e.g. `"--out"`
 * @throws {@link LuceError} naming the flag and the path
 */
export function requireOutputFile(command: string, flag: string, path: string): string {
  const s = stat(path);
  if (s?.isDirectory()) throw new LuceError(command, flag, `names the directory '${path}'; give a file name`);
  const folder = stat(dirname(path));
  if (folder === undefined || !folder.isDirectory())
    throw new LuceError(command, flag, `names '${path}', whose folder '${dirname(path)}' does not exist`);
  return path;
}
