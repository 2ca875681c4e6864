import { LuceError } from "../errors.js";
import { expandFactors, type Factors } from "./factors.js";

/**
 * Throws unless the maximum-likelihood estimate exists and is unique (Hunter 2004, Ford 1957): the
 * directed graph with an edge from every item to each item chosen over it must be strongly
 * connected. Names the cause: an item absent from the data, an item that never wins or never
 * loses, or the strongly connected components.
 * @internal
 */
export function requireIdentifiable(fn: string, argument: string, groups: Factors): void {
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
    const why = (cause: string) =>
      new LuceError(fn, argument, `does not identify the strengths: ${cause} (give options.prior for a MAP fit)`);
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
      `does not identify the strengths: the comparison graph is not strongly connected (${count} components, e.g. ${shown.join(" ")}); some group never beats another (give options.prior for a MAP fit)`,
    );
  }
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
