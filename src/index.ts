/**
 * luce: the theory of Direct Preference Optimization made executable.
 *
 * The root export holds the core: stable numerics, Bradley–Terry and
 * Plackett–Luce likelihoods, the KL-constrained optimal policy and the DPO
 * loss family. fast-check arbitraries live in `luce/arbitraries`.
 * @packageDocumentation
 * @module luce
 */
export { LuceError } from "./errors.js";
export * from "./numerics/index.js";
export { createRandom, type RandomSource } from "./numerics/random.js";
export * from "./ranking/index.js";
export * from "./theory/index.js";
export * from "./losses/index.js";
export * from "./inference/index.js";
