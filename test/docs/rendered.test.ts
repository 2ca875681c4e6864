// Reads the generated API docs (npm test builds them first with `npm run docs`).
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const api = fileURLToPath(new URL("../../docs/api/", import.meta.url));
const read = (path: string) => readFileSync(api + path, "utf8");

describe("generated docs", () => {
  it("exist (run `npm run docs`)", () => {
    expect(existsSync(api + "index.html")).toBe(true);
  });
  it("render equations with KaTeX at build time, without errors", () => {
    const page = read("functions/luce.optimalPolicy.html");
    expect(page).toContain('class="katex"');
    expect(page).toContain("<math"); // MathML for accessibility, produced by KaTeX offline
    for (const dir of ["functions", "documents"]) {
      for (const file of readdirSync(api + dir)) expect(read(`${dir}/${file}`)).not.toContain("katex-error");
    }
  });
  it("ship KaTeX's stylesheet and fonts (no CDN)", () => {
    expect(read("assets/custom.css")).toContain(".katex");
    expect(readdirSync(api + "assets/fonts").some((f) => f.startsWith("KaTeX_Main"))).toBe(true);
    expect(read("functions/luce.optimalPolicy.html")).not.toMatch(/cdn\.jsdelivr|unpkg\.com/);
  });
  it("include the guides with rendered maths", () => {
    expect(read("documents/From_the_paper_to_the_API.html")).toContain('class="katex"');
  });
});
