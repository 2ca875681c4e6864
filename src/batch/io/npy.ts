import { LuceError } from "../../errors.js";
import { DTYPE_BYTES, type TensorDtype } from "./dtypes.js";
import { shapeBytes } from "./shape.js";
import type { TensorInfo } from "./tensor-file.js";

const DESCR: Record<string, TensorDtype> = { "<f4": "float32", "<f2": "float16", "<f8": "float64", "|f2": "float16" };

/**
 * Parses and validates a .npy header (format versions 1, 2, 3): magic, version, header length,
 * the dict's descr (little-endian float32/float16/float64), fortran_order (must be False), shape,
 * and that the data fill the rest of the file exactly.
 * @internal
 */
export async function npyHeader(
  fn: string,
  name: string,
  size: number,
  readAt: (position: number, length: number) => Promise<Uint8Array>,
): Promise<TensorInfo> {
  if (size < 10) throw new LuceError(fn, "path", "is too short for a .npy file");
  const head = await readAt(0, 12 <= size ? 12 : 10);
  if (head[0] !== 0x93 || String.fromCharCode(...head.subarray(1, 6)) !== "NUMPY")
    throw new LuceError(fn, "path", "is not a .npy file (bad magic)");
  const major = head[6];
  if (major < 1 || major > 3) throw new LuceError(fn, "path", `has .npy version ${major}.${head[7]}, not 1, 2 or 3`);
  const view = new DataView(head.buffer);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > size)
    throw new LuceError(fn, "path", `declares a ${headerLength}-byte header in a ${size}-byte file`);
  const text = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(await readAt(8 + lengthBytes, headerLength));
  const field = (key: string): string => {
    const m = new RegExp(`'${key}'\\s*:\\s*('[^']*'|True|False|\\([^)]*\\))`).exec(text);
    if (m === null) throw new LuceError(fn, `header.${key}`, "is missing");
    return m[1];
  };
  const descr = field("descr").slice(1, -1);
  const dtype = DESCR[descr];
  if (dtype === undefined)
    throw new LuceError(fn, "header.descr", `is '${descr}': luce reads little-endian float32, float16 and float64`);
  if (field("fortran_order") !== "False") throw new LuceError(fn, "header.fortran_order", "must be False (C order)");
  const inner = field("shape").slice(1, -1).trim();
  const dims =
    inner === ""
      ? []
      : inner
          .split(",")
          .filter((d) => d.trim() !== "")
          .map((d) => (/^\s*\d+\s*$/.test(d) ? Number(d) : Number.NaN));
  const byteLength = shapeBytes(fn, "header.shape", dims, DTYPE_BYTES[dtype], size - dataStart);
  if (byteLength !== size - dataStart)
    throw new LuceError(fn, "header.shape", `gives ${byteLength} data bytes, but the file has ${size - dataStart}`);
  return { name, dtype, shape: dims, byteOffset: dataStart, byteLength };
}
