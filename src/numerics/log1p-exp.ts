import { requireNumber } from "../validation/checks.js";

/**
 * log(1 + e^x), also called softplus, finite and accurate for every x.
 *
 * Stability trick (Mächler 2012, "Accurately computing log(1 − exp(−|a|))"):
 * four branches so that neither e^x overflows nor 1 + e^x rounds away e^x:
 * - x ≤ −37: e^x (the next term, −e^{2x}/2, is below EPS·e^x);
 * - x ≤ 18: log1p(e^x);
 * - x ≤ 33.3: x + e^{−x} (log1p(e^{−x}) ≈ e^{−x} to within EPS);
 * - otherwise x.
 * Relative error within a few ulp on the whole line. `-Infinity` gives 0,
 * `+Infinity` gives `+Infinity`.
 *
 * @param x - any number except NaN
 * @returns log(1 + e^x)
 * @throws {@link LuceError} when x is NaN
 * @example
 * ```ts
 * log1pExp(1000); // 1000
 * log1pExp(-40);  // 4.248354255291589e-18
 * ```
 */
export function log1pExp(x: number): number {
  requireNumber("log1pExp", "x", x);
  return log1pExpUnchecked(x);
}

/**
 * Softplus, log(1 + e^x): the same function as {@link log1pExp}, under the
 * name machine-learning code uses. See {@link log1pExp} for the stability trick.
 *
 * @param x - any number except NaN
 * @returns log(1 + e^x)
 * @throws {@link LuceError} when x is NaN
 * @example
 * ```ts
 * softplus(0); // Math.LN2
 * ```
 */
export function softplus(x: number): number {
  requireNumber("softplus", "x", x);
  return log1pExpUnchecked(x);
}

/** {@link log1pExp} without argument checks, for inner loops. @internal */
export function log1pExpUnchecked(x: number): number {
  if (x <= -37) return Math.exp(x);
  if (x <= 18) return Math.log1p(Math.exp(x));
  if (x <= 33.3) return x + Math.exp(-x);
  return x;
}
