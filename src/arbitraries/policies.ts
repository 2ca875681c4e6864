import fc from "fast-check";
import { LuceError } from "../errors.js";
import { uniformDouble } from "./uniform.js";
import { requireCount, requireFinite } from "../validation/checks.js";
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
  requireCount(fn, "k", k, 1);
  const floor =
    options.minLogProbability === undefined
      ? -800
      : requireFinite(fn, "options.minLogProbability", options.minLogProbability);
  if (
    options.supportOf !== undefined &&
    (options.supportOf.length !== k || options.supportOf.every((v) => v === -Infinity))
  ) {
    throw new LuceError(fn, "options.supportOf", `must have ${k} entries, not all -Infinity`);
  }
  const entry = fc.oneof(
    { weight: 3, arbitrary: uniformDouble(-6, 0) },
    { weight: 1, arbitrary: uniformDouble(floor, 0) },
    { weight: 1, arbitrary: fc.constant(-Infinity) },
  );
  return fc
    .array(entry, { minLength: k, maxLength: k })
    .map((row) =>
      row.map((v, y) => (options.supportOf !== undefined && options.supportOf[y] === -Infinity ? -Infinity : v)),
    )
    .filter((row) => row.some((v) => v > -Infinity))
    .map(normaliseLog);
}
