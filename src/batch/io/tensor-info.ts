import type { TensorDtype } from "./dtypes.js";

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
