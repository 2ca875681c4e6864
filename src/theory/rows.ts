import { LuceError } from "../errors.js";
import { logSumExpParts } from "../numerics/log-sum-exp.js";
import {
  requireArrayLength,
  requireLastEntry,
  requireArrayLike,
  requireFiniteArray,
  requirePositive,
  describe,
} from "../validation/checks.js";

/**
 * A quantity over a finite preference problem: one row per prompt x, one entry per response y.
 * Rows may differ in length (prompts with different numbers of responses).
 */
export type Rows = ReadonlyArray<ArrayLike<number>>;

/** Policy rows given as log-probabilities (wrap with {@link logSpace}). */
export interface LogProbabilities {
  /** log π(y | x), one row per prompt; `-Infinity` where π(y | x) = 0. */
  readonly log: Rows;
}

/**
 * A policy over a finite problem: probabilities as plain {@link Rows}, or log-probabilities as
 * {@link LogProbabilities}. Sequence-level probabilities such as e^{−5000} underflow as
 * probabilities, so pass them in log space.
 */
export type Policy = Rows | LogProbabilities;

/**
 * Marks rows as log-probabilities, so that every theory function reads them in log space.
 *
 * @param log - log π(y | x) per prompt
 * @returns the same rows, tagged as log-probabilities
 * @throws {@link LuceError} when `log` is not an array of rows
 * @example
 * ```ts
 * logOptimalPolicy([[1, 0]], logSpace([[-5000, Math.log1p(-Math.exp(-5000))]]), 1);
 * ```
 */
export function logSpace(log: Rows): LogProbabilities {
  requireArrayLike("logSpace", "log", log);
  return { log };
}

/**
 * How far a row of probabilities may sum from 1 (or a row of log-probabilities log-sum-exp
 * from 0) and still count as a distribution: 1e−9, loose enough for probabilities that passed
 * through float32, tight enough to catch a row that is not normalised.
 */
export const DISTRIBUTION_TOLERANCE = 1e-9;

/** Whether a policy was given in log space (see {@link logSpace}). @internal */
export function isLogSpace(policy: unknown): policy is LogProbabilities {
  return policy !== null && typeof policy === "object" && !Array.isArray(policy) && "log" in policy;
}

/**
 * Validated reward rows, read once (each length, row and entry) into Float64Array copies that
 * the caller computes on. @internal
 */
export function readReward(fn: string, name: string, reward: unknown): Float64Array[] {
  const prompts = requireArrayLength(fn, name, reward);
  const rows = reward as ArrayLike<unknown>;
  if (prompts === 0) throw new LuceError(fn, name, "has no prompts (rows)");
  const out: Float64Array[] = [];
  for (let x = 0; x < prompts; x++) {
    const r = requireFiniteArray(fn, `${name}[${x}]`, rows[x]);
    if (r.length === 0) throw new LuceError(fn, `${name}[${x}]`, "has no responses");
    out.push(r);
  }
  return out;
}

/**
 * Validated policy rows, returned as log-probabilities. Each row must be a distribution:
 * entries in [0, 1] (log-space: ≤ 0, −Infinity allowed) summing to 1 within
 * {@link DISTRIBUTION_TOLERANCE}.
 * @internal
 */
export function readPolicy(
  fn: string,
  name: string,
  policy: unknown,
  shapeOf?: { rows: Float64Array[]; name: string },
): Float64Array[] {
  const isLog = isLogSpace(policy);
  const label = isLog ? `${name}.log` : name;
  const given = isLog ? (policy as LogProbabilities).log : policy;
  const prompts = requireArrayLength(fn, label, given);
  const rows = given as ArrayLike<unknown>;
  if (prompts === 0) throw new LuceError(fn, label, "has no prompts (rows)");
  if (shapeOf !== undefined && prompts !== shapeOf.rows.length) {
    throw new LuceError(fn, label, `has ${prompts} prompts, but '${shapeOf.name}' has ${shapeOf.rows.length}`);
  }
  const out: Float64Array[] = [];
  for (let x = 0; x < prompts; x++) {
    const rowName = `${label}[${x}]`;
    const row = rows[x] as ArrayLike<unknown>;
    const responses = requireArrayLength(fn, rowName, row);
    if (responses === 0) throw new LuceError(fn, rowName, "has no responses");
    if (shapeOf !== undefined && responses !== shapeOf.rows[x].length) {
      throw new LuceError(
        fn,
        rowName,
        `has ${responses} responses, but '${shapeOf.name}[${x}]' has ${shapeOf.rows[x].length}`,
      );
    }
    requireLastEntry(fn, rowName, row, responses);
    const logRow = new Float64Array(responses);
    for (let y = 0; y < responses; y++) {
      const v = row[y];
      if (typeof v !== "number" || Number.isNaN(v))
        throw new LuceError(fn, `${rowName}[${y}]`, `must be a number, got ${describe(v)}`);
      if (isLog) {
        if (v > 0) throw new LuceError(fn, `${rowName}[${y}]`, `is a log-probability above 0: ${v}`);
        logRow[y] = v;
      } else {
        if (v < 0 || v > 1) throw new LuceError(fn, `${rowName}[${y}]`, `is a probability outside [0, 1]: ${v}`);
        logRow[y] = Math.log(v);
      }
    }
    const { max, rest } = logSumExpParts(logRow);
    const logTotal = max + Math.log1p(rest);
    if (!(Math.abs(logTotal) <= DISTRIBUTION_TOLERANCE)) {
      throw new LuceError(
        fn,
        rowName,
        `is not a distribution: its entries sum to ${Math.exp(logTotal)} (tolerance ${DISTRIBUTION_TOLERANCE})`,
      );
    }
    out.push(logRow);
  }
  return out;
}

/** A validated β (finite, > 0). @internal */
export function readBeta(fn: string, beta: unknown): number {
  return requirePositive(fn, "beta", beta);
}

/** Throws unless `rows` has the shape of `other` (same prompts, same responses per prompt). @internal */
export function requireSameShape(
  fn: string,
  name: string,
  rows: ArrayLike<unknown>[],
  other: ArrayLike<unknown>[],
  otherName: string,
): void {
  if (rows.length !== other.length)
    throw new LuceError(fn, name, `has ${rows.length} prompts, but '${otherName}' has ${other.length}`);
  for (let x = 0; x < rows.length; x++) {
    if (rows[x].length !== other[x].length) {
      throw new LuceError(
        fn,
        `${name}[${x}]`,
        `has ${rows[x].length} responses, but '${otherName}[${x}]' has ${other[x].length}`,
      );
    }
  }
}
