// Bradley–Terry comparisons sampled from known strengths (a bell-shaped spread of about ±3), each between two
// distinct uniformly drawn items, as typed arrays: the data of the fitting benchmarks.
import { createRandom } from "../dist/index.js";

/** { strength, winners, losers } for nComparisons comparisons over nItems items, from a seeded stream. */
export function simulatedComparisons(nItems, nComparisons, seed = 7) {
  const random = createRandom(seed);
  const strength = Float64Array.from({ length: nItems }, () => 2 * (random() + random() + random() - 1.5));
  const winners = new Int32Array(nComparisons);
  const losers = new Int32Array(nComparisons);
  for (let c = 0; c < nComparisons; c++) {
    const i = Math.floor(random() * nItems);
    let j = Math.floor(random() * (nItems - 1));
    if (j >= i) j++;
    const iWins = random() < 1 / (1 + Math.exp(strength[j] - strength[i]));
    winners[c] = iWins ? i : j;
    losers[c] = iWins ? j : i;
  }
  return { strength, winners, losers };
}
