import { LuceError } from "../errors.js";
import {
  normalizeComparisons,
  normalizeObservations,
  type Comparison,
  type PlackettLuceObservation,
} from "../ranking/observations.js";
import { requireIndex } from "../validation/checks.js";

/**
 * Data for fitting, as groups of Plackett–Luce factors: a group lists its items ranked first, then
 * the unranked ones, and its `factors[g]` factors say "member j was chosen out of members
 * j, j+1, …, end" for j < factors[g]. A Bradley–Terry comparison is a group of two with one
 * factor; a ranking of T items is one group with T − 1 factors. Flat typed arrays keep 10 million
 * comparisons in memory linear in the data.
 * @internal
 */
export interface Factors {
  readonly nItems: number;
  readonly start: Int32Array;
  readonly members: Int32Array;
  /** Number of factors of each group. */
  readonly factors: Int32Array;
  readonly weight: Float64Array;
}

/** The same data with every factor its own group (one factor each), for the estimators that need it. @internal */
export function expandFactors(groups: Factors): Factors {
  const { start, members, factors, weight } = groups;
  let count = 0;
  let slots = 0;
  for (let g = 0; g + 1 < start.length; g++) {
    const size = start[g + 1] - start[g];
    for (let j = 0; j < factors[g]; j++) {
      count++;
      slots += size - j;
    }
  }
  if (count === start.length - 1) return groups;
  const outStart = new Int32Array(count + 1);
  const outMembers = new Int32Array(slots);
  const outWeight = new Float64Array(count);
  let f = 0;
  let m = 0;
  for (let g = 0; g + 1 < start.length; g++) {
    for (let j = 0; j < factors[g]; j++) {
      for (let i = start[g] + j; i < start[g + 1]; i++) outMembers[m++] = members[i];
      outWeight[f] = weight[g];
      outStart[++f] = m;
    }
  }
  return {
    nItems: groups.nItems,
    start: outStart,
    members: outMembers,
    factors: new Int32Array(count).fill(1),
    weight: outWeight,
  };
}

function itemCount(fn: string, given: number | undefined, maxIndex: number): number {
  if (given === undefined) return maxIndex + 1;
  const n = requireIndex(fn, "options.nItems", given);
  if (n <= maxIndex) throw new LuceError(fn, "options.nItems", `is ${n}, but the data use item ${maxIndex}`);
  return n;
}

/**
 * Comparisons in columns: parallel typed arrays, for data too large for an array of tuples
 * (10 million comparisons as tuples take gigabytes; as columns, 160 MB).
 */
export interface ComparisonColumns {
  /** Winner of each comparison. */
  readonly winners: Int32Array | readonly number[];
  /** Loser of each comparison. */
  readonly losers: Int32Array | readonly number[];
  /** Count of each comparison (default 1). */
  readonly counts?: Float64Array | readonly number[];
}

function readColumns(
  fn: string,
  columns: ComparisonColumns,
): { winners: Int32Array; losers: Int32Array; counts: Float64Array } {
  const winners = Int32Array.from(columns.winners);
  const losers = Int32Array.from(columns.losers);
  if (losers.length !== winners.length)
    throw new LuceError(
      fn,
      "comparisons.losers",
      `has ${losers.length} entries, but 'comparisons.winners' has ${winners.length}`,
    );
  const counts =
    columns.counts === undefined ? new Float64Array(winners.length).fill(1) : Float64Array.from(columns.counts);
  if (counts.length !== winners.length)
    throw new LuceError(
      fn,
      "comparisons.counts",
      `has ${counts.length} entries, but 'comparisons.winners' has ${winners.length}`,
    );
  for (let c = 0; c < winners.length; c++) {
    if (winners[c] !== columns.winners[c] || winners[c] < 0)
      throw new LuceError(
        fn,
        `comparisons.winners[${c}]`,
        `must be a non-negative integer index, got ${String(columns.winners[c])}`,
      );
    if (losers[c] !== columns.losers[c] || losers[c] < 0)
      throw new LuceError(
        fn,
        `comparisons.losers[${c}]`,
        `must be a non-negative integer index, got ${String(columns.losers[c])}`,
      );
    if (winners[c] === losers[c])
      throw new LuceError(fn, `comparisons.winners[${c}]`, `compares item ${winners[c]} with itself`);
    if (!(counts[c] >= 0 && counts[c] < Infinity))
      throw new LuceError(fn, `comparisons.counts[${c}]`, `must be a finite count >= 0, got ${counts[c]}`);
  }
  return { winners, losers, counts };
}

/** Factors of pairwise comparisons (tuples or columns). @internal */
export function comparisonFactors(
  fn: string,
  comparisons: readonly Comparison[] | ComparisonColumns,
  nItems: number | undefined,
): Factors {
  const isColumns =
    comparisons !== null && typeof comparisons === "object" && !Array.isArray(comparisons) && "winners" in comparisons;
  const { winners, losers, counts } = isColumns
    ? readColumns(fn, comparisons as ComparisonColumns)
    : normalizeComparisons(fn, comparisons, Number.MAX_SAFE_INTEGER);
  if (winners.length === 0) throw new LuceError(fn, "comparisons", "is empty");
  let max = 0;
  for (let c = 0; c < winners.length; c++) max = Math.max(max, winners[c], losers[c]);
  const n = itemCount(fn, nItems, max);
  const start = new Int32Array(winners.length + 1);
  const members = new Int32Array(2 * winners.length);
  for (let c = 0; c < winners.length; c++) {
    start[c + 1] = 2 * (c + 1);
    members[2 * c] = winners[c];
    members[2 * c + 1] = losers[c];
  }
  return { nItems: n, start, members, factors: new Int32Array(winners.length).fill(1), weight: counts };
}

/** Groups of Plackett–Luce observations (rankings, top-k of a listed set, choices). @internal */
export function observationFactors(
  fn: string,
  observations: readonly PlackettLuceObservation[],
  nItems: number | undefined,
): Factors {
  const normalized = normalizeObservations(fn, observations, nItems ?? maxItem(observations) + 1);
  if (normalized.length === 0) throw new LuceError(fn, "observations", "is empty");
  let max = 0;
  let slots = 0;
  let groups = 0;
  for (const o of normalized) {
    for (const i of o.ranked) max = Math.max(max, i);
    for (const i of o.unranked) max = Math.max(max, i);
    const total = o.ranked.length + o.unranked.length;
    if (total > 1) {
      groups++;
      slots += total;
    }
  }
  const n = itemCount(fn, nItems, max);
  const start = new Int32Array(groups + 1);
  const members = new Int32Array(slots);
  const factors = new Int32Array(groups);
  let g = 0;
  let m = 0;
  for (const o of normalized) {
    const total = o.ranked.length + o.unranked.length;
    if (total <= 1) continue; // a ranking of one item has probability 1
    members.set(o.ranked, m);
    members.set(o.unranked, m + o.ranked.length);
    m += total;
    // the last item of a full ranking is a factor of one member: probability 1, not a factor
    factors[g] = Math.min(o.ranked.length, total - 1);
    start[++g] = m;
  }
  return { nItems: n, start, members, factors, weight: new Float64Array(groups).fill(1) };
}

function maxItem(observations: readonly PlackettLuceObservation[]): number {
  let max = 0;
  const visit = (v: unknown): void => {
    if (typeof v === "number" && Number.isInteger(v) && v > max) max = v;
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(visit);
  };
  if (Array.isArray(observations)) observations.forEach(visit);
  return max;
}
