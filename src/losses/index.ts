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
