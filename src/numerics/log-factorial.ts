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
  return (k + 0.5) * Math.log(k) - k + HALF_LOG_TWO_PI + stirlingTail(k);
}

/**
 * ln(a!/b!) for non-negative integers a and b, to a few ulp of |a − b|·(ln max(a, b) + 1): the difference of two
 * log-factorials would carry the error of ln a! itself, a few ulp of a ln a, into a much smaller result. With both
 * from {@link STIRLING_FROM} on, it is the series' difference (a + ½) ln(a/b) + (a − b)(ln b − 1) plus that of the
 * correction terms, with ln(a/b) as log1p((a − b)/b); with either below, the difference of the log-factorials, the
 * smaller from the table (so a few ulp of ln 255! more).
 * @internal
 */
export function logFactorialRatio(a: number, b: number): number {
  if (Math.min(a, b) < STIRLING_FROM) return logFactorial(a) - logFactorial(b);
  const difference = a - b;
  return (a + 0.5) * Math.log1p(difference / b) + difference * (Math.log(b) - 1) + (stirlingTail(a) - stirlingTail(b));
}

/** Stirling's series past its leading terms, 1/(12k) − 1/(360k³) + 1/(1260k⁵), for k ≥ {@link STIRLING_FROM}. */
function stirlingTail(k: number): number {
  const inverse = 1 / k;
  const inverseSquared = inverse * inverse;
  return inverse * (1 / 12 - inverseSquared * (1 / 360 - inverseSquared / 1260));
}
