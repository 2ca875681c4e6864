import type { InstanceEnclosure } from "../instance-enclosure.js";
import { appendixA1Enclosure } from "./appendix-a1-enclosure.js";
import { appendixA2A3Enclosure } from "./appendix-a2-a3-enclosure.js";
import { appendixA4Enclosure } from "./appendix-a4-enclosure.js";
import { definition1Enclosure } from "./definition-1-enclosure.js";
import { lemma1Enclosure } from "./lemma-1-enclosure.js";
import { lemma2Enclosure } from "./lemma-2-enclosure.js";
import { LOSS_ENCLOSURES } from "./loss-enclosures.js";
import { populationDpoEnclosure } from "./population-dpo-enclosure.js";
import { theorem1Enclosure } from "./theorem-1-enclosure.js";

/**
 * The enclosure of each built-in statement by its id, the paper's and the loss statements' (its assumption variants
 * share it: the residual's formula is the same, only the instances differ).
 * @internal
 */
export const BUILT_IN_ENCLOSURES: Readonly<Record<string, (instance: never) => InstanceEnclosure>> = {
  "definition-1": definition1Enclosure,
  "lemma-1": lemma1Enclosure,
  "lemma-2": lemma2Enclosure,
  "theorem-1": theorem1Enclosure,
  "appendix-a1": appendixA1Enclosure,
  "appendix-a2-a3": appendixA2A3Enclosure,
  "appendix-a4": appendixA4Enclosure,
  "population-dpo": populationDpoEnclosure,
  ...LOSS_ENCLOSURES,
};
