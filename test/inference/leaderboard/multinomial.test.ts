import { describe, expect, it } from "vitest";
import { UniformStream } from "../../../src/numerics/random.js";
import { MultinomialSampler } from "../../../src/inference/leaderboard/multinomial.js";

/** The exact binomial pmf by the product formula, summed in log space term by term. */
function binomialPmf(n: number, p: number): number[] {
  if (n > 5000) return binomialPmfByRatios(n, p);
  return Array.from({ length: n + 1 }, (_, k) => {
    let log = k * Math.log(p) + (n - k) * Math.log1p(-p);
    for (let i = 1; i <= k; i++) log += Math.log(n - k + i) - Math.log(i);
    return Math.exp(log);
  });
}

/**
 * The exact binomial pmf for large n: at the mode m from ln C(n, m) = Σ_{i ≤ m} ln((n − m + i) / i), then outward by
 * the ratios P(k + 1) / P(k) = (n − k)/(k + 1) · p/(1 − p) until the terms underflow.
 */
function binomialPmfByRatios(n: number, p: number): number[] {
  const pmf = new Array<number>(n + 1).fill(0);
  const mode = Math.floor((n + 1) * p);
  let log = mode * Math.log(p) + (n - mode) * Math.log1p(-p);
  for (let i = 1; i <= mode; i++) log += Math.log((n - mode + i) / i);
  pmf[mode] = Math.exp(log);
  for (let k = mode; k < n && pmf[k] > 0; k++) pmf[k + 1] = (pmf[k] * (n - k) * p) / ((k + 1) * (1 - p));
  for (let k = mode; k > 0 && pmf[k] > 0; k--) pmf[k - 1] = (pmf[k] * k * (1 - p)) / ((n - k + 1) * p);
  return pmf;
}

/**
 * Pearson's chi-square of draws against the exact pmf, over the outcomes with expected count ≥ 5 (the rest pooled).
 * Returns the statistic and its degrees of freedom.
 */
function chiSquare(draws: number[], pmf: number[]): { statistic: number; df: number } {
  const observed = new Array<number>(pmf.length).fill(0);
  for (const k of draws) observed[k]++;
  let statistic = 0;
  let df = -1;
  let pooledObserved = 0;
  let pooledExpected = 0;
  pmf.forEach((p, k) => {
    const expected = p * draws.length;
    if (expected >= 5) {
      statistic += (observed[k] - expected) ** 2 / expected;
      df++;
    } else {
      pooledObserved += observed[k];
      pooledExpected += expected;
    }
  });
  if (pooledExpected > 0) {
    statistic += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
    df++;
  }
  return { statistic, df };
}

describe("MultinomialSampler", () => {
  // an upper bound on the 1 − 1e-6 quantile of chi-square with df ≤ 100 degrees of freedom
  const bound = (df: number) => df + 7 * Math.sqrt(2 * df) + 25;

  /** Draws of row 0 of resamples of `counts`: Binomial(Σ counts, counts[0] / Σ counts). */
  function firstRowDraws(counts: number[], draws: number, seed: number): number[] {
    const total = counts.reduce((s, c) => s + c, 0);
    const sampler = new MultinomialSampler(Float64Array.from(counts));
    const random = new UniformStream(seed);
    const out = new Float64Array(counts.length);
    return Array.from({ length: draws }, () => {
      sampler.resample(random, out);
      expect(out.reduce((s, x) => s + x, 0)).toBe(total);
      return out[0];
    });
  }

  // The rows are drawn in order, each as a binomial of the draws left with the smaller of p and 1 − p: with two
  // rows [hits, n − hits] row 0 is drawn with p = hits / n on either side of ½ (above ½ as n minus the binomial of
  // 1 − p). The cases cover both samplers, inversion from 0 (smaller mean below 10) and BTRS (at least 10, its
  // acceptance tested by the product of pmf ratios near the mode and in logarithms far from it), on both sides of
  // ½, near BTRS's threshold, and with the many trials of an arena bootstrap.
  it.each([
    [40, 12],
    [25, 22],
    [1000, 20],
    [7, 3],
    [600, 270],
    [100, 10],
    [100, 9],
    [200, 170],
    [60, 45],
    [400_000, 37],
    [400_000, 150],
    [400_000, 6],
  ])("row 0 of %d draws with count %d follows the exact binomial pmf (chi-square)", (n, hits) => {
    const draws = firstRowDraws([hits, n - hits], 100_000, n * 1000 + hits);
    const { statistic, df } = chiSquare(draws, binomialPmf(n, hits / n));
    expect(df).toBeGreaterThan(2);
    expect(statistic).toBeLessThan(bound(df));
  });

  it.each([
    [30, 11],
    [100, 40],
    [9, 4],
    [400_000, 150_000],
  ])("row 0 of %d draws with count %d, drawn first, follows the exact binomial pmf (chi-square)", (n, hits) => {
    const rest = n - hits;
    const draws = firstRowDraws([hits, Math.floor(rest / 2), rest - Math.floor(rest / 2)], 100_000, n + hits);
    const { statistic, df } = chiSquare(draws, binomialPmf(n, hits / n));
    expect(df).toBeGreaterThan(2);
    expect(statistic).toBeLessThan(bound(df));
  });

  it("a binomial with 400,000 trials has the binomial mean and variance", () => {
    const [n, hits, m] = [400_000, 148_000, 20_000];
    const p = hits / n;
    const draws = firstRowDraws([hits, n - hits], m, 3);
    const mean = draws.reduce((s, x) => s + x, 0) / m;
    const variance = draws.reduce((s, x) => s + (x - mean) ** 2, 0) / (m - 1);
    const sd = Math.sqrt(n * p * (1 - p));
    expect(Math.abs(mean - n * p)).toBeLessThan((5 * sd) / Math.sqrt(m));
    // the sample variance's relative standard error is √(2/(m − 1)) for a near-normal distribution
    expect(Math.abs(variance / (sd * sd) - 1)).toBeLessThan(5 * Math.sqrt(2 / (m - 1)));
  });

  it("resamples counts that sum to the total, each row binomial in distribution", () => {
    const counts = Float64Array.from([5, 0, 120, 33, 1, 41]);
    const total = counts.reduce((s, x) => s + x, 0);
    const sampler = new MultinomialSampler(counts);
    const random = new UniformStream(9);
    const out = new Float64Array(counts.length);
    const rounds = 20_000;
    const sums = new Float64Array(counts.length);
    for (let r = 0; r < rounds; r++) {
      sampler.resample(random, out);
      expect(out.reduce((s, x) => s + x, 0)).toBe(total);
      expect(out[1]).toBe(0);
      out.forEach((x, i) => (sums[i] += x));
    }
    counts.forEach((c, i) => {
      // row i is Binomial(total, c / total): mean c, variance c (1 − c / total)
      const se = Math.sqrt((c * (1 - c / total)) / rounds);
      expect(Math.abs(sums[i] / rounds - c)).toBeLessThanOrEqual(5 * se + 1e-12);
    });
  });
});

describe("MultinomialSampler.resampleMany", () => {
  it("draws each resample exactly as resample does from the same stream alone, interleaved or not", () => {
    // rows drawn by inversion and by BTRS, on both sides of ½, with a zero and a last row taking what is left
    const counts = Float64Array.of(3, 50, 1, 0, 200_000, 12, 4_000, 9, 1, 400, 2);
    const sampler = new MultinomialSampler(counts);
    for (let seed = 0; seed < 50; seed++)
      for (let many = 1; many <= 4; many++) {
        const outs = Array.from({ length: 4 }, () => new Float64Array(counts.length));
        const streams = Array.from({ length: 4 }, (_, j) => new UniformStream(seed * 4 + j));
        sampler.resampleMany(streams, outs, many);
        for (let j = 0; j < many; j++) {
          const alone = new Float64Array(counts.length);
          sampler.resample(new UniformStream(seed * 4 + j), alone);
          expect([...outs[j]]).toEqual([...alone]);
        }
      }
  });
});

describe("MultinomialSampler with a conditional probability near 1", () => {
  /** A stream that hands out one fixed uniform. */
  class FixedUniform extends UniformStream {
    constructor(private readonly u: number) {
      super(0);
    }
    override uniform(): number {
      return this.u;
    }
  }

  it("draws the smaller side with its exact probability 1/N, not 1 minus the rounded (N − 1)/N", () => {
    // counts [N − 1, 1]: row 1 is Binomial(N, 1/N), drawn by inversion as the smaller side of row 0's p = 1 − 1/N,
    // so it is 0 exactly when the uniform is below P(0) = (1 − 1/N)^N, with ln P(0) = −Σ_{j ≥ 1} N^{1−j}/j. Taking
    // 1/N as 1 − fl((N − 1)/N), off by up to ulp(1)/2 absolute, moves P(0) by up to N·ulp(1)/2 ≈ 1e−9 relative
    // (5e−10 at this N); the uniforms on either side of P(0) are 1e−11 away in relative terms, far beyond the few
    // ulp of the exact sampler's P(0).
    const n = 1e7;
    const logAtZero = -(1 + 1 / (2 * n) + 1 / (3 * n * n));
    const atZero = Math.exp(logAtZero);
    const sampler = new MultinomialSampler(Float64Array.of(n - 1, 1));
    const out = new Float64Array(2);
    sampler.resample(new FixedUniform(atZero * (1 - 1e-11)), out);
    expect([...out]).toEqual([n, 0]);
    sampler.resample(new FixedUniform(atZero * (1 + 1e-11)), out);
    expect([...out]).toEqual([n - 1, 1]);
  });
});
