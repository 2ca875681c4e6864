import { Outcome, type Battles } from "./battles.js";

/**
 * Inverse-propensity weights of pairs, as lmarena's arena-rank reweights battles (its `reweighted` option, on by
 * default for style control): every battle of the pair {i, j} is weighted by 1 / max(n_ij, minPairCount), n_ij
 * the number of battles of that pair that enter the fit, and the weights are scaled so that their mean over
 * those battles is 1 (the total weight stays the number of battles, so model-based errors and a ridge keep their
 * scale). Without the floor, every pair then carries the same total weight, whatever how often the arena sampled
 * it; the floor keeps rarely sampled pairs from being weighted up beyond minPairCount battles' worth.
 *
 * Returns a copy of the battles whose `weight` is each row's weight times its pair's factor; rows left out of
 * the fit (ties with `drop`) keep their weight and do not count.
 * @internal
 */
export function reweightPairs(data: Battles, dropTies: boolean, minPairCount: number): Battles {
  const n = data.models.length;
  const fitted = (r: number) => data.weight[r] > 0 && !(dropTies && data.outcome[r] === Outcome.tie);
  const pairCount = new Map<number, number>();
  let battles = 0;
  for (let r = 0; r < data.first.length; r++) {
    if (!fitted(r)) continue;
    const key = data.first[r] * n + data.second[r];
    pairCount.set(key, (pairCount.get(key) ?? 0) + data.battles[r]);
    battles += data.battles[r];
  }
  const factor = (r: number) => 1 / Math.max(pairCount.get(data.first[r] * n + data.second[r])!, minPairCount);
  let total = 0;
  for (let r = 0; r < data.first.length; r++) if (fitted(r)) total += data.battles[r] * factor(r);
  const scale = battles / total;
  return {
    ...data,
    weight: Float64Array.from(data.weight, (w, r) => (fitted(r) ? w * factor(r) * scale : w)),
  };
}
