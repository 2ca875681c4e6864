import fc from "fast-check";
import { LuceError } from "../errors.js";
import { requireArrayLike, requireCount, requirePositive } from "../validation/checks.js";
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
  requireArrayLike(fn, "shape", shape);
  shape.forEach((k, x) => requireCount(fn, `shape[${x}]`, k, 1));
  if (options.dependsOn === "response" && !shape.some((k) => k > 1))
    throw new LuceError(fn, "shape", "needs a row of 2 or more responses for a shift that varies with y");
  const max = options.max === undefined ? 1e3 : requirePositive(fn, "options.max", options.max);
  const value = options.dyadic
    ? fc.integer({ min: -Math.round(max * 256), max: Math.round(max * 256) }).map((k) => k / 256)
    : fc.oneof(fc.double({ min: -max, max, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }));
  if (options.dependsOn === "response") {
    // at least two responses in some prompt get different shifts
    return fc
      .tuple(...shape.map((k) => fc.array(value, { minLength: k, maxLength: k })))
      .filter((rows) => rows.some((row) => new Set(row).size > 1));
  }
  return fc.tuple(...shape.map((k) => value.map((v) => Array.from({ length: k }, () => v))));
}

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
  return problem.chain((p) =>
    shiftArbitrary(
      p.reward.map((row) => row.length),
      options,
    ).map((shift) => ({
      problem: p,
      shift,
      shifted: p.reward.map((row, x) => row.map((r, y) => r + shift[x][y])),
    })),
  );
}
