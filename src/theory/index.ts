export { type Rows, type LogProbabilities, type Policy, logSpace, DISTRIBUTION_TOLERANCE } from "./rows.js";
export { optimalPolicy, logOptimalPolicy, logPartition } from "./optimal-policy.js";
export { impliedReward, projectReward } from "./implied-reward.js";
export { areEquivalentRewards, canonicalReward, type EquivalenceOptions } from "./equivalence.js";
export { klDivergence, klRegularizedObjective } from "./kl.js";
export {
  preferenceLogProbability,
  preferenceProbability,
  type PreferenceSource,
  type RewardSource,
  type PolicySource,
} from "./preference.js";
export {
  rewardKlFrontier,
  rewardKlPoint,
  frontierRewardAtKl,
  type WeightedProblem,
  type RewardKlPoint,
  type FrontierPoint,
} from "./frontier.js";
export {
  populationOptimum,
  type PopulationOptimum,
  type PopulationCertificate,
  MAX_HINGE_RESPONSES,
} from "./population-optimum.js";
export { type PopulationProblem, type PopulationLossType } from "./population-problem.js";
export { MAX_LISTWISE_RESPONSES } from "./population-loss.js";
export { fRegularizedOptimalPolicy, type FRegularizer, type FRegularizedPolicy } from "./f-regularized-policy.js";
