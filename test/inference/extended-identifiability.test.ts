import { describe, expect, it } from "vitest";
import { fitBradleyTerry, type Comparison } from "../../src/index.js";
import { expectClose, expectLuceError } from "../helpers/close.js";

const both: Comparison[] = [
  [0, 1],
  [1, 0],
];

describe("the extended models refuse data that do not identify them", () => {
  it("home side always wins: the order effect is +∞", () => {
    expectLuceError(() => fitBradleyTerry(both, { orderEffect: [1, 1] }), "comparisons", "fitBradleyTerry");
    expect(() => fitBradleyTerry(both, { orderEffect: [-1, -1] })).toThrow(/disadvantaged side wins/);
    expect(() => fitBradleyTerry(both, { orderEffect: [1, 0] })).toThrow(/advantaged side wins .* \+∞/);
  });
  it("home always the same item: the order effect is confounded with the strengths", () => {
    const data: Comparison[] = [...both, [0, 1]];
    expect(() => fitBradleyTerry(data, { orderEffect: [1, -1, 1] })).toThrow(/confounded/);
    expect(() => fitBradleyTerry(both, { orderEffect: [0, 0] })).toThrow(/confounded/);
  });
  it("only ties, or ties that let the strengths spread apart: no maximum", () => {
    expectLuceError(
      () =>
        fitBradleyTerry(
          [
            [0, 1, 0],
            [1, 2, 0],
          ],
          {
            ties: [
              [0, 1],
              [1, 2],
            ],
          },
        ),
      "comparisons",
      "fitBradleyTerry",
    );
    // one win 0 > 1 and one tie: P(win)·P(tie) < 1/4 everywhere, approached only as θ0 − θ1 and δ grow
    expect(() => fitBradleyTerry([[0, 1]], { ties: [[0, 1]] })).toThrow(/no cycle of results has more wins than ties/);
    // with a win each way between 0 and 2 the same tie is fine: no direction raises every probability
    expect(
      fitBradleyTerry(
        [
          [0, 1],
          [2, 0],
          [0, 2],
        ],
        { ties: [[0, 1]] },
      ).converged,
    ).toBe(true);
    expect(() => fitBradleyTerry(both, { ties: [[0, 1, 0]] })).toThrow(/every tie has count 0/);
  });
  it("identified data still fit: order effect with a closed form, and Davidson's model", () => {
    // home wins 3 of 4 on each side, symmetric items: θ0 = θ1 and α = log 3
    const data: Comparison[] = [
      [0, 1, 3],
      [1, 0, 1],
      [1, 0, 3],
      [0, 1, 1],
    ];
    const fit = fitBradleyTerry(data, { orderEffect: [1, -1, 1, -1] });
    expect(fit.converged).toBe(true);
    expectClose(fit.orderEffect!.estimate, Math.log(3), { abs: 1e-10 });
    expectClose(fit.logStrength[0], 0, { abs: 1e-10 });
    // two items, each wins once and they tie t times: θ equal, and Davidson's ν = t / √(1·1)... with
    // P(a) = P(b) = 1/(2 + ν), P(tie) = ν/(2 + ν): the MLE gives ν/(2 + ν) = t/(2 + t), so ν = t
    const tied = fitBradleyTerry(both, { ties: [[0, 1, 5]] });
    expect(tied.converged).toBe(true);
    expectClose(tied.tieParameter!.estimate, Math.log(5), { abs: 1e-10 });
  });
});

describe("standard errors are finite and non-negative, or absent with converged: false", () => {
  const cases: [string, () => ReturnType<typeof fitBradleyTerry>][] = [
    ["prior variance 1e308 on separable data", () => fitBradleyTerry([[0, 1]], { prior: { variance: 1e308 } })],
    [
      "a count of 2^53",
      () =>
        fitBradleyTerry([
          [0, 1, 3],
          [1, 0, 1],
          [1, 2, 2],
          [2, 1, 2 ** 53],
          [0, 2],
          [2, 0],
        ]),
    ],
    [
      "counts 1e300 vs 1e-300",
      () =>
        fitBradleyTerry([
          [0, 1, 1e300],
          [1, 0, 1e-300],
        ]),
    ],
    ["a tie of count 1e308", () => fitBradleyTerry(both, { ties: [[0, 1, 1e308]] })],
    [
      "counts 5e-324 in columns",
      () => fitBradleyTerry({ winners: [0, 1, 1, 2], losers: [1, 0, 2, 1], counts: [1, 5e-324, 1, 5e-324] }),
    ],
  ];
  for (const [name, run] of cases) {
    it(name, () => {
      const fit = run();
      const errors = [...(fit.stdError ?? []), fit.orderEffect?.stdError, fit.tieParameter?.stdError].filter(
        (v) => v !== undefined,
      );
      for (const v of errors) expect(Number.isFinite(v) && v! >= 0, `stdError ${v}`).toBe(true);
      fit.covariance?.forEach((row, i) => expect(row[i] >= 0 && Number.isFinite(row[i])).toBe(true));
      if (fit.stdError === undefined || !fit.converged) {
        expect(fit.converged).toBe(false);
        expect(fit.warning).toBeDefined();
      }
    });
  }
  it("a count of 2^53 keeps its errors: the reference gauge matches the closed form of a 2-item fit", () => {
    // two items, a wins 2^53 of 2^53 + 2: var(θa − θb) = 1 / (W p (1 − p)) with p = 2^53 / W
    const w = 2 ** 53 + 2;
    const fit = fitBradleyTerry(
      [
        [0, 1, 2 ** 53],
        [1, 0, 2],
      ],
      { reference: 1 },
    );
    const p = 2 ** 53 / w;
    expectClose(fit.stdError![0], Math.sqrt(1 / (w * p * (2 / w))), { rel: 1e-6 });
  });
});
