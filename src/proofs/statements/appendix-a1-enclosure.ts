import { logOptimalPolicyRow, logPartitionRow } from "../../theory/kernels.js";
import { expectedRewardRow, klRow } from "../../theory/kl.js";
import { expectationOf, intervalRow, klOf, logPartitionOf, logPolicyOf } from "../enclosures.js";
import {
  expectedRewardError,
  klDivergenceError,
  logOptimalPolicyErrors,
  logPartitionError,
} from "../function-errors.js";
import type { InstanceEnclosure, ResidualEnclosure } from "../instance-enclosure.js";
import { abs, fromDouble, logSumExp, mul, sub } from "../interval/index.js";
import type { AppendixA1Instance } from "./appendix-a1.js";

/**
 * Appendix A.1 enclosed: per prompt, |lhs − rhs| of the Gibbs identity (claim = 0) and J(π) − J(π_r) (claim ≤ 0), π
 * renormalised as the distribution it denotes; and the float64 errors of logOptimalPolicy, logPartition,
 * klDivergence and klRegularizedObjective's expected reward on the instance.
 * @internal
 */
export function appendixA1Enclosure({ problem, logPolicy }: AppendixA1Instance): InstanceEnclosure {
  const beta = fromDouble(problem.beta);
  const residuals: ResidualEnclosure[] = [];
  const float64: InstanceEnclosure["float64"][number][] = [];
  problem.reward.forEach((row, x) => {
    const refRow = problem.logReference[x];
    const ref = intervalRow(refRow);
    const r = intervalRow(row);
    const raw = intervalRow(logPolicy[x]);
    const total = logSumExp(raw);
    const p = raw.map((v, y) => (logPolicy[x][y] === -Infinity ? v : sub(v, total)));
    const logPiR = logPolicyOf(r, ref, beta);
    const logZ = logPartitionOf(r, ref, beta);
    const lhs = sub(expectationOf(p, r).value, mul(beta, klOf(p, ref).value));
    const rhs = sub(mul(beta, logZ), mul(beta, klOf(p, logPiR).value));
    residuals.push({ name: `prompt ${x}: Gibbs identity`, value: abs(sub(lhs, rhs)), claim: "= 0" });
    const objectiveOpt = sub(expectationOf(logPiR, r).value, mul(beta, klOf(logPiR, ref).value));
    residuals.push({ name: `prompt ${x}: π_r maximises eq. 3`, value: sub(lhs, objectiveOpt), claim: "≤ 0" });
    const b = problem.beta;
    const prefix = `prompt ${x}`;
    const pi = logPolicy[x];
    float64.push(...logOptimalPolicyErrors(row, refRow, b, logOptimalPolicyRow(row, refRow, b), prefix));
    float64.push(logPartitionError(row, refRow, b, logPartitionRow(row, refRow, b), prefix));
    float64.push(klDivergenceError(pi, refRow, klRow(pi, refRow), prefix));
    float64.push(expectedRewardError(pi, row, expectedRewardRow(pi, row), prefix));
  });
  return { residuals, float64 };
}
