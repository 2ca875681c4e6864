import { LuceError } from "../../errors.js";

/**
 * Checks a shape and returns the number of data bytes it needs, refusing products beyond what a
 * file can hold (so a hostile shape cannot overflow or allocate).
 * @internal
 */
export function shapeBytes(fn: string, argument: string, shape: unknown, element: number, available: number): number {
  if (!Array.isArray(shape)) throw new LuceError(fn, argument, "must be a list of dimensions");
  let count = 1;
  shape.forEach((d, i) => {
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0)
      throw new LuceError(fn, `${argument}[${i}]`, `must be a non-negative integer, got ${String(d)}`);
    count *= d;
    if (count * element > available)
      throw new LuceError(fn, argument, `needs more data than the file holds (${available} bytes)`);
  });
  return count * element;
}
