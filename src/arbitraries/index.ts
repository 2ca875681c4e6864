/**
 * fast-check arbitraries for finite preference problems, for property-testing your own claims
 * about DPO, Bradley–Terry and Plackett–Luce. Import from `luce/arbitraries`; fast-check is a
 * peer dependency, so your tests and luce share one fast-check.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { finiteProblemArbitrary } from "luce/arbitraries";
 * import { logPartition, projectReward, logSpace } from "luce";
 *
 * // Theorem 1: the projection has partition function 1
 * fc.assert(fc.property(finiteProblemArbitrary(), ({ reward, logReference, beta }) => {
 *   const f = projectReward(reward, logSpace(logReference), beta);
 *   return logPartition(f, logSpace(logReference), beta).every((z) => Math.abs(z) < 1e-9);
 * }));
 * ```
 * @packageDocumentation
 * @module luce/arbitraries
 */
export {
  betaArbitrary,
  logReferenceArbitrary,
  rewardArbitrary,
  finiteProblemArbitrary,
  type FiniteProblem,
  type BetaOptions,
  type LogReferenceOptions,
  type RewardOptions,
  type FiniteProblemOptions,
  type CountRange,
} from "./problem.js";
export { shiftArbitrary, equivalentRewardsArbitrary, type ShiftOptions, type EquivalentRewards } from "./rewards.js";
export { rankingArbitrary, partialRankingArbitrary, observationArbitrary } from "./rankings.js";
export { logPolicyArbitrary, type LogPolicyOptions } from "./policies.js";
export { comparisonGraphArbitrary, type ComparisonGraph } from "./graphs.js";
export { MAX_DRAWN_SIZE } from "./sizes.js";
