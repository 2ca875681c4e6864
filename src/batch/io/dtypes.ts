/** Element types of tensor files luce reads. */
export type TensorDtype = "float32" | "float16" | "bfloat16" | "float64";

/** Bytes per element. @internal */
export const DTYPE_BYTES: Record<TensorDtype, number> = { float32: 4, float16: 2, bfloat16: 2, float64: 8 };

/**
 * IEEE half-precision bits to a number: sign, 5 exponent bits, 10 mantissa bits; subnormals,
 * infinities and NaN included. Exact (every float16 is a float32).
 * @internal
 */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

const scratch = new DataView(new ArrayBuffer(4));
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** bfloat16 bits to a number: the upper half of a float32. Exact. @internal */
export function bfloat16ToNumber(bits: number): number {
  scratch.setUint32(0, bits << 16);
  return scratch.getFloat32(0);
}

/**
 * Decodes little-endian elements of `dtype` from `bytes` into `out` starting at `at`.
 * @internal
 */
export function decode(dtype: TensorDtype, bytes: Uint8Array, out: Float32Array | Float64Array, at: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / DTYPE_BYTES[dtype];
  const aligned = bytes.byteOffset % DTYPE_BYTES[dtype] === 0;
  // on little-endian hosts (all Node platforms in practice) float32 and float64 are copied as typed arrays
  if (LITTLE_ENDIAN && aligned && dtype === "float32")
    return out.set(new Float32Array(bytes.buffer, bytes.byteOffset, n), at);
  if (LITTLE_ENDIAN && aligned && dtype === "float64")
    return out.set(new Float64Array(bytes.buffer, bytes.byteOffset, n), at);
  switch (dtype) {
    case "float32":
      for (let i = 0; i < n; i++) out[at + i] = view.getFloat32(4 * i, true);
      break;
    case "float64":
      for (let i = 0; i < n; i++) out[at + i] = view.getFloat64(8 * i, true);
      break;
    case "float16":
      for (let i = 0; i < n; i++) out[at + i] = float16ToNumber(view.getUint16(2 * i, true));
      break;
    case "bfloat16":
      for (let i = 0; i < n; i++) out[at + i] = bfloat16ToNumber(view.getUint16(2 * i, true));
      break;
  }
}
