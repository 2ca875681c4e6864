import { LuceError } from "../errors.js";
import { requireNumber } from "../validation/checks.js";

/**
 * log(1 − e^a) for a ≤ 0: the log-probability of the complement of an event
 * whose log-probability is a.
 *
 * Stability trick (Mächler 2012): for a > −ln 2, log(−expm1(a)) (1 − e^a is
 * small and expm1 keeps its digits); otherwise log1p(−e^a) (e^a is small and
 * log1p keeps its digits). Relative error within a few ulp. `log1mExp(0)` is
 * −Infinity, `log1mExp(-Infinity)` is 0.
 *
 * @param a - a log-probability, a ≤ 0
 * @returns log(1 − e^a)
 * @throws {@link LuceError} when a is NaN or a > 0
 * @example
 * ```ts
 * log1mExp(-1e-20); // -46.0517... (1 - e^a rounds to 0 in the naive form)
 * log1mExp(-50);    // -1.9287e-22
 * ```
 */
export function log1mExp(a: number): number {
  requireNumber("log1mExp", "a", a);
  if (a > 0) throw new LuceError("log1mExp", "a", `must be <= 0 (log 1 - e^a is undefined above 0), got ${a}`);
  return log1mExpUnchecked(a);
}

/** {@link log1mExp} without argument checks. @internal */
export function log1mExpUnchecked(a: number): number {
  return a > -Math.LN2 ? Math.log(-Math.expm1(a)) : Math.log1p(-Math.exp(a));
}

/**
 * log(e^a − e^b) for a ≥ b, without forming e^a or e^b.
 *
 * Stability trick: a + log1mExp(b − a), which is exact in the shift and
 * inherits {@link log1mExp}'s accuracy; b = −Infinity gives a, a = b gives
 * −Infinity. Where the result crosses zero the error bound is absolute:
 * a few EPS·(|a| + |log1mExp(b − a)|).
 *
 * @param a - the larger log-value (not NaN, not +Infinity)
 * @param b - the smaller log-value, b ≤ a
 * @returns log(e^a − e^b)
 * @throws {@link LuceError} when either is NaN or +Infinity, or b > a
 * @example
 * ```ts
 * logDiffExp(0, -1000); // -0 (log(1 - e^-1000) underflows to -0 exactly)
 * logDiffExp(1000, 999); // 999.5413248546129
 * ```
 */
export function logDiffExp(a: number, b: number): number {
  requireNumber("logDiffExp", "a", a);
  requireNumber("logDiffExp", "b", b);
  if (a === Infinity) throw new LuceError("logDiffExp", "a", "must be below +Infinity");
  if (b > a)
    throw new LuceError("logDiffExp", "b", `must be <= a (e^a - e^b would be negative), got a = ${a}, b = ${b}`);
  if (b === -Infinity) return a;
  if (a === b) return -Infinity;
  return a + log1mExpUnchecked(b - a);
}
