import type { RandomSource } from "../../numerics/random.js";
import { NeumaierSum } from "../../numerics/sum.js";

/**
 * The mean min(np, n(1 − p)) from which a binomial is drawn by BTRS rather than by inversion: Hörmann's
 * transformed rejection needs it at least 10 for its hat to dominate the pmf (Hörmann 1993, section 3).
 */
const BTRS_MIN_MEAN = 10;
/** BTRS's box of immediate acceptance: |u| at most ½ − this, v at most v_r (Hörmann 1993, algorithm BTRS). */
const BTRS_BOX_US = 0.07;

/**
 * Multinomial resampling of counts, as a bootstrap of the battles: `total` draws with replacement from the
 * battles, tallied per row, equal in distribution to Multinomial(total, counts / total). It is drawn as
 * conditional binomials, row by row: row r gets Binomial(draws left, counts_r / counts left), which is how numpy's
 * `multinomial` draws too.
 *
 * A binomial whose smaller mean min(np, nq) is at least 10 is drawn by Hörmann's BTRS (transformed rejection with
 * squeeze, W. Hörmann, "The generation of binomial random variates", J. Stat. Comput. Simul. 46, 1993): two
 * uniforms per try, about 1.15 tries expected whatever n, most accepted in a box without a logarithm; the rest are
 * accepted against the exact log-pmf. A smaller one is drawn by inversion searched outward from its mode (Kemp's
 * chop-down search): its probability at the mode m from a table of log-factorials, then P(k ± 1) from P(k) by the
 * ratio of consecutive terms, alternately below and above m until the uniform is used up; the expected number of
 * steps is of the order of the standard deviation, below 4 here. The table is summed with compensation, so
 * ln C(n, m) carries an absolute error of a few ulp of ln n! (below 1e−9 for n up to 10⁷): the probabilities (and
 * BTRS's acceptance tests) are right to that relative error.
 * @internal
 */
export class MultinomialSampler {
  private readonly logFactorial: Float64Array;
  private readonly total: number;
  /**
   * The rows in the order they are drawn: by count, largest first. Any order gives the same multinomial; this one
   * draws the many small rows last, when few draws are left, so that their log-factorials are looked up in the
   * table's short head, which stays in cache, rather than all along it.
   */
  private readonly order: Int32Array;
  /**
   * The conditional probability of the s-th row drawn, counts_r / (counts of the rows drawn from the s-th on),
   * and its logs and odds.
   */
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
    this.order = Int32Array.from({ length: rows }, (_, r) => r).sort((r, s) => counts[s] - counts[r] || r - s);
    this.p = new Float64Array(rows);
    this.logP = new Float64Array(rows);
    this.logQ = new Float64Array(rows);
    this.odds = new Float64Array(rows);
    let countLeft = total;
    for (let s = 0; s < rows; s++) {
      const count = counts[this.order[s]];
      const p = countLeft > 0 ? Math.min(1, count / countLeft) : 0;
      this.p[s] = p;
      this.logP[s] = Math.log(p);
      this.logQ[s] = Math.log1p(-p);
      this.odds[s] = p / (1 - p);
      countLeft -= count;
    }
  }

  /** One draw of Binomial(n, p_s) with the s-th drawn row's conditional probability, n ≤ total. */
  private binomial(n: number, s: number, random: RandomSource): number {
    const p = this.p[s];
    if (n === 0 || p <= 0) return 0;
    if (p >= 1) return n;
    // BTRS draws with the smaller of p and q: Binomial(n, q) is n minus Binomial(n, p)
    if (p <= 0.5) {
      if (n * p >= BTRS_MIN_MEAN) return this.btrs(n, p, this.logP[s] - this.logQ[s], random);
    } else if (n * (1 - p) >= BTRS_MIN_MEAN) return n - this.btrs(n, 1 - p, this.logQ[s] - this.logP[s], random);
    return this.inversion(n, s, random);
  }

  /**
   * Binomial(n, p) by BTRS for p ≤ ½ and np ≥ 10 (Hörmann 1993), `logOdds` = ln(p / (1 − p)). Each try maps u
   * uniform on (−½, ½) through the inverse of the hat's cumulative to k; inside the box |u| ≤ ½ − 0.07, v ≤ v_r
   * the hat is below the pmf and k is accepted at once, otherwise when v times the hat is below the pmf, tested in
   * logarithms.
   */
  private btrs(n: number, p: number, logOdds: number, random: RandomSource): number {
    const spq = Math.sqrt(n * p * (1 - p));
    const b = 1.15 + 2.53 * spq;
    const a = -0.0873 + 0.0248 * b + 0.01 * p;
    const c = n * p + 0.5;
    const vr = 0.92 - 4.2 / b;
    for (;;) {
      const u = random() - 0.5;
      let v = random();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + c);
      if (us >= BTRS_BOX_US && v <= vr) return k;
      if (k < 0 || k > n) continue;
      const alpha = (2.83 + 5.1 / b) * spq;
      const m = Math.floor((n + 1) * p);
      const lf = this.logFactorial;
      v *= alpha / (a / (us * us) + b);
      if (Math.log(v) <= lf[m] + lf[n - m] - lf[k] - lf[n - k] + (k - m) * logOdds) return k;
    }
  }

  /** Binomial(n, p_s) by inversion from the mode, from one uniform. */
  private inversion(n: number, s: number, random: RandomSource): number {
    const p = this.p[s];
    const mode = Math.min(n, Math.floor((n + 1) * p));
    const lf = this.logFactorial;
    const atMode = Math.exp(lf[n] - lf[mode] - lf[n - mode] + mode * this.logP[s] + (n - mode) * this.logQ[s]);
    const odds = this.odds[s];
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
    for (let s = 0; s < this.order.length; s++) {
      const k = this.binomial(drawsLeft, s, random);
      out[this.order[s]] = k;
      drawsLeft -= k;
    }
  }
}
