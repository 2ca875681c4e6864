import type { Float64Error } from "./float64-error.js";
import type { Interval } from "./interval/index.js";

/**
 * What a residual claims: `"= 0"` for an identity (the statement holds when its enclosure lies within ±1e−40 of 0),
 * `"≤ 0"` for an inequality (its enclosure lies below 1e−40).
 */
export type Claim = "= 0" | "≤ 0";

/** One residual of a statement on an instance, enclosed: an interval that contains its exact real value. */
export interface ResidualEnclosure {
  /** Which part of the statement, e.g. `"prompt 0: Z(f(r)) = 1"`. */
  readonly name: string;
  /** The enclosure of the exact residual. */
  readonly value: Interval;
  /** What the statement claims of it. */
  readonly claim: Claim;
}

/** A statement's residuals on one instance, enclosed, and the errors of the luce functions it used there. */
export interface InstanceEnclosure {
  /** The enclosures of the exact residuals. */
  readonly residuals: readonly ResidualEnclosure[];
  /** The float64 errors of luce's own functions on the instance, each against its bound. */
  readonly float64: readonly Float64Error[];
}
