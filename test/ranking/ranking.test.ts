import { describe, expect, it } from "vitest";
import { test as fcTest, fc } from "@fast-check/vitest";
import fixtures from "../fixtures/ranking.json" with { type: "json" };
import {
  bradleyTerryLogLikelihood,
  bradleyTerryLogLikelihoodGradient,
  bradleyTerryLogLikelihoodHessian,
  bradleyTerryProbability,
  logSigmoid,
  plackettLuceLogLikelihood,
  plackettLuceLogLikelihoodGradient,
  plackettLuceLogLikelihoodHessian,
  plackettLuceLogProbability,
  samplePlackettLuce,
  createRandom,
  type Comparison,
  type PlackettLuceObservation,
} from "../../src/index.js";
import { EPS, expectClose, expectLuceError, num } from "../helpers/close.js";
import { finiteDifferenceGradient, permutations } from "../helpers/permutations.js";

const scoresArb = (min: number, max: number) =>
  fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: min, maxLength: max });

describe("Plackett–Luce log-probabilities against 60-digit references", () => {
  it.each(fixtures.plackettLuce.map((c, i) => [i, c] as const))("case %i", (_i, c) => {
    const ref = num(c.logProbability);
    // The bound is 1e-12 relative (absolute 1e-300 below that); the error is in fact a
    // few EPS of Σ|factors| ≤ k·|scores spread|, which the tighter check states.
    expectClose(plackettLuceLogProbability(c.scores, c.ranking), ref, { rel: 1e-12, abs: 1e-300 });
    const spread = Math.max(...c.scores) - Math.min(...c.scores);
    expectClose(plackettLuceLogProbability(c.scores, c.ranking), ref, {
      rel: 16 * EPS,
      abs: 16 * EPS * c.ranking.length * spread,
    });
  });
  it("keeps the dominated factor: [1000, 880] in order is -7.66e-53, not 0", () => {
    const v = plackettLuceLogProbability([1000, 880], [0, 1]);
    expectClose(v, -Math.exp(-120), { rel: 4 * EPS });
  });
  it("the global form with each observation form agrees with the local form", () => {
    const scores = [0.3, -1.2, 2.5, 0.7];
    const local = plackettLuceLogProbability([0.3, 2.5, 0.7], [1, 0]);
    expectClose(plackettLuceLogLikelihood(scores, [{ ranking: [2, 0], of: [0, 2, 3] }]), local, { rel: 4 * EPS });
    expectClose(
      plackettLuceLogLikelihood(scores, [[2, 0, 3]]),
      plackettLuceLogProbability([0.3, 2.5, 0.7], [1, 0, 2]),
      { rel: 4 * EPS },
    );
    expectClose(plackettLuceLogLikelihood(scores, [[3, [1, 2]]]), plackettLuceLogProbability([-1.2, 2.5, 0.7], [2]), {
      rel: 4 * EPS,
    });
  });
});

describe("Bradley–Terry", () => {
  it.each(fixtures.bradleyTerry.map((c, i) => [i, c] as const))("log-likelihood case %i", (_i, c) => {
    expectClose(bradleyTerryLogLikelihood(c.scores, c.comparisons as unknown as Comparison[]), num(c.logLikelihood), {
      rel: 8 * EPS,
    });
  });
  it("probability is the logistic of the score difference", () => {
    expectClose(bradleyTerryProbability(1, 0), 1 / (1 + Math.exp(-1)), { rel: 2 * EPS });
    expect(bradleyTerryProbability(1e4, -1e4)).toBe(1);
    expect(bradleyTerryProbability(-1e4, 1e4)).toBe(0);
  });
});

describe("properties", () => {
  fcTest.prop([scoresArb(1, 6)])("probabilities of all full rankings sum to 1", (scores) => {
    const total = permutations(scores.length).reduce((a, p) => a + Math.exp(plackettLuceLogProbability(scores, p)), 0);
    expectClose(total, 1, { abs: 1e-12 });
  });
  fcTest.prop([fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: -1e3, max: 1e3, noNaN: true })])(
    "K = 2 is Bradley–Terry",
    (a, b) => {
      expectClose(plackettLuceLogProbability([a, b], [0, 1]), logSigmoid(a - b), {
        rel: 4 * EPS,
        abs: 4 * EPS * Math.abs(a - b),
      });
      expectClose(plackettLuceLogLikelihood([a, b], [[1, 0]]), bradleyTerryLogLikelihood([a, b], [[1, 0]]), {
        rel: 4 * EPS,
        abs: 4 * EPS * Math.abs(a - b),
      });
    },
  );
  fcTest.prop([
    scoresArb(2, 6).chain((s) =>
      fc.tuple(
        fc.constant(s),
        fc.shuffledSubarray(
          s.map((_, i) => i),
          { minLength: 1, maxLength: s.length },
        ),
      ),
    ),
  ])("a top-k probability is the sum over its completions", ([scores, prefix]) => {
    const completions = permutations(scores.length).filter((p) => prefix.every((item, i) => p[i] === item));
    const total = completions.reduce((a, p) => a + Math.exp(plackettLuceLogProbability(scores, p)), 0);
    expectClose(Math.exp(plackettLuceLogProbability(scores, prefix)), total, { rel: 1e-12, abs: 1e-300 });
  });
  fcTest.prop([scoresArb(1, 8), fc.integer({ min: -1000, max: 1000 }).map((k) => k / 8)])(
    "adding a constant to every score changes nothing (Lemma 1, simplest form)",
    (scores, c) => {
      const ranking = scores.map((_, i) => i).reverse();
      const shifted = scores.map((s) => s + c);
      const scale = 8 * EPS * scores.length * (Math.max(...scores.map(Math.abs)) + Math.abs(c));
      expectClose(plackettLuceLogProbability(shifted, ranking), plackettLuceLogProbability(scores, ranking), {
        rel: 16 * EPS,
        abs: scale,
      });
    },
  );
  const observationsArb = (n: number) =>
    fc.array(
      fc.oneof(
        fc.shuffledSubarray(
          Array.from({ length: n }, (_, i) => i),
          { minLength: 2 },
        ),
        fc
          .shuffledSubarray(
            Array.from({ length: n }, (_, i) => i),
            { minLength: 2 },
          )
          .chain((of) =>
            fc.integer({ min: 1, max: of.length }).map((k) => ({ ranking: of.slice(0, k), of: [...of].sort() })),
          ),
        fc
          .shuffledSubarray(
            Array.from({ length: n }, (_, i) => i),
            { minLength: 2 },
          )
          .map(([c, ...others]) => [c, others] as const),
      ) as fc.Arbitrary<PlackettLuceObservation>,
      { minLength: 1, maxLength: 8 },
    );
  fcTest.prop([
    fc
      .integer({ min: 2, max: 6 })
      .chain((n) =>
        fc.tuple(
          fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: n, maxLength: n }),
          observationsArb(n),
        ),
      ),
  ])("Plackett–Luce gradient and Hessian match finite differences", ([scores, obs]) => {
    const fd = finiteDifferenceGradient((s) => plackettLuceLogLikelihood(s, obs), scores);
    const grad = plackettLuceLogLikelihoodGradient(scores, obs);
    grad.forEach((g, i) => expectClose(g, fd[i], { abs: 1e-6 * obs.length }));
    const hess = plackettLuceLogLikelihoodHessian(scores, obs);
    for (let i = 0; i < scores.length; i++) {
      const fdRow = finiteDifferenceGradient((s) => plackettLuceLogLikelihoodGradient(s, obs)[i], scores);
      hess[i].forEach((h, j) => expectClose(h, fdRow[j], { abs: 1e-6 * obs.length }));
    }
  });
  fcTest.prop([
    fc.integer({ min: 2, max: 6 }).chain((n) =>
      fc.tuple(
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: n, maxLength: n }),
        fc.array(
          fc
            .tuple(fc.nat(n - 1), fc.nat(n - 1), fc.double({ min: 0, max: 3, noNaN: true }))
            .filter(([w, l]) => w !== l),
          { minLength: 1, maxLength: 10 },
        ),
      ),
    ),
  ])("Bradley–Terry gradient and Hessian match finite differences", ([scores, comps]) => {
    const c = comps as unknown as Comparison[];
    const fd = finiteDifferenceGradient((s) => bradleyTerryLogLikelihood(s, c), scores);
    bradleyTerryLogLikelihoodGradient(scores, c).forEach((g, i) => expectClose(g, fd[i], { abs: 1e-6 * comps.length }));
    const hess = bradleyTerryLogLikelihoodHessian(scores, c);
    for (let i = 0; i < scores.length; i++) {
      const fdRow = finiteDifferenceGradient((s) => bradleyTerryLogLikelihoodGradient(s, c)[i], scores);
      hess[i].forEach((h, j) => expectClose(h, fdRow[j], { abs: 1e-6 * comps.length }));
    }
  });
});

describe("sampling", () => {
  // Chi-squared goodness of fit with a fixed seed. Critical values at p = 0.001: 20.52 (5 df), 13.82 (2 df).
  function chiSquared(counts: Map<string, number>, probs: Map<string, number>, n: number): number {
    let chi = 0;
    for (const [key, p] of probs) chi += ((counts.get(key) ?? 0) - n * p) ** 2 / (n * p);
    return chi;
  }
  it("full rankings follow the Plackett–Luce probabilities", () => {
    const scores = [1, 0, -0.5];
    const n = 60_000;
    const random = createRandom(12345);
    const counts = new Map<string, number>();
    for (let t = 0; t < n; t++) {
      const key = samplePlackettLuce(scores, { random }).join(",");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const probs = new Map(permutations(3).map((p) => [p.join(","), Math.exp(plackettLuceLogProbability(scores, p))]));
    expect(chiSquared(counts, probs, n)).toBeLessThan(20.52);
  });
  it("top-1 draws follow the softmax", () => {
    const scores = [0.2, 1.1, -0.7];
    const n = 30_000;
    const counts = new Map<string, number>();
    const random = createRandom(99);
    for (let t = 0; t < n; t++) {
      const key = String(samplePlackettLuce(scores, { random, k: 1 })[0]);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const z = scores.reduce((a, s) => a + Math.exp(s), 0);
    const probs = new Map(scores.map((s, i) => [String(i), Math.exp(s) / z]));
    expect(chiSquared(counts, probs, n)).toBeLessThan(13.82);
  });
  it("is reproducible from a seed and stays sane at extreme spreads", () => {
    expect(Array.from(samplePlackettLuce([3, 1, 2, 0], { seed: 5 }))).toEqual(
      Array.from(samplePlackettLuce([3, 1, 2, 0], { seed: 5 })),
    );
    expect(Array.from(samplePlackettLuce([1e4, 0, -1e4], { seed: 1 }))).toEqual([0, 1, 2]);
  });
  it("createRandom gives uniforms in [0, 1) with the right mean", () => {
    const random = createRandom(7);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = random();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
    }
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.005); // 5.5 standard errors
  });
});

describe("bad input", () => {
  it("bradleyTerry functions name the argument", () => {
    expectLuceError(() => bradleyTerryProbability(Number.NaN, 0), "ri");
    expectLuceError(() => bradleyTerryProbability(0, Infinity), "rj");
    for (const f of [bradleyTerryLogLikelihood, bradleyTerryLogLikelihoodGradient, bradleyTerryLogLikelihoodHessian]) {
      expectLuceError(() => f([0, Number.NaN], [[0, 1]]), "scores[1]");
      expectLuceError(() => f([0, 1], [[0, 2]]), "comparisons[0][1]");
      expectLuceError(() => f([0, 1], [[0, 0]]), "comparisons[0]");
      expectLuceError(() => f([0, 1], [[0, 1, -1]]), "comparisons[0][2]");
      expectLuceError(() => f([0, 1], [[0, 1, Number.NaN]]), "comparisons[0][2]");
      expectLuceError(() => f([0, 1], [[0.5, 1]]), "comparisons[0][0]");
      expectLuceError(() => f([0, 1], [[0]] as unknown as Comparison[]), "comparisons[0]");
      expectLuceError(() => f([0, 1], null as unknown as Comparison[]), "comparisons");
    }
  });
  it("plackettLuceLogProbability names the argument", () => {
    expectLuceError(() => plackettLuceLogProbability([0, Infinity], [0, 1]), "scores[1]");
    expectLuceError(() => plackettLuceLogProbability([], []), "scores");
    expectLuceError(() => plackettLuceLogProbability([0, 1], []), "ranking");
    expectLuceError(() => plackettLuceLogProbability([0, 1], [0, 0]), "ranking[1]");
    expectLuceError(() => plackettLuceLogProbability([0, 1], [0, 2]), "ranking[1]");
    expectLuceError(() => plackettLuceLogProbability([0, 1], [-1]), "ranking[0]");
  });
  it("plackettLuce likelihood functions name the argument", () => {
    for (const f of [plackettLuceLogLikelihood, plackettLuceLogLikelihoodGradient, plackettLuceLogLikelihoodHessian]) {
      expectLuceError(() => f([0, Number.NaN], [[0, 1]]), "scores[1]");
      expectLuceError(() => f([0, 1, 2], [[0, 1], []]), "observations[1]");
      expectLuceError(() => f([0, 1, 2], [[0, 1, 0]]), "observations[0][2]");
      expectLuceError(() => f([0, 1, 2], [[0, 3]]), "observations[0][1]");
      expectLuceError(() => f([0, 1, 2], [{ ranking: [0, 1], of: [0, 2] }]), "observations[0].of");
      expectLuceError(() => f([0, 1, 2], [{ ranking: [0], of: [0, 2, 2] }]), "observations[0].of[2]");
      expectLuceError(() => f([0, 1, 2], [[0, [1, 0]]]), "observations[0][1][1]");
      expectLuceError(() => f([0, 1, 2], [[0, [1, 5]]]), "observations[0][1][1]");
      expectLuceError(() => f([0, 1, 2], 3 as unknown as PlackettLuceObservation[]), "observations");
    }
  });
  it("samplePlackettLuce names the argument", () => {
    expectLuceError(() => samplePlackettLuce([Number.NaN]), "scores[0]");
    expectLuceError(() => samplePlackettLuce([]), "scores");
    expectLuceError(() => samplePlackettLuce([0, 1], { k: 3 }), "options.k");
    expectLuceError(() => samplePlackettLuce([0, 1], { k: 0 }), "options.k");
    expectLuceError(() => samplePlackettLuce([0, 1], { random: () => 1 }), "options.random");
    expectLuceError(() => createRandom(Number.NaN), "seed");
  });
});
