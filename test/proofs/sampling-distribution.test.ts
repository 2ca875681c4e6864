import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/numerics/random.js";
import { samplePlackettLuce } from "../../src/ranking/sampling.js";

// exact Plackett–Luce probabilities of every (top-k) ranking and chi-square critical values, from
// test/fixtures/sampling_reference.py (mpmath at 60 digits, scipy's chi2.isf)
const fixture = JSON.parse(readFileSync(new URL("../fixtures/sampling.json", import.meta.url), "utf8")) as {
  falseAlarm: number;
  cases: { scores: number[]; k: number; outcomes: number[][]; probabilities: string[]; critical: number }[];
  uniform: { bins: number; critical: number };
};

const seed = Number(process.env.LUCE_SEED ?? 42);

/** Draws per case: the smallest expected count is above 100, so the chi-square approximation holds. */
const DRAWS = 40_000;

/** Pearson's statistic Σ (observed − expected)² / expected. */
function chiSquare(observed: readonly number[], probabilities: readonly number[], draws: number): number {
  return observed.reduce((sum, o, i) => sum + (o - draws * probabilities[i]) ** 2 / (draws * probabilities[i]), 0);
}

// Each case fails for a correct sampler with probability `falseAlarm` (1e−6) over random seeds: its statistic is
// compared with the chi-square quantile of that upper tail, for (outcomes − 1) degrees of freedom.
describe(`samplePlackettLuce draws rankings with their Plackett–Luce probabilities (false alarm ${fixture.falseAlarm})`, () => {
  it.each(fixture.cases)("scores $scores, top-$k", ({ scores, k, outcomes, probabilities, critical }) => {
    const p = probabilities.map(Number);
    expect(Math.min(...p) * DRAWS).toBeGreaterThan(100);
    const index = new Map(outcomes.map((o, i) => [o.join(","), i]));
    const counts = new Array<number>(outcomes.length).fill(0);
    const random = createRandom(seed);
    for (let n = 0; n < DRAWS; n++) {
      const drawn = samplePlackettLuce(scores, { random, k });
      counts[index.get(Array.from(drawn).join(",")) as number]++;
    }
    expect(counts.reduce((a, b) => a + b, 0)).toBe(DRAWS);
    expect(chiSquare(counts, p, DRAWS)).toBeLessThan(critical);
  });
});

describe(`createRandom is uniform on [0, 1) (false alarm ${fixture.falseAlarm})`, () => {
  it(`${fixture.uniform.bins} equal bins`, () => {
    const { bins, critical } = fixture.uniform;
    const draws = 200_000;
    const counts = new Array<number>(bins).fill(0);
    const random = createRandom(seed);
    let outside = 0;
    for (let n = 0; n < draws; n++) {
      const u = random();
      if (u >= 0 && u < 1) counts[Math.floor(u * bins)]++;
      else outside++;
    }
    expect(outside).toBe(0);
    expect(chiSquare(counts, new Array<number>(bins).fill(1 / bins), draws)).toBeLessThan(critical);
  });
});
