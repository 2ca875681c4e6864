import { LuceError } from "../errors.js";
import { describe, requireArrayLike, requireFinite, requireIndex } from "../validation/checks.js";

/**
 * One pairwise result: `[winner, loser]`, or `[winner, loser, count]` where
 * the count (fractional counts allowed, e.g. weights) multiplies its log-likelihood term.
 */
export type Comparison =
  readonly [winner: number, loser: number] | readonly [winner: number, loser: number, count: number];

/**
 * A ranking that ranks exactly the items it lists, best first: a race ranks
 * its own runners (choix's convention). `[2, 0, 5]` says 2 beat 0 and 5, then 0 beat 5.
 */
export type Ranking = readonly number[];

/**
 * A top-k observation of a larger listed set: the items of `ranking` were
 * picked best first out of `of`, and the rest of `of` is unranked.
 */
export interface TopKRanking {
  /** The k best items, best first; every one must be in `of`. */
  readonly ranking: readonly number[];
  /** Every item on offer (ranked and unranked). */
  readonly of: readonly number[];
}

/**
 * A top-1 choice: `[chosen, others]`, the chosen item picked out of itself and
 * `others` (which exclude it, as in choix).
 */
export type Choice = readonly [chosen: number, others: readonly number[]];

/** Any Plackett–Luce observation over global item indices. */
export type PlackettLuceObservation = Ranking | TopKRanking | Choice;

/**
 * A validated observation: the ranked items best first and the items on offer
 * that were left unranked.
 * @internal
 */
export interface NormalizedObservation {
  readonly ranked: Int32Array;
  readonly unranked: Int32Array;
}

/**
 * Validates and normalises Plackett–Luce observations over `nItems` items.
 * @internal
 */
export function normalizeObservations(fn: string, observations: unknown, nItems: number): NormalizedObservation[] {
  const list = requireArrayLike(fn, "observations", observations);
  const seen = new Int32Array(nItems).fill(-1);
  const out: NormalizedObservation[] = [];
  for (let o = 0; o < list.length; o++) {
    out.push(normalizeObservation(fn, `observations[${o}]`, list[o], nItems, seen, o));
  }
  return out;
}

/**
 * Validates one observation over `nItems` items; errors name it `name`.
 * @internal
 */
export function normalizeObservation(
  fn: string,
  name: string,
  obs: unknown,
  nItems: number,
  seen: Int32Array = new Int32Array(nItems).fill(-1),
  stamp = 0,
): NormalizedObservation {
  let ranked: ArrayLike<unknown>;
  let offered: ArrayLike<unknown> | null = null;
  let rankedName = name;
  let offeredName = name;
  if (Array.isArray(obs) && obs.length === 2 && Array.isArray(obs[1])) {
    ranked = [obs[0]];
    offered = obs[1] as unknown[];
    offeredName = `${name}[1]`;
  } else if (obs !== null && typeof obs === "object" && !Array.isArray(obs) && "ranking" in obs) {
    const topK = obs as { ranking: unknown; of: unknown };
    ranked = requireArrayLike(fn, `${name}.ranking`, topK.ranking);
    offered = requireArrayLike(fn, `${name}.of`, topK.of);
    rankedName = `${name}.ranking`;
    offeredName = `${name}.of`;
  } else {
    ranked = requireArrayLike(fn, name, obs);
  }
  if (ranked.length === 0) throw new LuceError(fn, rankedName, "is an empty ranking");

  const rankedOut = new Int32Array(ranked.length);
  for (let i = 0; i < ranked.length; i++) {
    const item = requireIndex(fn, `${rankedName}[${i}]`, ranked[i], nItems);
    if (seen[item] === stamp) throw new LuceError(fn, `${rankedName}[${i}]`, `repeats item ${item}`);
    seen[item] = stamp;
    rankedOut[i] = item;
  }
  if (offered === null) return { ranked: rankedOut, unranked: new Int32Array(0) };

  const isChoice = rankedName === name;
  const unranked: number[] = [];
  let listedRanked = 0;
  // Second stamp space (−2 − stamp) marks items of `of` already visited.
  for (let i = 0; i < offered.length; i++) {
    const item = requireIndex(fn, `${offeredName}[${i}]`, offered[i], nItems);
    if (seen[item] === -2 - stamp) throw new LuceError(fn, `${offeredName}[${i}]`, `repeats item ${item}`);
    if (seen[item] === stamp) {
      if (isChoice)
        throw new LuceError(fn, `${offeredName}[${i}]`, `repeats the chosen item ${item} (others exclude it)`);
      listedRanked++;
    } else {
      unranked.push(item);
    }
    seen[item] = -2 - stamp;
  }
  if (!isChoice && listedRanked !== ranked.length) {
    throw new LuceError(fn, offeredName, `must list every ranked item of '${rankedName}'`);
  }
  return { ranked: rankedOut, unranked: Int32Array.from(unranked) };
}

/**
 * Validates pairwise comparisons over `nItems` items (at most 2^31, the Int32 storage: larger
 * indices could not be stored without wrapping). `outOfRange` words the error for an index ≥ nItems.
 * @internal
 */
export function normalizeComparisons(
  fn: string,
  comparisons: unknown,
  nItems: number,
  argument = "comparisons",
  outOfRange?: (name: string, index: number) => LuceError,
): { winners: Int32Array; losers: Int32Array; counts: Float64Array } {
  const index = (name: string, x: unknown): number => {
    if (outOfRange !== undefined && typeof x === "number" && Number.isInteger(x) && x >= nItems)
      throw outOfRange(name, x);
    return requireIndex(fn, name, x, nItems);
  };
  const list = requireArrayLike(fn, argument, comparisons);
  const winners = new Int32Array(list.length);
  const losers = new Int32Array(list.length);
  const counts = new Float64Array(list.length);
  for (let c = 0; c < list.length; c++) {
    const name = `${argument}[${c}]`;
    const comparison = list[c];
    if (!Array.isArray(comparison) || (comparison.length !== 2 && comparison.length !== 3)) {
      throw new LuceError(fn, name, `must be [winner, loser] or [winner, loser, count], got ${describe(comparison)}`);
    }
    winners[c] = index(`${name}[0]`, comparison[0]);
    losers[c] = index(`${name}[1]`, comparison[1]);
    if (winners[c] === losers[c]) throw new LuceError(fn, name, `compares item ${winners[c]} with itself`);
    const count = comparison.length === 3 ? requireFinite(fn, `${name}[2]`, comparison[2]) : 1;
    if (count < 0) throw new LuceError(fn, `${name}[2]`, `is a count and must be >= 0, got ${count}`);
    counts[c] = count;
  }
  return { winners, losers, counts };
}
