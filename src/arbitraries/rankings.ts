import fc from "fast-check";
import { requireDrawnCount } from "./sizes.js";
import type { PlackettLuceObservation } from "../ranking/observations.js";

/**
 * A full ranking of K responses: a permutation of 0..K−1, best first.
 *
 * @param k - the number of responses
 * @returns an arbitrary of rankings
 * @example
 * ```ts
 * fc.assert(fc.property(rankingArbitrary(4), (r) => new Set(r).size === 4));
 * ```
 */
export function rankingArbitrary(k: number): fc.Arbitrary<number[]> {
  requireDrawnCount("rankingArbitrary", "k", k, 1);
  return fc.shuffledSubarray(
    Array.from({ length: k }, (_, i) => i),
    { minLength: k, maxLength: k },
  );
}

/**
 * A top-k ranking of K responses: the first k (1 ≤ k ≤ K) entries of a random permutation, to
 * be read as a top-k observation of all K.
 *
 * @param k - the number of responses
 * @returns an arbitrary of partial rankings
 * @example
 * ```ts
 * fc.assert(fc.property(partialRankingArbitrary(5), (r) => r.length >= 1 && r.length <= 5));
 * ```
 */
export function partialRankingArbitrary(k: number): fc.Arbitrary<number[]> {
  requireDrawnCount("partialRankingArbitrary", "k", k, 1);
  return rankingArbitrary(k).chain((order) => fc.integer({ min: 1, max: k }).map((len) => order.slice(0, len)));
}

/**
 * A preference over K responses in any of the forms the library reads: a Bradley–Terry pair
 * `[winner, loser]`, a ranking of a subset, a top-k `{ ranking, of }` of all K, or a top-1
 * choice `[chosen, [others]]`.
 *
 * @param k - the number of responses (≥ 2)
 * @returns an arbitrary of observations over 0..K−1
 * @example
 * ```ts
 * fc.assert(fc.property(observationArbitrary(3), (o) => Number.isFinite(plackettLuceLogLikelihood([0, 1, 2], [o]))));
 * ```
 */
export function observationArbitrary(k: number): fc.Arbitrary<PlackettLuceObservation> {
  requireDrawnCount("observationArbitrary", "k", k, 2);
  const items = Array.from({ length: k }, (_, i) => i);
  return fc.oneof(
    fc.shuffledSubarray(items, { minLength: 2, maxLength: 2 }),
    fc.shuffledSubarray(items, { minLength: 2, maxLength: k }),
    partialRankingArbitrary(k).map((ranking) => ({ ranking, of: items })),
    rankingArbitrary(k).map(([chosen, ...others]) => [chosen, others] as const),
  ) as fc.Arbitrary<PlackettLuceObservation>;
}
