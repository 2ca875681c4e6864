import { dpoLoss } from "../losses/dpo.js";
import { logSumExp } from "../numerics/log-sum-exp.js";
import { createRandom } from "../numerics/random.js";
import { sigmoidUnchecked } from "../numerics/sigmoid.js";
import { samplePlackettLuce } from "../ranking/sampling.js";

/** A finite problem in the form the frontier command uses. @internal */
export interface FrontierProblem {
  readonly reward: number[][];
  readonly logReference: number[][];
  readonly promptWeights: number[];
}

/** One preference pair for prompt x. @internal */
interface Pair {
  readonly prompt: number;
  readonly chosen: number;
  readonly rejected: number;
}

/**
 * Samples `perPrompt` preference pairs per prompt: two distinct responses drawn from π_ref
 * (sequentially, without replacement) and labelled by the true Bradley–Terry probability.
 * @internal
 */
export function samplePreferences(problem: FrontierProblem, perPrompt: number, seed: number): Pair[] {
  const random = createRandom(seed);
  const pairs: Pair[] = [];
  problem.reward.forEach((r, x) => {
    for (let n = 0; n < perPrompt; n++) {
      const [a, b] = samplePlackettLuce(problem.logReference[x], { random, k: 2 });
      const aWins = random() < sigmoidUnchecked(r[a] - r[b]);
      pairs.push({ prompt: x, chosen: aWins ? a : b, rejected: aWins ? b : a });
    }
  });
  return pairs;
}

/**
 * Trains tabular policies π_θ(·|x) = softmax(θ_x), starting at π_ref, by Adam on the mean DPO
 * loss (eq. 7) of the pairs, and returns the log-policies at each checkpoint step.
 * @internal
 */
export function trainTabularDpo(
  problem: FrontierProblem,
  pairs: Pair[],
  beta: number,
  checkpoints: number[],
  learningRate = 0.05,
): number[][][] {
  const theta = problem.logReference.map((row) => [...row]);
  const m = theta.map((row) => row.map(() => 0));
  const v = theta.map((row) => row.map(() => 0));
  const snapshots: number[][][] = [];
  const last = Math.max(...checkpoints);
  const weightOf = pairs.map((p) => problem.promptWeights[p.prompt]);
  for (let step = 1; step <= last; step++) {
    const logPi = theta.map((row) => {
      const z = logSumExp(row);
      return row.map((t) => t - z);
    });
    const r = dpoLoss(
      {
        policyChosenLogps: pairs.map((p) => logPi[p.prompt][p.chosen]),
        policyRejectedLogps: pairs.map((p) => logPi[p.prompt][p.rejected]),
        referenceChosenLogps: pairs.map((p) => problem.logReference[p.prompt][p.chosen]),
        referenceRejectedLogps: pairs.map((p) => problem.logReference[p.prompt][p.rejected]),
      },
      { beta },
    );
    const grad = theta.map((row) => row.map(() => 0));
    pairs.forEach((p, i) => {
      const scale = weightOf[i] / pairs.length;
      const row = grad[p.prompt];
      const pi = logPi[p.prompt].map(Math.exp);
      // ∂ log π(y) / ∂θ_k = [y = k] − π_k
      for (let k = 0; k < row.length; k++) {
        row[k] +=
          scale *
          (r.gradPolicyChosen[i] * ((k === p.chosen ? 1 : 0) - pi[k]) +
            r.gradPolicyRejected[i] * ((k === p.rejected ? 1 : 0) - pi[k]));
      }
    });
    theta.forEach((row, x) =>
      row.forEach((_, k) => {
        m[x][k] = 0.9 * m[x][k] + 0.1 * grad[x][k];
        v[x][k] = 0.999 * v[x][k] + 0.001 * grad[x][k] ** 2;
        const mHat = m[x][k] / (1 - 0.9 ** step);
        const vHat = v[x][k] / (1 - 0.999 ** step);
        row[k] -= (learningRate * mHat) / (Math.sqrt(vHat) + 1e-12);
      }),
    );
    if (checkpoints.includes(step)) {
      snapshots.push(
        theta.map((row) => {
          const z = logSumExp(row);
          return row.map((t) => t - z);
        }),
      );
    }
  }
  return snapshots;
}
