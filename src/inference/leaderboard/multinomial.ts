import type { RandomSource } from "../../numerics/random.js";
import { NeumaierSum } from "../../numerics/sum.js";

/**
 * Multinomial resampling of counts, as a bootstrap of the battles: `total` draws with replacement from the
 * battles, tallied per row, equal in distribution to Multinomial(total, counts / total). It is drawn as
 * conditional binomials, row by row: row r gets Binomial(draws left, counts_r / counts left), which is how numpy's
 * `multinomial` draws too.
 *
 * Each binomial is drawn by inversion searched outward from its mode (Kemp's chop-down search): its probability
 * at the mode m from a table of log-factorials, then P(k ± 1) from P(k) by the ratio of consecutive terms,
 * alternately below and above m until the uniform is used up. The expected number of steps is of the order of the
 * standard deviation, not of the mean. The table is summed with compensation, so ln C(n, m) carries an absolute
 * error of a few ulp of ln n! (below 1e−9 for n up to 10⁷): the probabilities are right to that relative error.
 * @internal
 */
export class MultinomialSampler {
  private readonly logFactorial: Float64Array;

  /** @param maxTotal - the largest number of draws (the table's length) */
  constructor(maxTotal: number) {
    this.logFactorial = new Float64Array(maxTotal + 1);
    const sum = new NeumaierSum();
    for (let k = 2; k <= maxTotal; k++) {
      sum.add(Math.log(k));
      this.logFactorial[k] = sum.value();
    }
  }

  /** One draw of Binomial(n, p), 0 ≤ p ≤ 1, n ≤ maxTotal, from one uniform. */
  binomial(n: number, p: number, random: RandomSource): number {
    if (n === 0 || p <= 0) return 0;
    if (p >= 1) return n;
    const mode = Math.min(n, Math.floor((n + 1) * p));
    const lf = this.logFactorial;
    const logP = Math.log(p);
    const logQ = Math.log1p(-p);
    const atMode = Math.exp(lf[n] - lf[mode] - lf[n - mode] + mode * logP + (n - mode) * logQ);
    const odds = p / (1 - p);
    let u = random() - atMode;
    if (u < 0) return mode;
    let below = mode;
    let above = mode;
    let fBelow = atMode;
    let fAbove = atMode;
    for (;;) {
      let moved = false;
      if (below > 0 && fBelow > 0) {
        // P(k − 1) = P(k) · k / (n − k + 1) · (1 − p) / p
        fBelow *= below / ((n - below + 1) * odds);
        below--;
        u -= fBelow;
        if (u < 0) return below;
        moved = true;
      }
      if (above < n && fAbove > 0) {
        // P(k + 1) = P(k) · (n − k) / (k + 1) · p / (1 − p)
        fAbove *= ((n - above) * odds) / (above + 1);
        above++;
        u -= fAbove;
        if (u < 0) return above;
        moved = true;
      }
      // both tails spent (or underflowed to 0): the uniform exceeded the probabilities' sum by rounding only
      if (!moved) return mode;
    }
  }

  /**
   * Resamples: `out[r]` gets row r's number of draws among `total` = Σ counts draws with replacement.
   * @param counts - each row's count (non-negative integers)
   */
  resample(counts: Float64Array, total: number, random: RandomSource, out: Float64Array): void {
    let drawsLeft = total;
    let countLeft = total;
    for (let r = 0; r < counts.length; r++) {
      const c = counts[r];
      const k = drawsLeft === 0 ? 0 : c >= countLeft ? drawsLeft : this.binomial(drawsLeft, c / countLeft, random);
      out[r] = k;
      drawsLeft -= k;
      countLeft -= c;
    }
  }
}
