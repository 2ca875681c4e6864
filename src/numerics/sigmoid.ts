import { requireNumber } from "../validation/checks.js";

/**
 * The logistic function σ(x) = 1 / (1 + e^{−x}).
 *
 * Stability trick: for x ≥ 0 it is 1 / (1 + e^{−x}); for x < 0 it is
 * e^{x} / (1 + e^{x}), so e^{|x|} is never formed and σ(−800) is 0 only
 * because the true value is below the smallest subnormal, not through
 * overflow. Relative error within a few ulp.
 *
 * @param x - any number except NaN
 * @returns σ(x) in [0, 1]
 * @throws {@link LuceError} when x is NaN
 * @example
 * ```ts
 * sigmoid(0);    // 0.5
 * sigmoid(-700); // 9.86e-305
 * ```
 */
export function sigmoid(x: number): number {
  requireNumber("sigmoid", "x", x);
  return sigmoidUnchecked(x);
}

/** {@link sigmoid} without argument checks, for inner loops. @internal */
export function sigmoidUnchecked(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
