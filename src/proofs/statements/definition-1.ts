import fc from "fast-check";
import { shiftArbitrary } from "../../arbitraries/rewards.js";
import { areEquivalentRewards, rewardShiftSpread } from "../../theory/equivalence.js";
import { exact, preciseMax } from "../precise.js";
import { preciseRow, preciseSpread, show } from "../residuals.js";
import type { Residual, Statement } from "../statement.js";

/** An instance of Definition 1: a dyadic reward and two dyadic per-prompt shifts (exact in float64). */
export interface Definition1Instance {
  /** r₁, dyadic. */
  readonly reward: number[][];
  /** f(x): r₂ = r₁ + f. */
  readonly f: number[][];
  /** g(x): r₃ = r₂ + g. */
  readonly g: number[][];
  /** h(x, y), varying with y in some prompt: r₁ + h is not equivalent to r₁. */
  readonly h: number[][];
}

/**
 * Definition 1 is an equivalence relation: with r₂ = r₁ + f(x) and r₃ = r₂ + g(x), it is
 * reflexive (r₁ ~ r₁), symmetric (r₁ ~ r₂ ⇔ r₂ ~ r₁) and transitive (r₁ ~ r₂, r₂ ~ r₃ ⇒ r₁ ~ r₃).
 * Checked on exact shifts: rewards and shifts are dyadic (k/256 with |k| < 2²¹), so every sum is
 * exact in float64 and the residuals (luce's `areEquivalentRewards` answering wrongly, and the
 * spreads of the differences) must be exactly 0: bound 0. (With a tolerance the relation is not
 * transitive; see `areEquivalentRewards`.)
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(definition1(), { runs: 50 })).verdict; // "holds"
 * ```
 */
export function definition1(): Statement<Definition1Instance> {
  const dyadic = fc.integer({ min: -4000 * 256, max: 4000 * 256 }).map((k) => k / 256);
  // at least two responses in the first prompt, so that a shift varying with y exists
  const shapes = fc.tuple(fc.integer({ min: 2, max: 8 }), fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 2 }));
  const instances = shapes.chain(([first, rest]) => {
    const shape = [first, ...rest];
    return fc.record({
      reward: fc.tuple(...shape.map((k) => fc.array(dyadic, { minLength: k, maxLength: k }))),
      f: shiftArbitrary(shape, { dyadic: true, max: 4000 }),
      g: shiftArbitrary(shape, { dyadic: true, max: 4000 }),
      h: shiftArbitrary(shape, { dyadic: true, max: 4000, dependsOn: "response" }),
    });
  });
  return {
    id: "definition-1",
    title: "Reward equivalence (r − r′ a function of x alone) is an equivalence relation",
    reference: "Section 5, Definition 1",
    definition:
      "on exact dyadic shifts: spread(r₁ − r₁), |spread(r₁ − r₂) − spread(r₂ − r₁)|, the transitivity excess, and areEquivalentRewards' answers; bound 0",
    instances,
    float64({ reward, f, g, h }) {
      const r2 = reward.map((row, x) => row.map((v, y) => v + f[x][y]));
      const r3 = r2.map((row, x) => row.map((v, y) => v + g[x][y]));
      const rh = reward.map((row, x) => row.map((v, y) => v + h[x][y]));
      const spread = (a: number[][], b: number[][]) => Math.max(...a.map((row, x) => rewardShiftSpread(row, b[x])));
      const wrong = (claim: boolean) => (claim ? 0 : 1);
      const out: Residual[] = [
        { name: "reflexive", residual: spread(reward, reward) + wrong(areEquivalentRewards(reward, reward)), bound: 0 },
        {
          name: "symmetric",
          residual:
            Math.abs(spread(reward, r2) - spread(r2, reward)) +
            wrong(areEquivalentRewards(reward, r2) === areEquivalentRewards(r2, reward)),
          bound: 0,
        },
        {
          name: "transitive",
          residual:
            Math.max(0, spread(reward, r3) - spread(reward, r2) - spread(r2, r3)) +
            wrong(
              !(areEquivalentRewards(reward, r2) && areEquivalentRewards(r2, r3)) || areEquivalentRewards(reward, r3),
            ),
          bound: 0,
        },
        { name: "shifted rewards are equivalent", residual: spread(reward, r2) + spread(r2, r3), bound: 0 },
        {
          name: "non-equivalent rewards are told apart",
          residual:
            Math.abs(spread(reward, rh) - Math.max(...h.map((row) => Math.max(...row) - Math.min(...row)))) +
            wrong(!areEquivalentRewards(reward, rh)) +
            wrong(!areEquivalentRewards(rh, reward)),
          bound: 0,
        },
      ];
      return out;
    },
    precise({ reward, f, g, h }) {
      const r1 = reward.map(preciseRow);
      const r2 = r1.map((row, x) => row.map((v, y) => v.plus(exact(f[x][y]))));
      const r3 = r2.map((row, x) => row.map((v, y) => v.plus(exact(g[x][y]))));
      return preciseMax(
        r1.flatMap((row, x) => {
          const s12 = preciseSpread(row, r2[x]);
          const s23 = preciseSpread(r2[x], r3[x]);
          const excess = preciseSpread(row, r3[x]).minus(s12).minus(s23);
          return [
            preciseSpread(row, row),
            s12.minus(preciseSpread(r2[x], row)).abs(),
            excess.gt(0) ? excess : exact(0),
            s12,
            s23,
            preciseSpread(
              row,
              preciseRow(h[x]).map((v, y) => row[y].plus(v)),
            )
              .minus(exact(Math.max(...h[x]) - Math.min(...h[x])))
              .abs(),
          ];
        }),
      );
    },
    show: (instance) => show(instance),
  };
}
