// Every TypeScript block of the README and the guides, run as written: imports and all, as an ES
// module under plain Node, resolving `luce` to this package's built dist/ (by self-reference) and the
// optional peers to the repository's dev dependencies. The only change is tsc's removal of types,
// and the blocks must also type-check under strict settings. A block that names a file of the
// reader's ("model.onnx", "logits.safetensors") finds one of that name in its working folder.
import { beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { tinyCausalLm, tinyWeights } from "../helpers/tiny-transformer.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
/** Inside the repository (so `luce` resolves to it), in a folder git ignores. */
const work = join(root, ".cache", "doc-examples");

interface Example {
  readonly name: string;
  readonly file: string;
  readonly code: string;
}

function examples(): Example[] {
  const docs = [
    "README.md",
    ...readdirSync(join(root, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  return docs.flatMap((doc) =>
    [...readFileSync(join(root, doc), "utf8").matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m, i) => ({
      name: `${doc} #${i + 1}: ${m[1]
        .split("\n")
        .find((l) => l.trim() !== "" && !/^(import|\s|})/.test(l))
        ?.slice(0, 60)}`,
      file: `${doc.replace(/[/.]/g, "-")}-${i + 1}`,
      code: m[1],
    })),
  );
}

const all = examples();

beforeAll(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "model.onnx"), tinyCausalLm(tinyWeights(7)));
  copyFileSync(join(root, "test/fixtures/tensors/logits.safetensors"), join(work, "logits.safetensors"));
  for (const { file, code } of all) writeFileSync(join(work, `${file}.mts`), code);
});

describe("the guides' examples run as written", () => {
  it("there are examples, in the README and in every guide that has code", () => {
    expect(all.length).toBeGreaterThanOrEqual(12);
    expect(new Set(all.map((e) => e.name.split(" #")[0])).size).toBeGreaterThanOrEqual(5);
  });

  it("each type-checks with strict settings against the published types", () => {
    const program = ts.createProgram(
      all.map(({ file }) => join(work, `${file}.mts`)),
      {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        types: ["node"],
        skipLibCheck: true,
      },
    );
    const messages = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    expect(messages).toEqual([]);
  });

  it.each(all)("$name", ({ file, code }) => {
    const js = ts.transpileModule(code, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    }).outputText;
    writeFileSync(join(work, `${file}.mjs`), js);
    const r = spawnSync(process.execPath, [`${file}.mjs`], { cwd: work, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
  });
});
