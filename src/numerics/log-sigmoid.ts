import { requireNumber } from "../validation/checks.js";
import { log1pExpUnchecked } from "./log1p-exp.js";

/**
 * log σ(x) = −log(1 + e^{−x}), the log-probability of the Bradley–Terry model
 * (eq. 1) and the building block of the DPO loss (eq. 7).
 *
 * Stability trick: computed as −softplus(−x) through the branches of
 * {@link log1pExp}, so `logSigmoid(-1e4)` is −1e4 (not −Infinity) and
 * `logSigmoid(40)` is −4.248e−18 (not 0). Relative error within a few ulp.
 *
 * @param x - any number except NaN (−Infinity gives −Infinity, +Infinity gives 0)
 * @returns log σ(x)
 * @throws {@link LuceError} when x is NaN
 * @example
 * ```ts
 * logSigmoid(40);    // -4.248354255291589e-18
 * logSigmoid(-1e4);  // -10000
 * ```
 */
export function logSigmoid(x: number): number {
  requireNumber("logSigmoid", "x", x);
  return logSigmoidUnchecked(x);
}

/** {@link logSigmoid} without argument checks, for inner loops. @internal */
export function logSigmoidUnchecked(x: number): number {
  if (x === Infinity) return -0;
  return -log1pExpUnchecked(-x);
}
