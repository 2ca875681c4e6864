import { LuceError } from "../errors.js";

/**
 * Shared argument checks. Internal: each throws a {@link LuceError} that names
 * the calling public function and the argument, so the messages read alike.
 * @internal
 */

/** A finite number (not NaN, not ±Infinity). */
export function requireFinite(fn: string, name: string, x: unknown): number {
  if (typeof x !== "number" || !Number.isFinite(x)) {
    throw new LuceError(fn, name, `must be a finite number, got ${describe(x)}`);
  }
  return x;
}

/** A number that is finite or -Infinity (log-probabilities of impossible events). */
export function requireLogProbability(fn: string, name: string, x: unknown): number {
  if (typeof x !== "number" || Number.isNaN(x) || x === Infinity) {
    throw new LuceError(fn, name, `must be a number below +Infinity (a log-probability), got ${describe(x)}`);
  }
  return x;
}

/** A finite number strictly greater than zero. */
export function requirePositive(fn: string, name: string, x: unknown): number {
  requireFinite(fn, name, x);
  if ((x as number) <= 0) throw new LuceError(fn, name, `must be > 0, got ${x as number}`);
  return x as number;
}

/** A non-negative integer. */
export function requireIndex(fn: string, name: string, x: unknown, size?: number): number {
  if (typeof x !== "number" || !Number.isInteger(x) || x < 0) {
    throw new LuceError(fn, name, `must be a non-negative integer index, got ${describe(x)}`);
  }
  if (size !== undefined && x >= size) {
    throw new LuceError(fn, name, `is ${x}, out of range for ${size} items`);
  }
  return x;
}

/** An array-like of numbers of at least `minLength`, every entry finite. */
export function requireFiniteArray(fn: string, name: string, a: unknown, minLength = 0): ArrayLike<number> {
  const arr = requireArrayLike(fn, name, a);
  if (arr.length < minLength) {
    throw new LuceError(fn, name, `must have at least ${minLength} entries, got ${arr.length}`);
  }
  for (let i = 0; i < arr.length; i++) requireFinite(fn, `${name}[${i}]`, arr[i]);
  return arr as ArrayLike<number>;
}

/** An array or typed array (anything with a numeric length, not a string). */
export function requireArrayLike(fn: string, name: string, a: unknown): ArrayLike<unknown> {
  if (a === null || typeof a !== "object" || typeof (a as { length?: unknown }).length !== "number") {
    throw new LuceError(fn, name, `must be an array or typed array, got ${describe(a)}`);
  }
  return a as ArrayLike<unknown>;
}

/** Two array-likes of the same length. */
export function requireSameLength(fn: string, name: string, a: ArrayLike<unknown>, expected: number, expectedName: string): void {
  if (a.length !== expected) {
    throw new LuceError(fn, name, `has length ${a.length}, but '${expectedName}' has length ${expected}`);
  }
}

/** Short description of a bad value for messages. */
export function describe(x: unknown): string {
  if (typeof x === "number") return String(x);
  if (x === null) return "null";
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  return typeof x;
}

/** A safe integer (any sign). */
export function requireInteger(fn: string, name: string, x: unknown): number {
  if (typeof x !== "number" || !Number.isSafeInteger(x)) throw new LuceError(fn, name, `must be an integer, got ${describe(x)}`);
  return x;
}

/** An integer count ≥ `min`. */
export function requireCount(fn: string, name: string, x: unknown, min: number): number {
  if (typeof x !== "number" || !Number.isSafeInteger(x) || x < min) {
    throw new LuceError(fn, name, `must be an integer >= ${min}, got ${describe(x)}`);
  }
  return x;
}

/** A number that is not NaN (±Infinity allowed). */
export function requireNumber(fn: string, name: string, x: unknown): number {
  if (typeof x !== "number" || Number.isNaN(x)) {
    throw new LuceError(fn, name, `must be a number (not NaN), got ${describe(x)}`);
  }
  return x;
}
