import type { UniformStream } from "../../numerics/random.js";
import { logFactorialRatio } from "../../numerics/log-factorial.js";

/**
 * The mean min(np, n(1 − p)) from which a binomial is drawn by BTRS rather than by inversion: Hörmann's
 * transformed rejection needs it at least 10 for its hat to dominate the pmf (Hörmann 1993, section 3).
 */
const BTRS_MIN_MEAN = 10;
/** BTRS's box of immediate acceptance: |u| at most ½ − this, v at most v_r (Hörmann 1993, algorithm BTRS). */
const BTRS_BOX_US = 0.07;
/**
 * The distance |k − m| from the mode up to which BTRS tests a point against the pmf ratio f(k)/f(m) as a product
 * of |k − m| consecutive ratios (Hörmann 1993, step 3.1) rather than from logarithms: a few multiplications
 * against five logarithms.
 */
const BTRS_PRODUCT_SPAN = 30;

/**
 * Multinomial resampling of counts, as a bootstrap of the battles: `total` draws with replacement from the
 * battles, tallied per row, equal in distribution to Multinomial(total, counts / total). It is drawn as
 * conditional binomials, row by row: row r gets Binomial(draws left, counts_r / counts left), which is how numpy's
 * `multinomial` draws too.
 *
 * Each binomial is drawn with the smaller of its two probabilities, p' = min(p, 1 − p) (Binomial(n, 1 − p) is n
 * minus Binomial(n, p)). When its mean np' is at least 10 it is drawn by Hörmann's BTRS (transformed rejection
 * with squeeze, W. Hörmann, "The generation of binomial random variates", J. Stat. Comput. Simul. 46, 1993): two
 * uniforms per try, about 1.15 tries expected whatever n, many accepted in a box without evaluating the pmf; the
 * rest are tested against the exact pmf ratio f(k)/f(mode), near the mode as a product of consecutive ratios, far
 * from it in logarithms ({@link logFactorialRatio}), whose absolute error is a few ulp of |k − mode|·ln n, not of
 * ln n!, so the acceptance is right to that relative error. A smaller mean is drawn by inversion from 0 with one
 * uniform: P(0) = (1 − p')ⁿ, then P(k + 1) = P(k) · (n − k)/(k + 1) · p'/(1 − p') with 1/(k + 1) from a table,
 * np' + 1 < 11 steps expected and no division.
 * @internal
 */
export class MultinomialSampler {
  /**
   * 1/k at k ≥ 1, up to twice the largest count and BTRS's product span: as far as the binomials' modes and their
   * neighbourhoods reach in practice; a step past the table divides instead.
   */
  private readonly reciprocal: Float64Array;
  private readonly total: number;
  /**
   * Row r's conditional probability, counts_r / (counts of rows r and after, the rows drawn in order): its
   * smaller side p' = min(p, 1 − p), whether that is 1 − p (the draw is then n minus the binomial's), ln(1 − p'),
   * the odds p'/(1 − p'), and the draws left from which its mean np' reaches BTRS's threshold.
   */
  private readonly small: Float64Array;
  private readonly complement: Uint8Array;
  private readonly logLarge: Float64Array;
  private readonly odds: Float64Array;
  private readonly btrsFrom: Float64Array;
  /** Each resample's draws left, in {@link resampleMany}. */
  private drawsLeft = new Float64Array(0);

  /**
   * Prepares the resampling of `counts`: the conditional probabilities are the same in every resample (only the
   * number of draws left varies), so what depends on them alone is computed once here.
   * @param counts - each row's count (non-negative integers)
   */
  constructor(counts: Float64Array) {
    let total = 0;
    let largest = 0;
    for (const c of counts) {
      total += c;
      largest = Math.max(largest, c);
    }
    this.total = total;
    this.reciprocal = new Float64Array(Math.min(total, 2 * largest + BTRS_PRODUCT_SPAN) + 2);
    for (let k = 1; k < this.reciprocal.length; k++) this.reciprocal[k] = 1 / k;
    const rows = counts.length;
    this.small = new Float64Array(rows);
    this.complement = new Uint8Array(rows);
    this.logLarge = new Float64Array(rows);
    this.odds = new Float64Array(rows);
    this.btrsFrom = new Float64Array(rows);
    let countLeft = total;
    for (let s = 0; s < rows; s++) {
      const count = counts[s];
      const rest = countLeft - count;
      // p' from the smaller of the two counts, so that it is correctly rounded on either side of ½ (1 − fl(p) is
      // off by up to ulp(1)/2, a large relative error when 1 − p is small)
      const small = countLeft > 0 ? Math.min(count, rest) / countLeft : 0;
      this.small[s] = small;
      this.complement[s] = count > rest ? 1 : 0;
      this.logLarge[s] = Math.log1p(-small);
      this.odds[s] = small / (1 - small);
      this.btrsFrom[s] = small > 0 ? BTRS_MIN_MEAN / small : Infinity;
      countLeft -= count;
    }
  }

  /**
   * Binomial(n, p') by BTRS for p' ≤ ½ and np' ≥ 10 (Hörmann 1993), p' row s's smaller conditional probability.
   * Each try maps u uniform on (−½, ½) through the inverse of the hat's cumulative to k; inside the box
   * |u| ≤ ½ − 0.07, v ≤ v_r the hat is below the pmf and k is accepted at once, otherwise when v times the hat is
   * below the pmf: v ≤ f(k)/f(m) with m the mode, by the product of the ratios f(i)/f(i − 1) = ((n + 1)/i − 1) ·
   * p'/(1 − p') between m and k when they are close ({@link BTRS_PRODUCT_SPAN}), in logarithms otherwise.
   */
  private btrs(n: number, s: number, random: UniformStream): number {
    const p = this.small[s];
    const spq = Math.sqrt(n * (p * (1 - p)));
    const b = 1.15 + 2.53 * spq;
    const a = -0.0873 + 0.0248 * b + 0.01 * p;
    const c = n * p + 0.5;
    const vr = 0.92 - 4.2 / b;
    for (;;) {
      const u = random.uniform() - 0.5;
      let v = random.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + c);
      if (us >= BTRS_BOX_US && v <= vr) return k;
      if (k < 0 || k > n) continue;
      const alpha = (2.83 + 5.1 / b) * spq;
      const m = Math.floor((n + 1) * p);
      v *= alpha / (a / (us * us) + b);
      if (Math.abs(k - m) <= BTRS_PRODUCT_SPAN && Math.max(k, m) < this.reciprocal.length) {
        // f(i)/f(i − 1) = (n + 1 − i)/i · odds, with 1/i from the table
        const odds = this.odds[s];
        const reciprocal = this.reciprocal;
        const scaled = (n + 1) * odds;
        let ratio = 1;
        if (k > m) {
          for (let i = m + 1; i <= k; i++) ratio *= scaled * reciprocal[i] - odds;
          if (v <= ratio) return k;
        } else {
          for (let i = k + 1; i <= m; i++) ratio *= scaled * reciprocal[i] - odds;
          if (v * ratio <= 1) return k;
        }
        continue;
      }
      const logRatio = logFactorialRatio(m, k) + logFactorialRatio(n - m, n - k);
      const logOdds = Math.log(p) - this.logLarge[s];
      if (Math.log(v) <= logRatio + (k - m) * logOdds) return k;
    }
  }

  /** Binomial(n, p') by inversion from 0, p' row s's smaller conditional probability, from one uniform. */
  private inversion(n: number, s: number, random: UniformStream): number {
    const odds = this.odds[s];
    const reciprocal = this.reciprocal;
    const atZero = Math.exp(n * this.logLarge[s]);
    let f = atZero;
    let u = random.uniform();
    let k = 0;
    while (u >= f) {
      u -= f;
      // P(k + 1) = P(k) · (n − k) / (k + 1) · p' / (1 − p')
      f *= (n - k) * odds * (k + 1 < reciprocal.length ? reciprocal[k + 1] : 1 / (k + 1));
      k++;
      if (f === 0) {
        // past k = n, or the terms underflowed: the uniform exceeded the probabilities' computed sum, which falls
        // short of 1 by rounding only; a fresh uniform keeps the draw exact
        f = atZero;
        u = random.uniform();
        k = 0;
      }
    }
    return k;
  }

  /**
   * Resamples `many` times at once, interleaved row by row: `outs[j]` from `streams[j]`, for j below `many`, exactly
   * as {@link resample} would (the resamples share nothing but the tables).
   */
  resampleMany(streams: readonly UniformStream[], outs: readonly Float64Array[], many: number): void {
    if (this.drawsLeft.length < many) this.drawsLeft = new Float64Array(many);
    const drawsLeft = this.drawsLeft;
    drawsLeft.fill(this.total, 0, many);
    const rows = this.small.length;
    for (let s = 0; s < rows; s++) {
      const small = this.small[s];
      const complement = this.complement[s];
      const btrsFrom = this.btrsFrom[s];
      for (let j = 0; j < many; j++) {
        const n = drawsLeft[j];
        let k = 0;
        if (n > 0 && small > 0) {
          k = n >= btrsFrom ? this.btrs(n, s, streams[j]) : this.inversion(n, s, streams[j]);
          if (complement === 1) k = n - k;
        } else if (complement === 1) k = n;
        outs[j][s] = k;
        drawsLeft[j] = n - k;
      }
    }
  }

  /** Resamples: `out[r]` gets row r's number of draws among `total` = Σ counts draws with replacement. */
  resample(random: UniformStream, out: Float64Array): void {
    this.resampleMany([random], [out], 1);
  }
}
