import { describe, expect, it } from "vitest";
import {
  bradleyTerryLogLikelihoodHessian,
  fitBradleyTerry,
  fitPlackettLuce,
  plackettLuceLogLikelihoodHessian,
  type Comparison,
  type PlackettLuceObservation,
} from "../../src/index.js";
import { expectClose, expectLuceError } from "../helpers/close.js";

const games: Comparison[] = [
  [0, 1, 3],
  [1, 0, 1],
  [1, 2, 2],
  [2, 1, 2],
  [0, 2],
  [2, 0],
];

describe("sizes taken from the data", () => {
  it("fits 200,000 items in one cycle (no spread of a per-item array into arguments)", () => {
    const n = 200_000;
    const winners = new Int32Array(2 * n);
    const losers = new Int32Array(2 * n);
    for (let i = 0; i < n; i++) {
      winners[2 * i] = i;
      losers[2 * i] = (i + 1) % n;
      winners[2 * i + 1] = (i + 1) % n;
      losers[2 * i + 1] = i;
    }
    // every item wins and loses once against each neighbour: by symmetry the MLE is all zeros
    const fit = fitBradleyTerry({ winners, losers }, { nItems: n, standardErrors: false });
    expect(fit.logStrength.length).toBe(n);
    expect(fit.logStrength.every((t) => Math.abs(t) < 1e-9)).toBe(true);
    // the identifiability check at that size: two cycles of 100,000 items each, never compared
    const half = n / 2;
    const split = (i: number) => (i < half ? (i + 1) % half : half + ((i + 1 - half) % half));
    for (let i = 0; i < n; i++) {
      losers[2 * i] = split(i);
      winners[2 * i + 1] = split(i);
    }
    expect(() => fitBradleyTerry({ winners, losers }, { nItems: n })).toThrow(/not strongly connected \(2 components/);
  });

  it("refuses an index far above the number of distinct items unless nItems is given", () => {
    const pair = (i: number): Comparison[] => [
      [0, i],
      [i, 0],
    ];
    // past what any fit holds: the entry is named; far above the 2 distinct items: the data are
    expectLuceError(
      () => fitBradleyTerry(pair(1e8), { prior: { variance: 1 } }),
      "comparisons[0][1]",
      "fitBradleyTerry",
    );
    expectLuceError(() => fitBradleyTerry(pair(1e6), { prior: { variance: 1 } }), "comparisons", "fitBradleyTerry");
    expect(() => fitPlackettLuce([[0, 5000]], { prior: { variance: 1 } })).toThrow(/give options\.nItems/);
    // small gaps are fine (items absent from the data get the prior mean), and nItems lifts the rule
    expect(
      fitBradleyTerry(
        [
          [0, 5],
          [5, 0],
        ],
        { prior: { variance: 1 } },
      ).logStrength.length,
    ).toBe(6);
    expect(
      fitBradleyTerry({ winners: [0, 3000], losers: [3000, 0] }, { nItems: 3001, prior: { variance: 1 } }).logStrength
        .length,
    ).toBe(3001);
  });

  it("refuses nItems past what a fit can hold, and indices that do not fit Int32 storage", () => {
    expectLuceError(() => fitBradleyTerry(games, { prior: { variance: 2 }, nItems: 2 ** 31 }), "options.nItems");
    expectLuceError(() => fitPlackettLuce([[0, 1]], { prior: { variance: 2 }, nItems: 2 ** 31 }), "options.nItems");
    expectLuceError(() => fitBradleyTerry(games, { nItems: 2.5 }), "options.nItems");
    for (const big of [2 ** 31, 2 ** 32, 2 ** 32 + 1]) {
      const tuples: Comparison[] = [
        [big, 0],
        [0, big],
      ];
      expectLuceError(() => fitBradleyTerry(tuples), "comparisons[0][0]", "fitBradleyTerry");
      expectLuceError(
        () => fitBradleyTerry({ winners: [big, 0], losers: [0, big] }),
        "comparisons.winners[0]",
        "fitBradleyTerry",
      );
      expectLuceError(() => fitPlackettLuce([[0, big]]), "observations[0][1]", "fitPlackettLuce");
    }
    expectLuceError(() => fitPlackettLuce([[0, 1e15]]), "observations[0][1]");
  });

  it("takes Plackett–Luce item indices from the documented fields only; cyclic or nested objects are harmless", () => {
    const expected = fitPlackettLuce([
      [0, 1],
      [1, 0],
    ]);
    const noted = fitPlackettLuce([
      [0, 1],
      [1, 0],
      { ranking: [0], of: [0, 1], note: 2 ** 40 } as PlackettLuceObservation,
    ]);
    expect(noted.logStrength.length).toBe(2);
    const cyclic: { ranking: number[]; of: number[]; self?: unknown } = { ranking: [0, 1], of: [0, 1] };
    cyclic.self = cyclic;
    let deep: unknown = [];
    for (let d = 0; d < 100_000; d++) deep = { inner: deep };
    const fit = fitPlackettLuce([cyclic, [1, 0], { ranking: [1], of: [0, 1], deep } as PlackettLuceObservation]);
    expect(fit.logStrength.length).toBe(2);
    expect(expected.logStrength[0]).toBe(0);
  });

  it("the dense Hessians refuse sizes that cannot be held", () => {
    const scores = new Float64Array(2_000_000);
    expectLuceError(
      () => bradleyTerryLogLikelihoodHessian(scores, [[0, 1]]),
      "scores",
      "bradleyTerryLogLikelihoodHessian",
    );
    expectLuceError(
      () => plackettLuceLogLikelihoodHessian(scores, [[0, 1]]),
      "scores",
      "plackettLuceLogLikelihoodHessian",
    );
  });
});

describe("no silent coercion of columns and options", () => {
  const winners = [0, 1, 1, 2, 0, 2];
  const losers = [1, 0, 2, 1, 2, 0];
  for (const bad of [null, "", false, true, [], "1", new Date(0)]) {
    it(`refuses ${JSON.stringify(bad) ?? String(bad)} in counts, orderEffect and tieOrderEffect`, () => {
      const counts: unknown[] = [1, 1, 1, 1, 1, 1];
      counts[2] = bad;
      expectLuceError(
        () => fitBradleyTerry({ winners, losers, counts: counts as number[] }),
        "comparisons.counts[2]",
        "fitBradleyTerry",
      );
      const h: unknown[] = [1, -1, 0, 0, 1, -1];
      h[3] = bad;
      expectLuceError(
        () => fitBradleyTerry(games, { orderEffect: h as number[] }),
        "options.orderEffect[3]",
        "fitBradleyTerry",
      );
      expectLuceError(
        () => fitBradleyTerry(games, { ties: [[0, 1]], tieOrderEffect: [bad] as unknown as number[] }),
        "options.tieOrderEffect[0]",
        "fitBradleyTerry",
      );
    });
  }
  it("refuses indices that are not integers in the columns", () => {
    for (const bad of [null, "1", 1.5, -1, true])
      expectLuceError(
        () => fitBradleyTerry({ winners: [bad as number, 1], losers: [1, 0] }),
        "comparisons.winners[0]",
        "fitBradleyTerry",
      );
  });
  it("refuses unknown option keys, nested ones too, and non-boolean standardErrors", () => {
    expectLuceError(() => fitBradleyTerry(games, { tolerence: 1e-3 } as never), "options.tolerence", "fitBradleyTerry");
    expectLuceError(() => fitPlackettLuce([[0, 1]], { orderEffect: [1] } as never), "options.orderEffect");
    expectLuceError(
      () => fitBradleyTerry(games, { prior: { variance: 1, mean: 2 } as never }),
      "options.prior.mean",
      "fitBradleyTerry",
    );
    expectLuceError(() => fitBradleyTerry(games, { prior: null as never }), "options.prior");
    expectLuceError(() => fitBradleyTerry(games, { standardErrors: "no" as never }), "options.standardErrors");
    expectLuceError(() => fitPlackettLuce([[0, 1]], [] as never), "options");
    // the known keys still work
    const fit = fitBradleyTerry(games, { standardErrors: false, scale: "log", tolerance: 1e-10 });
    expectClose(fit.logStrength[0] + fit.logStrength[1] + fit.logStrength[2], 0, { abs: 1e-12 });
  });
});
