import { constants } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { LuceError } from "../../errors.js";
import { describe, MAX_ARRAY_LENGTH } from "../../validation/checks.js";
import { decode, DTYPE_BYTES, type TensorDtype } from "./dtypes.js";
import { npyHeader } from "./npy.js";
import { quote, safetensorsHeader } from "./safetensors.js";
import type { TensorInfo } from "./tensor-info.js";

export type { TensorInfo } from "./tensor-info.js";

/** A tensor read into memory. */
export interface Tensor {
  /** Element type in the file. */
  readonly dtype: TensorDtype;
  /** Dimensions, row-major. */
  readonly shape: readonly number[];
  /** The values, widened to float32 (float64 files to Float64Array). */
  readonly data: Float32Array | Float64Array;
}

/** Bytes read per system call: files over 2 GiB are read in pieces, never with one readFile. */
const PIECE = 64 * 2 ** 20;

/** Tensor names listed in a message before the rest are counted, so a file of many tensors gives a short message. */
const LISTED_NAMES = 10;

/**
 * Opening without blocking: a FIFO opened for reading would otherwise wait for a writer forever (and keep the
 * process from exiting). Regular files ignore the flag. Windows has no such flag, nor FIFOs that `open` waits on.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Lists the tensors of a `.npy` or `.safetensors` file after validating every header field:
 * magic and version, header size against the file size, dtype, shape entries (non-negative safe
 * integers), the shape's product against the data size, and (safetensors) offsets inside the file
 * and not overlapping. Reads only the header, so a hostile file cannot cause a large allocation.
 * The path must name a regular file with one of the two extensions; anything else (a directory,
 * a FIFO, a device) is refused before it is read. A .npy header must be the dict literal numpy
 * writes, at most 10,000 bytes (numpy's own default limit); a key given twice is refused where
 * numpy would keep the last, and so is a tensor name given twice in a safetensors header, since
 * readers disagree on which one counts.
 *
 * @param path - a `.npy` or `.safetensors` file
 * @returns the tensors it holds, with their places in the file
 * @throws {@link luce!LuceError} for a missing or unreadable path, one that is not a regular file, a malformed file
 *   (naming the field) or an unsupported dtype
 * @example
 * ```ts
 * const [info] = await tensorFileInfo("test/fixtures/tensors/logits-f4.npy");
 * info.shape; // [2, 3, 5]
 * ```
 */
export async function tensorFileInfo(path: string): Promise<TensorInfo[]> {
  return withTensorFile("tensorFileInfo", path, async (_, infos) => infos);
}

/**
 * Opens `path` once, lists its tensors and runs `body` on the open file, so that the header and the data come from the
 * same file; errors name `fn`, the function the caller called.
 */
async function withTensorFile<T>(
  fn: string,
  path: unknown,
  body: (file: FileHandle, infos: TensorInfo[]) => Promise<T>,
): Promise<T> {
  const kind = fileKind(fn, path);
  const file = await openRegularFile(fn, path as string);
  try {
    const size = (await file.stat()).size;
    const readAt = async (position: number, length: number): Promise<Uint8Array> => {
      const buffer = new Uint8Array(length);
      const { bytesRead } = await file.read(buffer, 0, length, position);
      if (bytesRead !== length)
        throw new LuceError(fn, "path", `ends after ${position + bytesRead} bytes, inside its header`);
      return buffer;
    };
    const infos =
      kind === "npy" ? [await npyHeader(fn, path as string, size, readAt)] : await safetensorsHeader(fn, size, readAt);
    return await body(file, infos);
  } finally {
    await file.close();
  }
}

/** The format a path names by its extension. */
function fileKind(fn: string, path: unknown): "npy" | "safetensors" {
  if (typeof path !== "string" || path === "")
    throw new LuceError(fn, "path", `must be a file path (a non-empty string), got ${describe(path)}`);
  if (path.endsWith(".npy")) return "npy";
  if (path.endsWith(".safetensors")) return "safetensors";
  throw new LuceError(fn, "path", "must end in .npy or .safetensors");
}

/**
 * Opens `path` for reading if it is a regular file: checked by `stat` before opening (so a FIFO is never opened) and
 * again on the open handle (so a file swapped for another kind in between is refused too).
 */
async function openRegularFile(fn: string, path: string): Promise<FileHandle> {
  let file: FileHandle;
  try {
    requireRegularFile(fn, await stat(path));
    file = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw fileSystemError(fn, error);
  }
  try {
    requireRegularFile(fn, await file.stat());
  } catch (error) {
    await file.close();
    throw fileSystemError(fn, error);
  }
  return file;
}

function requireRegularFile(fn: string, info: { isFile(): boolean; isDirectory(): boolean }): void {
  if (info.isDirectory()) throw new LuceError(fn, "path", "is a directory, not a tensor file");
  if (!info.isFile()) throw new LuceError(fn, "path", "is not a regular file (a FIFO, socket or device)");
}

/** A file-system failure as a LuceError that says what is wrong with the path. */
function fileSystemError(fn: string, error: unknown): LuceError {
  if (error instanceof LuceError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const problem =
    code === "ENOENT"
      ? "names no file (it does not exist)"
      : code === "EACCES" || code === "EPERM"
        ? "cannot be read (permission denied)"
        : code === "ENOTDIR"
          ? "has a file where a directory should be"
          : code === "EISDIR"
            ? "is a directory, not a tensor file"
            : `cannot be read (${typeof code === "string" ? code : describe(error)})`;
  return new LuceError(fn, "path", problem);
}

/** The names of `infos` for a message: at most {@link LISTED_NAMES}, then how many more. */
function listNames(infos: readonly TensorInfo[]): string {
  if (infos.length === 0) return "no tensors";
  const shown = infos.slice(0, LISTED_NAMES).map((t) => quote(t.name));
  const more = infos.length - shown.length;
  return more === 0 ? shown.join(", ") : `${shown.join(", ")} and ${more} more`;
}

/**
 * Reads one tensor of a `.npy` or `.safetensors` file (float32, float16, bfloat16 or float64),
 * in pieces of 64 MiB, so files over 2 GiB work. float16 and bfloat16 are widened to float32
 * exactly.
 *
 * @param path - the file
 * @param name - the tensor's name (safetensors; default: the only tensor, or an error naming them)
 * @returns the tensor
 * @throws {@link luce!LuceError} as {@link tensorFileInfo}, for a missing or ambiguous name, or for a tensor of more
 *   than 2^32 − 1 elements (JavaScript's typed-array limit)
 * @example
 * ```ts
 * const t = await readTensorFile("test/fixtures/tensors/logits.safetensors", "brain");
 * t.dtype; // "bfloat16"
 * ```
 */
export async function readTensorFile(path: string, name?: string): Promise<Tensor> {
  const fn = "readTensorFile";
  if (name !== undefined && typeof name !== "string")
    throw new LuceError(fn, "name", `must be a tensor name (a string), got ${describe(name)}`);
  return withTensorFile(fn, path, async (file, infos) => {
    const info = name === undefined ? infos[0] : infos.find((t) => t.name === name);
    if (name === undefined && infos.length !== 1)
      throw new LuceError(fn, "name", `is needed: the file holds ${listNames(infos)}`);
    if (info === undefined)
      throw new LuceError(fn, "name", `${quote(name!)} is not in the file (it holds ${listNames(infos)})`);
    const element = DTYPE_BYTES[info.dtype];
    const count = info.byteLength / element;
    if (count > MAX_ARRAY_LENGTH)
      throw new LuceError(
        fn,
        "path",
        `holds tensor ${quote(info.name)} of ${count} elements, more than a typed array holds (2^32 − 1)`,
      );
    let data: Float32Array | Float64Array;
    try {
      data = info.dtype === "float64" ? new Float64Array(count) : new Float32Array(count);
    } catch {
      throw new LuceError(
        fn,
        "path",
        `holds tensor ${quote(info.name)} of ${count} elements: memory for it could not be allocated`,
      );
    }
    const piece = Math.floor(PIECE / element) * element;
    const buffer = new Uint8Array(Math.min(piece, info.byteLength));
    for (let done = 0; done < info.byteLength; done += piece) {
      const length = Math.min(piece, info.byteLength - done);
      const { bytesRead } = await file.read(buffer, 0, length, info.byteOffset + done);
      if (bytesRead !== length) throw new LuceError(fn, "path", `ends inside tensor ${quote(info.name)}`);
      decode(info.dtype, buffer.subarray(0, length), data, done / element);
    }
    return { dtype: info.dtype, shape: info.shape, data };
  });
}
