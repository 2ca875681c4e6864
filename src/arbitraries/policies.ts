import fc from "fast-check";
import { LuceError } from "../errors.js";
import { requireArrayLength, requireFinite, requireNumber, requireOptions } from "../validation/checks.js";
import { requireDrawnCount } from "./sizes.js";
import { uniformDouble } from "./uniform.js";
import { normaliseLog } from "./problem.js";

/** Options of {@link logPolicyArbitrary}. */
export interface LogPolicyOptions {
  /** Smallest log-probability drawn before normalising; default −800. */
  readonly minLogProbability?: number;
  /** Give π(y) = 0 where this row has −Infinity (π ≪ π_ref), and sometimes elsewhere. Default: no zeros. */
  readonly supportOf?: readonly number[];
}

/**
 * A policy over one prompt's K responses in log space, from near-uniform to near-degenerate.
 * With `supportOf` (a log π_ref row) it is absolutely continuous with respect to that reference:
 * zero wherever π_ref is zero, and sometimes zero elsewhere too.
 *
 * @param k - the number of responses
 * @param options - smallest log-probability, support
 * @returns an arbitrary of normalised log-probability rows
 * @example
 * ```ts
 * fc.assert(fc.property(logPolicyArbitrary(3), (lp) => Math.abs(logSumExp(lp)) < 1e-12));
 * ```
 */
export function logPolicyArbitrary(k: number, options: LogPolicyOptions = {}): fc.Arbitrary<number[]> {
  const fn = "logPolicyArbitrary";
  requireDrawnCount(fn, "k", k, 1);
  const { minLogProbability, supportOf: givenSupport } = requireOptions(fn, "options", options, [
    "minLogProbability",
    "supportOf",
  ]);
  const floor =
    minLogProbability === undefined ? -800 : requireFinite(fn, "options.minLogProbability", minLogProbability);
  const supportOf = givenSupport === undefined ? undefined : readSupport(fn, givenSupport, k);
  const entry = fc.oneof(
    { weight: 3, arbitrary: uniformDouble(-6, 0) },
    { weight: 1, arbitrary: uniformDouble(floor, 0) },
    { weight: 1, arbitrary: fc.constant(-Infinity) },
  );
  return fc
    .array(entry, { minLength: k, maxLength: k })
    .map((row) => row.map((v, y) => (supportOf !== undefined && supportOf[y] === -Infinity ? -Infinity : v)))
    .filter((row) => row.some((v) => v > -Infinity))
    .map(normaliseLog);
}

/** A log π_ref row read once: k log-probabilities (≤ 0, −Infinity allowed), not all −Infinity. */
function readSupport(fn: string, row: unknown, k: number): Float64Array {
  const length = requireArrayLength(fn, "options.supportOf", row);
  if (length !== k) throw new LuceError(fn, "options.supportOf", `has ${length} entries, not k = ${k}`);
  const copy = new Float64Array(k);
  for (let y = 0; y < k; y++) {
    const v = requireNumber(fn, `options.supportOf[${y}]`, (row as ArrayLike<unknown>)[y]);
    if (v > 0) throw new LuceError(fn, `options.supportOf[${y}]`, `is ${v}, not a log-probability (<= 0)`);
    copy[y] = v;
  }
  if (copy.every((v) => v === -Infinity)) throw new LuceError(fn, "options.supportOf", "is -Infinity everywhere");
  return copy;
}
