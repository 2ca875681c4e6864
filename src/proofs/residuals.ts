import { normalizeObservation, type PlackettLuceObservation } from "../ranking/observations.js";
import { observationLogProbability } from "../ranking/plackett-luce.js";
import { exact, precisePlackettLuce, type Precise } from "./precise.js";

/** Machine epsilon of float64. */
export const EPS = Number.EPSILON;

/** max |x| over a row (0 for an empty row), ignoring −Infinity. @internal */
export function maxAbs(row: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < row.length; i++) if (Number.isFinite(row[i])) m = Math.max(m, Math.abs(row[i]));
  return m;
}

/** max_y |a_y − b_y| over entries finite in both; Infinity where exactly one is −Infinity. @internal */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    m = Math.max(m, Math.abs(a[i] - b[i]));
  }
  return m;
}

/** The same at 50 digits, over entries finite in both. @internal */
export function preciseMaxAbsDiff(a: readonly Precise[], b: readonly Precise[]): Precise {
  let m = exact(0);
  for (let i = 0; i < a.length; i++) {
    if (!a[i].isFinite() && !b[i].isFinite()) continue;
    const d = a[i].minus(b[i]).abs();
    if (d.gt(m)) m = d;
  }
  return m;
}

export { preciseRow } from "./precise.js";

/** Plackett–Luce log-probability of an observation over a score row, float64 (luce) and 50-digit. @internal */
export function observationLogProbabilities(
  scores: ArrayLike<number>,
  observation: PlackettLuceObservation,
): { float64: number; precise: (s: readonly Precise[]) => Precise; length: number } {
  const obs = normalizeObservation("check", "observation", observation, scores.length);
  return {
    float64: observationLogProbability(scores, obs, "check", "observation"),
    precise: (s) => precisePlackettLuce(s, obs.ranked, obs.unranked),
    length: obs.ranked.length,
  };
}

/** A compact JSON rendering with numbers to 17 significant digits. @internal */
export function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
}

/** max_y (a − b) − min_y (a − b) at 50 digits, over the responses where `support` (if given) is finite. @internal */
export function preciseSpread(a: readonly Precise[], b: readonly Precise[], support?: ArrayLike<number>): Precise {
  const d = a.map((v, y) => v.minus(b[y])).filter((_, y) => support === undefined || support[y] !== -Infinity);
  let lo = d[0];
  let hi = d[0];
  for (const v of d) {
    if (v.lt(lo)) lo = v;
    if (v.gt(hi)) hi = v;
  }
  return hi.minus(lo);
}
