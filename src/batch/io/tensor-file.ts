import { open, stat } from "node:fs/promises";
import { LuceError } from "../../errors.js";
import { decode, DTYPE_BYTES, type TensorDtype } from "./dtypes.js";
import { npyHeader } from "./npy.js";
import { safetensorsHeader } from "./safetensors.js";

/** Where one tensor lies in a file. */
export interface TensorInfo {
  /** The tensor's name (safetensors), or the file name (.npy). */
  readonly name: string;
  /** Element type. */
  readonly dtype: TensorDtype;
  /** Dimensions, row-major (C order). */
  readonly shape: readonly number[];
  /** Offset of the first byte of data in the file. */
  readonly byteOffset: number;
  /** Number of data bytes: the product of the shape times the element size. */
  readonly byteLength: number;
}

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

/**
 * Lists the tensors of a `.npy` or `.safetensors` file after validating every header field:
 * magic and version, header size against the file size, dtype, shape entries (non-negative safe
 * integers), the shape's product against the data size, and (safetensors) offsets inside the file
 * and not overlapping. Reads only the header, so a hostile file cannot cause a large allocation.
 *
 * @param path - a `.npy` or `.safetensors` file
 * @returns the tensors it holds, with their places in the file
 * @throws {@link luce!LuceError} naming the field for a malformed file or an unsupported dtype
 * @example
 * ```ts
 * const [info] = await tensorFileInfo("test/fixtures/tensors/logits-f4.npy");
 * info.shape; // [2, 3, 5]
 * ```
 */
export async function tensorFileInfo(path: string): Promise<TensorInfo[]> {
  const fn = "tensorFileInfo";
  if (typeof path !== "string") throw new LuceError(fn, "path", "must be a file path");
  const size = (await stat(path)).size;
  const file = await open(path, "r");
  try {
    const readAt = async (position: number, length: number): Promise<Uint8Array> => {
      const buffer = new Uint8Array(length);
      const { bytesRead } = await file.read(buffer, 0, length, position);
      if (bytesRead !== length)
        throw new LuceError(fn, "path", `ends after ${position + bytesRead} bytes, inside its header`);
      return buffer;
    };
    if (path.endsWith(".npy")) return [await npyHeader(fn, path, size, readAt)];
    if (path.endsWith(".safetensors")) return await safetensorsHeader(fn, size, readAt); // await: the file closes in finally
    throw new LuceError(fn, "path", "must end in .npy or .safetensors");
  } finally {
    await file.close();
  }
}

/**
 * Reads one tensor of a `.npy` or `.safetensors` file (float32, float16, bfloat16 or float64),
 * in pieces of 64 MiB, so files over 2 GiB work. float16 and bfloat16 are widened to float32
 * exactly.
 *
 * @param path - the file
 * @param name - the tensor's name (safetensors; default: the only tensor, or an error naming them)
 * @returns the tensor
 * @throws {@link luce!LuceError} as {@link tensorFileInfo}, or for a missing or ambiguous name
 * @example
 * ```ts
 * const t = await readTensorFile("test/fixtures/tensors/logits.safetensors", "brain");
 * t.dtype; // "bfloat16"
 * ```
 */
export async function readTensorFile(path: string, name?: string): Promise<Tensor> {
  const fn = "readTensorFile";
  const infos = await tensorFileInfo(path);
  let info: TensorInfo | undefined;
  if (name === undefined) {
    if (infos.length !== 1)
      throw new LuceError(fn, "name", `is needed: the file holds ${infos.map((t) => t.name).join(", ")}`);
    info = infos[0];
  } else {
    info = infos.find((t) => t.name === name);
    if (info === undefined)
      throw new LuceError(fn, "name", `'${name}' is not in the file (it holds ${infos.map((t) => t.name).join(", ")})`);
  }
  const count = info.byteLength / DTYPE_BYTES[info.dtype];
  const data = info.dtype === "float64" ? new Float64Array(count) : new Float32Array(count);
  const file = await open(path, "r");
  try {
    const element = DTYPE_BYTES[info.dtype];
    const piece = Math.floor(PIECE / element) * element;
    const buffer = new Uint8Array(Math.min(piece, info.byteLength));
    for (let done = 0; done < info.byteLength;) {
      const length = Math.min(piece, info.byteLength - done);
      const { bytesRead } = await file.read(buffer, 0, length, info.byteOffset + done);
      if (bytesRead !== length) throw new LuceError(fn, "path", `ends inside tensor '${info.name}'`);
      decode(info.dtype, buffer.subarray(0, length), data, done / element);
      done += length;
    }
  } finally {
    await file.close();
  }
  return { dtype: info.dtype, shape: info.shape, data };
}
