// Runs every @example of the public API's TSDoc with the public exports in scope (imports are
// stripped): an example that throws fails. The README's and the guides' blocks run as written in
// examples.test.ts.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import fc from "fast-check";
import * as luce from "../../src/index.js";
import * as arbitraries from "../../src/arbitraries/index.js";
import * as proofs from "../../src/proofs/index.js";
import * as batch from "../../src/batch/index.js";
import * as tfjsOps from "../../src/tfjs/index.js";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { tinyCausalLm, tinyWeights } from "../helpers/tiny-transformer.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const scope: Record<string, unknown> = {
  ...luce,
  ...arbitraries,
  ...proofs,
  ...batch,
  ...tfjsOps,
  tf,
  fc,
  console: { log: () => undefined },
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function examples(): [string, string][] {
  const out: [string, string][] = [];
  for (const file of files(join(root, "src"))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(
      /@example\s*\n((?:\s*\*.*\n)*?)\s*\*\/|@example\s*\n([\s\S]*?)(?=\n\s*\*\s*@|\n\s*\*\/)/g,
    )) {
      const body = (m[1] ?? m[2] ?? "")
        .split("\n")
        .map((l) => l.replace(/^\s*\* ?/, ""))
        .join("\n");
      const code = /```ts\n([\s\S]*?)```/.exec(body)?.[1];
      if (code !== undefined) out.push([`${relative(root, file)}: ${code.split("\n")[0].slice(0, 60)}`, code]);
    }
  }
  return out;
}

// In the TSDoc examples, these names stand for the reader's own data.
const readerData: Record<string, unknown> = {
  modelBytes: tinyCausalLm(tinyWeights(7)),
  policyChosenLogps: [-10, -20],
  policyRejectedLogps: [-12, -19],
  referenceChosenLogps: [-11, -20],
  referenceRejectedLogps: [-11, -20],
};

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<unknown>;

describe("documented examples run", () => {
  const all = examples();
  it("there are examples to run", () => expect(all.length).toBeGreaterThan(60));
  it.each(all)("%s", async (_name, code) => {
    const withoutImports = code
      .replace(/^import[\s\S]*?from\s+["'][^"']+["'];?\s*$/gm, "")
      .replace(/^import\s+["'][^"']+["'];?\s*$/gm, "");
    const js = ts
      .transpileModule(withoutImports, {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      })
      .outputText.replace(/^export \{\};?\s*$/m, "");
    const names = { ...scope, ...readerData };
    await new AsyncFunction(...Object.keys(names), js)(...Object.values(names));
  });
});
