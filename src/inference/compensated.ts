/**
 * Adds x to sums[i], carrying the rounding error in compensations[i]: Neumaier's compensated
 * summation (as `NeumaierSum`), for one accumulator per item. A per-item sum over millions of observations would
 * otherwise be off by up to (terms)·EPS of its terms' sizes, so that a gradient entry that should be 0
 * at the estimate stays larger than a stopping rule scaled to EPS·(terms) and the rule is never met.
 * Add `compensations[i]` to `sums[i]` when done.
 * @internal
 */
export function addCompensated(sums: Float64Array, compensations: Float64Array, i: number, x: number): void {
  // Knuth's TwoSum: the exact rounding error of s + x without a branch on the magnitudes
  const s = sums[i];
  const t = s + x;
  const back = t - s;
  compensations[i] += s - (t - back) + (x - back);
  sums[i] = t;
}

/**
 * Adds each compensation into its sum and clears the compensations.
 * @internal
 */
export function settleCompensated(sums: Float64Array, compensations: Float64Array): void {
  for (let i = 0; i < sums.length; i++) {
    sums[i] += compensations[i];
    compensations[i] = 0;
  }
}
