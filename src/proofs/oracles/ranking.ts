import fc from "fast-check";
import {
  bradleyTerryLogLikelihood,
  bradleyTerryLogLikelihoodGradient,
  bradleyTerryLogLikelihoodHessian,
  bradleyTerryProbability,
  plackettLuceLogLikelihood,
  plackettLuceLogLikelihoodGradient,
  plackettLuceLogLikelihoodHessian,
  plackettLuceLogProbability,
} from "../../ranking/index.js";
import { constant, exact, logSumExpOf, logSumExpParts, preciseExpm1, type Precise } from "../precise.js";
import { eps, FEW, realArbitrary, render, ulps, type FunctionOracle } from "./oracle.js";

const one = constant(1);

/** σ(x) = 1/(1 + e^{−x}) at 50 digits. */
const preciseLogistic = (x: Precise): Precise => one.div(one.plus(x.neg().exp()));

/** Scores of 2 to 8 items and comparisons [winner, loser, count] between distinct items. */
interface ComparisonInstance {
  readonly scores: number[];
  readonly comparisons: [number, number, number][];
}

/** Scores of 2 to 8 items and Plackett–Luce observations as (ranked, offered) index lists. */
interface RankingInstance {
  readonly scores: number[];
  readonly observations: { ranked: number[]; offered: number[] }[];
}

const scoresArbitrary = fc.array(realArbitrary, { minLength: 2, maxLength: 8 });

const comparisonInstances: fc.Arbitrary<ComparisonInstance> = scoresArbitrary.chain((scores) =>
  fc.record({
    scores: fc.constant(scores),
    comparisons: fc.array(
      fc
        .tuple(
          fc.nat({ max: scores.length - 1 }),
          fc.nat({ max: scores.length - 2 }),
          fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 5 })),
        )
        .map(([w, l, c]): [number, number, number] => [w, l >= w ? l + 1 : l, c]),
      { minLength: 1, maxLength: 6 },
    ),
  }),
);

/** A permutation of the items drawn by sorting on keys; the first `offer` offered, the first `k` of those ranked. */
const rankingInstances: fc.Arbitrary<RankingInstance> = scoresArbitrary.chain((scores) =>
  fc.record({
    scores: fc.constant(scores),
    observations: fc.array(
      fc
        .record({
          keys: fc.array(fc.nat(), { minLength: scores.length, maxLength: scores.length }),
          offer: fc.integer({ min: 2, max: scores.length }),
          k: fc.integer({ min: 1, max: scores.length }),
        })
        .map(({ keys, offer, k }) => {
          const order = scores.map((_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
          const offered = order.slice(0, offer);
          return { ranked: offered.slice(0, Math.min(k, offer)), offered };
        }),
      { minLength: 1, maxLength: 4 },
    ),
  }),
);

/**
 * log p(ranked | offered) = Σ_i (s_{τ(i)} − log Σ_{j ∈ R_i} e^{s_j}) at 50 digits (section 3, appendix A.3), each
 * factor formed as (s_{τ(i)} − m_i) − log(1 + t_i) with m_i the largest score in play, so a factor of −1e−300 next to
 * scores near 1000 keeps its digits; and the size its error bound scales with,
 * Σ_i (|log p_i| + (1 − p_i)·max_{j ∈ R_i}(m_i − s_j)) (see `plackettLuceLogProbability`).
 * @internal
 */
export function plackettLuce(
  s: readonly Precise[],
  ranked: readonly number[],
  offered: readonly number[],
): { value: Precise; size: Precise } {
  const remaining = [...ranked, ...offered.filter((j) => !ranked.includes(j))];
  let value = constant(0);
  let size = constant(0);
  ranked.forEach((item, i) => {
    const inPlay = remaining.slice(i).map((j) => s[j]);
    const { max, log1pTail } = logSumExpParts(inPlay);
    const factor = s[item].minus(max).minus(log1pTail);
    value = value.plus(factor);
    size = size.plus(factor.abs()).plus(sensitivity(factor, inPlay, max));
  });
  return { value, size };
}

/**
 * How far a factor log p_i moves when float64 rounds the differences s_j − m_i it exponentiates: each e^{s_j − m_i}
 * moves by EPS·|s_j − m_i| relative, and those terms weigh at most 1 − p_i of the sum, so (1 − p_i)·max_j(m_i − s_j)
 * in units of EPS. Zero when the ranked item takes all the mass.
 */
function sensitivity(factor: Precise, inPlay: readonly Precise[], max: Precise): Precise {
  const spread = inPlay.reduce((m, v) => (max.minus(v).gt(m) ? max.minus(v) : m), constant(0));
  return preciseExpm1(factor).neg().times(spread);
}

/** The observation in the public form: a ranking of exactly its items, or a top-k of a listed set. */
const publicForm = ({ ranked, offered }: { ranked: number[]; offered: number[] }) =>
  ranked.length === offered.length ? ranked : { ranking: ranked, of: offered };

/**
 * Oracles of the public Bradley–Terry and Plackett–Luce functions (eq. 1, section 3, appendix A.3) at 50 digits.
 *
 * @returns one oracle per public function checked
 * @internal
 */
export function rankingOracles(): FunctionOracle<never>[] {
  const oracles = [
    {
      name: "bradleyTerryProbability",
      bound: "σ·EPS·(FEW + |r_i| + |r_j|) (derived: sigmoid's few ulp and the rounding of r_i − r_j)",
      instances: fc.tuple(realArbitrary, realArbitrary),
      compare: ([ri, rj]: [number, number]) => {
        const e = preciseLogistic(exact(ri).minus(exact(rj)));
        return [
          {
            name: "result",
            value: bradleyTerryProbability(ri, rj),
            exact: e,
            bound: eps(constant(FEW), exact(ri), exact(rj)).times(e),
          },
        ];
      },
      show: render,
    } satisfies FunctionOracle<[number, number]>,
    {
      name: "bradleyTerryLogLikelihood",
      bound: "FEW·EPS·Σ count·(|log σ| + |s_w| + |s_l|) (compensated sum of log σ(s_w − s_l))",
      instances: comparisonInstances,
      compare: ({ scores, comparisons }: ComparisonInstance) => {
        let value = constant(0);
        let size = constant(0);
        for (const [w, l, c] of comparisons) {
          const term = preciseLogistic(exact(scores[w]).minus(exact(scores[l]))).ln();
          value = value.plus(term.times(c));
          size = size.plus(term.abs().plus(Math.abs(scores[w])).plus(Math.abs(scores[l])).times(c));
        }
        return [
          { name: "result", value: bradleyTerryLogLikelihood(scores, comparisons), exact: value, bound: ulps(size) },
        ];
      },
      show: render,
    } satisfies FunctionOracle<ComparisonInstance>,
    {
      name: "bradleyTerryLogLikelihoodGradient",
      bound: "FEW·EPS·Σ count·σ(s_l − s_w)·(1 + |s_w| + |s_l|) per entry (derived)",
      instances: comparisonInstances,
      compare: ({ scores, comparisons }: ComparisonInstance) => {
        const grad = scores.map(() => constant(0));
        const size = scores.map(() => constant(0));
        for (const [w, l, c] of comparisons) {
          const g = preciseLogistic(exact(scores[l]).minus(exact(scores[w]))).times(c);
          grad[w] = grad[w].plus(g);
          grad[l] = grad[l].minus(g);
          const s = g.times(1 + Math.abs(scores[w]) + Math.abs(scores[l]));
          size[w] = size[w].plus(s);
          size[l] = size[l].plus(s);
        }
        const out = bradleyTerryLogLikelihoodGradient(scores, comparisons);
        return grad.map((e, i) => ({ name: `entry ${i}`, value: out[i], exact: e, bound: ulps(size[i]) }));
      },
      show: render,
    } satisfies FunctionOracle<ComparisonInstance>,
    {
      name: "plackettLuceLogProbability",
      bound: "FEW·EPS·Σ_i (|log p_i| + (1 − p_i)·max_{j ∈ R_i}(m_i − s_j)) (its documentation)",
      instances: rankingInstances,
      compare: ({ scores, observations }: RankingInstance) => {
        const s = scores.map(exact);
        const all = scores.map((_, i) => i);
        // a ranking shorter than the scores is a top-k of all of them
        return observations.map(({ ranked }, o) => {
          const { value, size } = plackettLuce(s, ranked, all);
          return {
            name: `ranking ${o}`,
            value: plackettLuceLogProbability(scores, ranked),
            exact: value,
            bound: ulps(size),
          };
        });
      },
      show: render,
    } satisfies FunctionOracle<RankingInstance>,
    {
      name: "plackettLuceLogLikelihood",
      bound: "as plackettLuceLogProbability, summed over the observations",
      instances: rankingInstances,
      compare: ({ scores, observations }: RankingInstance) => {
        const s = scores.map(exact);
        let value = constant(0);
        let size = constant(0);
        for (const { ranked, offered } of observations) {
          const p = plackettLuce(s, ranked, offered);
          value = value.plus(p.value);
          size = size.plus(p.size);
        }
        const out = plackettLuceLogLikelihood(scores, observations.map(publicForm));
        return [{ name: "result", value: out, exact: value, bound: ulps(size) }];
      },
      show: render,
    } satisfies FunctionOracle<RankingInstance>,
    {
      name: "plackettLuceLogLikelihoodGradient",
      bound: "FEW·EPS·Σ_steps (1 + max|s| over the step) per entry (derived: softmax probabilities of shifted scores)",
      instances: rankingInstances,
      compare: ({ scores, observations }: RankingInstance) => {
        const s = scores.map(exact);
        const grad = scores.map(() => constant(0));
        const size = scores.map(() => constant(0));
        for (const { ranked, offered } of observations) {
          const remaining = [...ranked, ...offered.filter((j) => !ranked.includes(j))];
          ranked.forEach((item, i) => {
            const set = remaining.slice(i);
            const z = logSumExpOf(set.map((j) => s[j]));
            const big = Math.max(...set.map((j) => Math.abs(scores[j])));
            grad[item] = grad[item].plus(1);
            for (const j of set) {
              grad[j] = grad[j].minus(s[j].minus(z).exp());
              size[j] = size[j].plus(1 + big);
            }
          });
        }
        const out = plackettLuceLogLikelihoodGradient(scores, observations.map(publicForm));
        return grad.map((e, i) => ({ name: `entry ${i}`, value: out[i], exact: e, bound: ulps(size[i]) }));
      },
      show: render,
    } satisfies FunctionOracle<RankingInstance>,
    {
      name: "bradleyTerryLogLikelihoodHessian",
      bound: "FEW·EPS·Σ count·σ(d)σ(−d)·(1 + |s_w| + |s_l|) per entry (its documentation)",
      instances: comparisonInstances,
      compare: ({ scores, comparisons }: ComparisonInstance) => {
        const n = scores.length;
        const hessian = scores.map(() => scores.map(() => constant(0)));
        const size = scores.map(() => scores.map(() => constant(0)));
        // −count·σ(d)σ(−d)·(e_w − e_l)(e_w − e_l)ᵀ, d = s_w − s_l
        for (const [w, l, c] of comparisons) {
          const d = exact(scores[w]).minus(exact(scores[l]));
          const curvature = preciseLogistic(d).times(preciseLogistic(d.neg())).times(c);
          const s = curvature.times(1 + Math.abs(scores[w]) + Math.abs(scores[l]));
          for (const [a, b, sign] of [
            [w, w, -1],
            [l, l, -1],
            [w, l, 1],
            [l, w, 1],
          ]) {
            hessian[a][b] = hessian[a][b].plus(curvature.times(sign));
            size[a][b] = size[a][b].plus(s);
          }
        }
        const out = bradleyTerryLogLikelihoodHessian(scores, comparisons);
        return hessian.flatMap((row, a) =>
          row.map((e, b) => ({ name: `entry ${a * n + b}`, value: out[a][b], exact: e, bound: ulps(size[a][b]) })),
        );
      },
      show: render,
    } satisfies FunctionOracle<ComparisonInstance>,
    {
      name: "plackettLuceLogLikelihoodHessian",
      bound: "FEW·EPS·Σ_steps (p_a[a = b] + p_a·p_b)·(1 + max|s| over the step) per entry (its documentation)",
      instances: rankingInstances,
      compare: ({ scores, observations }: RankingInstance) => {
        const s = scores.map(exact);
        const hessian = scores.map(() => scores.map(() => constant(0)));
        const size = scores.map(() => scores.map(() => constant(0)));
        // −Σ_steps (diag(p) − p pᵀ), p the softmax of the scores still in play
        for (const { ranked, offered } of observations) {
          const remaining = [...ranked, ...offered.filter((j) => !ranked.includes(j))];
          ranked.forEach((_, i) => {
            const set = remaining.slice(i);
            const z = logSumExpOf(set.map((j) => s[j]));
            const p = set.map((j) => s[j].minus(z).exp());
            const scale = 1 + Math.max(...set.map((j) => Math.abs(scores[j])));
            set.forEach((a, x) =>
              set.forEach((b, y) => {
                const outer = p[x].times(p[y]);
                const term = a === b ? outer.minus(p[x]) : outer;
                hessian[a][b] = hessian[a][b].plus(term);
                size[a][b] = size[a][b].plus((a === b ? outer.plus(p[x]) : outer).times(scale));
              }),
            );
          });
        }
        const out = plackettLuceLogLikelihoodHessian(scores, observations.map(publicForm));
        const n = scores.length;
        return hessian.flatMap((row, a) =>
          row.map((e, b) => ({ name: `entry ${a * n + b}`, value: out[a][b], exact: e, bound: ulps(size[a][b]) })),
        );
      },
      show: render,
    } satisfies FunctionOracle<RankingInstance>,
  ];
  return oracles as unknown as FunctionOracle<never>[];
}
