import { LuceError } from "../errors.js";
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

/** Token ids: integers in any array-like. */
export type LabelsView = ArrayView<ArrayLike<number>>;

/** A validated view with a reader for one element. @internal */
export interface ReadableView {
  readonly shape: number[];
  readonly stride: number[];
  readonly offset: number;
  readonly read: (index: number) => number;
  /** The data when its last dimension has unit stride and holds floats (read directly in hot loops), else null. */
  readonly contiguous: Float32Array | Float64Array | null;
  /** Whether the data are float64 (so float32 would round them). */
  readonly float64: boolean;
}

/**
 * An ONNX Runtime tensor as a view: `dims` for `shape`, its `type` for the dtype (float16 data
 * come as Uint16Array). Read on the CPU: call `getData()` first for a tensor that lives on a GPU.
 */
function fromOrtTensor(view: { data: unknown; dims: readonly number[]; type: string }): ArrayView<ArrayLike<number>> {
  const dtype =
    view.type === "float16" ? ("float16" as const) : view.type === "bfloat16" ? ("bfloat16" as const) : undefined;
  return { data: view.data as ArrayLike<number>, shape: view.dims, ...(dtype === undefined ? {} : { dtype }) };
}

/** Validates a view of `rank` dimensions (and `expectedShape` where given). @internal */
export function readView(
  fn: string,
  name: string,
  view: unknown,
  rank: number,
  expectedShape?: readonly number[],
): ReadableView {
  if (
    view !== null &&
    typeof view === "object" &&
    "dims" in view &&
    "type" in view &&
    "data" in view &&
    !("shape" in view)
  ) {
    view = fromOrtTensor(view as { data: unknown; dims: readonly number[]; type: string });
  }
  if (view === null || typeof view !== "object" || !("data" in view) || !("shape" in view)) {
    throw new LuceError(fn, name, "must be an array view { data, shape, stride?, offset? } or an ONNX Runtime tensor");
  }
  const v = view as ArrayView<ArrayLike<number>>;
  const shape = Array.from(v.shape ?? []);
  if (shape.length !== rank || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new LuceError(
      fn,
      `${name}.shape`,
      `must have ${rank} non-negative integer dimensions, got [${shape.join(", ")}]`,
    );
  }
  if (expectedShape !== undefined) {
    expectedShape.forEach((d, i) => {
      if (shape[i] !== d)
        throw new LuceError(
          fn,
          `${name}.shape`,
          `is [${shape.join(", ")}], expected [${expectedShape.join(", ")}] in its first ${expectedShape.length} dimensions`,
        );
    });
  }
  const stride =
    v.stride === undefined ? shape.map((_, i) => shape.slice(i + 1).reduce((a, d) => a * d, 1)) : Array.from(v.stride);
  const offset = v.offset ?? 0;
  if (stride.length !== rank || !stride.every((s) => Number.isSafeInteger(s)))
    throw new LuceError(fn, `${name}.stride`, `must have ${rank} integer entries`);
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new LuceError(fn, `${name}.offset`, "must be a non-negative integer");
  // the view must stay inside its data: check the extreme indices
  let lo = offset;
  let hi = offset;
  shape.forEach((d, i) => {
    if (d === 0) return;
    if (stride[i] > 0) hi += stride[i] * (d - 1);
    else lo += stride[i] * (d - 1);
  });
  const length = (v.data as ArrayLike<number>).length;
  if (shape.every((d) => d > 0) && (lo < 0 || hi >= length))
    throw new LuceError(fn, name, `reaches index ${lo < 0 ? lo : hi} outside its data of length ${length}`);
  const data = v.data as ArrayLike<number>;
  let read: (index: number) => number;
  if (data instanceof Uint16Array) {
    if (v.dtype === "float16") read = (i) => float16ToNumber(data[i]);
    else if (v.dtype === "bfloat16") read = (i) => bfloat16ToNumber(data[i]);
    else
      throw new LuceError(
        fn,
        `${name}.dtype`,
        `must be 'float16' or 'bfloat16' for Uint16Array data, got ${JSON.stringify(v.dtype)}`,
      );
  } else {
    read = (i) => data[i];
  }
  const contiguous =
    stride[rank - 1] === 1 && (data instanceof Float32Array || data instanceof Float64Array) ? data : null;
  return { shape, stride, offset, read, contiguous, float64: data instanceof Float64Array };
}

/** Labels or a mask as a view: nested arrays `[B][T]` are accepted too. @internal */
export function readMatrix(fn: string, name: string, value: unknown, expectedShape?: readonly number[]): ReadableView {
  if (Array.isArray(value) && (value.length === 0 || Array.isArray(value[0]))) {
    const rows = value as ArrayLike<number>[];
    const width = rows.length === 0 ? 0 : rows[0].length;
    rows.forEach((row, b) => {
      if (!Array.isArray(row) || row.length !== width)
        throw new LuceError(fn, `${name}[${b}]`, `must be an array of length ${width}`);
    });
    const flat = rows.flatMap((row) => Array.from(row));
    return readView(fn, name, { data: flat, shape: [rows.length, width] }, 2, expectedShape);
  }
  return readView(fn, name, value, 2, expectedShape);
}
