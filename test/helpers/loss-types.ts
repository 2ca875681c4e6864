import type { DpoLossType } from "../../src/losses/dpo.js";

/**
 * Every `lossType` dpoLoss documents (TRL's names; `aot_pair` is an alias of `aot_unpaired`), written out here
 * rather than read from the library, so a type the library drops fails the tests that iterate over it.
 */
export const DPO_LOSS_TYPES: readonly DpoLossType[] = [
  "sigmoid",
  "hinge",
  "ipo",
  "sigmoid_norm",
  "exo_pair",
  "nca_pair",
  "robust",
  "bco_pair",
  "sppo_hard",
  "apo_zero",
  "apo_down",
  "discopop",
  "aot",
  "aot_unpaired",
];

/** The loss types that need no response lengths (all but `sigmoid_norm`). */
export const DPO_LOSS_TYPES_WITHOUT_LENGTHS = DPO_LOSS_TYPES.filter((t) => t !== "sigmoid_norm");
