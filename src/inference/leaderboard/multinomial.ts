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
  private readonly counts: Float64Array;
  private readonly total: number;
  /** Row r's conditional probability counts_r / (counts of rows r, r + 1, …), and its logs and odds. */
  private readonly p: Float64Array;
  private readonly logP: Float64Array;
  private readonly logQ: Float64Array;
  private readonly odds: Float64Array;

  /**
   * Prepares the resampling of `counts`: the conditional probabilities are the same in every resample (only the
   * number of draws left varies), so their logarithms are taken once here.
   * @param counts - each row's count (non-negative integers)
   */
  constructor(counts: Float64Array) {
    this.counts = counts;
    let total = 0;
    for (const c of counts) total += c;
    this.total = total;
    this.logFactorial = new Float64Array(total + 1);
    const sum = new NeumaierSum();
    for (let k = 2; k <= total; k++) {
      sum.add(Math.log(k));
      this.logFactorial[k] = sum.value();
    }
    const rows = counts.length;
    this.p = new Float64Array(rows);
    this.logP = new Float64Array(rows);
    this.logQ = new Float64Array(rows);
    this.odds = new Float64Array(rows);
    let countLeft = total;
    for (let r = 0; r < rows; r++) {
      const p = countLeft > 0 ? Math.min(1, counts[r] / countLeft) : 0;
      this.p[r] = p;
      this.logP[r] = Math.log(p);
      this.logQ[r] = Math.log1p(-p);
      this.odds[r] = p / (1 - p);
      countLeft -= counts[r];
    }
  }

  /** One draw of Binomial(n, p_r) with row r's conditional probability, n ≤ total, from one uniform. */
  private binomial(n: number, r: number, random: RandomSource): number {
    const p = this.p[r];
    if (n === 0 || p <= 0) return 0;
    if (p >= 1) return n;
    const mode = Math.min(n, Math.floor((n + 1) * p));
    const lf = this.logFactorial;
    const atMode = Math.exp(lf[n] - lf[mode] - lf[n - mode] + mode * this.logP[r] + (n - mode) * this.logQ[r]);
    const odds = this.odds[r];
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

  /** Resamples: `out[r]` gets row r's number of draws among `total` = Σ counts draws with replacement. */
  resample(random: RandomSource, out: Float64Array): void {
    let drawsLeft = this.total;
    for (let r = 0; r < this.counts.length; r++) {
      const k = this.binomial(drawsLeft, r, random);
      out[r] = k;
      drawsLeft -= k;
    }
  }
}
