import { describe, expect, it } from "vitest";
import {
  bradleyTerryLogLikelihood,
  bradleyTerryLogLikelihoodGradient,
  plackettLuceLogLikelihood,
  plackettLuceLogLikelihoodGradient,
  plackettLuceLogProbability,
  samplePlackettLuce,
} from "../../src/index.js";
import { expectLuceError } from "../helpers/close.js";

/** Scores [0, 1, 2] whose entry 1 answers 1 on its first read and NaN afterwards. */
function changingScores(): number[] {
  let reads = 0;
  return new Proxy([0, 1, 2], { get: (t, k) => (k === "1" ? (reads++ === 0 ? 1 : Number.NaN) : Reflect.get(t, k)) });
}

describe("likelihoods and gradients compute on the scores they validated", () => {
  const comparisons: [number, number][] = [
    [1, 0],
    [2, 1],
  ];
  const rankings = [
    [2, 1, 0],
    [1, 0],
  ];
  it("Bradley–Terry: log σ(1) + log σ(1), gradient [−σ(−1), σ(−1) − σ(−1), σ(−1)]", () => {
    const expected = 2 * -Math.log1p(Math.exp(-1));
    expect(bradleyTerryLogLikelihood(changingScores(), comparisons)).toBeCloseTo(expected, 15);
    const s = 1 / (1 + Math.exp(1));
    const grad = Array.from(bradleyTerryLogLikelihoodGradient(changingScores(), comparisons));
    expect(grad.every(Number.isFinite)).toBe(true);
    expect(grad[0]).toBeCloseTo(-s, 15);
    expect(grad[2]).toBeCloseTo(s, 15);
  });
  it("Plackett–Luce: the same values as with a plain array", () => {
    expect(plackettLuceLogLikelihood(changingScores(), rankings)).toBe(plackettLuceLogLikelihood([0, 1, 2], rankings));
    expect(Array.from(plackettLuceLogLikelihoodGradient(changingScores(), rankings))).toEqual(
      Array.from(plackettLuceLogLikelihoodGradient([0, 1, 2], rankings)),
    );
    expect(plackettLuceLogProbability(changingScores(), [2, 1, 0])).toBe(
      plackettLuceLogProbability([0, 1, 2], [2, 1, 0]),
    );
  });
  it("a ranking with a lying length is a LuceError", () => {
    for (const length of [-1, 1e10, Number.NaN]) {
      expectLuceError(
        () => plackettLuceLogProbability([0, 1], { length } as never),
        "ranking",
        "plackettLuceLogProbability",
      );
    }
  });
});

describe("samplePlackettLuce options", () => {
  it("null, unknown keys and a bad seed are LuceErrors naming samplePlackettLuce", () => {
    expectLuceError(() => samplePlackettLuce([0, 1], null as never), "options", "samplePlackettLuce");
    expectLuceError(() => samplePlackettLuce([0, 1], { sead: 3 } as never), "options.sead", "samplePlackettLuce");
    expectLuceError(() => samplePlackettLuce([0, 1], { seed: Number.NaN }), "options.seed", "samplePlackettLuce");
    expectLuceError(() => samplePlackettLuce([0, 1], { seed: "1" as never }), "options.seed", "samplePlackettLuce");
  });
  it("a source that returns non-numbers or only zeros is refused, not coerced or looped on", () => {
    expectLuceError(() => samplePlackettLuce([0, 1], { random: () => "0.5" as never }), "options.random");
    expectLuceError(() => samplePlackettLuce([0, 1], { random: () => 0 }), "options.random");
  });
  it("a valid source still samples", () => {
    expect(Array.from(samplePlackettLuce([0, -1e4], { random: () => 0.5 }))).toEqual([0, 1]);
  });
});
