import type fc from "fast-check";
import { LuceError } from "../errors.js";
import { describe, requireBoolean, requireOptions } from "../validation/checks.js";
import type { InstanceEnclosure } from "./instance-enclosure.js";
import type { Precise } from "./precise.js";

/** One float64 residual of a checked statement and its bound (EPS times a stated condition number). */
export interface Residual {
  /** Which part of the statement, e.g. `"Z(f(r)) = 1"`. */
  readonly name: string;
  /** The quantity that is 0 when the statement holds, as float64 computed it (≥ 0). */
  readonly residual: number;
  /** The largest residual float64 rounding can explain for this instance. */
  readonly bound: number;
}

/**
 * A statement of the paper made checkable: instances to try, the float64 residuals of luce's
 * implementation with their bounds, and the residual re-evaluated at 50 digits.
 */
export interface Statement<I> {
  /** Short identifier, e.g. `"lemma-1"`. */
  readonly id: string;
  /** What is claimed, in one line. */
  readonly title: string;
  /** Where the paper states and proves it. */
  readonly reference: string;
  /** How the residual and its bound are defined (printed by `luce verify --explain`). */
  readonly definition: string;
  /** Instances to check (fast-check arbitrary). */
  readonly instances: fc.Arbitrary<I>;
  /** Fraction of the requested runs to spend on this statement (expensive checks use fewer); default 1. */
  readonly runsFraction?: number;
  /** float64 residuals of one instance, from luce's own functions. */
  float64(instance: I): Residual[];
  /** The same residual evaluated at 50 significant digits (the largest component). */
  precise(instance: I): Precise;
  /** A readable rendering of an instance (for counterexamples). */
  show(instance: I): string;
  /**
   * The exact residuals enclosed in intervals, and the float64 errors of the luce functions used, on one instance
   * (`luce verify --certified`, `certifyStatement`); optional for a statement of the caller's.
   */
  certify?(instance: I): InstanceEnclosure;
}

/**
 * The assumptions of section 5 that a statement's instances satisfy by default; a variant
 * drops one (see the table in the guide, and `assumptionVariants`).
 */
export interface Assumptions {
  /** Let π_ref(y|x) be 0 for some y (drops π_ref > 0). */
  readonly referenceZeros?: boolean;
  /** `"response"`: shifts g(x, y) that vary with y (drops "the shift depends on x alone"). */
  readonly shiftDependsOn?: "prompt" | "response";
  /** `-1`: β < 0 (drops β > 0). */
  readonly betaSign?: 1 | -1;
  /** `false`: comparison graphs with several components (drops connectivity, population DPO). */
  readonly connectedGraph?: boolean;
}

/**
 * Assumptions given to a statement factory, checked: an options object with only the keys of
 * {@link Assumptions} (a misspelt key would silently check the statement under all assumptions),
 * each of its documented type.
 * @internal
 */
export function readAssumptions(fn: string, assumptions: Assumptions | undefined): Assumptions {
  const read = requireOptions(fn, "assumptions", assumptions, [
    "referenceZeros",
    "shiftDependsOn",
    "betaSign",
    "connectedGraph",
  ]);
  const { referenceZeros, shiftDependsOn, betaSign, connectedGraph } = read;
  if (referenceZeros !== undefined) requireBoolean(fn, "assumptions.referenceZeros", referenceZeros);
  if (connectedGraph !== undefined) requireBoolean(fn, "assumptions.connectedGraph", connectedGraph);
  if (shiftDependsOn !== undefined && shiftDependsOn !== "prompt" && shiftDependsOn !== "response")
    throw new LuceError(
      fn,
      "assumptions.shiftDependsOn",
      `must be "prompt" or "response", got ${describe(shiftDependsOn)}`,
    );
  if (betaSign !== undefined && betaSign !== 1 && betaSign !== -1)
    throw new LuceError(fn, "assumptions.betaSign", `must be 1 or -1, got ${describe(betaSign)}`);
  return { referenceZeros, shiftDependsOn, betaSign, connectedGraph };
}
