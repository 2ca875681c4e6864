/**
 * The DPO losses and sequence log-probabilities as differentiable TensorFlow.js ops, for
 * models trained with tfjs: each op computes its value with luce's kernels and hands tfjs luce's
 * exact gradient, so `tf.grad`, `tf.variableGrads` and optimizers see the same numbers as
 * {@link luce!dpoLoss}, {@link luce!plackettLuceDpoLoss} and {@link luce/batch!sequenceLogProbs}.
 * Needs the optional peer dependency `@tensorflow/tfjs-core` and a backend (tested on
 * `@tensorflow/tfjs-backend-cpu`); tensors are float32, as tfjs keeps them, while luce computes in
 * float64 (the losses) or with its float32 kernel (the log-probs) and rounds the results once.
 * @packageDocumentation
 * @module luce/tfjs
 */
export { dpoLossOp, type DpoLossOpInputs, type DpoLossOpOptions } from "./dpo-loss-op.js";
export { plackettLuceDpoLossOp, type PlackettLuceDpoLossOpInputs } from "./plackett-luce-dpo-loss-op.js";
export { sequenceLogProbsOp, type SequenceLogProbsOpOptions } from "./sequence-log-probs-op.js";
export type { Reduction } from "./tensors.js";
