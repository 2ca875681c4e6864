/**
 * Compensated (Neumaier) summation.
 *
 * Plain left-to-right summation of n terms has relative error up to (n-1)·EPS
 * of the sum of absolute values; Neumaier's variant of Kahan summation carries
 * the rounding error of each addition in a second accumulator, so the error is
 * 2·EPS of that sum independent of n (up to O(n·EPS²)). The log-likelihoods,
 * log-sum-exps and losses in luce sum through it so that their accuracy
 * statements do not grow with the data.
 * @internal
 */
export class NeumaierSum {
  private sum = 0;
  private compensation = 0;

  /** Adds one term. */
  add(x: number): void {
    if (!Number.isFinite(x) || !Number.isFinite(this.sum)) {
      // an infinite term decides the sum; the compensation would turn ∞ − ∞ into NaN
      this.sum += x;
      return;
    }
    const t = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.compensation += this.sum - t + x;
    else this.compensation += x - t + this.sum;
    this.sum = t;
  }

  /** Multiplies the running sum (used when a log-sum-exp changes its pivot). */
  scale(factor: number): void {
    this.sum *= factor;
    this.compensation *= factor;
  }

  /** The compensated total. */
  value(): number {
    return Number.isFinite(this.sum) ? this.sum + this.compensation : this.sum;
  }
}
