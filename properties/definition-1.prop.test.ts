// Definition 1 is an equivalence relation: checked on exact (dyadic) shifts with the public arbitraries.
import { expect } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { shiftArbitrary } from "../src/arbitraries/index.js";
import { areEquivalentRewards, canonicalReward } from "../src/index.js";

const dyadicRewards = fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 3 }).chain((shape) =>
  fc.tuple(
    fc.tuple(
      ...shape.map((k) =>
        fc.array(
          fc.integer({ min: -1_024_000, max: 1_024_000 }).map((n) => n / 256),
          { minLength: k, maxLength: k },
        ),
      ),
    ),
    shiftArbitrary(shape, { dyadic: true }),
    shiftArbitrary(shape, { dyadic: true }),
  ),
);

test.prop([dyadicRewards])("reflexive, symmetric and transitive on exact shifts", ([r1, f, g]) => {
  const r2 = r1.map((row, x) => row.map((v, y) => v + f[x][y]));
  const r3 = r2.map((row, x) => row.map((v, y) => v + g[x][y]));
  expect(areEquivalentRewards(r1, r1)).toBe(true);
  expect(areEquivalentRewards(r1, r2)).toBe(areEquivalentRewards(r2, r1));
  expect(areEquivalentRewards(r1, r2) && areEquivalentRewards(r2, r3)).toBe(true);
  expect(areEquivalentRewards(r1, r3)).toBe(true);
  // the canonical representative is the same for the whole class (the mean divides by k: one rounding)
  const c1 = canonicalReward(r1);
  const c3 = canonicalReward(r3);
  c1.forEach((row, x) => {
    const bound = 4 * Number.EPSILON * Math.max(...r1[x].map(Math.abs), ...r3[x].map(Math.abs));
    row.forEach((v, y) => expect(Math.abs(v - c3[x][y])).toBeLessThanOrEqual(bound));
  });
});

test.prop([dyadicRewards, fc.integer({ min: 1, max: 256 })])(
  "a shift that varies with y leaves the class",
  ([r1], bump) => {
    const r2 = r1.map((row) => row.map((v, y) => (y === 0 ? v + bump / 256 : v)));
    expect(areEquivalentRewards(r1, r2)).toBe(r1.every((row) => row.length === 1));
  },
);
