export type { Comparison, Ranking, TopKRanking, Choice, PlackettLuceObservation } from "./observations.js";
export {
  bradleyTerryProbability,
  bradleyTerryLogLikelihood,
  bradleyTerryLogLikelihoodGradient,
  bradleyTerryLogLikelihoodHessian,
} from "./bradley-terry.js";
export {
  plackettLuceLogProbability,
  plackettLuceLogLikelihood,
  plackettLuceLogLikelihoodGradient,
  plackettLuceLogLikelihoodHessian,
} from "./plackett-luce.js";
export { samplePlackettLuce, type SamplePlackettLuceOptions } from "./sampling.js";
