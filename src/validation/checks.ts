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

/**
 * An array-like of numbers of at least `minLength`, every entry finite, read once (its length
 * and each entry) into a Float64Array copy: callers compute on the copy, so a getter or Proxy
 * that answers differently on a second read cannot turn a validated value into NaN.
 */
export function requireFiniteArray(fn: string, name: string, a: unknown, minLength = 0): Float64Array {
  const length = requireArrayLength(fn, name, a);
  const arr = a as ArrayLike<unknown>;
  if (length < minLength) {
    throw new LuceError(fn, name, `must have at least ${minLength} entries, got ${length}`);
  }
  requireLastEntry(fn, name, a, length);
  const copy = new Float64Array(length);
  for (let i = 0; i < length; i++) copy[i] = requireFinite(fn, `${name}[${i}]`, arr[i]);
  return copy;
}

/**
 * An array-like's entries read once into a plain array, its length checked first (lying lengths
 * refused before the copy is allocated): `{ length: 1e9, 0: 1 }` would otherwise cost gigabytes.
 */
export function copyArrayLike(fn: string, name: string, a: unknown): unknown[] {
  const length = requireArrayLength(fn, name, a);
  requireLastEntry(fn, name, a, length);
  const arr = a as ArrayLike<unknown>;
  return Array.from({ length }, (_, i) => arr[i]);
}

/**
 * The longest array-like luce accepts: 2^32 − 1, JavaScript's own array limit. A `length` past it,
 * negative, fractional or NaN is a lie that would otherwise surface as a RangeError or a long loop.
 */
export const MAX_ARRAY_LENGTH = 2 ** 32 - 1;

/** An array or typed array (anything with a numeric length in [0, 2^32 − 1], not a string). */
export function requireArrayLike(fn: string, name: string, a: unknown): ArrayLike<unknown> {
  requireArrayLength(fn, name, a);
  return a as ArrayLike<unknown>;
}

/**
 * The length of an array-like, read once and checked as {@link requireArrayLike} does. Callers that
 * loop use this value, not a second read of `length` (a getter could answer differently).
 */
export function requireArrayLength(fn: string, name: string, a: unknown): number {
  if (a === null || typeof a !== "object") {
    throw new LuceError(fn, name, `must be an array or typed array, got ${describe(a)}`);
  }
  const length: unknown = (a as { length?: unknown }).length;
  if (typeof length !== "number") throw new LuceError(fn, name, `must be an array or typed array, got ${describe(a)}`);
  if (!Number.isInteger(length) || length < 0 || length > MAX_ARRAY_LENGTH) {
    throw new LuceError(fn, name, `has length ${String(length)}, not an integer in [0, 2^32 − 1]`);
  }
  return length;
}

/**
 * Refuses an array-like whose last claimed entry is missing, before a caller allocates a copy of
 * `length` entries: `{ length: 2 ** 32 - 1 }` would otherwise cost a 32 GiB allocation (a RangeError)
 * before its first entry is read. Arrays, typed arrays and honest array-likes pass with one lookup.
 */
export function requireLastEntry(fn: string, name: string, a: unknown, length: number): void {
  if (length > 0 && !(length - 1 in (a as object)))
    throw new LuceError(fn, `${name}[${length - 1}]`, `is missing: ${name} claims ${length} entries`);
}

/**
 * An options object: `undefined` (no options) or a plain object whose every key is one of `known`.
 * In JavaScript a misspelt option (`{ lossTyp: "ipo" }`) would otherwise become a silent default,
 * so unknown keys are an error that lists the known ones.
 */
export function requireOptions<T extends object>(
  fn: string,
  name: string,
  options: T | undefined,
  known: readonly string[],
): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new LuceError(fn, name, `must be an options object, got ${describe(options)}`);
  }
  for (const key of Reflect.ownKeys(options)) {
    if (typeof key !== "string" || !known.includes(key)) {
      const list = known.length === 0 ? "it takes none" : `known: ${known.join(", ")}`;
      throw new LuceError(fn, `${name}.${String(key)}`, `is not an option of ${fn} (${list})`);
    }
  }
  return options;
}

/** A boolean (not a truthy or falsy stand-in: `"no"` or `0` would silently mean the opposite). */
export function requireBoolean(fn: string, name: string, x: unknown): boolean {
  if (typeof x !== "boolean") throw new LuceError(fn, name, `must be true or false, got ${describe(x)}`);
  return x;
}

/** Two array-likes of the same length. */
export function requireSameLength(
  fn: string,
  name: string,
  a: ArrayLike<unknown>,
  expected: number,
  expectedName: string,
): void {
  if (a.length !== expected) {
    throw new LuceError(fn, name, `has length ${a.length}, but '${expectedName}' has length ${expected}`);
  }
}

/** Short description of a bad value for messages; never throws (Symbols, BigInts, null prototypes). */
export function describe(x: unknown): string {
  if (typeof x === "number") return String(x);
  if (typeof x === "bigint") return `the BigInt ${x}n`;
  if (typeof x === "string") return x.length <= 40 ? JSON.stringify(x) : `a string of length ${x.length}`;
  if (x === null) return "null";
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  return typeof x;
}

/** A safe integer (any sign). */
export function requireInteger(fn: string, name: string, x: unknown): number {
  if (typeof x !== "number" || !Number.isSafeInteger(x))
    throw new LuceError(fn, name, `must be an integer, got ${describe(x)}`);
  return x;
}

/** An integer count ≥ `min` (and ≤ `max`, where a larger count could not finish or fit in memory). */
export function requireCount(fn: string, name: string, x: unknown, min: number, max?: number): number {
  if (typeof x !== "number" || !Number.isSafeInteger(x) || x < min) {
    throw new LuceError(fn, name, `must be an integer >= ${min}, got ${describe(x)}`);
  }
  if (max !== undefined && x > max) throw new LuceError(fn, name, `is ${x}, more than the ${max} luce accepts`);
  return x;
}

/** A number that is not NaN (±Infinity allowed). */
export function requireNumber(fn: string, name: string, x: unknown): number {
  if (typeof x !== "number" || Number.isNaN(x)) {
    throw new LuceError(fn, name, `must be a number (not NaN), got ${describe(x)}`);
  }
  return x;
}
