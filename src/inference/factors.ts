import { LuceError } from "../errors.js";
import {
  normalizeComparisons,
  normalizeObservations,
  type Comparison,
  type PlackettLuceObservation,
} from "../ranking/observations.js";
import { describe, MAX_ARRAY_LENGTH, requireArrayLike, requireCount } from "../validation/checks.js";

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

/**
 * The most items a fit allocates for. A fit keeps about a dozen float64 vectors per item (and the
 * data's item indices are stored as Int32), so 2^24 items already take over a gigabyte of working
 * memory; beyond this the arrays could not be allocated or would exhaust the heap.
 * @internal
 */
export const MAX_FIT_ITEMS = 2 ** 24;

/**
 * Without `options.nItems` the item count is the largest index plus one. Items that appear nowhere
 * still cost memory and time, so an index may exceed the number of distinct items in the data by
 * at most this factor (or stay below {@link IMPLIED_ITEMS_FLOOR}): two comparisons naming item 10^8
 * must not allocate gigabytes. Larger gaps are a mistake or need an explicit `options.nItems`.
 */
const IMPLIED_ITEMS_PER_DISTINCT = 2;

/** Item counts up to this need no justification from the data (a small fit costs nothing). */
const IMPLIED_ITEMS_FLOOR = 1024;

/** The validated `options.nItems`, or undefined when not given. */
function givenItemCount(fn: string, given: unknown): number | undefined {
  return given === undefined ? undefined : requireCount(fn, "options.nItems", given, 1, MAX_FIT_ITEMS);
}

/**
 * The item count of the data: `given` (validated), or the largest index plus one when that is not far
 * above the number of distinct items (see {@link IMPLIED_ITEMS_PER_DISTINCT}).
 */
function itemCount(
  fn: string,
  argument: string,
  given: number | undefined,
  maxIndex: number,
  items: () => Iterable<number>,
): number {
  if (given !== undefined) {
    if (given <= maxIndex) throw new LuceError(fn, "options.nItems", `is ${given}, but the data use item ${maxIndex}`);
    return given;
  }
  const implied = maxIndex + 1;
  if (implied > IMPLIED_ITEMS_FLOOR) {
    const distinct = new Set(items()).size;
    if (implied > IMPLIED_ITEMS_PER_DISTINCT * distinct)
      throw new LuceError(
        fn,
        argument,
        `uses item ${maxIndex} but only ${distinct} distinct items: give options.nItems to fit ${implied} items`,
      );
  }
  return implied;
}

/** The error for an index past what a fit can hold (checked before anything is allocated for it). */
function tooLarge(fn: string, name: string, index: number): LuceError {
  return new LuceError(fn, name, `is ${index}, above the largest item index a fit accepts (${MAX_FIT_ITEMS - 1})`);
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

/** One column of item indices, read once into Int32 storage; every entry an integer in [0, bound). */
function readIndexColumn(fn: string, name: string, column: unknown) {
  const values = requireArrayLike(fn, name, column);
  const out = new Int32Array(values.length);
  for (let c = 0; c < out.length; c++) {
    const v = values[c];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
      throw new LuceError(fn, `${name}[${c}]`, `must be a non-negative integer index, got ${describe(v)}`);
    if (v >= MAX_FIT_ITEMS) throw tooLarge(fn, `${name}[${c}]`, v);
    out[c] = v;
  }
  return out;
}

/**
 * A column of counts or weights, read once: each entry must be a number (no `null`, `''`, `true` or
 * Date that `Float64Array.from` would silently turn into 0 or 1).
 * @internal
 */
export function readNumberColumn(fn: string, name: string, column: unknown, length: number): Float64Array {
  const values = requireArrayLike(fn, name, column);
  if (values.length !== length) throw new LuceError(fn, name, `has ${values.length} entries for ${length}`);
  const out = new Float64Array(length);
  for (let c = 0; c < length; c++) {
    const v = values[c];
    if (typeof v !== "number" || Number.isNaN(v))
      throw new LuceError(fn, `${name}[${c}]`, `must be a number, got ${describe(v)}`);
    out[c] = v;
  }
  return out;
}

function readColumns(
  fn: string,
  columns: ComparisonColumns,
): { winners: Int32Array; losers: Int32Array; counts: Float64Array } {
  const winners = readIndexColumn(fn, "comparisons.winners", columns.winners);
  const losers = readIndexColumn(fn, "comparisons.losers", columns.losers);
  if (losers.length !== winners.length)
    throw new LuceError(
      fn,
      "comparisons.losers",
      `has ${losers.length} entries, but 'comparisons.winners' has ${winners.length}`,
    );
  const counts =
    columns.counts === undefined
      ? new Float64Array(winners.length).fill(1)
      : readNumberColumn(fn, "comparisons.counts", columns.counts, winners.length);
  for (let c = 0; c < winners.length; c++) {
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
  const given = givenItemCount(fn, nItems);
  const { winners, losers, counts } = isColumns
    ? readColumns(fn, comparisons as ComparisonColumns)
    : normalizeComparisons(fn, comparisons, MAX_FIT_ITEMS, "comparisons", (name, index) => tooLarge(fn, name, index));
  if (winners.length === 0) throw new LuceError(fn, "comparisons", "is empty");
  let max = 0;
  for (let c = 0; c < winners.length; c++) max = Math.max(max, winners[c], losers[c]);
  const n = itemCount(fn, "comparisons", given, max, function* () {
    yield* winners;
    yield* losers;
  });
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
  const given = givenItemCount(fn, nItems);
  const bound = given ?? impliedObservationItems(fn, observations);
  const normalized = normalizeObservations(fn, observations, bound);
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
  const n = given ?? max + 1;
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

/**
 * The item count implied by observations without `options.nItems`: one pass over the documented
 * fields only (a ranking's entries, `ranking` and `of`, a choice's item and others; never other
 * keys, and without recursion, so cyclic or deeply nested objects are harmless), checked as
 * {@link itemCount} does before anything of that size is allocated. The scan stops at the first
 * observation or entry that is not valid (the validation that follows names it), so a hostile
 * array-like of length 1e9 holding nothing costs one step, not 1e9.
 */
function impliedObservationItems(fn: string, observations: unknown): number {
  const list = requireArrayLike(fn, "observations", observations);
  const lists: { name: string; items: ArrayLike<unknown> }[] = [];
  for (let o = 0; o < list.length; o++) {
    const obs = list[o];
    const name = `observations[${o}]`;
    if (Array.isArray(obs) && obs.length === 2 && Array.isArray(obs[1])) {
      lists.push({ name, items: [obs[0]] }, { name: `${name}[1]`, items: obs[1] as unknown[] });
    } else if (obs !== null && typeof obs === "object" && !Array.isArray(obs) && "ranking" in obs) {
      const { ranking, of } = obs as { ranking: unknown; of: unknown };
      for (const [key, items] of [
        ["ranking", ranking],
        ["of", of],
      ] as const)
        if (isArrayLike(items)) lists.push({ name: `${name}.${key}`, items });
    } else if (isArrayLike(obs)) {
      lists.push({ name, items: obs });
    } else break;
  }
  let max = 0;
  scan: for (const { name, items } of lists)
    for (let i = 0; i < items.length; i++) {
      const v = items[i];
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0) break scan;
      if (v <= max) continue;
      if (v >= MAX_FIT_ITEMS) throw tooLarge(fn, `${name}[${i}]`, v);
      max = v;
    }
  return itemCount(fn, "observations", undefined, max, function* () {
    for (const { items } of lists)
      for (let i = 0; i < items.length; i++) if (typeof items[i] === "number") yield items[i] as number;
  });
}

function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  if (x === null || typeof x !== "object") return false;
  const length = (x as { length?: unknown }).length;
  return typeof length === "number" && Number.isInteger(length) && length >= 0 && length <= MAX_ARRAY_LENGTH;
}
