import { LuceError } from "../errors.js";
import { describe, requireArrayLike } from "../validation/checks.js";
import { bfloat16ToNumber, float16ToNumber } from "./io/dtypes.js";

/**
 * An n-dimensional array view, as scijs ndarray and most array libraries describe one: flat data,
 * a shape, and optionally strides (in elements) and an offset. A scijs `ndarray` view works as is,
 * so slicing or shifting is a view, not a copy.
 */
export interface ArrayView<T> {
  /** Flat storage. */
  readonly data: T;
  /** Dimensions. */
  readonly shape: readonly number[];
  /** Elements to step per index of each dimension; default row-major. */
  readonly stride?: readonly number[];
  /** Index of element [0, 0, …] in `data`; default 0. */
  readonly offset?: number;
  /**
   * For `Uint16Array` data: `"float16"` or `"bfloat16"`. Ignored for float data (so a scijs
   * ndarray's own `dtype`, e.g. `"float32"`, does no harm).
   */
  readonly dtype?: string;
}

/**
 * Logits: float32 (or float64), or float16/bfloat16 bits in a Uint16Array with `dtype`; an ONNX
 * Runtime tensor (`{ data, dims, type }`) is accepted as well.
 */
export type LogitsView = ArrayView<Float32Array | Float64Array | Uint16Array> | OrtTensorLike;

/** The fields of an ONNX Runtime tensor that luce reads (CPU data). */
export interface OrtTensorLike {
  /** The tensor's CPU data. */
  readonly data: Float32Array | Float64Array | Uint16Array;
  /** Its dimensions. */
  readonly dims: readonly number[];
  /** Its element type, e.g. `"float32"` or `"float16"`. */
  readonly type: string;
}

/**
 * Token ids or a mask: integers in any array-like, int64 ids in a `BigInt64Array` (as ONNX Runtime and tokenizers
 * give `input_ids` and `attention_mask`) included.
 */
export type LabelsView = ArrayView<ArrayLike<number> | BigInt64Array>;

/** A validated view with a reader for one element. @internal */
export interface ReadableView {
  /** The argument it was read from, as the caller wrote it (`logits`, `inputs.policyLogits`): errors name it. */
  readonly name: string;
  readonly shape: number[];
  readonly stride: number[];
  readonly offset: number;
  readonly read: (index: number) => number;
  /** The data when its last dimension has unit stride and holds floats (read directly in hot loops), else null. */
  readonly contiguous: Float32Array | Float64Array | null;
  /** Whether the data are float64 (so float32 would round them). */
  readonly float64: boolean;
}

/** The fields of a view, each read once from the caller's object, validated. */
interface ViewFields {
  readonly data: ArrayLike<unknown>;
  readonly shape: number[];
  readonly stride: number[];
  readonly offset: number;
  readonly dtype: unknown;
}

/** Dimensions listed in a message before the rest are counted. */
const LISTED_DIMENSIONS = 8;

/** A shape for a message: entries described (never stringified: a nested or Symbol entry must not throw). */
function formatShape(shape: ArrayLike<unknown>): string {
  const shown = Array.from({ length: Math.min(shape.length, LISTED_DIMENSIONS) }, (_, i) => describe(shape[i]));
  return `[${shown.join(", ")}${shape.length > LISTED_DIMENSIONS ? `, … (${shape.length} entries)` : ""}]`;
}

/** %TypedArray%, the constructor every typed array class extends. */
const TYPED_ARRAY = Object.getPrototypeOf(Int8Array) as new () => ArrayBufferView;

/**
 * Reads the fields of a view (or an ONNX Runtime tensor's `data`, `dims`, `type`) once each, so a getter or Proxy
 * that answers differently on a second read cannot change a validated value, and validates them: `rank`
 * non-negative integer dimensions (matching `expectedShape` where given), integer strides (default row-major),
 * a non-negative integer offset, and every index inside the data. Absent optional fields are `undefined`; `null`
 * is an error, not a default.
 */
function readViewFields(
  fn: string,
  name: string,
  view: unknown,
  rank: number,
  expectedShape?: readonly number[],
): ViewFields {
  const fields = (view !== null && typeof view === "object" ? view : {}) as Record<string, unknown>;
  const ort = "dims" in fields && "type" in fields && "data" in fields && !("shape" in fields);
  if (!ort && !("data" in fields && "shape" in fields))
    throw new LuceError(fn, name, "must be an array view { data, shape, stride?, offset? } or an ONNX Runtime tensor");
  const data = fields.data;
  const shapeName = ort ? `${name}.dims` : `${name}.shape`;
  const givenShape = requireArrayLike(fn, shapeName, ort ? fields.dims : fields.shape);
  const stride = ort ? undefined : fields.stride;
  const offset = ort ? undefined : fields.offset;
  const dtype = ort ? ortDtype(fields.type) : fields.dtype;
  // a Proxy of a typed array inherits its prototype but not its internal slots: its `length` throws
  if (data instanceof TYPED_ARRAY && !ArrayBuffer.isView(data))
    throw new LuceError(fn, `${name}.data`, "poses as a typed array (a Proxy?): pass the typed array itself");
  if (data === null || typeof data !== "object" || typeof (data as { length?: unknown }).length !== "number")
    throw new LuceError(fn, `${name}.data`, `must be a typed array or an array, got ${describe(data)}`);
  // the length first: a shape claiming billions of entries is refused before it is copied
  const shape = givenShape.length === rank ? Array.from(givenShape) : null;
  if (shape === null || !shape.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0))
    throw new LuceError(
      fn,
      shapeName,
      `must have ${rank} non-negative integer dimensions, got ${formatShape(shape ?? givenShape)}`,
    );
  const dims = shape as number[];
  if (expectedShape !== undefined && expectedShape.some((d, i) => dims[i] !== d))
    throw new LuceError(
      fn,
      shapeName,
      `is [${dims.join(", ")}], expected [${expectedShape.join(", ")}] in its first ${expectedShape.length} dimensions`,
    );
  const strides = stride === undefined ? rowMajorStrides(fn, shapeName, dims) : readStrides(fn, name, stride, rank);
  if (offset !== undefined && (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0))
    throw new LuceError(fn, `${name}.offset`, `must be a non-negative integer, got ${describe(offset)}`);
  const start = offset ?? 0;
  // the view must stay inside its data: check the extreme indices
  let lo = start;
  let hi = start;
  dims.forEach((d, i) => {
    if (d === 0) return;
    if (strides[i] > 0) hi += strides[i] * (d - 1);
    else lo += strides[i] * (d - 1);
  });
  const length = (data as ArrayLike<unknown>).length;
  if (dims.every((d) => d > 0) && (lo < 0 || hi >= length))
    throw new LuceError(fn, name, `reaches index ${lo < 0 ? lo : hi} outside its data of length ${length}`);
  return { data: data as ArrayLike<unknown>, shape: dims, stride: strides, offset: start, dtype };
}

/** Row-major strides of a shape; a shape whose trailing dimensions multiply past 2^53 is refused as a shape. */
function rowMajorStrides(fn: string, shapeName: string, shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i];
    if (!Number.isSafeInteger(step))
      throw new LuceError(fn, shapeName, `is ${formatShape(shape)}: its elements cannot be indexed (beyond 2^53)`);
  }
  return strides;
}

function readStrides(fn: string, name: string, stride: unknown, rank: number): number[] {
  const array = requireArrayLike(fn, `${name}.stride`, stride);
  const given = array.length === rank ? Array.from(array) : null;
  if (given === null || !given.every((s) => typeof s === "number" && Number.isSafeInteger(s)))
    throw new LuceError(fn, `${name}.stride`, `must have ${rank} integer entries, got ${formatShape(given ?? array)}`);
  return given as number[];
}

/** The dtype an ONNX Runtime tensor's `type` names for Uint16Array data. */
function ortDtype(type: unknown): string | undefined {
  return type === "float16" || type === "bfloat16" ? type : undefined;
}

/** Validates a view of float logits of `rank` dimensions (and `expectedShape` where given). @internal */
export function readView(
  fn: string,
  name: string,
  view: unknown,
  rank: number,
  expectedShape?: readonly number[],
): ReadableView {
  const { data, shape, stride, offset, dtype } = readViewFields(fn, name, view, rank, expectedShape);
  let read: (index: number) => number;
  if (data instanceof Float32Array || data instanceof Float64Array) {
    read = (i) => data[i];
  } else if (data instanceof Uint16Array) {
    if (dtype === "float16") read = (i) => float16ToNumber(data[i]);
    else if (dtype === "bfloat16") read = (i) => bfloat16ToNumber(data[i]);
    else
      throw new LuceError(
        fn,
        `${name}.dtype`,
        `must be 'float16' or 'bfloat16' for Uint16Array data, got ${typeof dtype === "string" ? JSON.stringify(dtype) : describe(dtype)}`,
      );
  } else {
    throw new LuceError(
      fn,
      `${name}.data`,
      `must be a Float32Array, a Float64Array, or a Uint16Array of float16/bfloat16 bits, got ${kindOf(data)}`,
    );
  }
  const contiguous =
    stride[rank - 1] === 1 && (data instanceof Float32Array || data instanceof Float64Array) ? data : null;
  return { name, shape, stride, offset, read, contiguous, float64: data instanceof Float64Array };
}

/** What kind of array-like a value is, for messages (`Int8Array`, `BigInt64Array (int64)`, an array). */
function kindOf(data: ArrayLike<unknown>): string {
  if (data instanceof BigInt64Array) return "a BigInt64Array (int64 values are not logits)";
  if (ArrayBuffer.isView(data)) return `an ${data.constructor.name}`;
  return Array.isArray(data) ? "an array (convert it to a Float32Array or Float64Array)" : describe(data);
}

/**
 * Labels or a mask [B, T] (a view, or nested arrays) read once, row-major, into a copy: numbers as they are, BigInts
 * (int64 ids and masks) as numbers where they are safe integers, booleans as 1 and 0 where `booleans` allows them.
 * Any other entry, or one that `check` finds a problem with, is an error naming its position. Later reads see the
 * copy, never the caller's object.
 * @internal
 */
export function readMatrix(
  fn: string,
  name: string,
  value: unknown,
  expectedShape?: readonly number[],
  booleans = false,
  check: (x: number) => string | null = () => null,
): ReadableView {
  let rows: number;
  let width: number;
  let entry: (b: number, t: number) => unknown;
  if (Array.isArray(value) && (value.length === 0 || Array.isArray(value[0]))) {
    const copies = Array.from({ length: value.length }, (_, b) => {
      const row: unknown = value[b]; // a hole is undefined here, and refused
      if (!Array.isArray(row)) throw new LuceError(fn, `${name}[${b}]`, `must be an array, got ${describe(row)}`);
      return row.slice() as unknown[];
    });
    rows = copies.length;
    width = rows === 0 ? 0 : copies[0].length;
    copies.forEach((row, b) => {
      if (row.length !== width) throw new LuceError(fn, `${name}[${b}]`, `must be an array of length ${width}`);
    });
    if (expectedShape !== undefined && (rows !== expectedShape[0] || width !== expectedShape[1]))
      throw new LuceError(fn, `${name}.shape`, `is [${rows}, ${width}], expected [${expectedShape.join(", ")}]`);
    entry = (b, t) => copies[b][t];
  } else {
    const v = readViewFields(fn, name, value, 2, expectedShape);
    [rows, width] = v.shape;
    entry = (b, t) => v.data[v.offset + b * v.stride[0] + t * v.stride[1]];
  }
  const copy = new Float64Array(rows * width);
  for (let b = 0; b < rows; b++) {
    for (let t = 0; t < width; t++) {
      const x = (copy[b * width + t] = matrixEntry(fn, `${name}[${b}][${t}]`, entry(b, t), booleans));
      const problem = check(x);
      if (problem !== null) throw new LuceError(fn, `${name}[${b}][${t}]`, problem);
    }
  }
  return {
    name,
    shape: [rows, width],
    stride: [width, 1],
    offset: 0,
    read: (i) => copy[i],
    contiguous: null,
    float64: false,
  };
}

function matrixEntry(fn: string, name: string, x: unknown, booleans: boolean): number {
  if (typeof x === "number") return x;
  if (typeof x === "bigint") {
    if (x < BigInt(Number.MIN_SAFE_INTEGER) || x > BigInt(Number.MAX_SAFE_INTEGER))
      throw new LuceError(fn, name, `is ${describe(x)}, beyond the safe integers`);
    return Number(x);
  }
  if (booleans && typeof x === "boolean") return x ? 1 : 0;
  throw new LuceError(fn, name, `must be a number${booleans ? " or a boolean" : ""}, got ${describe(x)}`);
}
