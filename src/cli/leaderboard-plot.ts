import type { ArenaLeaderboard } from "../inference/leaderboard/leaderboard.js";
import { vegaLiteSvg } from "./vega-svg.js";

/** Pixels per model on the leaderboard's and the heatmap's model axes. */
const PIXELS_PER_MODEL = 28;
/** Width of the leaderboard panel. */
const LEADERBOARD_WIDTH = 520;

/**
 * Renders an arena leaderboard as SVG with vega-lite, ({@link vegaLiteSvg}): the ratings, best first,
 * with their 95% interval whiskers, and the observed win-rate heatmap (row model against column model, in
 * leaderboard order).
 * @internal
 */
export async function leaderboardSvg(board: ArenaLeaderboard): Promise<string> {
  const order = board.models.map((m) => m.name);
  const side = PIXELS_PER_MODEL * order.length;
  const intervals =
    board.ci === "bootstrap" ? "bootstrap percentile" : board.ci === "sandwich" ? "sandwich (robust)" : "model-based";
  const cells = board.winRates.models.flatMap((row, i) =>
    board.winRates.models.map((column, j) => ({
      row,
      column,
      rate: board.winRates.observed[i][j],
      battles: board.winRates.battles[i][j],
    })),
  );
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    vconcat: [
      {
        title: {
          text: board.style === undefined ? "Arena leaderboard" : "Arena leaderboard, adjusted for style",
          subtitle: `ratings with 95% ${intervals} intervals; rank in brackets`,
        },
        width: LEADERBOARD_WIDTH,
        height: side,
        data: {
          values: board.models.map((m) => ({
            model: m.name,
            label: `${m.name} (${m.rank})`,
            rating: m.rating,
            lower: m.lower,
            upper: m.upper,
          })),
        },
        encoding: {
          y: { field: "model", type: "nominal", sort: order, title: null, axis: { labelLimit: 300 } },
        },
        layer: [
          {
            mark: { type: "rule", strokeWidth: 2, color: "#4c78a8" },
            encoding: {
              x: { field: "lower", type: "quantitative", title: "rating", scale: { zero: false } },
              x2: { field: "upper" },
            },
          },
          {
            mark: { type: "point", filled: true, size: 60, color: "#1f3b63" },
            encoding: { x: { field: "rating", type: "quantitative" } },
          },
          {
            mark: { type: "text", align: "left", dx: 6, dy: -8, fontSize: 10 },
            encoding: { x: { field: "upper", type: "quantitative" }, text: { field: "label" } },
          },
        ],
      },
      {
        title: { text: "Observed win rate of the row model against the column model", subtitle: "ties count half" },
        width: side,
        height: side,
        data: { values: cells },
        encoding: {
          x: { field: "column", type: "nominal", sort: order, title: null, axis: { labelAngle: -45, labelLimit: 300 } },
          y: { field: "row", type: "nominal", sort: order, title: null, axis: { labelLimit: 300 } },
        },
        layer: [
          {
            mark: "rect",
            encoding: {
              color: {
                field: "rate",
                type: "quantitative",
                title: "win rate",
                scale: { domain: [0, 1], scheme: "redblue" },
              },
              tooltip: [{ field: "row" }, { field: "column" }, { field: "rate" }, { field: "battles" }],
            },
          },
          {
            // the diagonal and pairs that never met have no rate: no label
            transform: [{ filter: "datum.rate != null" }],
            mark: { type: "text", fontSize: 9 },
            encoding: { text: { field: "rate", type: "quantitative", format: ".2f" } },
          },
        ],
      },
    ],
  };
  return vegaLiteSvg("luce leaderboard", spec);
}
