import { LuceError } from "../errors.js";
import { NeumaierSum } from "../numerics/sum.js";
import {
  describe,
  requireBoolean,
  requireArrayLength,
  requireFinite,
  requireLastEntry,
  requirePositive,
  requireSameLength,
} from "../validation/checks.js";

/**
 * Reading the per-response inputs of the sequence-level losses (KTO, CPO, ORPO, reward model): each
 * array is read once into a copy, its length checked against the batch's first array, and every
 * entry checked, so that a getter answering differently on a second read cannot change a value
 * after it was validated.
 * @internal
 */

/** The message of a result beyond the float64 range. @internal */
export const OVERFLOWS = "beyond the float64 range (about ±1.8e308)";

/** `inputs` must be an object (of arrays). @internal */
export function requireInputsObject(fn: string, inputs: unknown): void {
  if (inputs === null || typeof inputs !== "object" || Array.isArray(inputs))
    throw new LuceError(fn, "inputs", `must be an object of arrays, got ${describe(inputs)}`);
}

/**
 * An array of the same length `n` as the batch's first array (named `first`), or of any length
 * when `n` is undefined; returns the length read.
 */
function batchLength(fn: string, name: string, values: unknown, n: number | undefined, first: string): number {
  if (values === undefined) throw new LuceError(fn, name, "is missing");
  const length = requireArrayLength(fn, name, values);
  if (n !== undefined) requireSameLength(fn, name, { length }, n, first);
  requireLastEntry(fn, name, values, length);
  return length;
}

/**
 * Sequence log-probabilities: finite and ≤ 0. A value above 0 is not the log of a probability; it is
 * most often a probability (or a logit) passed by mistake. An empty array is refused when `n` is
 * undefined (it is then the batch's first array).
 * @internal
 */
export function readLogps(fn: string, name: string, values: unknown, n?: number, first = name): Float64Array {
  const out = readFinite(fn, name, values, n, first);
  for (let i = 0; i < out.length; i++)
    if (out[i] > 0)
      throw new LuceError(
        fn,
        `${name}[${i}]`,
        `is ${out[i]}, above 0: a log-probability is <= 0 (a probability passed?)`,
      );
  return out;
}

/** Finite numbers (rewards, margins), `n` of them or, when `n` is undefined, at least one. @internal */
export function readFinite(fn: string, name: string, values: unknown, n?: number, first = name): Float64Array {
  const length = batchLength(fn, name, values, n, first);
  if (length === 0) throw new LuceError(fn, name, "is empty: a batch needs at least one entry");
  const arr = values as ArrayLike<unknown>;
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = requireFinite(fn, `${name}[${i}]`, arr[i]);
  return out;
}

/** Token counts: finite and > 0, one per entry of the batch. @internal */
export function readLengths(fn: string, name: string, values: unknown, n: number, first: string): Float64Array {
  batchLength(fn, name, values, n, first);
  const arr = values as ArrayLike<unknown>;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = requirePositive(fn, `${name}[${i}]`, arr[i]);
  return out;
}

/** A finite weight ≥ 0 (0 switches its term off), or `fallback` when not given. @internal */
export function readWeight(fn: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const w = requireFinite(fn, name, value);
  if (w < 0) throw new LuceError(fn, name, `must be >= 0, got ${w}`);
  return w;
}

/**
 * The mean of `values[i]` over the indices where `keep(i)` holds, a compensated sum divided by the
 * count; NaN when none. Where the sum passes the float64 range (terms near ±1e308) the terms are
 * divided first, so the mean is ±Infinity only where it is itself beyond the range. @internal
 */
export function compensatedMean(values: ArrayLike<number>, keep: (i: number) => boolean = () => true): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (keep(i)) count++;
  const sum = new NeumaierSum();
  for (let i = 0; i < values.length; i++) if (keep(i)) sum.add(values[i]);
  if (Number.isFinite(sum.value())) return sum.value() / count;
  const scaled = new NeumaierSum();
  for (let i = 0; i < values.length; i++) if (keep(i)) scaled.add(values[i] / count);
  return scaled.value();
}

/**
 * Throws a LuceError naming `argument` unless every entry is finite: a loss, gradient or reward beyond
 * the float64 range is an error, never ±Infinity or NaN. @internal
 */
export function requireFiniteResults(fn: string, argument: string, what: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i])) throw new LuceError(fn, argument, `makes ${what} ${i} ${OVERFLOWS}`);
}

/** One boolean per entry of the batch (not a truthy stand-in: `"no"` or `0` would mean the opposite). @internal */
export function readFlags(fn: string, name: string, values: unknown, n: number, first: string): Uint8Array {
  batchLength(fn, name, values, n, first);
  const arr = values as ArrayLike<unknown>;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = requireBoolean(fn, `${name}[${i}]`, arr[i]) ? 1 : 0;
  return out;
}
