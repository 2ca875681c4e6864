import { readPopulationOptimumProblem } from "../../theory/population-optimum.js";
import { listwiseRankings } from "../../theory/population-loss.js";
import { sigmoidUnchecked } from "../../numerics/sigmoid.js";
import { intervalRow, klOf, logPolicyOf, maxOf } from "../enclosures.js";
import type { InstanceEnclosure, ResidualEnclosure } from "../instance-enclosure.js";
import {
  abs,
  add,
  div,
  fromConstant,
  fromDouble,
  ln,
  max,
  mul,
  neg,
  sigmoid,
  sub,
  sum,
  type Interval,
} from "../interval/index.js";
import { krawczykZero, type IntervalSystem } from "../krawczyk.js";
import { F_DPO_DIVERGENCES, type FDpoInstance } from "./loss-f-dpo.js";
import { computeOptimum, solveLaplacian, type LossOptimumInstance } from "./loss-optimum.js";
import {
  listwiseSystem,
  lossOptimumEnclosure,
  pairSystem,
  pairTerms,
  populationOptimumErrors,
  rewardScores,
  targetErrors,
  type CertifiedOptimum,
  type PairKernel,
} from "./loss-optimum-enclosure.js";
import { pairComponents } from "./loss-sigmoid.js";

/*
 * The enclosure of each loss statement (docs/loss-theory.md): the claimed optimum's scores z (z_0 = 0) in interval
 * arithmetic, written from the statement's closed form, and the loss whose optimum populationOptimum computed.
 */

type Enclosure = (instance: never) => InstanceEnclosure;

const sigmoidKernel: PairKernel = { kind: "sigmoid", smoothing: 0 };
const identity = () => ({ kind: "identity" as const });
const pairwise = (kernel: (instance: LossOptimumInstance) => PairKernel) => (instance: LossOptimumInstance) =>
  pairSystem(instance.reward.length, instance.beta, kernel(instance), pairTerms(instance));

/** DPO and its π_r* claims: the sigmoid loss, z = (r* − r*_0)/β. */
const sigmoidOptimal = lossOptimumEnclosure<LossOptimumInstance>({
  solve: (instance) => computeOptimum("sigmoid", instance),
  system: pairwise(() => sigmoidKernel),
  map: identity,
  claimed: (instance) => rewardScores(instance),
  implied: (instance) => instance.reward,
});

/**
 * A disconnected μ: the loss is a sum over pairs inside components, so shifting z on every component apart from
 * response 0's by 1 changes no term: z′ = (r* − r*_0)/β + that shift is a minimiser as π_r*'s z is (its gradient,
 * enclosed, vanishes), and KL(π_z′ ‖ π_r*) > 0 proves that the optimum is not π_r* alone.
 */
function sigmoidDisconnected(instance: LossOptimumInstance): InstanceEnclosure {
  const label = pairComponents(instance.pairWeights);
  const base = rewardScores(instance);
  const shifted = base.map((v, y) => (label[y] === label[0] ? v : add(v, fromConstant(1))));
  const gradient = pairwise(() => sigmoidKernel)(instance).value(shifted.slice(1));
  const ref = intervalRow(instance.logReference);
  const one = fromConstant(1);
  const residuals: ResidualEnclosure[] = [
    { name: "max_y |∂L/∂z_y| at z′ (another minimiser)", value: maxOf(gradient.map(abs)), claim: "= 0" },
    {
      name: "KL(π_z′ ‖ π_r*), z′ minimising too",
      value: klOf(logPolicyOf(shifted, ref, one), logPolicyOf(base, ref, one)).value,
      claim: "= 0",
    },
  ];
  return { residuals, float64: [] };
}

/** The rate ε of a conservative-DPO instance: the loss's smoothing or the labels' flips. */
const rate = (instance: LossOptimumInstance) => instance.labelSmoothing ?? instance.labelNoise ?? 0;

/**
 * The tree's claimed z: z_{i+1} = z_i − logit q̃_{i,i+1}/β, q̃ = (1 − ε)σ(Δ) + εσ(−Δ), logit q̃ = log q̃ − log(1 − q̃)
 * with 1 − q̃ = (1 − ε)σ(−Δ) + εσ(Δ) (sums of positives).
 */
function pathScores(instance: LossOptimumInstance): Interval[] {
  const r = intervalRow(instance.reward);
  const e = fromDouble(rate(instance));
  const keep = sub(fromConstant(1), e);
  const b = fromDouble(instance.beta);
  const out = [fromConstant(0)];
  for (let i = 0; i + 1 < r.length; i++) {
    const d = sub(r[i], r[i + 1]);
    const q = add(mul(keep, sigmoid(d)), mul(e, sigmoid(neg(d))));
    const notQ = add(mul(keep, sigmoid(neg(d))), mul(e, sigmoid(d)));
    out.push(sub(out[i], div(sub(ln(q), ln(notQ)), b)));
  }
  return out;
}

const conservativeKernel = (instance: LossOptimumInstance): PairKernel => ({
  kind: "sigmoid",
  smoothing: instance.labelSmoothing ?? 0,
});
const conservativeType = (instance: LossOptimumInstance) =>
  instance.labelSmoothing === undefined ? "sigmoid" : "conservative_sigmoid";

const conservativePath = lossOptimumEnclosure<LossOptimumInstance>({
  solve: (instance) => computeOptimum(conservativeType(instance), instance),
  system: pairwise(conservativeKernel),
  map: identity,
  claimed: pathScores,
});

const conservativeOptimal = lossOptimumEnclosure<LossOptimumInstance>({
  solve: (instance) => computeOptimum(conservativeType(instance), instance),
  system: pairwise(conservativeKernel),
  map: identity,
  claimed: (instance) => rewardScores(instance),
  implied: (instance) => instance.reward,
});

/** Robust DPO (the instance's labelSmoothing is the rate it is told), or plain DPO where it is told none. */
function robustEnclosure(sign: 1 | -1) {
  return lossOptimumEnclosure<LossOptimumInstance>({
    solve: (instance) => computeOptimum(instance.labelSmoothing === undefined ? "sigmoid" : "robust", instance),
    system: pairwise((instance) =>
      instance.labelSmoothing === undefined ? sigmoidKernel : { kind: "robust", eps: instance.labelSmoothing },
    ),
    map: identity,
    claimed: (instance) => rewardScores(instance, sign),
    implied: (instance) => instance.reward.map((r) => sign * r),
  });
}

/** μ₀(i)μ₀(j) exactly, for the independent-pairs instances; the float64 entry otherwise. */
const exactWeight = (instance: LossOptimumInstance) => (i: number, j: number) => {
  const mu0 = instance.responseWeights;
  return mu0 === undefined ? fromDouble(instance.pairWeights[i][j]) : mul(fromDouble(mu0[i]), fromDouble(mu0[j]));
};

const ipoSystem = (instance: LossOptimumInstance) =>
  pairSystem(instance.reward.length, instance.beta, { kind: "ipo" }, pairTerms(instance, exactWeight(instance)));

/** q_ij − ½ = (σ(Δ) − σ(−Δ))/2 of the labels (noise-free: the IPO instances flip none). */
const centred = (r: readonly Interval[], i: number, j: number) =>
  div(sub(sigmoid(sub(r[i], r[j])), sigmoid(sub(r[j], r[i]))), fromConstant(2));

/**
 * The least-squares claim: βz solves Σ_j μ_ij (x_i − x_j) = Σ_j μ_ij (q_ij − ½) with x_0 = 0, a linear system
 * proven solved (and its solution enclosed) by the same Krawczyk test, around its float64 solution.
 */
function leastSquaresScores(instance: LossOptimumInstance): Interval[] {
  const mu = instance.pairWeights;
  const k = mu.length;
  const r = intervalRow(instance.reward);
  const w = mu.map((row) => row.map(fromDouble));
  const b = Array.from({ length: k }, (_, i) =>
    sum(mu[i].flatMap((v, j) => (v === 0 ? [] : [mul(w[i][j], centred(r, i, j))]))),
  );
  const system: IntervalSystem = {
    value: (x) => {
      const full = [fromConstant(0), ...x];
      return full
        .map((xi, i) => sub(sum(full.map((xj, j) => (i === j ? fromConstant(0) : mul(w[i][j], sub(xi, xj))))), b[i]))
        .slice(1);
    },
    jacobian: () => w.slice(1).map((row, i) => row.slice(1).map((v, j) => (i === j ? sum(w[i + 1]) : neg(v)))),
  };
  const centredFloat = (i: number, j: number) =>
    (sigmoidUnchecked(instance.reward[i] - instance.reward[j]) -
      sigmoidUnchecked(instance.reward[j] - instance.reward[i])) /
    2;
  const bFloat = mu.map((row, i) => row.reduce((a, v, j) => a + (v === 0 ? 0 : v * centredFloat(i, j)), 0));
  const start = Array.from(solveLaplacian(mu, bFloat));
  const size = start.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
  const { box } = krawczykZero(system, start.slice(1), 16 * Number.EPSILON * size);
  const beta = fromDouble(instance.beta);
  return [fromConstant(0), ...box].map((v) => div(v, beta));
}

/** The μ₀ closed form: βz_i = Σ_{j≠i} μ₀(j)(q_ij − ½) / Σ_j μ₀(j), against response 0's. */
function independentPairsScores(instance: LossOptimumInstance): Interval[] {
  const mu0 = intervalRow(instance.responseWeights!);
  const r = intervalRow(instance.reward);
  const total = sum(mu0);
  const beta = fromDouble(instance.beta);
  const implied = r.map((_, i) => div(sum(mu0.flatMap((m, j) => (i === j ? [] : [mul(m, centred(r, i, j))]))), total));
  return implied.map((v) => div(sub(v, implied[0]), beta));
}

function ipoEnclosure(claimed: (instance: LossOptimumInstance) => Interval[], optimal = false) {
  return lossOptimumEnclosure<LossOptimumInstance>({
    solve: (instance) => computeOptimum("ipo", instance),
    system: ipoSystem,
    map: identity,
    claimed,
    ...(optimal ? { implied: (instance: LossOptimumInstance) => instance.reward } : {}),
  });
}

/** max(0, a). */
const positivePart = (a: Interval): Interval => max(a, fromConstant(0));

/**
 * Hinge, K = 2: the population loss of the margin x = β(h_0 − h_1) is f(x) = q max(0, 1 − x) + (1 − q) max(0, 1 + x)
 * (times μ), q = σ(r*_0 − r*_1): convex and piecewise linear, so x minimises it iff 0 lies between its one-sided
 * slopes f′(x⁻) ≤ 0 ≤ f′(x⁺), uniquely iff strictly. Residuals: the distance of 0 from [f′(x⁻), f′(x⁺)] at the
 * claimed margin, and max(f′(x⁻), −f′(x⁺)) (≤ 0: the minimiser is unique).
 */
function hingeEnclosure(recovers: boolean) {
  return (instance: LossOptimumInstance): InstanceEnclosure => {
    const [r0, r1] = intervalRow(instance.reward);
    const gap = instance.reward[0] - instance.reward[1];
    const q = sigmoid(sub(r0, r1));
    const notQ = sigmoid(sub(r1, r0));
    const x = recovers ? sub(r0, r1) : fromConstant(Math.sign(gap));
    const one = fromConstant(1);
    // each branch must be decided on the whole enclosure of x; an undecided one gives an uninformative residual
    const below = (a: Interval, c: Interval) => a.hi.lt(c.lo);
    const above = (a: Interval, c: Interval) => a.lo.gt(c.hi);
    const decided = (below(x, neg(one)) || above(x, neg(one))) && (below(x, one) || above(x, one));
    const onePoint = x.lo.eq(x.hi) && (x.lo.eq(1) || x.lo.eq(-1));
    if (!decided && !onePoint) {
      const wide = { lo: fromConstant(0).lo, hi: fromConstant(2).hi };
      return { residuals: [{ name: "dist(0, ∂f(x)) at the claimed margin", value: wide, claim: "= 0" }], float64: [] };
    }
    const zero = fromConstant(0);
    const le = (c: number) => x.hi.lte(c);
    const lt = (c: number) => x.hi.lt(c);
    const left = add(le(1) ? neg(q) : zero, !le(-1) ? notQ : zero);
    const right = add(lt(1) ? neg(q) : zero, !lt(-1) ? notQ : zero);
    const residuals: ResidualEnclosure[] = [
      {
        name: "dist(0, [f′(x⁻), f′(x⁺)]) at the claimed margin",
        value: add(positivePart(left), positivePart(neg(right))),
        claim: "= 0",
      },
      { name: "max(f′(x⁻), −f′(x⁺)) (< 0: the minimiser is unique)", value: max(left, neg(right)), claim: "≤ 0" },
    ];
    const solution = computeOptimum("hinge", instance);
    if (solution.kind !== "optimum") throw new Error(`populationOptimum found no optimum: ${solution.reason}`);
    const optimum: CertifiedOptimum = {
      z: [zero, div(fromConstant(-Math.sign(gap)), fromDouble(instance.beta))],
      logPolicy: solution.logPolicy,
      logPolicyError: solution.certificate.logPolicyError,
    };
    const implied = [recovers ? gap : Math.sign(gap), 0];
    return {
      residuals,
      float64: [
        ...populationOptimumErrors(instance, optimum, { kind: "identity" }),
        ...targetErrors(instance, implied, solution.logPolicy),
      ],
    };
  };
}

function lengthNormalizedEnclosure(equal: boolean) {
  return lossOptimumEnclosure<LossOptimumInstance>({
    solve: (instance) => computeOptimum("sigmoid_norm", instance),
    system: pairwise(() => sigmoidKernel),
    map: (instance) => ({ kind: "lengths", lengths: instance.lengths! }),
    // the form: z = (r* − r*_0)/β; "π_r*" with every length L: h = r*/β + c, so z = h/L = (r* − r*_0)/(βL)
    claimed: (instance) =>
      equal ? rewardScores(instance).map((v, y) => div(v, fromDouble(instance.lengths![y]))) : rewardScores(instance),
    ...(equal ? { implied: (instance: LossOptimumInstance) => instance.reward } : {}),
  });
}

/** f-DPO: the sigmoid loss on the scores z = f′(π/π_ref); β s(h_y) = r*_y − λ, so z = (r* − r*_0)/β. */
const fDpoEnclosure = lossOptimumEnclosure<FDpoInstance>({
  solve: (instance) => {
    const divergence = F_DPO_DIVERGENCES[instance.divergence] ?? "reverse_kl";
    return computeOptimum("sigmoid", instance, false, {
      fDivergence: divergence,
      ...(instance.alpha === undefined ? {} : { fAlphaDivergenceCoef: instance.alpha }),
    });
  },
  system: pairwise(() => sigmoidKernel),
  map: (instance) => ({
    kind: "f",
    divergence: F_DPO_DIVERGENCES[instance.divergence] ?? "reverse_kl",
    alpha: instance.alpha ?? 0.5,
  }),
  claimed: (instance) => rewardScores(instance),
});

/** Listwise Plackett–Luce DPO on PL(r*) rankings: z = (r* − r*_0)/β. */
const plackettLuceEnclosure = lossOptimumEnclosure<LossOptimumInstance>({
  solve: (instance) => computeOptimum("plackett_luce", instance, true),
  system: (instance) => {
    const read = readPopulationOptimumProblem("populationOptimum", {
      lossType: "plackett_luce",
      beta: instance.beta,
      reward: [instance.reward],
      logReference: [instance.logReference],
    });
    return listwiseSystem(instance, listwiseRankings(read.prompts[0]).rankings);
  },
  map: identity,
  claimed: (instance) => rewardScores(instance),
  implied: (instance) => instance.reward,
});

/**
 * The enclosure of each loss statement by id (lossStatements' ids).
 * @internal
 */
export const LOSS_ENCLOSURES: Readonly<Record<string, Enclosure>> = {
  "loss-sigmoid": sigmoidOptimal,
  "loss-sigmoid-disconnected": sigmoidDisconnected,
  "loss-plackett-luce": plackettLuceEnclosure,
  "loss-conservative-tree": conservativePath,
  "loss-conservative-complete": conservativePath,
  "loss-conservative-optimal": conservativeOptimal,
  "loss-robust-true-rate": robustEnclosure(1),
  "loss-robust-plain": robustEnclosure(1),
  "loss-robust-misspecified": robustEnclosure(1),
  "loss-robust-above-half": robustEnclosure(1),
  "loss-robust-above-half-reversed": robustEnclosure(-1),
  "loss-ipo-least-squares": ipoEnclosure(leastSquaresScores),
  "loss-ipo-independent-pairs": ipoEnclosure(independentPairsScores),
  "loss-ipo-optimal": ipoEnclosure((instance) => rewardScores(instance), true),
  "loss-hinge": hingeEnclosure(false),
  "loss-hinge-optimal": hingeEnclosure(true),
  "loss-length-normalized-form": lengthNormalizedEnclosure(false),
  "loss-length-normalized-equal-lengths": lengthNormalizedEnclosure(true),
  "loss-f-dpo": fDpoEnclosure as Enclosure,
} as Record<string, Enclosure>;
