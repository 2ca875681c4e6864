export {
  fitBradleyTerry,
  fitPlackettLuce,
  type FitOptions,
  type FitResult,
  type FitMethod,
  type GaussianPrior,
  type BradleyTerryFitOptions,
  type OrderEffect,
  type TieParameter,
} from "./fit.js";
export {
  fitContextualBradleyTerry,
  type ContextualBattles,
  type ContextualFitOptions,
  type ContextualFitResult,
  type ContextualStandardErrors,
} from "./contextual-bradley-terry.js";
export { arenaStyleFeatures, type ArenaStyleFeatureOptions } from "./arena-style-features.js";
export { parsePreferenceData, detectPreferenceFormat, type PreferenceData } from "./read-data.js";
export type { ComparisonColumns } from "./factors.js";
export {
  parseBattles,
  battlesFromRecords,
  type Battles,
  type BattleOutcome,
  type BattleRecord,
  type BattleReadOptions,
  type BattleFeatures,
} from "./leaderboard/battles.js";
export {
  arenaLeaderboard,
  type ArenaLeaderboard,
  type ArenaLeaderboardOptions,
  type ArenaModel,
  type RatingAnchor,
  type BootstrapSummary,
  type ArenaWinRates,
  type TiesPolicy,
  type IntervalMethod,
  type StyleSummary,
  type ReweightSummary,
} from "./leaderboard/leaderboard.js";
export type { StyleControlOptions, StyleCoefficient } from "./leaderboard/style.js";
export { arenaRanks } from "./leaderboard/ranks.js";
export type { WinRateMatrices } from "./leaderboard/win-rates.js";
