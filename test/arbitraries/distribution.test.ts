import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { finiteProblemArbitrary, type FiniteProblem } from "../../src/arbitraries/index.js";
import { uniformDouble } from "../../src/arbitraries/uniform.js";

// Instances that look like real use: ordinary values most of the time, the extremes often. Counted over the
// instances a property actually receives (fc.check, with fast-check's bias), as checkStatement uses them.
function drawn(numRuns: number): FiniteProblem[] {
  const seen: FiniteProblem[] = [];
  fc.check(
    fc.property(finiteProblemArbitrary(), (p) => {
      seen.push(p);
      return true;
    }),
    { numRuns, seed: 42 },
  );
  return seen;
}

const share = <T>(xs: T[], keep: (x: T) => boolean) => xs.filter(keep).length / xs.length;

describe("finite problems reach ordinary values most of the time and the extremes often", () => {
  const problems = drawn(600);
  const overBeta = problems.flatMap((p) => p.reward.flat().map((r) => Math.abs(r / p.beta)));
  it("β spreads over [0.01, 100] rather than sitting at 1", () => {
    const betas = problems.map((p) => p.beta);
    expect(share(betas, (b) => b === 1)).toBeLessThan(0.05);
    expect(share(betas, (b) => b < 0.1)).toBeGreaterThan(0.15);
    expect(share(betas, (b) => b > 10)).toBeGreaterThan(0.15);
    expect(betas).toContain(0.01);
    expect(betas).toContain(100);
  });
  it("most rewards are ordinary (|r/β| in [0.01, 10]), few are essentially 0", () => {
    expect(share(overBeta, (t) => t >= 0.01 && t <= 10)).toBeGreaterThan(0.6);
    expect(share(overBeta, (t) => t < 1e-6)).toBeLessThan(0.1);
  });
  it("|r/β| = 4000 in some instances, not most", () => {
    const extreme = share(problems, (p) => p.reward.flat().some((r) => Math.abs(r / p.beta) >= 4000 * (1 - 1e-12)));
    expect(extreme).toBeGreaterThan(0.05);
    expect(extreme).toBeLessThan(0.5);
  });
  it("π_ref reaches e^-5000 in log space, and most entries are ordinary", () => {
    const logRef = problems.flatMap((p) => p.logReference.flat());
    expect(Math.min(...logRef)).toBeLessThan(-4990);
    expect(share(logRef, (v) => v > -10)).toBeGreaterThan(0.6);
  });
});

describe("uniformDouble", () => {
  it("is uniform in value, not in bit patterns", () => {
    const xs = fc.sample(uniformDouble(-5, 5), { numRuns: 2000, seed: 1 });
    expect(xs.every((x) => x >= -5 && x <= 5)).toBe(true);
    // a uniform draw has |x| < 0.5 one time in ten
    expect(share(xs, (x) => Math.abs(x) < 0.5)).toBeGreaterThan(0.07);
    expect(share(xs, (x) => Math.abs(x) < 0.5)).toBeLessThan(0.13);
    expect(share(xs, (x) => Math.abs(x) < 1e-6)).toBeLessThan(0.01);
  });
});
