import { describe, expect, it } from "vitest";
import { createRandom } from "../../../src/numerics/random.js";
import { MultinomialSampler } from "../../../src/inference/leaderboard/multinomial.js";

/** The exact binomial pmf by the product formula, summed in log space term by term. */
function binomialPmf(n: number, p: number): number[] {
  return Array.from({ length: n + 1 }, (_, k) => {
    let log = k * Math.log(p) + (n - k) * Math.log1p(-p);
    for (let i = 1; i <= k; i++) log += Math.log(n - k + i) - Math.log(i);
    return Math.exp(log);
  });
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
  // the 1 − 1e-6 quantile of chi-square with df degrees of freedom is below df + 7·√(2 df) + 25 for df ≤ 100
  const bound = (df: number) => df + 7 * Math.sqrt(2 * df) + 25;

  it.each([
    [40, 0.3],
    [25, 0.9],
    [1000, 0.02],
    [7, 0.5],
    [600, 0.45],
  ])("binomial(%d, %d) draws follow the exact pmf (chi-square)", (n, p) => {
    const sampler = new MultinomialSampler(1000);
    const random = createRandom(n * 1000 + Math.round(p * 100));
    const draws = Array.from({ length: 100_000 }, () => sampler.binomial(n, p, random));
    const { statistic, df } = chiSquare(draws, binomialPmf(n, p));
    expect(df).toBeGreaterThan(2);
    expect(statistic).toBeLessThan(bound(df));
  });

  it("a binomial with 400,000 trials has the binomial mean and variance", () => {
    const [n, p, m] = [400_000, 0.37, 20_000];
    const sampler = new MultinomialSampler(n);
    const random = createRandom(3);
    const draws = Array.from({ length: m }, () => sampler.binomial(n, p, random));
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
    const sampler = new MultinomialSampler(total);
    const random = createRandom(9);
    const out = new Float64Array(counts.length);
    const rounds = 20_000;
    const sums = new Float64Array(counts.length);
    for (let r = 0; r < rounds; r++) {
      sampler.resample(counts, total, random, out);
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
