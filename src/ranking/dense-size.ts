import { LuceError } from "../errors.js";

/**
 * The most scores a dense n × n Hessian is built for: 2^14 × 2^14 float64 entries are 2 GiB, about
 * what one Node process can hold; a larger matrix could not be allocated (or would take hours to
 * fill). Fitting many items needs no dense matrix: `fitBradleyTerry` and `fitPlackettLuce` are sparse.
 * @internal
 */
export const MAX_DENSE_HESSIAN_SCORES = 2 ** 14;

/**
 * Throws unless a dense Hessian over `count` scores fits (see {@link MAX_DENSE_HESSIAN_SCORES}).
 * @internal
 */
export function requireDenseHessianSize(fn: string, count: number): void {
  if (count > MAX_DENSE_HESSIAN_SCORES)
    throw new LuceError(
      fn,
      "scores",
      `has ${count} entries: a dense ${count} × ${count} Hessian cannot be held in memory ` +
        `(at most ${MAX_DENSE_HESSIAN_SCORES} scores; fit many items with fitBradleyTerry or fitPlackettLuce)`,
    );
}
