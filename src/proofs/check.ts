import { Decimal } from "decimal.js";
import fc from "fast-check";
import { LuceError } from "../errors.js";
import { describe, requireCount, requireInteger, requireOptions } from "../validation/checks.js";
import { readInstance } from "./instance.js";
import type { Precise } from "./precise.js";
import type { Residual, Statement } from "./statement.js";

/** Evaluations spent shrinking a counterexample before reporting the smallest found. */
const SHRINK_BUDGET = 400;

/** The 50-digit residual below which a statement counts as exactly true on an instance. */
export const PRECISE_THRESHOLD = 1e-40;

/**
 * Instances re-evaluated at 50 digits besides the worst one, spread evenly over the run: a residual that is real but
 * below float64's rounding (1e−30, say) need not show on float64's worst instance.
 */
const PRECISE_SAMPLES = 8;

/**
 * - `holds`: every float64 residual is within its bound (a NaN residual or bound never is) and the 50-digit residuals
 *   of the worst instance and of a sample of the others are below 1e−40;
 * - `refuted`: an instance whose residual is real (at 50 digits ≥ 1e−40), with the shrunk counterexample;
 * - `inaccurate`: float64 exceeded a bound although at 50 digits the statement holds there, so the
 *   fault is luce's arithmetic (or a bound too tight), not the mathematics.
 */
export type Verdict = "holds" | "refuted" | "inaccurate";

/** What checking a statement found. */
export interface StatementReport {
  /** The statement's identifier. */
  readonly id: string;
  /** What it claims. */
  readonly title: string;
  /** Where the paper states it. */
  readonly reference: string;
  /** Instances evaluated. */
  readonly instances: number;
  /** The float64 residual with the largest residual/bound ratio (the failing one when refuted). */
  readonly worst: Residual;
  /** The residual of that instance at 50 digits, as a decimal string. */
  readonly preciseResidual: string;
  /** The verdict (see {@link Verdict}). */
  readonly verdict: Verdict;
  /** The (shrunk) counterexample when not holding. */
  readonly counterexample?: string;
  /** Wall time of the check. */
  readonly seconds: number;
  /** The fast-check seed used. */
  readonly seed: number;
}

/**
 * The most instances one check generates. Each instance is evaluated in float64 and the worst again
 * at 50 digits; a million runs of the heaviest statement take hours, so a larger count is refused
 * rather than left to run.
 */
export const MAX_RUNS = 1_000_000;

/** Options of {@link checkStatement}. */
export interface CheckOptions {
  /** Instances to generate (times the statement's runsFraction); default 100, at most {@link MAX_RUNS}. */
  readonly runs?: number;
  /** fast-check seed; default 42, so the report is reproducible. */
  readonly seed?: number;
}

/**
 * A Statement's shape checked before it is run, so a malformed one is a LuceError naming `name`.
 * @internal
 */
export function requireStatement(fn: string, statement: unknown, name = "statement"): void {
  const s = statement as Partial<Statement<unknown>> | null;
  if (
    s === null ||
    typeof s !== "object" ||
    typeof s.float64 !== "function" ||
    typeof s.precise !== "function" ||
    typeof s.show !== "function" ||
    typeof s.id !== "string" ||
    typeof s.title !== "string" ||
    typeof s.reference !== "string" ||
    typeof s.definition !== "string" ||
    !isArbitrary(s.instances) ||
    !(s.runsFraction === undefined || (typeof s.runsFraction === "number" && s.runsFraction > 0 && s.runsFraction <= 1))
  ) {
    throw new LuceError(fn, name, "must be a Statement (e.g. lemma1()): { id, instances, float64, precise, show, … }");
  }
}

/**
 * What a Statement's `float64` returned, checked: an array of residuals with numeric `residual` and
 * `bound`, so a statement of the caller's that returns something else is a LuceError, not a TypeError.
 */
function residualsOf<I>(fn: string, statement: Statement<I>, instance: I): Residual[] {
  const value: unknown = statement.float64(instance);
  const valid =
    Array.isArray(value) &&
    value.every(
      (r: Partial<Residual> | null) =>
        r !== null && typeof r === "object" && typeof r.residual === "number" && typeof r.bound === "number",
    );
  if (!valid) throw new LuceError(fn, "statement", "float64 must return an array of { name, residual, bound }");
  return value as Residual[];
}

/** What a Statement's `precise` returned, checked to be a {@link Precise}. */
function preciseOf<I>(fn: string, statement: Statement<I>, instance: I): Precise {
  const value: unknown = statement.precise(instance);
  if (!Decimal.isDecimal(value)) throw new LuceError(fn, "statement", "precise must return a Precise (a Decimal)");
  return value;
}

/**
 * An arbitrary by its shape, not `instanceof`: the caller's fast-check may be another copy than luce's.
 */
function isArbitrary(x: unknown): boolean {
  const a = x as Partial<Record<"generate" | "shrink" | "canShrinkWithoutContext", unknown>> | null;
  return (
    a !== null &&
    typeof a === "object" &&
    typeof a.generate === "function" &&
    typeof a.shrink === "function" &&
    typeof a.canShrinkWithoutContext === "function"
  );
}

/** residual / bound, or Infinity when the residual is beyond its bound or NaN (0 / 0 counts as 0). */
function ratio(r: Residual): number {
  if (!(r.residual <= r.bound)) return Infinity;
  return r.bound === 0 ? 0 : r.residual / r.bound;
}

/** The residual with the largest ratio; among those beyond their bounds, the largest residual. */
function worstOf(residuals: Residual[]): { worst: Residual; ratio: number } {
  let worst: Residual = { name: "(none)", residual: 0, bound: 0 };
  let worstRatio = -1;
  for (const r of residuals) {
    const q = ratio(r);
    if (q > worstRatio || (q === Infinity && r.residual > worst.residual)) {
      worst = r;
      worstRatio = q;
    }
  }
  return { worst, ratio: worstRatio };
}

/**
 * Checks a statement on generated instances: evaluates its float64 residuals on each, stops at the
 * first residual beyond its bound and shrinks that instance to a small counterexample, and
 * re-evaluates the worst (or failing) instance, and a sample of the others, at 50 digits to tell a real refutation from
 * float64 rounding.
 *
 * @param statement - the statement (e.g. `lemma1()`)
 * @param options - runs and seed
 * @returns the report
 * @throws {@link luce!LuceError} for a value that is not a Statement, an options object that is null
 *   or has an unknown key, runs outside 1..{@link MAX_RUNS}, a seed that is not an integer
 * @example
 * ```ts
 * const r = await checkStatement(lemma2(), { runs: 100, seed: 7 });
 * console.log(r.verdict, r.worst.residual, r.worst.bound, r.preciseResidual);
 * ```
 */
export async function checkStatement<I>(statement: Statement<I>, options: CheckOptions = {}): Promise<StatementReport> {
  requireStatement("checkStatement", statement);
  return checkStatementWith(statement, readCheckOptions("checkStatement", options, []));
}

/**
 * Check options read once and validated, with `extraKeys` the caller's own options (e.g. verifyPaper's
 * `onProgress`) that may sit beside them.
 * @internal
 */
export function readCheckOptions(
  fn: string,
  options: CheckOptions | undefined,
  extraKeys: readonly string[],
): Required<CheckOptions> {
  const { runs, seed } = requireOptions(fn, "options", options, ["runs", "seed", ...extraKeys]);
  return {
    seed: seed === undefined ? 42 : requireInteger(fn, "options.seed", seed),
    runs: runs === undefined ? 100 : requireCount(fn, "options.runs", runs, 1, MAX_RUNS),
  };
}

/** {@link checkStatement} with read options. @internal */
export async function checkStatementWith<I>(
  statement: Statement<I>,
  { runs: requested, seed }: Required<CheckOptions>,
  fn = "checkStatement",
): Promise<StatementReport> {
  const started = performance.now();
  const runs = Math.max(1, Math.round(requested * (statement.runsFraction ?? 1)));
  let count = 0;
  let worstInstance: I | undefined;
  let worst: Residual = { name: "(none)", residual: 0, bound: 0 };
  let worstRatio = -1;
  const sampleEvery = Math.max(1, Math.ceil(runs / PRECISE_SAMPLES));
  const sampled: I[] = [];
  let empty: I | undefined;
  // Shrinking stops after SHRINK_BUDGET further evaluations: fast-check then reports the smallest
  // failing instance it has found so far.
  let shrinkEvaluations = -1;
  const details = fc.check(
    fc.property(statement.instances, (instance) => {
      if (shrinkEvaluations >= 0 && ++shrinkEvaluations > SHRINK_BUDGET) return true;
      const residuals = residualsOf(fn, statement, instance);
      if (residuals.length === 0) {
        // a statement that returns no residual checks nothing: an error of the statement, not a verdict
        empty ??= instance;
        return true;
      }
      // instances generated and evaluated, not the shrinker's further candidates
      if (shrinkEvaluations < 0) {
        if (count % sampleEvery === 0) sampled.push(instance);
        count++;
      }
      const { worst: w, ratio: q } = worstOf(residuals);
      if (q === Infinity) {
        if (shrinkEvaluations < 0) shrinkEvaluations = 0;
        return false;
      }
      if (q > worstRatio) {
        worstRatio = q;
        worst = w;
        worstInstance = instance;
      }
      return true;
    }),
    { numRuns: runs, seed },
  );
  if (empty !== undefined) {
    const shown: unknown = statement.show(empty);
    throw new LuceError(
      fn,
      "statement",
      `returned no residual for ${typeof shown === "string" ? shown : describe(shown)}`,
    );
  }
  if (details.failed && details.counterexample !== null) {
    const [instance] = details.counterexample;
    const failing = worstOf(residualsOf(fn, statement, instance)).worst;
    const precise = preciseOf(fn, statement, instance);
    return report(statement, {
      instances: count,
      worst: failing,
      precise,
      // a NaN at 50 digits does not show the statement true there: refuted
      verdict: precise.lt(PRECISE_THRESHOLD) ? "inaccurate" : "refuted",
      counterexample: statement.show(instance),
      started,
      seed,
    });
  }
  if (details.failed)
    throw details.errorInstance ?? new Error(`checking ${statement.id} failed without a counterexample`);
  let precise = worstInstance === undefined ? null : preciseOf(fn, statement, worstInstance);
  let preciseInstance = worstInstance;
  for (const instance of sampled) {
    if (precise !== null && !precise.lt(PRECISE_THRESHOLD)) break;
    const p = preciseOf(fn, statement, instance);
    if (!p.lt(PRECISE_THRESHOLD)) {
      precise = p;
      preciseInstance = instance;
    }
  }
  const holds = precise === null || precise.lt(PRECISE_THRESHOLD);
  return report(statement, {
    instances: count,
    worst,
    precise,
    verdict: holds ? "holds" : "refuted",
    counterexample: holds || preciseInstance === undefined ? undefined : statement.show(preciseInstance),
    started,
    seed,
  });
}

/**
 * Checks a statement on one given instance (no generation, no shrinking).
 *
 * @param statement - the statement
 * @param instance - the instance to check: plain data (objects, arrays, finite numbers; −Infinity only
 *   in log-probabilities), read once into a copy
 * @returns the report for that instance
 * @throws {@link luce!LuceError} for an instance that is not plain data of the statement's shape, holds
 *   NaN or ±Infinity, is larger than a check can hold, or gives a NaN residual
 * @example
 * ```ts
 * checkInstance(lemma2(), { problem: { beta: 1, reward: [[1, 0]], logReference: [[-Math.LN2, -Math.LN2]] }, shift: [[3,
 * 3]] });
 * ```
 */
export function checkInstance<I>(statement: Statement<I>, instance: I): StatementReport {
  const fn = "checkInstance";
  requireStatement(fn, statement);
  const copy = readInstance(fn, instance) as I;
  const started = performance.now();
  let residuals: Residual[];
  let precise: Precise;
  try {
    residuals = residualsOf(fn, statement, copy);
    precise = preciseOf(fn, statement, copy);
  } catch (e) {
    // the statement's own computations name themselves; the caller called checkInstance
    if (e instanceof LuceError && e.function === fn) throw e;
    const problem = `does not fit statement '${statement.id}' (${e instanceof Error ? e.message : String(e)})`;
    throw new LuceError(fn, "instance", problem);
  }
  const nan = residuals.find((r) => Number.isNaN(r.residual) || Number.isNaN(r.bound));
  if (nan !== undefined || precise.isNaN())
    throw new LuceError(
      fn,
      "instance",
      `gives statement '${statement.id}' a NaN residual: it is not one of its instances`,
    );
  const { worst, ratio: q } = worstOf(residuals);
  const realError = !precise.lt(PRECISE_THRESHOLD);
  const verdict: Verdict = realError ? "refuted" : q === Infinity ? "inaccurate" : "holds";
  return report(statement, {
    instances: 1,
    worst,
    precise,
    verdict,
    counterexample: verdict === "holds" ? undefined : statement.show(copy),
    started,
    seed: 0,
  });
}

function report<I>(
  statement: Statement<I>,
  r: {
    instances: number;
    worst: Residual;
    precise: Precise | null;
    verdict: Verdict;
    counterexample?: string;
    started: number;
    seed: number;
  },
): StatementReport {
  return {
    id: statement.id,
    title: statement.title,
    reference: statement.reference,
    instances: r.instances,
    worst: r.worst,
    preciseResidual: r.precise === null ? "0" : r.precise.toExponential(3),
    verdict: r.verdict,
    ...(r.counterexample === undefined ? {} : { counterexample: r.counterexample }),
    seconds: (performance.now() - r.started) / 1000,
    seed: r.seed,
  };
}
