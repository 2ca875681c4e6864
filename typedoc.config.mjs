import katex from "@vscode/markdown-it-katex";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** @type {import("typedoc").TypeDocOptions} */
export default {
  name: "luce",
  entryPoints: [
    "src/index.ts",
    "src/arbitraries/index.ts",
    "src/proofs/index.ts",
    "src/batch/index.ts",
    "src/tfjs/index.ts",
  ],
  out: "docs/api",
  tsconfig: "tsconfig.build.json",
  excludeInternal: true,
  excludePrivate: true,
  disableSources: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
  treatWarningsAsErrors: true,
  readme: "README.md",
  projectDocuments: ["docs/*.md"],
  // KaTeX's stylesheet becomes assets/custom.css; its fonts are copied beside it by the plugin
  customCss: require.resolve("katex/dist/katex.min.css"),
  plugin: ["./docs/typedoc/katex-plugin.mjs"],
  markdownItLoader(parser) {
    parser.use(katex.default ?? katex, { throwOnError: true });
  },
};
