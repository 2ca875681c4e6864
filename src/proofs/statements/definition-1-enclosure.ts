import { areEquivalentRewards } from "../../theory/equivalence.js";
import { intervalRow, spreadOf } from "../enclosures.js";
import { float64Error, type Float64Error } from "../float64-error.js";
import type { InstanceEnclosure, ResidualEnclosure } from "../instance-enclosure.js";
import { abs, add, fromConstant, fromDouble, sub, type Interval } from "../interval/index.js";
import type { Definition1Instance } from "./definition-1.js";

/** areEquivalentRewards' default tolerance, 8·EPS·max_y(|r1| + |r2|) per prompt (its documentation). */
const RELATIVE_TOLERANCE = 8 * Number.EPSILON;

/**
 * Whether areEquivalentRewards answered as the exact spreads require: true where every prompt's exact spread is
 * below half its tolerance, false where one is above twice it (between, either answer is allowed). The error is 0 for
 * a right answer and 1 for a wrong one, against a bound of 0.
 */
function answerError(r1: number[][], r2: number[][], output: string): Float64Error[] {
  let within = true;
  let beyond = false;
  r1.forEach((row, x) => {
    const spread = spreadOf(intervalRow(row), intervalRow(r2[x]));
    const tolerance = fromDouble(RELATIVE_TOLERANCE * Math.max(...row.map((v, y) => Math.abs(v) + Math.abs(r2[x][y]))));
    if (!spread.hi.lt(tolerance.lo.div(2))) within = false;
    if (spread.lo.gt(tolerance.hi.times(2))) beyond = true;
  });
  if (!within && !beyond) return [];
  const right = areEquivalentRewards(r1, r2) === within;
  return [float64Error("areEquivalentRewards", output, right ? 0 : 1, fromConstant(0), fromConstant(0))];
}

/**
 * Definition 1 enclosed: per prompt the spreads that reflexivity, symmetry and transitivity make 0 (transitivity's
 * excess, an inequality, ≤ 0) and the spread that tells r₁ + h apart, with r₂ = r₁ + f and r₃ = r₂ + g exact; and
 * whether areEquivalentRewards answered as the exact spreads require.
 * @internal
 */
export function definition1Enclosure({ reward, f, g, h }: Definition1Instance): InstanceEnclosure {
  const residuals: ResidualEnclosure[] = [];
  reward.forEach((rowDoubles, x) => {
    const row = intervalRow(rowDoubles);
    const r2 = row.map((v, y) => add(v, fromDouble(f[x][y])));
    const r3 = r2.map((v, y) => add(v, fromDouble(g[x][y])));
    const s12 = spreadOf(row, r2);
    const s23 = spreadOf(r2, r3);
    const hSpread: Interval = fromDouble(Math.max(...h[x]) - Math.min(...h[x]));
    const parts: [string, Interval, "= 0" | "≤ 0"][] = [
      ["reflexive", spreadOf(row, row), "= 0"],
      ["symmetric", abs(sub(s12, spreadOf(r2, row))), "= 0"],
      ["transitive", sub(sub(spreadOf(row, r3), s12), s23), "≤ 0"],
      ["r₁ ~ r₂", s12, "= 0"],
      ["r₂ ~ r₃", s23, "= 0"],
      [
        "r₁ + h told apart",
        abs(
          sub(
            spreadOf(
              row,
              row.map((v, y) => add(v, fromDouble(h[x][y]))),
            ),
            hSpread,
          ),
        ),
        "= 0",
      ],
    ];
    for (const [name, value, claim] of parts) residuals.push({ name: `prompt ${x}: ${name}`, value, claim });
  });
  const r2 = reward.map((row, x) => row.map((v, y) => v + f[x][y]));
  const r3 = r2.map((row, x) => row.map((v, y) => v + g[x][y]));
  const rh = reward.map((row, x) => row.map((v, y) => v + h[x][y]));
  const float64 = [
    ...answerError(reward, reward, "r₁ ~ r₁"),
    ...answerError(reward, r2, "r₁ ~ r₂"),
    ...answerError(r2, r3, "r₂ ~ r₃"),
    ...answerError(reward, r3, "r₁ ~ r₃"),
    ...answerError(reward, rh, "r₁ ≁ r₁ + h"),
  ];
  return { residuals, float64 };
}
