import { LuceError } from "../../errors.js";
import { DTYPE_BYTES, type TensorDtype } from "./dtypes.js";
import { shapeBytes } from "./shape.js";
import type { TensorInfo } from "./tensor-file.js";

const DTYPES: Record<string, TensorDtype> = { F32: "float32", F16: "float16", BF16: "bfloat16", F64: "float64" };
/** A header larger than this is refused before it is read (the format's own limit is 100 MB). */
const MAX_HEADER = 100 * 2 ** 20;

/**
 * Parses and validates a safetensors header: the 8-byte little-endian size (within the file and
 * 100 MB), the JSON, and for every tensor its dtype, shape, and data_offsets (inside the data
 * section, matching the shape's size, not overlapping another tensor).
 * @internal
 */
export async function safetensorsHeader(
  fn: string,
  size: number,
  readAt: (position: number, length: number) => Promise<Uint8Array>,
): Promise<TensorInfo[]> {
  if (size < 8) throw new LuceError(fn, "path", "is too short for a safetensors file");
  const n = new DataView((await readAt(0, 8)).buffer).getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, size - 8)))
    throw new LuceError(fn, "header size", `is ${n} bytes, beyond the file (${size} bytes) or the 100 MB limit`);
  const headerLength = Number(n);
  const raw = await readAt(8, headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch {
    throw new LuceError(fn, "header", "is not valid UTF-8 JSON");
  }
  if (header === null || typeof header !== "object" || Array.isArray(header))
    throw new LuceError(fn, "header", "must be a JSON object");
  const dataStart = 8 + headerLength;
  const available = size - dataStart;
  const out: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") continue;
    const where = `header["${name}"]`;
    if (entry === null || typeof entry !== "object") throw new LuceError(fn, where, "must be an object");
    const {
      dtype: code,
      shape,
      data_offsets: offsets,
    } = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = typeof code === "string" ? DTYPES[code] : undefined;
    if (dtype === undefined)
      throw new LuceError(fn, `${where}.dtype`, `is ${JSON.stringify(code)}: luce reads F32, F16, BF16 and F64`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw new LuceError(fn, `${where}.data_offsets`, "must be [begin, end] with non-negative integers");
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > available)
      throw new LuceError(
        fn,
        `${where}.data_offsets`,
        `[${begin}, ${end}] is not inside the ${available}-byte data section`,
      );
    const byteLength = shapeBytes(fn, `${where}.shape`, shape, DTYPE_BYTES[dtype], available);
    if (byteLength !== end - begin)
      throw new LuceError(fn, `${where}.shape`, `gives ${byteLength} bytes, but data_offsets span ${end - begin}`);
    out.push({ name, dtype, shape: shape as number[], byteOffset: dataStart + begin, byteLength });
  }
  const sorted = [...out].sort((a, b) => a.byteOffset - b.byteOffset);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].byteOffset < sorted[i - 1].byteOffset + sorted[i - 1].byteLength) {
      throw new LuceError(fn, `header["${sorted[i].name}"].data_offsets`, `overlaps tensor '${sorted[i - 1].name}'`);
    }
  }
  return out;
}
