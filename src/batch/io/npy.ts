import { LuceError } from "../../errors.js";
import { DTYPE_BYTES, type TensorDtype } from "./dtypes.js";
import { parseNpyHeaderLiteral, type NpyHeaderValue } from "./npy-header-literal.js";
import { shapeBytes } from "./shape.js";
import type { TensorInfo } from "./tensor-info.js";

const DESCR: Record<string, TensorDtype> = { "<f4": "float32", "<f2": "float16", "<f8": "float64", "|f2": "float16" };

/**
 * The longest header luce reads, in bytes: numpy's own default limit (`max_header_size`), which refuses longer
 * headers as unsafe to evaluate. A float tensor's header is about 120 bytes even with numpy's 64 dimensions of 20
 * digits each, so nothing numpy writes for luce's dtypes comes near it; a hostile length is refused before any
 * allocation.
 */
export const MAX_NPY_HEADER_BYTES = 10_000;

/** The keys of a .npy header dict, all required, no others (as numpy requires). */
const HEADER_KEYS = ["descr", "fortran_order", "shape"] as const;

/** Bytes before the header: the magic (6), the version (2). */
const PREAMBLE_BYTES = 8;

/**
 * Parses and validates a .npy header (format versions 1, 2, 3): magic, version, header length (at most
 * {@link MAX_NPY_HEADER_BYTES}), the dict literal with exactly the keys descr (little-endian float32/float16/float64),
 * fortran_order (must be False) and shape (a tuple of integers), and that the data fill the rest of the file exactly.
 * @internal
 */
export async function npyHeader(
  fn: string,
  name: string,
  size: number,
  readAt: (position: number, length: number) => Promise<Uint8Array>,
): Promise<TensorInfo> {
  if (size < PREAMBLE_BYTES + 2) throw new LuceError(fn, "path", "is too short for a .npy file");
  const head = await readAt(0, PREAMBLE_BYTES + 4 <= size ? PREAMBLE_BYTES + 4 : PREAMBLE_BYTES + 2);
  if (head[0] !== 0x93 || String.fromCharCode(...head.subarray(1, 6)) !== "NUMPY")
    throw new LuceError(fn, "path", "is not a .npy file (bad magic)");
  const major = head[6];
  if (major < 1 || major > 3) throw new LuceError(fn, "path", `has .npy version ${major}.${head[7]}, not 1, 2 or 3`);
  const view = new DataView(head.buffer);
  const lengthBytes = major === 1 ? 2 : 4;
  if (PREAMBLE_BYTES + lengthBytes > size) throw new LuceError(fn, "path", "is too short for a .npy file");
  const headerLength = major === 1 ? view.getUint16(PREAMBLE_BYTES, true) : view.getUint32(PREAMBLE_BYTES, true);
  if (headerLength > MAX_NPY_HEADER_BYTES)
    throw new LuceError(
      fn,
      "path",
      `declares a ${headerLength}-byte header, more than the ${MAX_NPY_HEADER_BYTES} bytes numpy reads by default`,
    );
  const dataStart = PREAMBLE_BYTES + lengthBytes + headerLength;
  if (dataStart > size)
    throw new LuceError(fn, "path", `declares a ${headerLength}-byte header in a ${size}-byte file`);
  const bytes = await readAt(PREAMBLE_BYTES + lengthBytes, headerLength);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? "utf-8" : "latin1", { fatal: true }).decode(bytes);
  } catch {
    throw new LuceError(fn, "header", "is not valid UTF-8 (format version 3)");
  }
  const dict = parseNpyHeaderLiteral(fn, text, major <= 2);
  for (const key of dict.keys())
    if (!(HEADER_KEYS as readonly string[]).includes(key))
      throw new LuceError(fn, "header", `has the key '${key}': numpy's header has only ${HEADER_KEYS.join(", ")}`);
  const field = (key: (typeof HEADER_KEYS)[number]): NpyHeaderValue => {
    const value = dict.get(key);
    if (value === undefined) throw new LuceError(fn, `header.${key}`, "is missing");
    return value;
  };
  const descr = field("descr");
  const dtype = typeof descr === "string" ? DESCR[descr] : undefined;
  if (dtype === undefined)
    throw new LuceError(
      fn,
      "header.descr",
      `is ${JSON.stringify(descr)}: luce reads little-endian float32, float16 and float64`,
    );
  const fortranOrder = field("fortran_order");
  if (typeof fortranOrder !== "boolean") throw new LuceError(fn, "header.fortran_order", "must be True or False");
  if (fortranOrder) throw new LuceError(fn, "header.fortran_order", "must be False (C order)");
  const dims = field("shape");
  if (!Array.isArray(dims)) throw new LuceError(fn, "header.shape", "must be a tuple of integers");
  const byteLength = shapeBytes(fn, "header.shape", dims, DTYPE_BYTES[dtype], size - dataStart);
  if (byteLength !== size - dataStart)
    throw new LuceError(fn, "header.shape", `gives ${byteLength} data bytes, but the file has ${size - dataStart}`);
  return { name, dtype, shape: dims, byteOffset: dataStart, byteLength };
}
