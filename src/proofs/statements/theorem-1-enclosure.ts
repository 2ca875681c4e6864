import { impliedRewardRow, logOptimalPolicyRow, logPartitionRow, projectRewardRow } from "../../theory/kernels.js";
import { intervalRow, logPartitionOf, logPolicyOf, maxAbsDiffOf, spreadOf } from "../enclosures.js";
import {
  impliedRewardErrors,
  logOptimalPolicyErrors,
  logPartitionError,
  projectRewardErrors,
} from "../function-errors.js";
import type { InstanceEnclosure, ResidualEnclosure } from "../instance-enclosure.js";
import { abs, add, fromConstant, fromDouble, logSumExp, mul, sub, type Interval } from "../interval/index.js";
import type { Theorem1Instance } from "./theorem-1.js";

/**
 * Theorem 1 enclosed: per prompt its six residuals (class, representation, Z = 1, uniqueness, one-to-one, onto) as
 * theorem1's `precise` defines them, and the float64 errors of logPartition, projectReward, logOptimalPolicy and
 * impliedReward on r.
 * @internal
 */
export function theorem1Enclosure({ problem, shift, otherReward, logPolicy }: Theorem1Instance): InstanceEnclosure {
  const beta = fromDouble(problem.beta);
  const residuals: ResidualEnclosure[] = [];
  const float64: InstanceEnclosure["float64"][number][] = [];
  const onSupport = (row: Interval[], refRow: number[]) => row.filter((_, y) => refRow[y] !== -Infinity);
  problem.reward.forEach((row, x) => {
    const refRow = problem.logReference[x];
    const ref = intervalRow(refRow);
    const r = intervalRow(row);
    const logZ = logPartitionOf(r, ref, beta);
    const f = r.map((v) => sub(v, mul(beta, logZ)));
    // β(log π_r − log π_ref), 0 outside the support (where it is not defined and no residual reads it)
    const implied = (policy: Interval[]) =>
      policy.map((v, y) => (refRow[y] === -Infinity ? fromConstant(0) : mul(beta, sub(v, ref[y]))));
    const represented = implied(logPolicyOf(r, ref, beta));
    const shifted = r.map((v, y) => add(v, fromDouble(shift[x][y])));
    const shiftedZ = logPartitionOf(shifted, ref, beta);
    const other = intervalRow(otherReward[x]);
    const otherRepresented = implied(logPolicyOf(other, ref, beta));
    const pi = intervalRow(logPolicy[x]);
    const rPi = pi.map((v, y) => (refRow[y] === -Infinity ? fromConstant(0) : mul(beta, sub(v, ref[y]))));
    const total = logSumExp(pi);
    const parts: [string, Interval][] = [
      ["f(r) − r constant", spreadOf(f, r, refRow)],
      ["f(r) = β log π_r/π_ref", maxAbsDiffOf(onSupport(f, refRow), onSupport(represented, refRow))],
      ["Z(f(r)) = 1", abs(logPartitionOf(f, ref, beta))],
      [
        "unique representative",
        maxAbsDiffOf(
          shifted.map((v) => sub(v, mul(beta, shiftedZ))),
          f,
        ),
      ],
      ["one-to-one", abs(sub(spreadOf(r, other), spreadOf(represented, otherRepresented, refRow)))],
      [
        "onto full-support policies",
        maxAbsDiffOf(
          logPolicyOf(rPi, ref, beta),
          pi.map((v) => sub(v, total)),
        ),
      ],
    ];
    for (const [name, value] of parts) residuals.push({ name: `prompt ${x}: ${name}`, value, claim: "= 0" });
    // the public theory functions refuse β ≤ 0 and document no bound there: only the residual is certified
    if (problem.beta < 0) return;
    const b = problem.beta;
    const prefix = `prompt ${x}`;
    const logPi = logOptimalPolicyRow(row, refRow, b);
    float64.push(logPartitionError(row, refRow, b, logPartitionRow(row, refRow, b), prefix));
    float64.push(...projectRewardErrors(row, refRow, b, projectRewardRow(row, refRow, b), prefix));
    float64.push(...logOptimalPolicyErrors(row, refRow, b, logPi, prefix));
    float64.push(...impliedRewardErrors(logPi, refRow, b, impliedRewardRow(logPi, refRow, b), prefix));
  });
  return { residuals, float64 };
}
