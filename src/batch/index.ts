/**
 * The batch path for real model outputs. So far: reading logits and log-probabilities exported by
 * other frameworks from `.npy` and `.safetensors` files (float32, float16, bfloat16, float64),
 * validated field by field and read in pieces (files over 2 GiB work).
 * @packageDocumentation
 * @module luce/batch
 */
export { tensorFileInfo, readTensorFile, type TensorInfo, type Tensor } from "./io/tensor-file.js";
export type { TensorDtype } from "./io/dtypes.js";
