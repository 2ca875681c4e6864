import { LuceError } from "../../errors.js";
import { describe } from "../../validation/checks.js";

/**
 * Checks a shape and returns the number of data bytes it needs, refusing products beyond what a
 * file can hold (so a hostile shape cannot overflow or allocate). Entries are described, never
 * stringified, so a nested or deeply nested entry gets a message rather than a stack overflow.
 * @internal
 */
export function shapeBytes(fn: string, argument: string, shape: unknown, element: number, available: number): number {
  if (!Array.isArray(shape)) throw new LuceError(fn, argument, `must be a list of dimensions, got ${describe(shape)}`);
  let count = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0)
      throw new LuceError(fn, `${argument}[${i}]`, `must be a non-negative integer, got ${describe(d)}`);
    count *= d;
    if (count * element > available)
      throw new LuceError(fn, argument, `needs more data than the file holds (${available} bytes)`);
  }
  return count * element;
}
