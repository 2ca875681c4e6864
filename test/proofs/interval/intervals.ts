/** The interval helpers the certification tests build wrong formulas with. */
export { div, fromDouble } from "../../../src/proofs/interval/index.js";
export { maxAbsDiffOf } from "../../../src/proofs/enclosures.js";
