import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Every .ts/.js file under src/, as absolute paths. */
function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.(ts|js)$/.test(name)) out.push(path);
  }
  return out;
}

/** The relative imports and re-exports of each file (type-only ones too: the layout rule is about dependencies). */
function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const deps: string[] = [];
    for (const m of readFileSync(file, "utf8").matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gms)) {
      const target = resolve(dirname(file), m[1]).replace(/\.js$/, "");
      const found = [`${target}.ts`, `${target}.js`].find((candidate) => known.has(candidate));
      if (found !== undefined) deps.push(found);
    }
    graph.set(file, deps);
  }
  return graph;
}

// design rule: data flows one way (numerics <- ranking <- theory <- proofs, …); no import cycle, inside a folder either
it("src/ has no import cycle", () => {
  const graph = importGraph(sources(join(root, "src")));
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === "open")
        cycles.push(
          stack
            .slice(stack.indexOf(dep))
            .map((f) => relative(root, f))
            .join(" -> "),
        );
      else if (state.get(dep) === undefined) visit(dep);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);
  expect(cycles).toEqual([]);
  expect(graph.size).toBeGreaterThan(50); // the walk found the sources
});
