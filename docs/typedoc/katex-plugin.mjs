// Renders $…$ and $$…$$ in doc comments and guides with KaTeX at build time (no CDN, works
// offline), and ships KaTeX's stylesheet and fonts with the generated site.
import { cpSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { RendererEvent } from "typedoc";

const require = createRequire(import.meta.url);
const katexDist = dirname(require.resolve("katex/dist/katex.min.css"));

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.renderer.on(RendererEvent.END, (event) => {
    const assets = join(event.outputDirectory, "assets");
    mkdirSync(join(assets, "fonts"), { recursive: true });
    cpSync(join(katexDist, "fonts"), join(assets, "fonts"), { recursive: true });
  });
}
