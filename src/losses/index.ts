export {
  dpoLoss,
  type DpoLossType,
  type ResolvedDpoLossType,
  type DpoSemantics,
  type DpoInputs,
  type DpoLossOptions,
  type DpoLossResult,
} from "./dpo.js";
export type { FDivergence } from "./f-divergence.js";
export type { DpoLossComponent } from "./loss-mixture.js";
export { plackettLuceDpoLoss, type PlackettLuceDpoInputs, type PlackettLuceDpoResult } from "./plackett-luce-dpo.js";
export type { RewardMetrics } from "./metrics.js";
export {
  ktoLoss,
  type KtoLossType,
  type KtoInputs,
  type KtoLossOptions,
  type KtoLossResult,
  type KtoMetrics,
} from "./kto.js";
export {
  cpoLoss,
  type CpoLossType,
  type CpoInputs,
  type CpoLossOptions,
  type CpoLossResult,
  type CpoMetrics,
} from "./cpo.js";
export { orpoLoss, type OrpoInputs, type OrpoLossResult, type OrpoMetrics } from "./orpo.js";
export {
  rewardModelLoss,
  type RewardModelInputs,
  type RewardModelLossOptions,
  type RewardModelLossResult,
  type RewardModelMetrics,
} from "./reward-model.js";
export {
  plackettLuceRewardModelLoss,
  type PlackettLuceRewardModelInputs,
  type PlackettLuceRewardModelResult,
} from "./plackett-luce-reward-model.js";
