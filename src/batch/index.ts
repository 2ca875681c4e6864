/**
 * The batch path for real model outputs: per-sequence log-probabilities and DPO losses from
 * logits [B, T, V] (strided views read in place; float32, float64, float16 and bfloat16) on the CPU
 * (a WebAssembly SIMD kernel on worker threads, or float64) or on WebGPU through ONNX Runtime;
 * straight from ONNX causal language models with the logits kept on the device; and logits
 * exported by other frameworks from `.npy` and `.safetensors` files, validated field by field and
 * read in pieces (files over 2 GiB work).
 * @packageDocumentation
 * @module luce/batch
 */
export {
  sequenceLogProbs,
  sequenceTokenLogProbs,
  type SequenceLogProbsOptions,
  type TokenLogProbs,
} from "./sequence-log-probs.js";
export { allocateLogits, releaseLogits, type SharedLogits } from "./cpu/shared-memory.js";
export { dpoBatch, type DpoBatchInputs, type DpoBatchOptions, type DpoBatchResult } from "./dpo-batch.js";
export type { PolicyBatchInputs, PolicyBatchOptions, PolicyBatchLogps } from "./batch-scoring.js";
export type { LogitMetrics } from "./logit-moments.js";
export type { ArrayView, LogitsView, LabelsView, OrtTensorLike } from "./tensor-view.js";
export { tensorFileInfo, readTensorFile, type TensorInfo, type Tensor } from "./io/tensor-file.js";
export type { TensorDtype } from "./io/dtypes.js";
export {
  CausalLanguageModel,
  dpoModelBatch,
  type CausalLanguageModelOptions,
  type ModelLogProbsOptions,
  type DpoModelBatchInputs,
  type DpoModelBatchOptions,
  type DpoModelBatchResult,
} from "./causal-lm.js";
export type { ExecutionProvider } from "./onnx/runtime.js";
export {
  plackettLuceDpoBatch,
  type PlackettLuceDpoBatchInputs,
  type PlackettLuceDpoBatchOptions,
  type PlackettLuceDpoBatchResult,
} from "./plackett-luce-dpo-batch.js";
