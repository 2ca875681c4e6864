import fc from "fast-check";
import { LuceError } from "../errors.js";
import { describe, requireArrayLength, requireBoolean, requireOptions, requirePositive } from "../validation/checks.js";
import { requireDrawnCount, requireDrawnTotal } from "./sizes.js";
import type { FiniteProblem } from "./problem.js";

/** Options of {@link shiftArbitrary}. */
export interface ShiftOptions {
  /** Largest |f(x)|; default 1e3. */
  readonly max?: number;
  /**
   * `"prompt"`: f(x), one value per prompt (Definition 1). `"response"`: g(x, y), which varies
   * with y (the assumption that the shift depends on x alone, dropped). Default `"prompt"`.
   */
  readonly dependsOn?: "prompt" | "response";
  /** Draw dyadic values k/256, so that r + f is exact in float64 for dyadic r. Default false. */
  readonly dyadic?: boolean;
}

/**
 * A shift of a problem's rewards: f(x) per prompt (returned as a row per prompt with the value
 * repeated), or g(x, y) varying with y. Adding it to r gives a member of r's class (Definition 1)
 * or, with `dependsOn: "response"`, a reward outside it.
 *
 * @param shape - the row lengths of the rewards to shift
 * @param options - size, dependence, dyadic grid
 * @returns an arbitrary of shift rows of that shape
 * @example
 * ```ts
 * fc.assert(fc.property(shiftArbitrary([3, 2]), (f) => f.every((row) => new Set(row).size === 1)));
 * ```
 */
export function shiftArbitrary(shape: readonly number[], options: ShiftOptions = {}): fc.Arbitrary<number[][]> {
  const fn = "shiftArbitrary";
  return shiftFrom(fn, readShape(fn, shape), requireOptions(fn, "options", options, SHIFT_KEYS));
}

const SHIFT_KEYS = ["max", "dependsOn", "dyadic"];

/** Row lengths read once into a copy, each a count, their total within one draw. */
function readShape(fn: string, shape: unknown): number[] {
  const length = requireArrayLength(fn, "shape", shape);
  const given = shape as ArrayLike<unknown>;
  requireDrawnCount(fn, "shape.length", length, 0);
  const rows: number[] = [];
  let total = 0;
  for (let x = 0; x < length; x++) {
    rows.push(requireDrawnCount(fn, `shape[${x}]`, given[x], 1));
    total += rows[x];
  }
  requireDrawnTotal(fn, "shape", total, "shift values");
  return rows;
}

/** {@link shiftArbitrary} on a read shape, its errors naming `fn`. */
function shiftFrom(fn: string, shape: number[], options: ShiftOptions): fc.Arbitrary<number[][]> {
  const { max: givenMax, dependsOn: givenDependsOn, dyadic: givenDyadic } = options;
  const dependsOn = givenDependsOn ?? "prompt";
  if (dependsOn !== "prompt" && dependsOn !== "response")
    throw new LuceError(fn, "options.dependsOn", `must be "prompt" or "response", got ${describe(dependsOn)}`);
  if (dependsOn === "response" && !shape.some((k) => k > 1))
    throw new LuceError(fn, "shape", "needs a row of 2 or more responses for a shift that varies with y");
  const max = givenMax === undefined ? 1e3 : requirePositive(fn, "options.max", givenMax);
  const dyadic = givenDyadic === undefined ? false : requireBoolean(fn, "options.dyadic", givenDyadic);
  // floor: k/256 ≤ max for every drawn k (rounding max·256 up would step past max)
  const steps = Math.floor(max * DYADIC_STEPS);
  const value = dyadic
    ? fc.integer({ min: -steps, max: steps }).map((k) => k / DYADIC_STEPS)
    : fc.oneof(
        fc.double({ min: -max, max, noNaN: true }),
        fc.double({ min: -Math.min(1, max), max: Math.min(1, max), noNaN: true }),
      );
  // flat draws cut into rows: a tuple of one arbitrary per prompt would spread a data-sized argument list
  if (dependsOn === "response") {
    // at least two responses in some prompt get different shifts
    const total = shape.reduce((a, k) => a + k, 0);
    return fc
      .array(value, { minLength: total, maxLength: total })
      .map((flat) => {
        let at = 0;
        return shape.map((k) => flat.slice(at, (at += k)));
      })
      .filter((rows) => rows.some((row) => new Set(row).size > 1));
  }
  return fc
    .array(value, { minLength: shape.length, maxLength: shape.length })
    .map((perPrompt) => shape.map((k, x) => Array.from({ length: k }, () => perPrompt[x])));
}

/** Dyadic shifts are multiples of 1/256, so r + f is exact in float64 for dyadic r. */
const DYADIC_STEPS = 256;

/** A problem, a shift f(x), and the shifted reward r + f. */
export interface EquivalentRewards {
  /** The problem whose reward is shifted. */
  readonly problem: FiniteProblem;
  /** f(x) per response (constant along each row unless the shift was asked to depend on y). */
  readonly shift: number[][];
  /** r(x, y) + f(x), rounded to float64. */
  readonly shifted: number[][];
}

/**
 * Two equivalent rewards (Definition 1): a problem's reward r and r + f(x), with f drawn by
 * {@link shiftArbitrary}.
 *
 * @param problem - an arbitrary of problems (e.g. `finiteProblemArbitrary()`)
 * @param options - the shift's options
 * @returns an arbitrary of `{ problem, shift, shifted }` where shifted = reward + shift
 * @example
 * ```ts
 * fc.assert(fc.property(equivalentRewardsArbitrary(finiteProblemArbitrary()),
 *   ({ problem, shifted }) => areEquivalentRewards(problem.reward, shifted, { relativeTolerance: 1e-12 })));
 * ```
 */
export function equivalentRewardsArbitrary(
  problem: fc.Arbitrary<FiniteProblem>,
  options: ShiftOptions = {},
): fc.Arbitrary<EquivalentRewards> {
  const fn = "equivalentRewardsArbitrary";
  if (problem === null || typeof problem !== "object" || typeof (problem as { chain?: unknown }).chain !== "function")
    throw new LuceError(fn, "problem", `must be a fast-check arbitrary of problems, got ${describe(problem)}`);
  const read = requireOptions(fn, "options", options, SHIFT_KEYS);
  shiftFrom(fn, [2], read); // validates the options now, not at the first draw
  return problem.chain((p) =>
    shiftFrom(
      fn,
      readShape(
        fn,
        p.reward.map((row) => row.length),
      ),
      read,
    ).map((shift) => ({
      problem: p,
      shift,
      shifted: p.reward.map((row, x) => row.map((r, y) => r + shift[x][y])),
    })),
  );
}
