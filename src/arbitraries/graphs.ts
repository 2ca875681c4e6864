import fc from "fast-check";
import { requireCount } from "../validation/checks.js";

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
  requireCount("comparisonGraphArbitrary", "k", k, 2);
  const connected = options.connected ?? true;
  const weight = fc.double({ min: 0.05, max: 1, noNaN: true });
  if (connected) {
    // vertex v > 0 attaches to a random earlier vertex: a spanning tree; then extra edges
    const tree = fc.tuple(...Array.from({ length: k - 1 }, (_, v) => fc.integer({ min: 0, max: v })));
    const extra = fc.array(
      fc.tuple(fc.nat(k - 1), fc.nat(k - 1)).filter(([i, j]) => i !== j),
      { maxLength: k },
    );
    return fc.tuple(tree, extra).chain(([parents, more]) => {
      const pairs = [...parents.map((p, v) => [v + 1, p] as [number, number]), ...more];
      return fc.tuple(...pairs.map(() => weight)).map((w) => graph(k, pairs, w));
    });
  }
  // split 0..k−1 into a first block and the rest; edges only within blocks
  return fc.integer({ min: 1, max: k - 1 }).chain((cut) => {
    const within: [number, number][] = [];
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j && i < cut === j < cut) within.push([i, j]);
    const pairs =
      within.length === 0
        ? fc.constant<[number, number][]>([])
        : fc.array(fc.constantFrom(...within), { maxLength: 2 * k });
    return pairs.chain((chosen) => fc.tuple(...chosen.map(() => weight)).map((w) => graph(k, chosen, w)));
  });
}

function graph(size: number, pairs: [number, number][], weights: number[]): ComparisonGraph {
  const total = weights.reduce((a, w) => a + w, 0);
  return { size, edges: pairs.map(([i, j], e) => [i, j, weights[e] / total]) };
}
