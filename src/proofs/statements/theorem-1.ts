import fc from "fast-check";
import { finiteProblemArbitrary, type FiniteProblem } from "../../arbitraries/problem.js";
import { logPolicyArbitrary } from "../../arbitraries/policies.js";
import { shiftArbitrary } from "../../arbitraries/rewards.js";
import { logSumExp } from "../../numerics/log-sum-exp.js";
import { rewardShiftSpread } from "../../theory/equivalence.js";
import { impliedRewardRow, logOptimalPolicyRow, logPartitionRow, projectRewardRow } from "../../theory/kernels.js";
import { exact, preciseLogSumExp, preciseMax, type Precise } from "../precise.js";
import { EPS, maxAbs, maxAbsDiff, preciseMaxAbsDiff, preciseRow, preciseSpread, show } from "../residuals.js";
import { readAssumptions, type Assumptions, type Residual, type Statement } from "../statement.js";
import { preciseLogOptimalPolicy } from "./lemma-2.js";

/**
 * An instance of Theorem 1: a problem, a shift f(x) (an equivalent reward r + f), a second reward
 * (usually in another class), and a policy π with π ≪ π_ref.
 */
export interface Theorem1Instance {
  /** The problem. */
  readonly problem: FiniteProblem;
  /** A shift f(x), for uniqueness. */
  readonly shift: number[][];
  /** A second reward r₂, for one-to-one. */
  readonly otherReward: number[][];
  /** A policy π ≪ π_ref in log space, for onto. */
  readonly logPolicy: number[][];
}

/** Spread of a − b over the responses where `support` is finite. */
function spreadOn(a: ArrayLike<number>, b: ArrayLike<number>, support: ArrayLike<number>): number {
  const keep = Array.from(support, (v, y) => (v === -Infinity ? -1 : y)).filter((y) => y >= 0);
  return rewardShiftSpread(
    keep.map((y) => a[y]),
    keep.map((y) => b[y]),
  );
}

/**
 * Theorem 1 (appendix A.6): the projection f(r) = r − β log Z lies in r's class, equals
 * β log π_r/π_ref, is the unique member of the class with Z = 1, and classes map one-to-one onto
 * full-support policies. Five residuals per prompt:
 * 1. spread_y(f(r) − r) (constant in y: same class);
 * 2. max_y |f(r) − β(log π_r − log π_ref)|;
 * 3. |log Z(f(r))| (partition function 1);
 * 4. max_y |f(r + f′) − f(r)| for an equivalent r + f′ (the representative is unique);
 * 5. one-to-one: |spread(r − r₂) − spread(β log π_r/π_ref − β log π_{r₂}/π_ref)| (different
 *    classes give different policies, and the policy recovers the class), and
 *    max_y |log π_{r_π} − log π| for r_π = β log π/π_ref (onto the full-support policies).
 * Bounds, per residual from the magnitudes its float64 operations round, with s(r) = |β|·max|log π_ref| + max|r| +
 * |β log Z(r)|: 4·EPS·(max|r| + |β log Z|) for 1 (f − r subtracts one constant); 8·EPS·s(r) for 2 (log π_r rounds
 * log π_ref + r/β, the log-sum-exp and two subtractions, each within EPS of those magnitudes); the same over |β| for 3;
 * 16·EPS·(s(r) + max|r| + max|r + f′|) for 4 (two projections, with |β log Z(r + f′)| ≤ |β log Z(r)| + max|r| +
 * max|r + f′|); 16·EPS·(s(r) + s(r₂)) for 5; 16·EPS·(max|log π| + max|log π_ref|) for the onto residual.
 *
 * @param assumptions - `referenceZeros: true` refutes item 5 (r and r₂ differ only where
 *   π_ref = 0); `shiftDependsOn: "response"` refutes item 4; `betaSign: -1` refutes nothing
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(theorem1(), { runs: 50 })).verdict; // "holds"
 * ```
 */
export function theorem1(assumptions: Assumptions = {}): Statement<Theorem1Instance> {
  assumptions = readAssumptions("theorem1", assumptions);
  const zeros = assumptions.referenceZeros ?? false;
  const instances = finiteProblemArbitrary({ zeros, sign: assumptions.betaSign })
    .chain((problem) => {
      const shape = problem.reward.map((r) => r.length);
      // with zeros, the second reward differs from r only where π_ref = 0: a different class, same π_r
      const other = zeros
        ? fc.tuple(
            ...problem.reward.map((r, x) =>
              fc
                .double({ min: 1, max: 100, noNaN: true })
                .map((bump) => r.map((v, y) => (problem.logReference[x][y] === -Infinity ? v + bump : v))),
            ),
          )
        : fc.tuple(
            ...problem.reward.map((r) =>
              fc.array(
                fc.double({ min: -4000 * Math.abs(problem.beta), max: 4000 * Math.abs(problem.beta), noNaN: true }),
                { minLength: r.length, maxLength: r.length },
              ),
            ),
          );
      return fc.record({
        problem: fc.constant(problem),
        shift: shiftArbitrary(shape, {
          dependsOn: assumptions.shiftDependsOn,
          dyadic: assumptions.shiftDependsOn === "response",
        }),
        otherReward: other,
        logPolicy: fc.tuple(
          ...problem.logReference.map((ref) =>
            logPolicyArbitrary(ref.length, { supportOf: ref.map((v) => (v === -Infinity ? -Infinity : 0)) }),
          ),
        ),
      });
    })
    .filter(({ problem }) => !zeros || problem.logReference.some((row) => row.includes(-Infinity)));

  return {
    id: "theorem-1",
    title:
      "f(r) = r − β log Z is in r's class, equals β log π_r/π_ref, is the unique member with Z = 1; classes ↔ policies one-to-one",
    reference: "Section 5, Theorem 1; appendix A.6",
    definition:
      "five residuals (class, representation, Z = 1, uniqueness, one-to-one); bounds per residual, e.g. 8·EPS·(|β|·max|log π_ref| + max|r| + |β log Z|) for f(r) = β log π_r/π_ref",
    instances,
    float64({ problem, shift, otherReward, logPolicy }) {
      const { beta } = problem;
      const out: Residual[] = [];
      problem.reward.forEach((r, x) => {
        const ref = problem.logReference[x];
        const logZ = logPartitionRow(r, ref, beta);
        const shifted = r.map((v, y) => v + shift[x][y]);
        // per residual, EPS times the magnitudes that residual's float64 operations round (see the bounds above)
        const scale = Math.abs(beta) * maxAbs(ref) + maxAbs(r) + Math.abs(beta * logZ);
        const bound = 8 * EPS * scale;
        const otherScale =
          Math.abs(beta) * maxAbs(ref) +
          maxAbs(otherReward[x]) +
          Math.abs(beta * logPartitionRow(otherReward[x], ref, beta));
        const f = projectRewardRow(r, ref, beta);
        const logPi = logOptimalPolicyRow(r, ref, beta);
        const represented = impliedRewardRow(logPi, ref, beta);
        out.push({
          name: `prompt ${x}: f(r) − r constant`,
          residual: spreadOn(f, r, ref),
          bound: 4 * EPS * (maxAbs(r) + Math.abs(beta * logZ)),
        });
        out.push({
          name: `prompt ${x}: f(r) = β log π_r/π_ref`,
          residual: maxAbsDiff(
            f.filter((_, y) => ref[y] !== -Infinity),
            represented.filter((_, y) => ref[y] !== -Infinity),
          ),
          bound,
        });
        out.push({
          name: `prompt ${x}: Z(f(r)) = 1`,
          residual: Math.abs(logPartitionRow(f, ref, beta)),
          bound: bound / Math.abs(beta),
        });
        out.push({
          name: `prompt ${x}: unique representative`,
          residual: maxAbsDiff(projectRewardRow(shifted, ref, beta), f),
          // |β log Z(r + f′)| ≤ |β log Z(r)| + max|r| + max|r + f′|
          bound: 2 * bound + 16 * EPS * (maxAbs(r) + maxAbs(shifted)),
        });
        const other = impliedRewardRow(logOptimalPolicyRow(otherReward[x], ref, beta), ref, beta);
        out.push({
          name: `prompt ${x}: one-to-one`,
          residual: Math.abs(rewardShiftSpread(r, otherReward[x]) - spreadOn(represented, other, ref)),
          bound: 2 * (bound + 8 * EPS * otherScale),
        });
        const rPi = impliedRewardRow(logPolicy[x], ref, beta).map((v, y) => (ref[y] === -Infinity ? 0 : v));
        // π_{r_π} is π renormalised: compare with π / Σπ, as float64 rows sum to 1 only to rounding
        const roundTrip = logOptimalPolicyRow(rPi, ref, beta);
        const total = logSumExp(logPolicy[x]);
        out.push({
          name: `prompt ${x}: onto full-support policies`,
          residual: maxAbsDiff(
            roundTrip,
            logPolicy[x].map((v) => v - total),
          ),
          bound: 16 * EPS * (maxAbs(logPolicy[x]) + maxAbs(ref)),
        });
      });
      return out;
    },
    precise({ problem, shift, otherReward, logPolicy }) {
      const beta = exact(problem.beta);
      const parts: Precise[] = [];
      problem.reward.forEach((row, x) => {
        const refRow = problem.logReference[x];
        const ref = preciseRow(refRow);
        const r = preciseRow(row);
        const logZ = preciseLogSumExp(r.map((v, y) => ref[y].plus(v.div(beta))));
        const f = r.map((v) => v.minus(beta.times(logZ)));
        const logPi = preciseLogOptimalPolicy(r, ref, beta);
        const represented = logPi.map((v, y) => beta.times(v.minus(ref[y])));
        parts.push(preciseSpread(f, r, refRow));
        parts.push(
          preciseMaxAbsDiff(
            f.filter((_, y) => refRow[y] !== -Infinity),
            represented.filter((_, y) => refRow[y] !== -Infinity),
          ),
        );
        parts.push(preciseLogSumExp(f.map((v, y) => ref[y].plus(v.div(beta)))).abs());
        const shifted = r.map((v, y) => v.plus(exact(shift[x][y])));
        const shiftedZ = preciseLogSumExp(shifted.map((v, y) => ref[y].plus(v.div(beta))));
        parts.push(
          preciseMaxAbsDiff(
            shifted.map((v) => v.minus(beta.times(shiftedZ))),
            f,
          ),
        );
        const other = preciseRow(otherReward[x]);
        const otherRepresented = preciseLogOptimalPolicy(other, ref, beta).map((v, y) => beta.times(v.minus(ref[y])));
        parts.push(
          preciseSpread(
            r,
            other,
            r.map(() => 0),
          )
            .minus(preciseSpread(represented, otherRepresented, refRow))
            .abs(),
        );
        const pi = preciseRow(logPolicy[x]);
        const rPi = pi.map((v, y) => (refRow[y] === -Infinity ? exact(0) : beta.times(v.minus(ref[y]))));
        const total = preciseLogSumExp(pi);
        parts.push(
          preciseMaxAbsDiff(
            preciseLogOptimalPolicy(rPi, ref, beta),
            pi.map((v) => v.minus(total)),
          ),
        );
      });
      return preciseMax(parts);
    },
    show: ({ problem, shift, otherReward }) =>
      show({ beta: problem.beta, reward: problem.reward, logReference: problem.logReference, shift, otherReward }),
  };
}
