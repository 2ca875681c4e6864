import fc from "fast-check";

/** Steps of the uniform grid: 2^32, fine enough that neighbouring draws differ by 2.3e−10 of the range. */
const STEPS = 2 ** 32;

/**
 * A double uniform in value over [min, max]. fast-check's `fc.double` is uniform over the doubles' bit patterns,
 * which crowd near 0 (half of those in [−5, 5] have |x| < 1e−150), and biased toward 0 and the ends besides; this draws
 * an integer k uniformly and maps it to min + (max − min)·k/2^32, ends included.
 *
 * @param min - the smallest value
 * @param max - the largest value (≥ min)
 * @returns an arbitrary of doubles uniform in value
 * @internal
 */
export function uniformDouble(min: number, max: number): fc.Arbitrary<number> {
  return fc
    .noBias(fc.integer({ min: 0, max: STEPS }))
    .map((k) => (k === STEPS ? max : min + (max - min) * (k / STEPS)));
}
