import { Outcome, type Battles } from "./battles.js";

/** Win rates and battle counts per pair of models (row model against column model). */
export interface WinRateMatrices {
  /**
   * Observed score of the row model against the column model: its weighted wins plus half its ties, over the
   * weight of their battles (ties left out under the `drop` policy); null where they never met, and on the diagonal.
   */
  readonly observed: (number | null)[][];
  /**
   * The fitted model's expected score of the row model against the column model
   * (P(win) + ½ P(tie)); ½ on the diagonal.
   */
  readonly predicted: number[][];
  /** Number of battles between the row and column models (ties included); 0 on the diagonal. */
  readonly battles: number[][];
}

/**
 * Observed and predicted win rates and battle counts for every pair of models.
 * @param expectedScore - the fitted expected score of model i against model j
 * @param dropTies - whether ties are left out of the observed rates
 * @internal
 */
export function winRateMatrices(
  data: Battles,
  expectedScore: (i: number, j: number) => number,
  dropTies: boolean,
): WinRateMatrices {
  const n = data.models.length;
  const score = Array.from({ length: n }, () => new Float64Array(n));
  const weight = Array.from({ length: n }, () => new Float64Array(n));
  const battles = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let r = 0; r < data.first.length; r++) {
    const i = data.first[r];
    const j = data.second[r];
    const count = data.battles[r];
    battles[i][j] += count;
    battles[j][i] += count;
    const outcome = data.outcome[r];
    if (dropTies && outcome === Outcome.tie) continue;
    const w = count * data.weight[r];
    weight[i][j] += w;
    weight[j][i] += w;
    const o = outcome === Outcome.firstWins ? 1 : outcome === Outcome.secondWins ? 0 : 0.5;
    score[i][j] += w * o;
    score[j][i] += w * (1 - o);
  }
  return {
    observed: score.map((row, i) =>
      Array.from(row, (s, j) => (i === j || weight[i][j] === 0 ? null : s / weight[i][j])),
    ),
    predicted: Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => (i === j ? 0.5 : expectedScore(i, j))),
    ),
    battles,
  };
}
