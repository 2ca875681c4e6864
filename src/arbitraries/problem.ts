import fc from "fast-check";
import { LuceError } from "../errors.js";
import {
  describe,
  requireBoolean,
  requireCount,
  requireFinite,
  requireOptions,
  requirePositive,
} from "../validation/checks.js";
import { MAX_DRAWN_SIZE, requireDrawnCount, requireDrawnTotal } from "./sizes.js";
import { uniformDouble } from "./uniform.js";

/** A finite preference problem: per prompt x, the reward and log π_ref of each response y. */
export interface FiniteProblem {
  /** β of eq. 3 (positive unless an arbitrary was asked to drop that assumption). */
  readonly beta: number;
  /** r(x, y), one row per prompt. */
  readonly reward: number[][];
  /**
   * log π_ref(y | x), one row per prompt, normalised (log-sum-exp 0 to float64 rounding); −Infinity where π_ref has no
   * mass.
   */
  readonly logReference: number[][];
}

/** A count drawn uniformly from `min` to `max` inclusive. */
export interface CountRange {
  /** Smallest count. */
  readonly min: number;
  /** Largest count. */
  readonly max: number;
}

/** Options of {@link betaArbitrary}. */
export interface BetaOptions {
  /** Smallest |β|; default 1e−2. */
  readonly min?: number;
  /** Largest |β|; default 1e2. */
  readonly max?: number;
  /** `-1` draws negative β (the assumption β > 0 dropped); default 1. */
  readonly sign?: 1 | -1;
}

/**
 * β drawn log-uniformly in [min, max] (so 0.01 and 100 are as likely as 1), and the ends themselves one draw in
 * seven, with the given sign.
 *
 * @param options - range and sign
 * @returns an arbitrary of β
 * @example
 * ```ts
 * fc.assert(fc.property(betaArbitrary(), (beta) => beta > 0));
 * ```
 */
export function betaArbitrary(options: BetaOptions = {}): fc.Arbitrary<number> {
  const fn = "betaArbitrary";
  return betaFrom(fn, requireOptions(fn, "options", options, BETA_KEYS));
}

const BETA_KEYS = ["min", "max", "sign"];

/** {@link betaArbitrary} from read options, its errors naming `fn`. */
function betaFrom(fn: string, options: BetaOptions): fc.Arbitrary<number> {
  const { min: givenMin, max: givenMax, sign: givenSign } = options;
  const min = givenMin === undefined ? 1e-2 : requirePositive(fn, "options.min", givenMin);
  const max = givenMax === undefined ? 1e2 : requirePositive(fn, "options.max", givenMax);
  if (max < min) throw new LuceError(fn, "options.max", `is ${max}, below options.min ${min}`);
  const sign = givenSign ?? 1;
  if (sign !== 1 && sign !== -1) throw new LuceError(fn, "options.sign", `must be 1 or -1, got ${describe(sign)}`);
  // uniform in value: fast-check's doubles crowd at 0 and would make log β = 0 (β = 1) most draws; the ends as
  // constants. e^{log max} may round a few ulp past max (e^{log 100} = 100.00000000000004): clamp into [min, max]
  const magnitude = fc.oneof(
    {
      weight: 6,
      arbitrary: uniformDouble(Math.log(min), Math.log(max)).map((t) => Math.min(max, Math.max(min, Math.exp(t)))),
    },
    { weight: 1, arbitrary: fc.constantFrom(min, max) },
  );
  return magnitude.map((b) => sign * b);
}

/** Options of {@link logReferenceArbitrary}. */
export interface LogReferenceOptions {
  /** Number of responses (fixed) or a range; default 2 to 8. */
  readonly responses?: number | CountRange;
  /**
   * Smallest log-probability drawn before normalising; default log(1e−300) ≈ −690.8. Use −5000 for sequence-level
   * references.
   */
  readonly minLogProbability?: number;
  /** Let some responses have π_ref = 0 (the assumption π_ref > 0 dropped); at least one keeps mass. Default false. */
  readonly zeros?: boolean;
}

/**
 * One prompt's reference policy in log space: normalised log-probabilities, mixing ordinary
 * values with near-degenerate ones down to `minLogProbability` (1e−300 by default), so that
 * properties meet the probabilities that underflow in naive code.
 *
 * @param options - number of responses, smallest log-probability, zeros
 * @returns an arbitrary of log π_ref(· | x) rows
 * @example
 * ```ts
 * fc.assert(fc.property(logReferenceArbitrary({ responses: 4 }), (row) => row.length === 4));
 * ```
 */
export function logReferenceArbitrary(options: LogReferenceOptions = {}): fc.Arbitrary<number[]> {
  const fn = "logReferenceArbitrary";
  return logReferenceFrom(fn, requireOptions(fn, "options", options, LOG_REFERENCE_KEYS));
}

const LOG_REFERENCE_KEYS = ["responses", "minLogProbability", "zeros"];

/** {@link logReferenceArbitrary} from read options, its errors naming `fn`. */
function logReferenceFrom(fn: string, options: LogReferenceOptions): fc.Arbitrary<number[]> {
  const [kMin, kMax] = countRange(fn, "options.responses", options.responses, [2, 8], 1);
  const givenFloor = options.minLogProbability;
  const floor =
    givenFloor === undefined ? Math.log(1e-300) : requireFinite(fn, "options.minLogProbability", givenFloor);
  if (floor >= 0) throw new LuceError(fn, "options.minLogProbability", `must be < 0, got ${floor}`);
  const zeros = options.zeros === undefined ? false : requireBoolean(fn, "options.zeros", options.zeros);
  // mostly ordinary log-probabilities, uniform in [−5, 0]; now and then anywhere down to the floor, or at it
  const entry = fc.oneof(
    { weight: 12, arbitrary: uniformDouble(-5, 0) },
    { weight: 3, arbitrary: uniformDouble(floor, 0) },
    { weight: 1, arbitrary: fc.constant(floor) },
  );
  const raw = fc.integer({ min: kMin, max: kMax }).chain((k) => fc.array(entry, { minLength: k, maxLength: k }));
  const withZeros = zeros
    ? raw.chain((row) =>
        fc.array(fc.boolean(), { minLength: row.length, maxLength: row.length }).map((zero) => {
          const out = row.map((v, y) => (zero[y] && y > 0 ? -Infinity : v));
          return out;
        }),
      )
    : raw;
  return withZeros.map(normaliseLog);
}

/** Options of {@link rewardArbitrary}. */
export interface RewardOptions {
  /** Largest |r/β| drawn; default 4000 (rewards thousands of β apart). */
  readonly maxRewardOverBeta?: number;
}

/**
 * One prompt's rewards for `responses` responses at temperature β: |r/β| up to
 * `maxRewardOverBeta` (4000 by default), mixing small and extreme values.
 *
 * @param responses - number of responses
 * @param beta - β (its absolute value scales the rewards)
 * @param options - the largest |r/β|
 * @returns an arbitrary of reward rows
 * @example
 * ```ts
 * fc.assert(fc.property(rewardArbitrary(3, 0.1), (r) => r.every((v) => Math.abs(v) <= 400)));
 * ```
 */
export function rewardArbitrary(responses: number, beta: number, options: RewardOptions = {}): fc.Arbitrary<number[]> {
  const fn = "rewardArbitrary";
  requireDrawnCount(fn, "responses", responses, 1);
  return rewardFrom(fn, responses, beta, requireOptions(fn, "options", options, REWARD_KEYS));
}

const REWARD_KEYS = ["maxRewardOverBeta"];

/** {@link rewardArbitrary} from read options, its errors naming `fn`. */
function rewardFrom(fn: string, responses: number, beta: number, options: RewardOptions): fc.Arbitrary<number[]> {
  requireFinite(fn, "beta", beta);
  if (beta === 0) throw new LuceError(fn, "beta", "must not be 0");
  const givenLimit = options.maxRewardOverBeta;
  const limit = givenLimit === undefined ? 4000 : requirePositive(fn, "options.maxRewardOverBeta", givenLimit);
  const scale = Math.abs(beta);
  // r/β: mostly ordinary (uniform in ±5), then magnitudes log-uniform from 1e−3 up to the limit, and the
  // limit itself or 0 in about one entry in 30 (so a few entries of an instance rarely all sit at the extremes)
  const ordinary = Math.min(limit, 5);
  const wide = fc
    .tuple(uniformDouble(Math.log(1e-3), Math.log(limit)), fc.boolean())
    .map(([t, negative]) => (negative ? -1 : 1) * Math.exp(t));
  const entry = fc.oneof(
    { weight: 20, arbitrary: uniformDouble(-ordinary, ordinary) },
    { weight: 8, arbitrary: wide },
    { weight: 1, arbitrary: fc.constantFrom(-limit, limit, 0) },
  );
  return fc.array(
    entry.map((t) => t * scale),
    { minLength: responses, maxLength: responses },
  );
}

/** The smallest log π_ref a whole problem draws by default: e^{−5000}, a sequence-level probability. */
const SEQUENCE_LEVEL_FLOOR = -5000;

/** Options of {@link finiteProblemArbitrary}. */
export interface FiniteProblemOptions extends BetaOptions, RewardOptions, Omit<LogReferenceOptions, "responses"> {
  /** Number of prompts; default 1 to 3. */
  readonly prompts?: number | CountRange;
  /** Responses per prompt; default 2 to 8 (rows may differ in length). */
  readonly responses?: number | CountRange;
}

/**
 * A whole finite preference problem: β, and per prompt a reference policy (log space) and
 * rewards of the same length. Defaults reach K = 8 responses, |r/β| = 4000 and π_ref = e^{−5000} (a sequence-level
 * probability), with ordinary values most of the time.
 *
 * @param options - the options of the component arbitraries, plus the number of prompts
 * @returns an arbitrary of {@link FiniteProblem}
 * @example
 * ```ts
 * fc.assert(fc.property(finiteProblemArbitrary(), (p) => p.reward.length === p.logReference.length));
 * ```
 */
export function finiteProblemArbitrary(options: FiniteProblemOptions = {}): fc.Arbitrary<FiniteProblem> {
  const fn = "finiteProblemArbitrary";
  const o = requireOptions(fn, "options", options, [...BETA_KEYS, ...LOG_REFERENCE_KEYS, ...REWARD_KEYS, "prompts"]);
  const [pMin, pMax] = countRange(fn, "options.prompts", o.prompts, [1, 3], 1);
  const responses = o.responses ?? { min: 2, max: 8 };
  const [, kMax] = countRange(fn, "options.responses", responses, [2, 8], 1);
  requireDrawnTotal(fn, "options", pMax * kMax, "rewards (prompts × responses)");
  const betas = betaFrom(fn, { min: o.min, max: o.max, sign: o.sign });
  const rows = logReferenceFrom(fn, {
    responses,
    minLogProbability: o.minLogProbability ?? SEQUENCE_LEVEL_FLOOR,
    zeros: o.zeros,
  });
  rewardFrom(fn, 1, 1, { maxRewardOverBeta: o.maxRewardOverBeta }); // validates the option now, not at the first draw
  return betas.chain((beta) =>
    fc.array(rows, { minLength: pMin, maxLength: pMax }).chain((logReference) =>
      // one flat draw split into rows: a tuple of one arbitrary per prompt would spread a
      // data-sized argument list
      rewardFrom(fn, sumOfLengths(logReference), beta, o).map((flat) => ({
        beta,
        reward: splitRows(flat, logReference),
        logReference,
      })),
    ),
  );
}

function sumOfLengths(rows: readonly (readonly number[])[]): number {
  let total = 0;
  for (const row of rows) total += row.length;
  return total;
}

/** `flat` cut into rows of the lengths of `shape`'s rows. */
function splitRows(flat: number[], shape: readonly (readonly number[])[]): number[][] {
  let at = 0;
  return shape.map((row) => flat.slice(at, (at += row.length)));
}

/**
 * Normalises log-weights so that they log-sum-exp to 0.
 * @internal
 */
export function normaliseLog(row: number[]): number[] {
  let m = -Infinity;
  for (const v of row) m = Math.max(m, v);
  let s = 0;
  for (const v of row) s += Math.exp(v - m);
  const z = m + Math.log(s);
  return row.map((v) => v - z);
}

/** A validated [min, max] pair from a count or a range (`fallback` when absent). @internal */
export function countRange(
  fn: string,
  name: string,
  r: number | CountRange | undefined,
  fallback: [number, number],
  least: number,
): [number, number] {
  if (r === undefined) return fallback;
  if (typeof r === "number") return [requireDrawnCount(fn, name, r, least), r];
  if (r === null || typeof r !== "object")
    throw new LuceError(fn, name, `must be a count or { min, max }, got ${describe(r)}`);
  const { min: givenMin, max: givenMax } = requireOptions(fn, name, r, ["min", "max"]);
  const min = requireDrawnCount(fn, `${name}.min`, givenMin, least);
  const max = requireCount(fn, `${name}.max`, givenMax, min, MAX_DRAWN_SIZE);
  return [min, max];
}
