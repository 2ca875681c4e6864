import { LuceError } from "../errors.js";

/**
 * Renders a vega-lite specification as SVG, headless (no browser, no canvas). vega and vega-lite are loaded only
 * here, outside the library's import graph; without them the error names `command` and the packages to install.
 * @internal
 */
export async function vegaLiteSvg(command: string, spec: object): Promise<string> {
  let vega: typeof import("vega");
  let vl: typeof import("vega-lite");
  try {
    vega = await import("vega");
    vl = await import("vega-lite");
  } catch {
    throw new LuceError(command, "vega", "and vega-lite are needed to plot: npm install vega vega-lite");
  }
  const view = new vega.View(vega.parse(vl.compile(spec as never).spec), { renderer: "none" });
  return view.toSVG();
}
