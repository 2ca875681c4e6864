import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { comparisonFactors } from "../../src/inference/factors.js";
import { evaluateGroups } from "../../src/inference/groups.js";

const EPS = Number.EPSILON;
/** Enough digits that the reference's own rounding (1e−60 relative) is nothing against EPS. */
const High = Decimal.clone({ precision: 60 });
/** A double's exact value: toPrecision prints its binary expansion digit for digit (at most 100 digits). */
const exact = (x: number) => new High(x.toPrecision(100));

// Reference: each comparison's terms at 60 digits from the exact difference d = θ_w − θ_l of the doubles given,
// σ(−d) = 1/(1 + e^d), σ(d)σ(−d) and log σ(d) = −log(1 + e^−d), the gradient summed per item.
function reference(winners: number[], losers: number[], theta: Float64Array) {
  const gradient = Array.from(theta, () => new High(0));
  const curvature: Decimal[] = [];
  const flows: Decimal[] = [];
  let logLikelihood = new High(0);
  const terms: Decimal[] = [];
  winners.forEach((w, c) => {
    const d = exact(theta[w]).minus(exact(theta[losers[c]]));
    const lose = new High(1).div(d.exp().plus(1));
    const win = new High(1).div(d.neg().exp().plus(1));
    gradient[w] = gradient[w].plus(lose);
    gradient[losers[c]] = gradient[losers[c]].minus(lose);
    flows.push(lose);
    curvature.push(win.times(lose));
    const term = d.neg().exp().plus(1).ln().neg();
    terms.push(term);
    logLikelihood = logLikelihood.plus(term);
  });
  return { gradient, curvature, flows, terms, logLikelihood };
}

/**
 * The relative error, in EPS, of one comparison's e^(−|d|) as the ratio e^θ_l / e^θ_w: two exponentials (under 1 ulp
 * each at an exact argument, whatever |θ|) and a division (½ ulp), rounded up.
 */
const RATIO_ULPS = 3;
/**
 * Its relative error as one exponential of the rounded difference d: ½ ulp(d) ≤ |d|·EPS/2 absolute in the argument
 * is that much relative in e^(−|d|) (the exponential's condition number is |d|), plus the exponential's own ulp.
 */
const differenceUlps = (d: number) => Math.abs(d) / 2 + 1;
/**
 * From e^(−|d|)'s error t (in EPS) to the terms: 1/(1 + e^(−|d|)) adds at most t + 1 (two roundings); σ(−d) is one
 * or two such factors and a product (2t + 2), σ(d)σ(−d) three factors (3t + 3). Within the ratio's range the
 * evaluation forms them from the items' γ = e^θ instead, σ(−d) = γ_l · 1/(γ_w + γ_l) and σ(d)σ(−d) = σ(−d) ·
 * γ_w/(γ_w + γ_l), and log σ(d) = −log1p(γ_l/γ_w): at most 4, 8 and (t + 1 relative) ulps, within the same bounds
 * at t = RATIO_ULPS.
 */
const flowUlps = (t: number) => 2 * t + 2;
const curvatureUlps = (t: number) => 3 * t + 3;

describe("pairwise evaluation against a 60-digit reference", () => {
  const nItems = 6;
  const winners = [0, 1, 2, 3, 4, 5, 0, 2, 4, 1, 3, 5, 5, 0];
  const losers = [1, 2, 3, 4, 5, 0, 3, 5, 1, 4, 0, 2, 1, 4];
  const factors = comparisonFactors(
    "test",
    winners.map((w, c) => [w, losers[c]]),
    nItems,
  );
  // `ratio`: every |θ| ≤ 300, where the evaluation takes e^(−|d|) as a ratio of the items' e^θ; beyond, one
  // exponential of the rounded difference per comparison
  it.each([
    ["within the ratio's range", true, [0.3, -1.2, 2.5, -0.7, 40, -41]],
    ["within it, θ not integers", true, [0.3172, -1.2049, 2.5123, -0.7731, 40.0917, -41.3377]],
    ["at its edge, integers", true, [300, -300, 120, -120, 0.5, -0.5]],
    [
      "near its edge, θ not integers (|d| up to 599.9)",
      true,
      [299.9873, -299.9131, 120.4417, -123.0919, 0.5123, -0.5371],
    ],
    ["just past it", false, [300.0001, -299.7719, 2.2513, -2.7431, 0.1007, 0.3311]],
    ["past it, integers", false, [30, -301, 2, -2, 0, 0.25]],
    ["far past it, e^(−|d|) subnormal (|d| up to 761.3)", false, [401.3713, -359.9107, 7.125, -5.0371, 0.6, -0.33]],
  ] as const)("%s", (_, ratio, values) => {
    const theta = Float64Array.from(values);
    const got = evaluateGroups(factors, theta);
    const want = reference(winners, losers, theta);
    const tailUlps = winners.map((w, c) => (ratio ? RATIO_ULPS : differenceUlps(theta[w] - theta[losers[c]])));
    // a subnormal e^(−|d|) (|d| > 708) is also off by up to one subnormal unit, absolute
    want.curvature.forEach((v, c) => {
      const bound = curvatureUlps(tailUlps[c]) * EPS * v.toNumber() + Number.MIN_VALUE;
      expect(Math.abs(v.minus(got.curvature[c]).toNumber()), `curvature ${c}`).toBeLessThanOrEqual(bound);
    });
    // the gradient sums its items' flows with compensation: each flow's error, and the sum's own rounding
    for (let i = 0; i < nItems; i++) {
      let bound = EPS * Math.abs(want.gradient[i].toNumber());
      winners.forEach((w, c) => {
        if (w === i || losers[c] === i) bound += flowUlps(tailUlps[c]) * EPS * want.flows[c].toNumber();
      });
      expect(Math.abs(want.gradient[i].minus(got.gradient[i]).toNumber()), `gradient ${i}`).toBeLessThanOrEqual(bound);
    }
    // log σ(d) = min(d, 0) − log1p(e^(−|d|)): the rounded d (|d|·EPS/2), log1p's relative error (its argument's
    // t plus one) and the subtraction's and the compensated sum's ulps on the term's size
    let bound = EPS * Math.abs(want.logLikelihood.toNumber());
    winners.forEach((w, c) => {
      const d = theta[w] - theta[losers[c]];
      const term = Math.abs(want.terms[c].toNumber());
      bound += (Math.abs(d) / 2 + (tailUlps[c] + 3) * term) * EPS;
    });
    expect(Math.abs(want.logLikelihood.minus(got.logLikelihood).toNumber())).toBeLessThanOrEqual(bound);
  });
});
