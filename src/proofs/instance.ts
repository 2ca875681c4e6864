import { LuceError } from "../errors.js";
import { describe, MAX_ARRAY_LENGTH } from "../validation/checks.js";

/**
 * The most numbers an instance given to `checkInstance` may hold: a generated instance holds at most
 * thousands, and each number is re-evaluated at 50 digits, so a larger instance could not finish.
 */
export const MAX_INSTANCE_NUMBERS = 1_000_000;

/** The deepest nesting of an instance (problem → reward → row → value is four levels). */
const MAX_INSTANCE_DEPTH = 8;

/**
 * A statement instance read once into a plain copy and checked as data: plain objects and arrays
 * (or typed arrays) of numbers, every number finite except −Infinity inside a log-probability field
 * (a key starting with `log`: π = 0), every `beta` finite and non-zero, at most
 * {@link MAX_INSTANCE_NUMBERS} numbers. Getters and Proxies are read once; the statement then
 * computes on the copy.
 * @internal
 */
export function readInstance(fn: string, instance: unknown): unknown {
  if (instance === null || typeof instance !== "object" || Array.isArray(instance))
    throw new LuceError(fn, "instance", `must be an instance object of the statement, got ${describe(instance)}`);
  const budget = { numbers: 0 };
  return copyValue(fn, "instance", instance, false, 0, budget);
}

function copyValue(
  fn: string,
  path: string,
  value: unknown,
  inLogField: boolean,
  depth: number,
  budget: { numbers: number },
): unknown {
  if (typeof value === "number") {
    if (++budget.numbers > MAX_INSTANCE_NUMBERS)
      throw new LuceError(fn, "instance", `holds more than ${MAX_INSTANCE_NUMBERS} numbers`);
    if (Number.isNaN(value) || value === Infinity || (value === -Infinity && !inLogField))
      throw new LuceError(fn, path, `must be a finite number${inLogField ? " or -Infinity" : ""}, got ${value}`);
    return value;
  }
  if (value === null || typeof value !== "object")
    throw new LuceError(fn, path, `must be a number, an array or an object, got ${describe(value)}`);
  if (depth >= MAX_INSTANCE_DEPTH) throw new LuceError(fn, path, `is nested deeper than ${MAX_INSTANCE_DEPTH} levels`);
  // an object with a length is read as the array-like it claims to be, so a lying length is refused
  // here instead of being looped over by the statement
  const isArrayLike =
    Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView)) || "length" in value;
  if (isArrayLike) {
    const length: unknown = (value as { length: unknown }).length;
    if (typeof length !== "number" || !Number.isInteger(length) || length < 0 || length > MAX_ARRAY_LENGTH)
      throw new LuceError(fn, path, `has length ${describe(length)}, not an array length`);
    if (budget.numbers + length > MAX_INSTANCE_NUMBERS)
      throw new LuceError(fn, path, `has ${length} entries: an instance holds at most ${MAX_INSTANCE_NUMBERS} numbers`);
    const out: unknown[] = [];
    for (let i = 0; i < length; i++)
      out.push(copyValue(fn, `${path}[${i}]`, (value as ArrayLike<unknown>)[i], inLogField, depth + 1, budget));
    return out;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null)
    throw new LuceError(fn, path, "must be a plain object, an array or a number");
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    const fieldPath = `${path}.${key}`;
    if (key === "beta") {
      if (typeof field !== "number" || !Number.isFinite(field) || field === 0)
        throw new LuceError(fn, fieldPath, `must be a finite, non-zero number, got ${describe(field)}`);
    }
    out[key] = copyValue(fn, fieldPath, field, inLogField || key.startsWith("log"), depth + 1, budget);
  }
  return out;
}
