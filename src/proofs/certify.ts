import { Decimal } from "decimal.js";
import fc from "fast-check";
import { LuceError } from "../errors.js";
import { describe } from "../validation/checks.js";
import { PRECISE_THRESHOLD, readCheckOptions, requireStatement, type CheckOptions } from "./check.js";
import { boundRatio, withinBound, type Float64Error } from "./float64-error.js";
import { formatInterval } from "./interval/index.js";
import type { Claim, InstanceEnclosure, ResidualEnclosure } from "./instance-enclosure.js";
import type { Statement } from "./statement.js";
import { BUILT_IN_ENCLOSURES } from "./statements/enclosure-table.js";

/** The enclosure of one residual, as the report prints it. */
export interface CertifiedResidual {
  /** Which part of the statement. */
  readonly name: string;
  /** What the statement claims of it. */
  readonly claim: Claim;
  /** `[lo, hi]`, rounded outward to 6 digits. */
  readonly enclosure: string;
}

/** One luce function over the certified instances: its worst error enclosure against its bound. */
export interface CertifiedFunction {
  /** The public function. */
  readonly function: string;
  /** Results compared. */
  readonly results: number;
  /** The enclosure of the error with the largest error/bound ratio. */
  readonly worstError: string;
  /** That result's bound. */
  readonly bound: string;
  /** An upper estimate of that error in units of its bound (Infinity for an infinite error). */
  readonly ratio: number;
  /** Every result's error certainly within its bound. */
  readonly certified: boolean;
}

/** What certifying a statement found. */
export interface CertifiedReport {
  /** The verdict certified: `holds` on every instance, or `refuted` by one instance. */
  readonly expected: "holds" | "refuted";
  /** Instances enclosed. */
  readonly instances: number;
  /**
   * For `holds`: every residual's enclosure lies within ±1e−40 of 0 (identities) or below 1e−40 (inequalities) and
   * every float64 error within its bound, on every instance. For `refuted`: an instance whose residual's enclosure
   * excludes 0 (a proof that the statement fails there).
   */
  readonly certified: boolean;
  /** The residual farthest from 0 (holds), or the one that excludes 0 (refuted). */
  readonly residual: CertifiedResidual;
  /** luce's functions on the instances (holds only). */
  readonly functions: readonly CertifiedFunction[];
  /** The refuting instance, or the first one not certified: its numbers are the doubles enclosed, exactly. */
  readonly counterexample?: string;
  /** Why the statement is not certified. */
  readonly problem?: string;
  /** Wall time. */
  readonly seconds: number;
}

/** Evaluations spent shrinking a refuting instance before reporting the smallest found. */
const SHRINK_BUDGET = 60;

const threshold = PRECISE_THRESHOLD;

/** Whether an enclosure shows the claim true to within 1e−40. @internal */
export function certifiesClaim(r: ResidualEnclosure): boolean {
  const below = r.value.hi.lte(threshold);
  return r.claim === "≤ 0" ? below : below && r.value.lo.gte(-threshold);
}

/** Whether an enclosure shows the claim false: it excludes 0 on the wrong side. @internal */
export function refutesClaim(r: ResidualEnclosure): boolean {
  return r.value.lo.gt(0) || (r.claim === "= 0" && r.value.hi.lt(0));
}

/**
 * How far an enclosure reaches towards refuting its claim: the larger |endpoint| of an identity, the upper end (or 0)
 * of an inequality.
 */
function reach(r: ResidualEnclosure): Decimal {
  if (r.claim === "≤ 0") return r.value.hi.gt(0) ? r.value.hi : new Decimal(0);
  return r.value.lo.abs().gt(r.value.hi.abs()) ? r.value.lo.abs() : r.value.hi.abs();
}

const shown = (r: ResidualEnclosure | undefined): CertifiedResidual =>
  r === undefined
    ? { name: "(none)", claim: "= 0", enclosure: "[0, 0]" }
    : { name: r.name, claim: r.claim, enclosure: formatInterval(r.value) };

/** The statement's own enclosure, or the built-in one of its id. */
function enclosureOf<I>(statement: Statement<I>): ((instance: I) => InstanceEnclosure) | undefined {
  if (typeof statement.certify === "function") return (instance) => statement.certify!(instance);
  return Object.hasOwn(BUILT_IN_ENCLOSURES, statement.id)
    ? (BUILT_IN_ENCLOSURES[statement.id] as (instance: I) => InstanceEnclosure)
    : undefined;
}

/** A statement's enclosure of an instance, checked to be one. */
function enclose<I>(certify: (instance: I) => InstanceEnclosure, instance: I): InstanceEnclosure {
  const e = certify(instance);
  if (e === null || typeof e !== "object" || !Array.isArray(e.residuals) || !Array.isArray(e.float64))
    throw new LuceError("certifyStatement", "statement", "certify must return { residuals, float64 }");
  return e;
}

/** Options of {@link certifyStatement}. */
export interface CertifyOptions extends CheckOptions {
  /** The verdict to certify; default `"holds"`. */
  readonly expected?: "holds" | "refuted";
}

/**
 * Certifies a statement's verdict with interval enclosures on the instances `checkStatement` generates with the same
 * runs and seed: for `holds`, every exact residual's enclosure lies within ±1e−40 of 0 (or below 1e−40 for an
 * inequality) and every float64 error of the luce functions it uses within the bound their documentation states; for
 * `refuted`, one instance (shrunk) whose exact residual's enclosure excludes 0. Enclosures are evaluated with
 * outward-rounded 60-digit interval arithmetic over decimal.js's + − × ÷, so a certified verdict is a proof for the
 * instances checked (not for all instances).
 *
 * @param statement - a statement with a `certify` method (every built-in statement has one)
 * @param options - runs, seed and the verdict to certify
 * @returns the report
 * @throws {@link luce!LuceError} for a value that is not a Statement, an options object that is null or has an
 *   unknown key, runs outside 1..`MAX_RUNS`, a seed that is not an integer, an unknown `expected`
 * @example
 * ```ts
 * const r = certifyStatement(lemma2(), { runs: 20 });
 * r.certified; // true
 * certifyStatement(lemma2({ shiftDependsOn: "response" }), { runs: 20, expected: "refuted" }).certified; // true
 * ```
 */
export function certifyStatement<I>(statement: Statement<I>, options: CertifyOptions = {}): CertifiedReport {
  const fn = "certifyStatement";
  requireStatement(fn, statement);
  const check = readCheckOptions(fn, options, ["expected"]);
  const expected = options.expected ?? "holds";
  if (expected !== "holds" && expected !== "refuted")
    throw new LuceError(fn, "options.expected", `must be "holds" or "refuted", got ${describe(expected)}`);
  return certifyStatementWith(statement, expected, check);
}

/**
 * Reports of built-in statements by enclosure, verdict and the instances drawn: an assumption variant that re-checks a
 * statement under all its assumptions draws the very instances the statement did, and its certification is the same
 * computation, so it is done once. Kept for one verifyPaper run.
 */
export type CertificationCache = Map<string, CertifiedReport>;

/** {@link certifyStatement} with read options. @internal */
export function certifyStatementWith<I>(
  statement: Statement<I>,
  expected: "holds" | "refuted",
  { runs: requested, seed }: Required<CheckOptions>,
  cache?: CertificationCache,
): CertifiedReport {
  const runs = Math.max(1, Math.round(requested * (statement.runsFraction ?? 1)));
  // only a built-in enclosure is a function of the id alone
  const key =
    cache !== undefined && typeof statement.certify !== "function"
      ? `${statement.id} ${expected} ${JSON.stringify(fc.sample(statement.instances, { numRuns: runs, seed }), exactly)}`
      : undefined;
  const cached = key === undefined ? undefined : cache!.get(key);
  if (cached !== undefined) return cached;
  const report = certifyOnce(statement, expected, runs, seed);
  if (key !== undefined) cache!.set(key, report);
  return report;
}

/** A JSON replacer that keeps every double distinct: ±Infinity and −0 spelled out. */
const exactly = (_key: string, v: unknown): unknown =>
  typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? (Object.is(v, -0) ? "-0" : String(v)) : v;

function certifyOnce<I>(
  statement: Statement<I>,
  expected: "holds" | "refuted",
  runs: number,
  seed: number,
): CertifiedReport {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const base = { expected, functions: [] as CertifiedFunction[] };
  const certify = enclosureOf(statement);
  if (certify === undefined)
    return {
      ...base,
      instances: 0,
      certified: false,
      residual: shown(undefined),
      problem: `statement '${statement.id}' has no enclosure: give it a certify method`,
      seconds: seconds(),
    };
  return expected === "holds"
    ? certifyHolds(statement, certify, runs, seed, seconds)
    : certifyRefuted(statement, certify, runs, seed, seconds);
}

function certifyHolds<I>(
  statement: Statement<I>,
  certify: (instance: I) => InstanceEnclosure,
  runs: number,
  seed: number,
  seconds: () => number,
): CertifiedReport {
  const instances = fc.sample(statement.instances, { numRuns: runs, seed });
  let worst: ResidualEnclosure | undefined;
  const functions = new Map<string, { results: number; worst: Float64Error; ratio: number; certified: boolean }>();
  let counted = 0;
  let problem: string | undefined;
  let counterexample: string | undefined;
  for (const instance of instances) {
    let e: InstanceEnclosure;
    try {
      e = enclose(certify, instance);
    } catch (error) {
      if (error instanceof LuceError && error.function === "certifyStatement") throw error;
      problem = `the enclosure failed: ${error instanceof Error ? error.message : String(error)}`;
      counterexample = statement.show(instance);
      break;
    }
    counted++;
    for (const r of e.residuals) if (worst === undefined || reach(r).gt(reach(worst))) worst = r;
    for (const f of e.float64) {
      const q = boundRatio(f);
      const entry = functions.get(f.function);
      const ok = withinBound(f);
      if (entry === undefined) functions.set(f.function, { results: 1, worst: f, ratio: q, certified: ok });
      else {
        entry.results++;
        entry.certified &&= ok;
        if (!(q <= entry.ratio)) Object.assign(entry, { worst: f, ratio: q });
      }
    }
    const failing = e.residuals.find((r) => !certifiesClaim(r));
    const inaccurate = e.float64.find((f) => !withinBound(f));
    if (failing !== undefined || inaccurate !== undefined) {
      if (failing !== undefined) worst = failing;
      problem =
        failing !== undefined
          ? `${failing.name}: enclosure ${formatInterval(failing.value)} is not within ±${threshold} of 0`
          : `${inaccurate!.function} (${inaccurate!.output}): error ${formatInterval(inaccurate!.error)} exceeds its bound ${formatInterval(inaccurate!.bound)}`;
      counterexample = statement.show(instance);
      break;
    }
  }
  const certified = problem === undefined;
  return {
    expected: "holds",
    instances: counted,
    certified,
    residual: shown(worst),
    functions: [...functions].map(([name, f]) => ({
      function: name,
      results: f.results,
      worstError: formatInterval(f.worst.error),
      bound: formatInterval(f.worst.bound),
      ratio: f.ratio,
      certified: f.certified,
    })),
    ...(certified ? {} : { problem, counterexample }),
    seconds: seconds(),
  };
}

function certifyRefuted<I>(
  statement: Statement<I>,
  certify: (instance: I) => InstanceEnclosure,
  runs: number,
  seed: number,
  seconds: () => number,
): CertifiedReport {
  let counted = 0;
  let shrinking = -1;
  let failure: string | undefined;
  const refuting = (instance: I): ResidualEnclosure | undefined => {
    try {
      return enclose(certify, instance).residuals.find(refutesClaim);
    } catch (error) {
      if (error instanceof LuceError && error.function === "certifyStatement") throw error;
      failure ??= error instanceof Error ? error.message : String(error);
      return undefined;
    }
  };
  const details = fc.check(
    fc.property(statement.instances, (instance) => {
      if (shrinking >= 0 && ++shrinking > SHRINK_BUDGET) return true;
      if (shrinking < 0) counted++;
      if (refuting(instance) === undefined) return true;
      if (shrinking < 0) shrinking = 0;
      return false;
    }),
    { numRuns: runs, seed },
  );
  if (details.failed && details.counterexample !== null) {
    const [instance] = details.counterexample;
    return {
      expected: "refuted",
      instances: counted,
      certified: true,
      residual: shown(refuting(instance)),
      functions: [],
      counterexample: statement.show(instance),
      seconds: seconds(),
    };
  }
  return {
    expected: "refuted",
    instances: counted,
    certified: false,
    residual: shown(undefined),
    functions: [],
    problem:
      failure === undefined
        ? "no instance's enclosure excludes 0"
        : `no instance's enclosure excludes 0 (an enclosure failed: ${failure})`,
    seconds: seconds(),
  };
}
