import { LuceError } from "../errors.js";
import { expandFactors, type Factors } from "./factors.js";

/** Each item's total weight of the factors it is chosen in (`wins`) and of those it is passed over in. @internal */
export interface WinsAndLosses {
  readonly wins: Float64Array;
  readonly losses: Float64Array;
}

/**
 * Throws unless the maximum-likelihood estimate exists and is unique (Hunter 2004, Ford 1957): the
 * directed graph with an edge from every item to each item chosen over it must be strongly
 * connected. Names the cause: an item absent from the data, an item that never wins or never
 * loses, or the strongly connected components. Returns the items' wins and losses it counted.
 * @internal
 */
export function requireIdentifiable(
  fn: string,
  argument: string,
  groups: Factors,
  remedy = "give options.prior for a MAP fit",
): WinsAndLosses {
  const { nItems: n, start, members, weight } = expandFactors(groups);
  const wins = new Float64Array(n);
  const losses = new Float64Array(n);
  // edges loser → chosen, in CSR form
  const degree = new Int32Array(n + 1);
  for (let f = 0; f + 1 < start.length; f++) {
    if (weight[f] === 0) continue;
    const chosen = members[start[f]];
    for (let m = start[f] + 1; m < start[f + 1]; m++) {
      degree[members[m] + 1]++;
      wins[chosen] += weight[f];
      losses[members[m]] += weight[f];
    }
  }
  for (let i = 0; i < n; i++) {
    const why = (cause: string) => new LuceError(fn, argument, `does not identify the strengths: ${cause} (${remedy})`);
    if (wins[i] === 0 && losses[i] === 0) throw why(`item ${i} appears in no comparison`);
    if (wins[i] === 0) throw why(`item ${i} never wins, so its maximum-likelihood log-strength is −∞`);
    if (losses[i] === 0) throw why(`item ${i} never loses, so its maximum-likelihood log-strength is +∞`);
  }
  for (let i = 0; i < n; i++) degree[i + 1] += degree[i];
  const next = degree.slice(0, n);
  const targets = new Int32Array(degree[n]);
  for (let f = 0; f + 1 < start.length; f++) {
    if (weight[f] === 0) continue;
    const chosen = members[start[f]];
    for (let m = start[f] + 1; m < start[f + 1]; m++) targets[next[members[m]]++] = chosen;
  }
  const component = stronglyConnectedComponents(n, degree, targets);
  // a loop, not Math.max(...component): spreading one argument per item overflows the stack
  let count = 0;
  for (const c of component) count = Math.max(count, c + 1);
  if (count > 1) {
    const groups = new Map<number, number[]>();
    component.forEach((c, i) => {
      const g = groups.get(c) ?? [];
      if (g.length < 5) g.push(i);
      groups.set(c, g);
    });
    const shown = [...groups.values()].slice(0, 4).map((g) => `{${g.join(", ")}${g.length === 5 ? ", …" : ""}}`);
    throw new LuceError(
      fn,
      argument,
      `does not identify the strengths: the comparison graph is not strongly connected (${count} components, e.g. ${shown.join(" ")}); some group never beats another (${remedy})`,
    );
  }
  return { wins, losses };
}

/** Tarjan's algorithm without recursion; returns a component label per vertex. */
function stronglyConnectedComponents(n: number, offsets: Int32Array, targets: Int32Array): Int32Array {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const component = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const callStack: number[] = [];
  const edgeCursor = new Int32Array(n);
  let counter = 0;
  let components = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] >= 0) continue;
    callStack.push(root);
    while (callStack.length > 0) {
      const v = callStack[callStack.length - 1];
      if (index[v] < 0) {
        index[v] = low[v] = counter++;
        edgeCursor[v] = offsets[v];
        stack.push(v);
        onStack[v] = 1;
      }
      if (edgeCursor[v] < offsets[v + 1]) {
        const w = targets[edgeCursor[v]++];
        if (index[w] < 0) callStack.push(w);
        else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      callStack.pop();
      if (callStack.length > 0) {
        const parent = callStack[callStack.length - 1];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component[w] = components;
        } while (w !== v);
        components++;
      }
    }
  }
  return component;
}

/** Directed edges with a weight each, for the cycle tests of the extended models. */
interface WeightedEdges {
  readonly from: number[];
  readonly to: number[];
  readonly weight: number[];
}

/**
 * Whether some directed cycle has a negative total weight (Bellman–Ford from a virtual source joined
 * to every vertex: a relaxation still possible after n passes proves such a cycle). O(n · edges).
 */
function hasNegativeCycle(n: number, edges: WeightedEdges): boolean {
  const distance = new Float64Array(n);
  for (let pass = 0; pass <= n; pass++) {
    let changed = false;
    for (let e = 0; e < edges.from.length; e++) {
      const through = distance[edges.from[e]] + edges.weight[e];
      if (through < distance[edges.to[e]]) {
        distance[edges.to[e]] = through;
        changed = true;
      }
    }
    if (!changed) return false;
  }
  return true;
}

/**
 * Throws unless the data identify an order effect and/or Davidson's tie parameter (on top of
 * {@link requireIdentifiable}'s graph condition, checked first by the caller). By Gordan's alternative,
 * the estimate exists exactly when no direction of the parameters makes every observation at least
 * as likely. With an order effect α (advantage h = ±1, 0 per comparison), that is: around the cycles of
 * results (loser → winner, each tie both ways with ∓h), some cycle must have more advantaged wins than
 * losses and some fewer; if all have more, α = +∞ (or −∞); if all balance, α is confounded with the
 * strengths. With ties (δ = log ν), some comparison must be won and some tied, and the difference
 * constraints "each winner ≥ its loser + 1, each tied pair within 1" must be infeasible (a cycle with
 * more wins than ties): otherwise the strengths spread apart while δ grows, approaching a higher
 * likelihood without attaining it. For the two together the tie condition is checked at α = 0.
 * @internal
 */
export function requireExtendedIdentifiable(
  fn: string,
  argument: string,
  wins: Factors,
  winAdvantage: Float64Array | null,
  ties: { a: Int32Array; b: Int32Array; weight: Float64Array; advantage: Float64Array } | null,
): void {
  const n = wins.nItems;
  const { start, members, weight } = wins;
  const why = (cause: string) =>
    new LuceError(fn, argument, `does not identify ${cause} (fit without it, or gather more varied data)`);
  if (winAdvantage !== null) {
    const edges: WeightedEdges = { from: [], to: [], weight: [] };
    for (let c = 0; c + 1 < start.length; c++) {
      if (weight[c] === 0) continue;
      edges.from.push(members[start[c] + 1]);
      edges.to.push(members[start[c]]);
      edges.weight.push(winAdvantage[c]);
    }
    if (ties !== null)
      for (let t = 0; t < ties.a.length; t++) {
        if (ties.weight[t] === 0) continue;
        edges.from.push(ties.a[t], ties.b[t]);
        edges.to.push(ties.b[t], ties.a[t]);
        edges.weight.push(-ties.advantage[t], ties.advantage[t]);
      }
    const fewer = hasNegativeCycle(n, edges);
    const more = hasNegativeCycle(n, { ...edges, weight: edges.weight.map((h) => -h) });
    if (!fewer && !more)
      throw why(
        "the order effect: it is confounded with the strengths (every cycle of results has as many " +
          "advantaged wins as losses, as when the advantage always goes to the same item)",
      );
    if (!fewer || !more)
      throw why(
        `the order effect: the ${more ? "advantaged" : "disadvantaged"} side wins more than it loses around ` +
          `every cycle of results, so its maximum-likelihood estimate is ${more ? "+" : "−"}∞`,
      );
  }
  if (ties !== null) {
    const tied = ties.weight.some((w) => w > 0);
    const won = weight.some((w) => w > 0);
    if (!won) throw why("the tie parameter: no comparison has a winner, so its maximum-likelihood estimate is +∞");
    if (!tied) throw why("the tie parameter: every tie has count 0, so its maximum-likelihood estimate is −∞");
    const edges: WeightedEdges = { from: [], to: [], weight: [] };
    for (let c = 0; c + 1 < start.length; c++) {
      if (weight[c] === 0) continue;
      edges.from.push(members[start[c]]);
      edges.to.push(members[start[c] + 1]);
      edges.weight.push(-1);
    }
    for (let t = 0; t < ties.a.length; t++) {
      if (ties.weight[t] === 0) continue;
      edges.from.push(ties.a[t], ties.b[t]);
      edges.to.push(ties.b[t], ties.a[t]);
      edges.weight.push(1, 1);
    }
    if (!hasNegativeCycle(n, edges))
      throw why(
        "the tie parameter and the strengths: no cycle of results has more wins than ties, so the " +
          "strengths can spread apart while the tie parameter grows, and the likelihood has no maximum",
      );
  }
}
