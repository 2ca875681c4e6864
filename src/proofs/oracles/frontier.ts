import fc from "fast-check";
import { logSpace } from "../../theory/index.js";
import { frontierRewardAtKl, rewardKlFrontier, rewardKlPoint } from "../../theory/frontier.js";
import { constant, exact, type Precise } from "../precise.js";
import { render, ulps, type FunctionOracle, type OracleComparison } from "./oracle.js";
import { anyInstances, exactLogPolicy, preciseKl, type TheoryInstance } from "./theory.js";

/**
 * A theory instance with prompt weights (none: uniform) and a few β; for frontierRewardAtKl a budget of 0, or beyond
 * the largest KL (1.5 times it), or (0.5) the KL of π at the first β.
 */
interface FrontierInstance {
  readonly instance: TheoryInstance;
  readonly weights?: number[];
  readonly betas: number[];
  readonly budget: number;
}

const instances: fc.Arbitrary<FrontierInstance> = anyInstances.chain((instance) =>
  fc.record({
    instance: fc.constant(instance),
    weights: fc.oneof(
      fc.constant(undefined),
      fc
        .array(fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 5, noNaN: true })), {
          minLength: instance.problem.reward.length,
          maxLength: instance.problem.reward.length,
        })
        .map((w) => (w.some((v) => v > 0) ? w : w.map(() => 1))),
    ),
    betas: fc.array(
      fc.oneof(
        fc.constant(instance.problem.beta),
        fc.double({ min: -3, max: 3, noNaN: true }).map((e) => 10 ** e),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    budget: fc.oneof({ weight: 6, arbitrary: fc.constant(0.5) }, { weight: 1, arbitrary: fc.constantFrom(0, 1.5) }),
  }),
);

/** The normalised prompt weights at 50 digits. */
function weightsOf({ instance, weights }: FrontierInstance): Precise[] {
  const given = weights ?? instance.problem.reward.map(() => 1);
  const total = given.reduce((s, w) => s.plus(exact(w)), constant(0));
  return given.map((w) => exact(w).div(total));
}

/**
 * E_x KL(π ‖ π_ref) and E_x E_π r at 50 digits, the sizes of their documented bounds and E_x Var_π(r); prompts of
 * weight 0 drop out.
 */
function point(w: readonly Precise[], logPolicy: Precise[][], f: FrontierInstance) {
  let kl = constant(0);
  let klSize = constant(0);
  let reward = constant(0);
  let rewardSize = constant(0);
  let variance = constant(0);
  logPolicy.forEach((row, x) => {
    if (w[x].isZero()) return;
    const k = preciseKl(row, f.instance.problem.logReference[x]);
    kl = kl.plus(w[x].times(k.value));
    klSize = klSize.plus(w[x].times(k.size.plus(1)));
    let mean = constant(0);
    let meanSquare = constant(0);
    row.forEach((logPi, y) => {
      if (!logPi.isFinite()) return;
      const pi = logPi.exp();
      const r = exact(f.instance.problem.reward[x][y]);
      mean = mean.plus(pi.times(r));
      meanSquare = meanSquare.plus(pi.times(r).times(r));
      rewardSize = rewardSize.plus(w[x].times(pi).times(r.abs()));
    });
    reward = reward.plus(w[x].times(mean));
    variance = variance.plus(w[x].times(meanSquare.minus(mean.times(mean))));
  });
  return { kl, klSize, reward, rewardSize, variance };
}

/** log π_r at 50 digits for every prompt, at β. */
const optimal = (f: FrontierInstance, beta: Precise) =>
  f.instance.problem.reward.map((r, x) => exactLogPolicy(r, f.instance.problem.logReference[x], beta));

/** logOptimalPolicy's documented absolute error per prompt, FEW·EPS·(max|r/β| + max|log π_ref|). */
function policyError(f: FrontierInstance, beta: number): Precise[] {
  return f.instance.problem.reward.map((r, x) => {
    const big = (xs: readonly number[]) => Math.max(0, ...xs.filter(Number.isFinite).map(Math.abs));
    return ulps(exact(big(r)).div(exact(beta)), exact(big(f.instance.problem.logReference[x])));
  });
}

const maxOf = (xs: readonly Precise[]) => xs.reduce((m, x) => (x.gt(m) ? x : m), constant(0));

const problemOf = (f: FrontierInstance) => ({
  reward: f.instance.problem.reward,
  reference: logSpace(f.instance.problem.logReference),
  ...(f.weights === undefined ? {} : { promptWeights: f.weights }),
});

const show = (f: FrontierInstance) =>
  render({
    ...f.instance.problem,
    logPolicy: f.instance.logPolicy,
    weights: f.weights,
    betas: f.betas,
    budget: f.budget,
  });

const rewardKlPointOracle: FunctionOracle<FrontierInstance> = {
  name: "rewardKlPoint",
  bound: "kl: FEW·EPS·Σ_x w_x(1 + Σ π|log π/π_ref|); reward: FEW·EPS·Σ_x w_x Σ π|r| (its documentation)",
  instances,
  compare: (f) => {
    const exactPoint = point(
      weightsOf(f),
      f.instance.logPolicy.map((row) => row.map(exact)),
      f,
    );
    const out = rewardKlPoint(problemOf(f), logSpace(f.instance.logPolicy));
    return [
      { name: "kl", value: out.kl, exact: exactPoint.kl, bound: ulps(exactPoint.klSize) },
      {
        name: "expectedReward",
        value: out.expectedReward,
        exact: exactPoint.reward,
        bound: ulps(exactPoint.rewardSize),
      },
    ];
  },
  show,
};

const rewardKlFrontierOracle: FunctionOracle<FrontierInstance> = {
  name: "rewardKlFrontier",
  bound:
    "as rewardKlPoint at π_r, plus π_r's own error δ_x = FEW·EPS·(max|r/β| + max|log π_ref|) carried through: " +
    "Σ_x w_x δ_x Σ π(1 + |log π/π_ref|) for kl, Σ_x w_x δ_x Σ π|r| for the reward (its documentation)",
  instances,
  compare: (f) => {
    const w = weightsOf(f);
    const out = rewardKlFrontier(problemOf(f), f.betas);
    return f.betas.flatMap((beta, i): OracleComparison[] => {
      const e = point(w, optimal(f, exact(beta)), f);
      const delta = maxOf(policyError(f, beta).filter((_, x) => !w[x].isZero()));
      return [
        { name: `β ${beta}: beta`, value: out[i].beta, exact: exact(beta), bound: constant(0) },
        { name: `β ${beta}: kl`, value: out[i].kl, exact: e.kl, bound: ulps(e.klSize).plus(delta.times(e.klSize)) },
        {
          name: `β ${beta}: expectedReward`,
          value: out[i].expectedReward,
          exact: e.reward,
          bound: ulps(e.rewardSize).plus(delta.times(e.rewardSize)),
        },
      ];
    });
  },
  show,
};

/** frontierRewardAtKl's bisection stops within this width in log β (its documentation). */
const BISECTION_WIDTH = 1e-13;

const frontierRewardAtKlOracle: FunctionOracle<FrontierInstance> = {
  name: "frontierRewardAtKl",
  bound:
    "FEW·EPS·(Σ w E|r| + β·Σ w(1 + E|log π/π_ref|)) + β·δ·Σ w(1 + E|log π/π_ref|) (π_β's own error δ, as for " +
    "rewardKlFrontier) + 1e−13·Var(r)/β (the bisection's width in log β) (its documentation)",
  instances,
  compare: (f) => {
    const p = f.instance.problem;
    const w = weightsOf(f);
    const problem = problemOf(f);
    if (f.budget === 0) {
      // only π_ref has KL 0
      const e = point(
        w,
        p.logReference.map((row) => row.map(exact)),
        f,
      );
      return [{ name: "at KL 0", value: frontierRewardAtKl(problem, 0), exact: e.reward, bound: ulps(e.rewardSize) }];
    }
    if (f.budget > 1) {
      // at or beyond the largest KL, Σ w·(−log π_ref(best supported responses)): the best supported reward
      let klMax = constant(0);
      let best = constant(0);
      p.reward.forEach((r, x) => {
        const supported = r.map((_, y) => y).filter((y) => p.logReference[x][y] > -Infinity);
        const top = Math.max(...supported.map((y) => r[y]));
        const mass = supported.filter((y) => r[y] === top).map((y) => exact(p.logReference[x][y]).exp());
        klMax = klMax.minus(w[x].times(mass.reduce((sum, m) => sum.plus(m), constant(0)).ln()));
        best = best.plus(w[x].times(exact(top)));
      });
      const value = frontierRewardAtKl(problem, klMax.times(exact(f.budget)).toNumber() * (1 + Number.EPSILON));
      return [{ name: "beyond the largest KL", value, exact: best, bound: ulps(best) }];
    }
    // the budget is the KL of π_β at one of the instance's β, rounded to float64; the frontier's slope dR/dKL is β,
    // so the exact answer at the rounded budget is R(β) + β·(budget − KL(β)) to second order, ½·(budget − KL)²/(λ³·Var)
    const beta = exact(f.betas[0]);
    const e = point(w, optimal(f, beta), f);
    const budget = e.kl.toNumber();
    const moved = exact(budget).minus(e.kl);
    const lambda = constant(1).div(beta);
    const secondOrder = e.variance.isZero()
      ? constant(0)
      : moved.times(moved).div(lambda.pow(3).times(e.variance).times(2));
    const expected = e.reward.plus(beta.times(moved));
    const delta = maxOf(policyError(f, f.betas[0]).filter((_, x) => !w[x].isZero()));
    const bound = ulps(e.rewardSize, e.reward, beta.times(e.klSize))
      .plus(beta.times(delta).times(e.klSize))
      .plus(lambda.times(e.variance).times(BISECTION_WIDTH))
      .plus(secondOrder);
    return [
      { name: `at the KL of β ${f.betas[0]}`, value: frontierRewardAtKl(problem, budget), exact: expected, bound },
    ];
  },
  show,
};

/**
 * Oracles of the reward–KL frontier of eq. 3 (`rewardKlPoint`, `rewardKlFrontier`, `frontierRewardAtKl`).
 *
 * @returns one oracle per public frontier function
 * @internal
 */
export function frontierOracles(): FunctionOracle<never>[] {
  return [rewardKlPointOracle, rewardKlFrontierOracle, frontierRewardAtKlOracle] as unknown as FunctionOracle<never>[];
}
