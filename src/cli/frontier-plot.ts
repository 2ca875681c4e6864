import type { FrontierPoint } from "../theory/frontier.js";
import type { DpoPoint } from "./frontier.js";
import { vegaLiteSvg } from "./vega-svg.js";

/**
 * Renders the frontier and the DPO points as SVG ({@link vegaLiteSvg}).
 * @internal
 */
export async function frontierSvg(frontier: FrontierPoint[], dpo: DpoPoint[]): Promise<string> {
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
  return vegaLiteSvg("luce frontier", spec);
}
