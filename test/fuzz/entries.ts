/**
 * One valid call of every export of luce, luce/proofs, luce/arbitraries and luce/batch: the fuzz
 * suite makes each call hostile one argument, field or element at a time, so validation deep
 * inside is reached. `finite` names the results the documentation promises finite.
 */
import fc from "fast-check";
import * as core from "../../src/index.js";
import * as proofs from "../../src/proofs/index.js";
import * as arbitraries from "../../src/arbitraries/index.js";
import * as batch from "../../src/batch/index.js";

/** A valid call of one export, built fresh for every run so a mutation never leaks into the next. */
export interface FuzzEntry {
  /** Fresh valid arguments. */
  readonly args: () => unknown[];
  /** Calls the export (a constructor is called with `new`). */
  readonly call: (...args: unknown[]) => unknown;
  /**
   * The results the documentation promises finite for finite input (checked unless the hostile value
   * is ±Infinity, where log1pExp(Infinity) = Infinity is the documented answer); others must hold no NaN.
   */
  readonly finite?: (result: unknown) => number[];
  /**
   * The log-probabilities among the results: never NaN or above 0, and −Infinity only where the true
   * value lies below −Number.MAX_VALUE (a correctly rounded underflow, as with scores of ±1e308).
   */
  readonly logProbabilities?: (result: unknown) => number[];
  /** True where the export wraps its input for later validation (it may hand a NaN back unread). */
  readonly echoesInput?: boolean;
  /** Runs the property makes; slow exports get fewer. */
  readonly runs?: number;
}

const scores = () => [0.5, -1, 2];
const rows = () => [
  [1, 0, -1],
  [0.5, 0.25, 2],
];
const policy = () => [
  [0.2, 0.3, 0.5],
  [0.1, 0.6, 0.3],
];
const comparisons = () => [
  [0, 1],
  [1, 2, 2],
  [2, 0],
];
const observations = () => [[0, 1, 2], { ranking: [2, 0], of: [0, 1, 2] }];
const battleRecords = () => [
  { model_a: "x", model_b: "y", winner: "model_a" },
  { model_a: "y", model_b: "x", winner: "model_a" },
  { model_a: "y", model_b: "z", winner: "model_a", turn: 2 },
  { model_a: "z", model_b: "y", winner: "a" },
  { model_a: "x", model_b: "z", winner: "tie" },
  { model_a: "z", model_b: "x", winner: "b" },
];
const [B, T, V] = [2, 3, 4];
const logits = () => ({ data: Float32Array.from({ length: B * T * V }, (_, i) => Math.sin(i)), shape: [B, T, V] });
const labels = () => [
  [0, 1, 2],
  [3, 1, 0],
];
const dpoInputs = () => ({
  policyChosenLogps: [-1, -2],
  policyRejectedLogps: [-1.5, -1],
  referenceChosenLogps: [-1.2, -2],
  referenceRejectedLogps: [-1.4, -1.1],
});
const one = (x: unknown): number[] => [x as number];
const all = (x: unknown): number[] => Array.from(x as ArrayLike<number>);
const allRows = (x: unknown): number[] => (x as ArrayLike<number>[]).flatMap((row) => Array.from(row));
/** Draws one value from an arbitrary an export returned, so its validation at draw time is reached too. */
const drawOne = (arbitrary: unknown) => fc.sample(arbitrary as fc.Arbitrary<unknown>, { numRuns: 1, seed: 1 });
const fn =
  (f: (...a: never[]) => unknown) =>
  (...a: unknown[]) =>
    f(...(a as never[]));

const smallCheck = { runs: 2, seed: 1 };

/** Every function export, keyed "module:name". */
export const entries: Record<string, FuzzEntry> = {
  "luce:LuceError": {
    args: () => ["f", "a", "is wrong"],
    call: (...a) => new core.LuceError(...(a as [string, string, string])),
  },
  "luce:areEquivalentRewards": {
    args: () => [rows(), rows(), { tolerance: 1e-9 }],
    call: fn(core.areEquivalentRewards),
  },
  "luce:arenaLeaderboard": {
    // style control and reweighting on: the plain path's inputs are a subset of these
    args: () => [
      battleRecords().map((r, k) => ({ ...r, len_a: 10 + 7 * k, len_b: 30 - 3 * k })),
      {
        anchor: { model: "x", rating: 1114 },
        ties: "half",
        ci: "sandwich",
        base: 1000,
        style: { columns: ["len"], ridge: 1 },
        reweight: true,
        minPairCount: 1,
      },
    ],
    call: fn(core.arenaLeaderboard),
    finite: (r) => (r as core.ArenaLeaderboard).models.flatMap((m) => [m.rating, m.lower, m.upper, m.rank]),
  },
  "luce:arenaRanks": {
    args: () => [
      [1, 2, 0.5],
      [3, 4, 0.7],
    ],
    call: fn(core.arenaRanks),
    finite: all,
  },
  "luce:battlesFromRecords": { args: () => [battleRecords(), {}], call: fn(core.battlesFromRecords) },
  "luce:bradleyTerryLogLikelihood": {
    args: () => [scores(), comparisons()],
    call: fn(core.bradleyTerryLogLikelihood),
    logProbabilities: one,
  },
  "luce:bradleyTerryLogLikelihoodGradient": {
    args: () => [scores(), comparisons()],
    call: fn(core.bradleyTerryLogLikelihoodGradient),
    finite: all,
  },
  "luce:bradleyTerryLogLikelihoodHessian": {
    args: () => [scores(), comparisons()],
    call: fn(core.bradleyTerryLogLikelihoodHessian),
    finite: allRows,
  },
  "luce:bradleyTerryProbability": { args: () => [1, -2], call: fn(core.bradleyTerryProbability), finite: one },
  "luce:canonicalReward": { args: () => [rows()], call: fn(core.canonicalReward), finite: allRows },
  "luce:createRandom": {
    args: () => [7],
    call: (...a) => (core.createRandom as (s: unknown) => core.RandomSource)(a[0])(),
  },
  "luce:detectPreferenceFormat": { args: () => ["winner,loser"], call: fn(core.detectPreferenceFormat) },
  // a mixture under an f-divergence with sft and the router term, so every option and input is mutated
  "luce:dpoLoss": {
    args: () => [
      { ...dpoInputs(), chosenLengths: [3, 4], rejectedLengths: [2, 5], routerAuxLoss: 0.5 },
      {
        beta: 0.1,
        lossType: ["sigmoid", "ipo", "sft"],
        lossWeights: [0.8, 0.2, 1],
        fDivergence: "alpha_divergence",
        fAlphaDivergenceCoef: 0.5,
        routerAuxLossCoef: 0.01,
      },
    ],
    call: fn(core.dpoLoss),
    finite: (r) => [...all((r as core.DpoLossResult).losses), (r as core.DpoLossResult).loss],
  },
  "luce:ktoLoss": {
    args: () => [
      {
        policyLogps: [-1, -2, -3],
        referenceLogps: [-1.5, -2, -2.5],
        desirable: [true, false, true],
        policyKlLogps: [-2, -3, -1],
        referenceKlLogps: [-2.5, -3, -1.2],
      },
      { beta: 0.1, lossType: "kto", desirableWeight: 1.33, undesirableWeight: 1 },
    ],
    call: fn(core.ktoLoss),
    finite: (r) => [(r as core.KtoLossResult).loss, ...all((r as core.KtoLossResult).gradPolicy)],
  },
  "luce:cpoLoss": {
    args: () => [
      { policyChosenLogps: [-3, -4], policyRejectedLogps: [-5, -4.5], chosenLengths: [3, 4], rejectedLengths: [5, 2] },
      { beta: 2, lossType: "simpo", labelSmoothing: 0.1, cpoAlpha: 1, simpoGamma: 0.5, alpha: 0.25 },
    ],
    call: fn(core.cpoLoss),
    finite: (r) => [(r as core.CpoLossResult).loss, ...all((r as core.CpoLossResult).gradPolicyChosen)],
  },
  "luce:orpoLoss": {
    args: () => [
      {
        policyChosenLogps: [-1e-9, -4],
        policyRejectedLogps: [-5, -4.5],
        chosenLengths: [3, 4],
        rejectedLengths: [5, 2],
        chosenPromptLogps: [-2, -3],
        chosenPromptLengths: [2, 2],
      },
      { beta: 0.1 },
    ],
    call: fn(core.orpoLoss),
    finite: (r) => [(r as core.OrpoLossResult).loss, ...all((r as core.OrpoLossResult).gradPolicyChosen)],
  },
  "luce:fitBradleyTerry": {
    args: () => [comparisons(), { method: "newton" }],
    call: fn(core.fitBradleyTerry),
    finite: (r) => all((r as core.FitResult).logStrength),
  },
  "luce:fitContextualBradleyTerry": {
    args: () => [
      {
        modelA: [0, 1, 2, 0, 1, 2],
        modelB: [1, 2, 0, 2, 0, 1],
        outcome: [1, 1, 1, 0, 0.5, 0],
        weight: [1, 2, 1, 1, 1, 0.5],
        features: [
          [0.5, -1],
          [0.25, 0],
          [-1, 2],
          [0, 1],
          [1, 1],
          [-0.5, 0.5],
        ],
      },
      { ridge: 1 },
    ],
    call: fn(core.fitContextualBradleyTerry),
    finite: (r) => [...(r as core.ContextualFitResult).logStrength, ...(r as core.ContextualFitResult).coefficients],
  },
  "luce:arenaStyleFeatures": {
    args: () => [
      [
        [300, 2, 0],
        [50, 0, 4],
        [120, 1, 1],
      ],
      [
        [100, 0, 0],
        [150, 1, 1],
        [120, 3, 0],
      ],
      {},
    ],
    call: fn(core.arenaStyleFeatures),
    finite: (r) => (r as Float64Array[]).flatMap((row) => [...row]),
  },
  "luce:fitPlackettLuce": {
    args: () => [observations(), {}],
    call: fn(core.fitPlackettLuce),
    finite: (r) => all((r as core.FitResult).logStrength),
  },
  "luce:frontierRewardAtKl": {
    args: () => [{ reward: rows(), reference: policy() }, 0.1],
    call: fn(core.frontierRewardAtKl),
    finite: one,
  },
  "luce:impliedReward": { args: () => [policy(), policy(), 0.5], call: fn(core.impliedReward), finite: allRows },
  // KL is +Infinity, the objective −Infinity, where π puts mass off π_ref's support (documented)
  "luce:klDivergence": { args: () => [policy(), policy()], call: fn(core.klDivergence) },
  "luce:klRegularizedObjective": {
    args: () => [policy(), rows(), policy(), 0.5],
    call: fn(core.klRegularizedObjective),
  },
  "luce:fRegularizedOptimalPolicy": {
    args: () => [rows(), policy(), 0.5, "alpha_divergence", 0.3],
    call: fn(core.fRegularizedOptimalPolicy),
    logProbabilities: (r) => allRows((r as core.FRegularizedPolicy).logPolicy),
  },
  "luce:log1mExp": { args: () => [-0.5], call: fn(core.log1mExp) },
  "luce:log1pExp": { args: () => [3], call: fn(core.log1pExp), finite: one },
  "luce:logDiffExp": { args: () => [1, 0.5], call: fn(core.logDiffExp) },
  "luce:logOptimalPolicy": {
    args: () => [rows(), policy(), 0.5],
    call: fn(core.logOptimalPolicy),
    logProbabilities: allRows,
  },
  "luce:logPartition": { args: () => [rows(), policy(), 0.5], call: fn(core.logPartition), finite: all },
  "luce:logSigmoid": { args: () => [0.3], call: fn(core.logSigmoid), finite: one },
  "luce:logSpace": { args: () => [[[-1, -0.5, -2]]], call: fn(core.logSpace), echoesInput: true },
  // logSumExp([]) = −Infinity is documented (the log of an empty sum): no finite promise
  "luce:logSumExp": { args: () => [scores()], call: fn(core.logSumExp) },
  "luce:optimalPolicy": { args: () => [rows(), policy(), 0.5], call: fn(core.optimalPolicy), finite: allRows },
  "luce:parseBattles": {
    args: () => [
      "model_a,model_b,winner,w,n_a,n_b,d\nx,y,model_a,1,3,1,0.5\ny,x,tie,2,1,4,-1\n",
      { format: "csv", weight: "w", features: ["n", "d"] },
    ],
    call: fn(core.parseBattles),
  },
  "luce:parsePreferenceData": { args: () => ["winner,loser\na,b\nb,c\n", "csv"], call: fn(core.parsePreferenceData) },
  "luce:plackettLuceDpoLoss": {
    args: () => [
      { policyLogps: [[-1, -2, -3]], referenceLogps: [[-1.5, -2, -2.5]], rankings: [[2, 0, 1]] },
      { beta: 0.1 },
    ],
    call: fn(core.plackettLuceDpoLoss),
    finite: (r) => all((r as core.PlackettLuceDpoResult).losses),
  },
  "luce:plackettLuceRewardModelLoss": {
    args: () => [{ rewards: rows(), rankings: [[2, 0, 1], [1]] }, { centerRewardsCoefficient: 0.01 }],
    call: fn(core.plackettLuceRewardModelLoss),
    finite: (r) => [(r as core.PlackettLuceRewardModelResult).loss],
  },
  "luce:plackettLuceLogLikelihood": {
    args: () => [scores(), observations()],
    call: fn(core.plackettLuceLogLikelihood),
    logProbabilities: one,
  },
  "luce:plackettLuceLogLikelihoodGradient": {
    args: () => [scores(), observations()],
    call: fn(core.plackettLuceLogLikelihoodGradient),
    finite: all,
  },
  "luce:plackettLuceLogLikelihoodHessian": {
    args: () => [scores(), observations()],
    call: fn(core.plackettLuceLogLikelihoodHessian),
    finite: allRows,
  },
  "luce:plackettLuceLogProbability": {
    args: () => [scores(), [2, 0, 1]],
    call: fn(core.plackettLuceLogProbability),
    logProbabilities: one,
  },
  "luce:preferenceLogProbability": {
    args: () => [{ reward: rows() }, 1, [0, 2, 1]],
    call: fn(core.preferenceLogProbability),
    logProbabilities: one,
  },
  "luce:preferenceProbability": {
    args: () => [{ policy: policy(), reference: policy(), beta: 0.5 }, 0, [0, 2]],
    call: fn(core.preferenceProbability),
    finite: one,
  },
  "luce:populationOptimum": {
    args: () => [
      {
        lossType: "robust",
        labelSmoothing: 0.1,
        labelNoise: 0.1,
        beta: 0.5,
        reward: rows(),
        logReference: policy().map((row) => row.map(Math.log)),
        pairWeights: [0, 1].map(() => [
          [0, 1, 0.5],
          [1, 0, 2],
          [0.5, 2, 0],
        ]),
      },
    ],
    call: fn(core.populationOptimum),
    finite: (r) => all((r as core.PopulationOptimum).loss),
    logProbabilities: (r) => allRows((r as core.PopulationOptimum).logPolicy),
    runs: 60,
  },
  "luce:projectReward": { args: () => [rows(), policy(), 0.5], call: fn(core.projectReward), finite: allRows },
  "luce:rewardKlFrontier": {
    args: () => [{ reward: rows(), reference: policy(), promptWeights: [1, 2] }, [0.1, 1]],
    call: fn(core.rewardKlFrontier),
  },
  "luce:rewardKlPoint": {
    args: () => [{ reward: rows(), reference: policy() }, policy()],
    call: fn(core.rewardKlPoint),
  },
  "luce:rewardModelLoss": {
    args: () => [
      { chosenRewards: [1.5, 0.2], rejectedRewards: [0.5, 0.4], margins: [0.5, 0] },
      { centerRewardsCoefficient: 0.01 },
    ],
    call: fn(core.rewardModelLoss),
    finite: (r) => [(r as core.RewardModelLossResult).loss, ...all((r as core.RewardModelLossResult).gradChosen)],
  },
  "luce:samplePlackettLuce": { args: () => [scores(), { seed: 3, k: 2 }], call: fn(core.samplePlackettLuce) },
  "luce:sigmoid": { args: () => [0.3], call: fn(core.sigmoid), finite: one },
  "luce:softplus": { args: () => [-2], call: fn(core.softplus), finite: one },
  "luce:suffixLogSumExp": { args: () => [scores()], call: fn(core.suffixLogSumExp) },

  "luce/proofs:appendixA1": { args: () => [{}], call: fn(proofs.appendixA1) },
  "luce/proofs:appendixA2A3": { args: () => [{}], call: fn(proofs.appendixA2A3) },
  "luce/proofs:appendixA4": { args: () => [], call: fn(proofs.appendixA4) },
  "luce/proofs:definition1": { args: () => [], call: fn(proofs.definition1) },
  "luce/proofs:lemma1": { args: () => [{ betaSign: 1 }], call: fn(proofs.lemma1) },
  "luce/proofs:lemma2": { args: () => [{}], call: fn(proofs.lemma2) },
  "luce/proofs:populationDpo": { args: () => [{}], call: fn(proofs.populationDpo) },
  "luce/proofs:theorem1": { args: () => [{ shiftDependsOn: "prompt" }], call: fn(proofs.theorem1) },
  "luce/proofs:assumptionVariants": { args: () => [], call: fn(proofs.assumptionVariants) },
  "luce/proofs:lossSigmoid": { args: () => [{ connectedGraph: true }], call: fn(proofs.lossSigmoid) },
  "luce/proofs:lossPlackettLuce": { args: () => [], call: fn(proofs.lossPlackettLuce) },
  "luce/proofs:lossConservativeTree": { args: () => [], call: fn(proofs.lossConservativeTree) },
  "luce/proofs:lossConservativeComplete": { args: () => [], call: fn(proofs.lossConservativeComplete) },
  "luce/proofs:lossConservativeOptimal": { args: () => [], call: fn(proofs.lossConservativeOptimal) },
  "luce/proofs:lossRobust": { args: () => [], call: fn(proofs.lossRobust) },
  "luce/proofs:lossRobustPlain": { args: () => [], call: fn(proofs.lossRobustPlain) },
  "luce/proofs:lossRobustMisspecified": { args: () => [], call: fn(proofs.lossRobustMisspecified) },
  "luce/proofs:lossRobustAboveHalf": { args: () => [true], call: fn(proofs.lossRobustAboveHalf) },
  "luce/proofs:lossIpoLeastSquares": { args: () => [], call: fn(proofs.lossIpoLeastSquares) },
  "luce/proofs:lossIpoIndependentPairs": { args: () => [], call: fn(proofs.lossIpoIndependentPairs) },
  "luce/proofs:lossIpoOptimal": { args: () => [], call: fn(proofs.lossIpoOptimal) },
  "luce/proofs:lossHinge": { args: () => [], call: fn(proofs.lossHinge) },
  "luce/proofs:lossHingeOptimal": { args: () => [], call: fn(proofs.lossHingeOptimal) },
  "luce/proofs:lossLengthNormalized": { args: () => [], call: fn(proofs.lossLengthNormalized) },
  "luce/proofs:lossLengthNormalizedEqual": { args: () => [], call: fn(proofs.lossLengthNormalizedEqual) },
  "luce/proofs:lossFDpo": { args: () => [], call: fn(proofs.lossFDpo) },
  "luce/proofs:lossStatements": { args: () => [], call: fn(proofs.lossStatements) },
  "luce/proofs:lossOptimumTable": { args: () => [], call: fn(proofs.lossOptimumTable), runs: 2 },
  "luce/proofs:verifyLosses": { args: () => [{ runs: 1, seed: 1 }], call: fn(proofs.verifyLosses), runs: 2 },
  "luce/proofs:paperStatements": { args: () => [], call: fn(proofs.paperStatements) },
  "luce/proofs:checkStatement": {
    args: () => [proofs.lemma1(), { ...smallCheck }],
    call: fn(proofs.checkStatement),
    runs: 8,
  },
  "luce/proofs:certifyStatement": {
    args: () => [proofs.definition1(), { runs: 2, seed: 1 }],
    call: fn(proofs.certifyStatement),
    runs: 5,
  },
  "luce/proofs:checkInstance": {
    args: () => [proofs.definition1(), drawOne(proofs.definition1().instances)[0]],
    call: fn(proofs.checkInstance),
    runs: 8,
  },
  "luce/proofs:checkVariant": {
    args: () => [proofs.assumptionVariants()[0], { ...smallCheck }],
    call: fn(proofs.checkVariant),
    runs: 5,
  },
  "luce/proofs:checkOwnFunctions": { args: () => [{ runs: 1, seed: 1 }], call: fn(proofs.checkOwnFunctions), runs: 3 },
  "luce/proofs:verifyPaper": { args: () => [{ runs: 1, seed: 1 }], call: fn(proofs.verifyPaper), runs: 3 },
  "luce/proofs:exact": { args: () => [0.25], call: fn(proofs.exact) },
  "luce/proofs:constant": { args: () => ["0.1"], call: fn(proofs.constant) },
  "luce/proofs:preciseLogSumExp": {
    args: () => [[proofs.exact(1), proofs.exact(-2)]],
    call: fn(proofs.preciseLogSumExp),
  },
  "luce/proofs:preciseMax": { args: () => [[proofs.exact(1), proofs.exact(-2)]], call: fn(proofs.preciseMax) },
  "luce/proofs:preciseSigmoid": { args: () => [proofs.exact(0.5)], call: fn(proofs.preciseSigmoid) },
  "luce/proofs:precisePlackettLuce": {
    args: () => [[proofs.exact(1), proofs.exact(0), proofs.exact(-1)], [2], [0, 1]],
    call: fn(proofs.precisePlackettLuce),
  },
  "luce/proofs:preciseRow": { args: () => [scores()], call: fn(proofs.preciseRow) },

  "luce/arbitraries:betaArbitrary": {
    args: () => [{ min: 0.1, max: 2 }],
    call: (...a) => drawOne(fn(arbitraries.betaArbitrary)(...a)),
  },
  "luce/arbitraries:comparisonGraphArbitrary": {
    args: () => [4, { connected: true }],
    call: (...a) => drawOne(fn(arbitraries.comparisonGraphArbitrary)(...a)),
  },
  "luce/arbitraries:equivalentRewardsArbitrary": {
    args: () => [arbitraries.finiteProblemArbitrary({ prompts: 1, responses: 2 }), {}],
    call: (...a) => drawOne(fn(arbitraries.equivalentRewardsArbitrary)(...a)),
  },
  "luce/arbitraries:finiteProblemArbitrary": {
    args: () => [{ prompts: 2, responses: [2, 3] }],
    call: (...a) => drawOne(fn(arbitraries.finiteProblemArbitrary)(...a)),
  },
  "luce/arbitraries:logPolicyArbitrary": {
    args: () => [3, {}],
    call: (...a) => drawOne(fn(arbitraries.logPolicyArbitrary)(...a)),
  },
  "luce/arbitraries:logReferenceArbitrary": {
    args: () => [{ responses: 3 }],
    call: (...a) => drawOne(fn(arbitraries.logReferenceArbitrary)(...a)),
  },
  "luce/arbitraries:observationArbitrary": {
    args: () => [3],
    call: (...a) => drawOne(fn(arbitraries.observationArbitrary)(...a)),
  },
  "luce/arbitraries:partialRankingArbitrary": {
    args: () => [3],
    call: (...a) => drawOne(fn(arbitraries.partialRankingArbitrary)(...a)),
  },
  "luce/arbitraries:rankingArbitrary": {
    args: () => [3],
    call: (...a) => drawOne(fn(arbitraries.rankingArbitrary)(...a)),
  },
  "luce/arbitraries:rewardArbitrary": {
    args: () => [3, 0.5, {}],
    call: (...a) => drawOne(fn(arbitraries.rewardArbitrary)(...a)),
  },
  "luce/arbitraries:shiftArbitrary": {
    args: () => [[2, 3], {}],
    call: (...a) => drawOne(fn(arbitraries.shiftArbitrary)(...a)),
  },

  "luce/batch:sequenceLogProbs": {
    args: () => [logits(), labels(), { average: false }],
    call: fn(batch.sequenceLogProbs),
    logProbabilities: all, // a −Infinity logit (float32 −1e308) at a label is a −Infinity log-probability
    runs: 40,
  },
  "luce/batch:sequenceTokenLogProbs": {
    args: () => [logits(), labels(), {}],
    call: fn(batch.sequenceTokenLogProbs),
    runs: 40,
  },
  "luce/batch:dpoBatch": {
    args: () => [
      { policyLogits: logits(), referenceLogps: [-1, -1], labels: labels() },
      { beta: 0.1, lossType: ["sigmoid", "sft"], lossWeights: [1, 0.5], fDivergence: "js_divergence" },
    ],
    call: fn(batch.dpoBatch),
    finite: (r) => all((r as batch.DpoBatchResult).losses),
    runs: 40,
  },
  "luce/batch:plackettLuceDpoBatch": {
    args: () => [
      { policyLogits: logits(), referenceLogps: [-1, -1], labels: labels(), responses: 2, rankings: [[0, 1]] },
      { beta: 0.1 },
    ],
    call: fn(batch.plackettLuceDpoBatch),
    runs: 40,
  },
  "luce/batch:allocateLogits": {
    args: () => [[2, 2, 3]],
    call: (...a) => batch.releaseLogits(fn(batch.allocateLogits)(...a) as batch.SharedLogits),
  },
  "luce/batch:releaseLogits": { args: () => [batch.allocateLogits([1, 1, 2])], call: fn(batch.releaseLogits) },
  "luce/batch:tensorFileInfo": {
    args: () => ["test/fixtures/tensors/logits-f4.npy"],
    call: fn(batch.tensorFileInfo),
    runs: 30,
  },
  "luce/batch:readTensorFile": {
    args: () => ["test/fixtures/tensors/logits.safetensors", "logits"],
    call: fn(batch.readTensorFile),
    runs: 30,
  },
};

/** Exports the suite does not fuzz, each with the reason. */
export const excluded: Record<string, string> = {
  "luce/batch:CausalLanguageModel":
    "needs an ONNX model file and onnxruntime-node; its loader is covered by test/batch/causal-lm.test.ts",
  "luce/batch:dpoModelBatch":
    "needs a loaded CausalLanguageModel (an ONNX model file); covered by test/batch/causal-lm.test.ts",
};

/** The modules the suite enumerates, by their package specifier. */
export const modules: Record<string, Record<string, unknown>> = {
  luce: core,
  "luce/proofs": proofs,
  "luce/arbitraries": arbitraries,
  "luce/batch": batch,
};
