import { LuceError } from "../errors.js";
import type { FrontierPoint } from "../theory/frontier.js";
import type { DpoPoint } from "./frontier.js";

/**
 * Renders the frontier and the DPO points as SVG with vega-lite, headless (no browser, no
 * canvas). vega and vega-lite are loaded only here, outside the library's import graph.
 * @internal
 */
export async function frontierSvg(frontier: FrontierPoint[], dpo: DpoPoint[]): Promise<string> {
  let vega: typeof import("vega");
  let vl: typeof import("vega-lite");
  try {
    vega = await import("vega");
    vl = await import("vega-lite");
  } catch {
    throw new LuceError("luce frontier", "vega", "and vega-lite are needed to plot: npm install vega vega-lite");
  }
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Expected reward against KL: the frontier of π_r and DPO-trained policies",
      subtitle:
        "no policy lies above the curve (appendix A.1); points are tabular DPO at several β and training lengths",
    },
    width: 560,
    height: 380,
    layer: [
      {
        data: { values: frontier.map((p) => ({ kl: p.kl, reward: p.expectedReward, series: "π_r over β (eq. 4)" })) },
        mark: { type: "line", strokeWidth: 2.5 },
        encoding: {
          x: { field: "kl", type: "quantitative", title: "KL(π ‖ π_ref), prompt-weighted (nats)" },
          y: {
            field: "reward",
            type: "quantitative",
            title: "expected reward, prompt-weighted",
            scale: { zero: false },
          },
          color: {
            field: "series",
            type: "nominal",
            title: "frontier",
            scale: { range: ["#222222"] },
            legend: { labelLimit: 300 },
          },
        },
      },
      {
        data: {
          values: dpo.map((p) => ({ kl: p.kl, reward: p.expectedReward, beta: `β = ${p.beta}`, steps: p.steps })),
        },
        mark: { type: "point", filled: true, opacity: 0.85 },
        encoding: {
          x: { field: "kl", type: "quantitative" },
          y: { field: "reward", type: "quantitative" },
          color: { field: "beta", type: "nominal", title: "DPO at", scale: { scheme: "tableau10" } },
          size: { field: "steps", type: "ordinal", title: "training steps", scale: { range: [20, 160] } },
        },
      },
    ],
    resolve: { scale: { color: "independent" } },
  };
  const view = new vega.View(vega.parse(vl.compile(spec as never).spec), { renderer: "none" });
  return view.toSVG();
}
