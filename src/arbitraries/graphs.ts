import fc from "fast-check";
import { requireBoolean, requireOptions } from "../validation/checks.js";
import { requireDrawnCount } from "./sizes.js";

/** A weighted comparison graph over K responses: the pairs a sampling distribution μ can draw. */
export interface ComparisonGraph {
  /** Number of responses. */
  readonly size: number;
  /** Edges [i, j, μ(i, j)], with weights summing to 1. */
  readonly edges: [number, number, number][];
}

/**
 * A comparison graph over K responses with positive weights μ summing to 1. Connected graphs
 * (the assumption of population DPO) are a random spanning tree plus extra edges;
 * `connected: false` gives graphs with at least two components and no edge between them.
 *
 * @param k - number of responses (≥ 2)
 * @param options - connected (default true)
 * @returns an arbitrary of {@link ComparisonGraph}
 * @example
 * ```ts
 * fc.assert(fc.property(comparisonGraphArbitrary(4), (g) => g.edges.length >= 3));
 * ```
 */
export function comparisonGraphArbitrary(
  k: number,
  options: { readonly connected?: boolean } = {},
): fc.Arbitrary<ComparisonGraph> {
  const fn = "comparisonGraphArbitrary";
  requireDrawnCount(fn, "k", k, 2);
  const { connected: givenConnected } = requireOptions(fn, "options", options, ["connected"]);
  const connected = givenConnected === undefined ? true : requireBoolean(fn, "options.connected", givenConnected);
  // every list below is an fc.array of a length known in advance, never a tuple or constantFrom of
  // data-sized argument lists (a spread of more than about 100,000 arguments overflows the stack)
  const weights = (n: number) => fc.array(WEIGHT, { minLength: n, maxLength: n });
  if (connected) {
    // vertex v > 0 attaches to a uniformly drawn earlier vertex: a spanning tree; then extra edges
    const tree = fc
      .array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: k - 1, maxLength: k - 1 })
      .map((us) => us.map((u, v) => Math.floor(u * (v + 1))));
    const extra = fc.array(
      fc.tuple(fc.nat(k - 1), fc.nat(k - 1)).filter(([i, j]) => i !== j),
      { maxLength: k },
    );
    return fc.tuple(tree, extra).chain(([parents, more]) => {
      const pairs = [...parents.map((p, v) => [v + 1, p] as [number, number]), ...more];
      return weights(pairs.length).map((w) => graph(k, pairs, w));
    });
  }
  // split 0..k−1 into a first block [0, cut) and the rest; edges only within blocks
  return fc.integer({ min: 1, max: k - 1 }).chain((cut) => {
    const pairs = fc
      .array(fc.tuple(fc.nat(k - 1), fc.nat(k - 1)), { maxLength: 2 * k })
      .map((raw) => raw.flatMap(([i, t]) => withinBlock(i, t, cut, k)));
    return pairs.chain((chosen) => weights(chosen.length).map((w) => graph(k, chosen, w)));
  });
}

/** Edge weights before normalising: bounded away from 0 so no edge is numerically absent. */
const WEIGHT = fc.double({ min: 0.05, max: 1, noNaN: true });

/** The edge from i to another vertex of i's block, picked by t; none when i is alone in its block. */
function withinBlock(i: number, t: number, cut: number, k: number): [number, number][] {
  const [lo, hi] = i < cut ? [0, cut] : [cut, k];
  const size = hi - lo;
  if (size < 2) return [];
  return [[i, lo + ((i - lo + 1 + (t % (size - 1))) % size)]];
}

function graph(size: number, pairs: [number, number][], weights: number[]): ComparisonGraph {
  const total = weights.reduce((a, w) => a + w, 0);
  return { size, edges: pairs.map(([i, j], e) => [i, j, weights[e] / total]) };
}
