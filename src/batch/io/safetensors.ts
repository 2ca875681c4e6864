import { LuceError } from "../../errors.js";
import { DTYPE_BYTES, type TensorDtype } from "./dtypes.js";
import { repeatedJsonKey } from "./json-object-keys.js";
import { shapeBytes } from "./shape.js";
import type { TensorInfo } from "./tensor-info.js";

const DTYPES: Record<string, TensorDtype> = { F32: "float32", F16: "float16", BF16: "bfloat16", F64: "float64" };
/** A header larger than this is refused before it is read (the format's own limit is 100 MB). */
const MAX_HEADER = 100 * 2 ** 20;
/** The header's one key that is not a tensor: a map of strings to strings. */
const METADATA = "__metadata__";
/** Characters of a tensor name quoted in a message; longer names are cut, so a message stays short. */
const NAME_CHARS = 80;

/**
 * Parses and validates a safetensors header: the 8-byte little-endian size (within the file and
 * 100 MB), the JSON (no key twice: `JSON.parse` would keep the last silently, where another reader
 * may keep the first), `__metadata__` (string values only, as the format defines it), and for every
 * tensor its dtype, shape, and data_offsets (inside the data section, matching the shape's size,
 * not overlapping another tensor).
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
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
    header = JSON.parse(text);
  } catch {
    throw new LuceError(fn, "header", "is not valid UTF-8 JSON");
  }
  if (header === null || typeof header !== "object" || Array.isArray(header))
    throw new LuceError(fn, "header", "must be a JSON object");
  const repeated = repeatedJsonKey(text);
  if (repeated !== undefined) throw new LuceError(fn, `header[${quote(repeated)}]`, "is given twice");
  requireMetadata(fn, (header as Record<string, unknown>)[METADATA]);
  const dataStart = 8 + headerLength;
  const available = size - dataStart;
  const out: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA) continue;
    const where = `header[${quote(name)}]`;
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
      throw new LuceError(
        fn,
        `header[${quote(sorted[i].name)}].data_offsets`,
        `overlaps tensor ${quote(sorted[i - 1].name)}`,
      );
    }
  }
  return out;
}

/** `__metadata__`, where present: an object of string values (the format's text-to-text map). */
function requireMetadata(fn: string, metadata: unknown): void {
  if (metadata === undefined) return;
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata))
    throw new LuceError(fn, `header[${quote(METADATA)}]`, "must be an object of strings");
  for (const [key, value] of Object.entries(metadata))
    if (typeof value !== "string")
      throw new LuceError(fn, `header[${quote(METADATA)}][${quote(key)}]`, "must be a string");
}

/** A tensor name for a message: JSON-quoted, cut after {@link NAME_CHARS} characters. @internal */
export function quote(name: string): string {
  return name.length <= NAME_CHARS ? JSON.stringify(name) : `${JSON.stringify(name.slice(0, NAME_CHARS))}…`;
}
