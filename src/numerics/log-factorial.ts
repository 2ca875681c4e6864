import { NeumaierSum } from "./sum.js";

/** From this k on, ln k! comes from Stirling's series; below it, from a table summed with compensation. */
const STIRLING_FROM = 256;

/** ln k! for k below {@link STIRLING_FROM}: Σ ln i summed with compensation, so within an ulp or two. */
const SMALL_LOG_FACTORIALS = (() => {
  const table = new Float64Array(STIRLING_FROM);
  const sum = new NeumaierSum();
  for (let k = 2; k < STIRLING_FROM; k++) {
    sum.add(Math.log(k));
    table[k] = sum.value();
  }
  return table;
})();

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * ln k! for a non-negative integer k. From k = 256 on by Stirling's series ln k! = (k + ½) ln k − k + ½ ln 2π +
 * 1/(12k) − 1/(360k³) + 1/(1260k⁵) − …, whose first omitted term, 1/(1680k⁷), is below 1e−19 there, so the error is
 * the rounding of (k + ½) ln k: a few ulp of ln k!. Below, from a table of compensated sums.
 * @internal
 */
export function logFactorial(k: number): number {
  if (k < STIRLING_FROM) return SMALL_LOG_FACTORIALS[k];
  const inverse = 1 / k;
  const inverseSquared = inverse * inverse;
  const series = inverse * (1 / 12 - inverseSquared * (1 / 360 - inverseSquared / 1260));
  return (k + 0.5) * Math.log(k) - k + HALF_LOG_TWO_PI + series;
}
