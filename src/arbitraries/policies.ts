import fc from "fast-check";
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
  const floor = options.minLogProbability ?? -800;
  const entry = fc.oneof(
    { weight: 3, arbitrary: fc.double({ min: -6, max: 0, noNaN: true }) },
    { weight: 1, arbitrary: fc.double({ min: floor, max: 0, noNaN: true }) },
    { weight: 1, arbitrary: fc.constant(-Infinity) },
  );
  return fc
    .array(entry, { minLength: k, maxLength: k })
    .map((row) => row.map((v, y) => (options.supportOf !== undefined && options.supportOf[y] === -Infinity ? -Infinity : v)))
    .filter((row) => row.some((v) => v > -Infinity))
    .map(normaliseLog);
}
