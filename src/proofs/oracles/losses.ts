import fc from "fast-check";
import { LuceError } from "../../errors.js";
import { dpoLoss, plackettLuceDpoLoss, type DpoLossOptions, type DpoLossType } from "../../losses/index.js";
import { pairKernels } from "../../losses/pairwise-kernels.js";
import { constant, exact, logSumExpOf, type Precise } from "../precise.js";
import { eps, FEW, maxAbsFinite, render, ulps, type FunctionOracle, type OracleComparison } from "./oracle.js";
import { plackettLuce } from "./ranking.js";
import {
  add,
  div,
  exp,
  input,
  log,
  log1p,
  logSigmoid,
  mul,
  neg,
  positivePart,
  sigmoid,
  softplus,
  sub,
  type Tracked,
} from "./running-error.js";

/** The parameters a loss formula reads, as tracked inputs. */
interface Parameters {
  readonly beta: Tracked;
  readonly eps: number;
  readonly tau: Tracked;
  readonly delta: Tracked;
}

const half = input(0.5);
const one = input(1);

/** 1/(2β). */
const halfInverse = (beta: Tracked) => div(one, mul(input(2), beta));

/** −(1 − ε) log σ(x) − ε log σ(−x): eq. 7, and conservative DPO where ε > 0. */
function conservative(x: Tracked, e: number): Tracked {
  const loss = neg(logSigmoid(x));
  return e === 0 ? loss : sub(mul(sub(one, input(e)), loss), mul(input(e), logSigmoid(neg(x))));
}

/**
 * Each pairwise loss as its paper (or TRL) writes it, in u = log π_θ/π_ref(y_w) and v = log π_θ/π_ref(y_l), already
 * divided by the lengths where the type normalises; x = β(u − v). Only 1 − σ(t) is written σ(−t), the same number.
 */
const PAIR_FORMULAS: Record<string, (u: Tracked, v: Tracked, p: Parameters) => Tracked> = {
  sigmoid: (u, v, p) => conservative(mul(p.beta, sub(u, v)), p.eps),
  conservative_sigmoid: (u, v, p) => conservative(mul(p.beta, sub(u, v)), p.eps),
  hinge: (u, v, p) => positivePart(sub(one, mul(p.beta, sub(u, v))), FEW),
  ipo: (u, v, p) => {
    const r = sub(sub(u, v), halfInverse(p.beta));
    return mul(r, r);
  },
  sigmoid_norm: (u, v, p) => neg(logSigmoid(mul(p.beta, sub(u, v)))),
  // KL(Bernoulli(σ(x)) ‖ Bernoulli(1 − ε))
  exo_pair: (u, v, p) => {
    const x = mul(p.beta, sub(u, v));
    const chosen = mul(sigmoid(x), sub(logSigmoid(x), log1p(neg(input(p.eps)))));
    return add(chosen, mul(sigmoid(neg(x)), sub(logSigmoid(neg(x)), log(input(p.eps)))));
  },
  nca_pair: (u, v, p) => {
    const a = mul(p.beta, u);
    const b = mul(p.beta, v);
    return sub(sub(neg(logSigmoid(a)), mul(half, logSigmoid(neg(a)))), mul(half, logSigmoid(neg(b))));
  },
  robust: (u, v, p) => {
    const x = mul(p.beta, sub(u, v));
    const numerator = add(mul(neg(sub(one, input(p.eps))), logSigmoid(x)), mul(input(p.eps), logSigmoid(neg(x))));
    return div(numerator, sub(one, mul(input(2), input(p.eps))));
  },
  bco_pair: (u, v, p) =>
    sub(neg(logSigmoid(sub(mul(p.beta, u), p.delta))), logSigmoid(neg(sub(mul(p.beta, v), p.delta)))),
  sppo_hard: (u, v, p) => {
    const a = sub(u, halfInverse(p.beta));
    const b = add(v, halfInverse(p.beta));
    return add(mul(a, a), mul(b, b));
  },
  // 1 − σ(βu) + σ(βv)
  apo_zero: (u, v, p) => add(sigmoid(neg(mul(p.beta, u))), sigmoid(mul(p.beta, v))),
  // σ(βu) + 1 − σ(β(u − v))
  apo_down: (u, v, p) => add(sigmoid(mul(p.beta, u)), sigmoid(neg(mul(p.beta, sub(u, v))))),
  // (1 − w)(−log σ(l)) + w e^{−l}, w = σ(l/τ)
  discopop: (u, v, p) => {
    const l = mul(p.beta, sub(u, v));
    const w = sigmoid(div(l, p.tau));
    return add(mul(sigmoid(neg(div(l, p.tau))), softplus(neg(l))), mul(w, exp(neg(l))));
  },
};

/** The pairwise loss types the oracle has a formula for (a type added to dpoLoss needs its formula here). @internal */
export const PAIR_FORMULA_TYPES: readonly string[] = Object.keys(PAIR_FORMULAS);

/** One instance of dpoLoss: a batch of pairs and the options of one loss type. */
interface DpoInstance {
  readonly lossType: DpoLossType;
  readonly pairs: { pc: number; pr: number; rc: number; rr: number; cl: number; rl: number }[];
  readonly beta: number;
  readonly referenceFree: boolean;
  readonly lengths: boolean;
  readonly labelSmoothing?: number;
  readonly tau?: number;
  readonly delta?: number;
}

/** Every loss type dpoLoss knows: the pairwise kernels' and the two AOT types (`aot_pair` is `aot_unpaired`). */
function dpoLossTypes(): DpoLossType[] {
  return [...(Object.keys(pairKernels) as DpoLossType[]), "aot", "aot_unpaired"];
}

/** The label-smoothing ε each type accepts (undefined: the type takes none, or its default). */
function smoothing(lossType: string): fc.Arbitrary<number | undefined> {
  if (["sigmoid", "conservative_sigmoid", "aot", "aot_unpaired"].includes(lossType))
    return fc.oneof(fc.constant(undefined), fc.constantFrom(0, 0.5), fc.double({ min: 0, max: 0.5, noNaN: true }));
  if (lossType === "robust") return fc.oneof(fc.constant(undefined), fc.double({ min: 0, max: 0.49, noNaN: true }));
  if (lossType === "exo_pair")
    return fc.oneof(fc.constant(undefined), fc.double({ min: 1e-6, max: 0.999, noNaN: true }));
  return fc.constant(undefined);
}

/** Sequence log-probabilities: ordinary most of the time, then long sequences and the edges (0, −1e−300, −1e5). */
const logProbability = fc.oneof(
  { weight: 5, arbitrary: fc.double({ min: -60, max: 0, noNaN: true }) },
  { weight: 2, arbitrary: fc.double({ min: -1e4, max: 0, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1e-300, -0.5, -745, -1e5) },
);

/** β log-uniform over [0.01, 10] most of the time, and the edges 1e−3 and 100. */
const betaArbitrary = fc.oneof(
  { weight: 5, arbitrary: fc.double({ min: -2, max: 1, noNaN: true }).map((e) => 10 ** e) },
  { weight: 1, arbitrary: fc.constantFrom(1e-3, 1, 100) },
);

const dpoInstances: fc.Arbitrary<DpoInstance> = fc.constantFrom(...dpoLossTypes()).chain((lossType) =>
  fc.record({
    lossType: fc.constant(lossType),
    pairs: fc.array(
      fc.record({
        pc: logProbability,
        pr: logProbability,
        rc: logProbability,
        rr: logProbability,
        cl: fc.integer({ min: 1, max: 200 }),
        rl: fc.integer({ min: 1, max: 200 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    beta: betaArbitrary,
    referenceFree: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    lengths: lossType === "sigmoid_norm" ? fc.constant(true) : fc.boolean(),
    labelSmoothing: smoothing(lossType),
    tau: fc.oneof(fc.constant(undefined), fc.double({ min: 0.01, max: 2, noNaN: true })),
    delta: fc.oneof(fc.constant(undefined), fc.double({ min: -5, max: 5, noNaN: true })),
  }),
);

/** The documented default ε of each type that takes one. */
const DEFAULT_SMOOTHING: Record<string, number> = { exo_pair: 1e-3 };

/** Where `chosen` names an input (which pair, which side), that input carries derivative 1. */
type Chosen = { pair: number; side: "pc" | "pr" } | null;

/**
 * The losses of a batch at 50 digits, each with its derivative in the chosen policy log-probability: the formula of
 * its type on u, v (over the lengths for `ipo` and `sigmoid_norm`), or the AOT losses on sorted batch quantities.
 */
function exactLosses(i: DpoInstance, chosen: Chosen): Tracked[] {
  const beta = input(i.beta);
  const e = i.labelSmoothing ?? DEFAULT_SMOOTHING[i.lossType] ?? 0;
  const p: Parameters = { beta, eps: e, tau: input(i.tau ?? 0.05), delta: input(i.delta ?? 0) };
  const ratios = i.pairs.map((x, k) => {
    const pc = input(x.pc, chosen?.pair === k && chosen.side === "pc");
    const pr = input(x.pr, chosen?.pair === k && chosen.side === "pr");
    return {
      pc,
      pr,
      u: i.referenceFree ? pc : sub(pc, input(x.rc)),
      v: i.referenceFree ? pr : sub(pr, input(x.rr)),
      reference: i.referenceFree ? input(0) : sub(input(x.rc), input(x.rr)),
    };
  });
  if (i.lossType === "aot" || i.lossType === "aot_unpaired") {
    // Δ_k = a_(k) − b_(k): aot sorts policy chosen − rejected against reference chosen − rejected, aot_unpaired u
    // against v; ascending, ties by index, on the float64 differences the function forms (as documented)
    const a = ratios.map((r) => (i.lossType === "aot" ? sub(r.pc, r.pr) : r.u));
    const b = ratios.map((r) => (i.lossType === "aot" ? r.reference : r.v));
    const float = (t: Tracked) => t.v.toNumber();
    const order = (t: Tracked[]) => t.map((_, k) => k).sort((x, y) => float(t[x]) - float(t[y]) || x - y);
    const [oa, ob] = [order(a), order(b)];
    return oa.map((_, k) => conservative(mul(beta, sub(a[oa[k]], b[ob[k]])), e));
  }
  const normalised = i.lossType === "ipo" || i.lossType === "sigmoid_norm";
  return ratios.map((r, k) => {
    const x = i.pairs[k];
    const u = i.lengths && normalised ? div(r.u, input(x.cl)) : r.u;
    const v = i.lengths && normalised ? div(r.v, input(x.rl)) : r.v;
    const formula = PAIR_FORMULAS[i.lossType] as ((u: Tracked, v: Tracked, p: Parameters) => Tracked) | undefined;
    if (formula === undefined) throw new Error(`the dpoLoss oracle has no formula for lossType '${i.lossType}'`);
    return formula(u, v, p);
  });
}

/** The float64 range: an exact result beyond it is one dpoLoss must refuse. */
const FLOAT64_MAX = exact(Number.MAX_VALUE);

/** The comparisons of a call that threw: fine (a documented refusal) only where an exact result is beyond float64. */
function refusal(error: unknown, exacts: Precise[]): OracleComparison[] {
  if (!(error instanceof LuceError)) throw error;
  const beyond = exacts.some((e) => e.abs().gt(FLOAT64_MAX));
  const message = `refused (${error.message})`;
  return [{ name: message, value: beyond ? 0 : NaN, exact: constant(0), bound: constant(0) }];
}

function dpoOptions(i: DpoInstance): DpoLossOptions {
  return {
    beta: i.beta,
    lossType: i.lossType,
    // TRL 0.x's semantics: the formulas above, cDPO's ε for sigmoid and bco_pair's δ
    semantics: "trl-0",
    ...(i.referenceFree ? { referenceFree: true } : {}),
    ...(i.labelSmoothing === undefined ? {} : { labelSmoothing: i.labelSmoothing }),
    ...(i.tau === undefined || i.lossType !== "discopop" ? {} : { discopopTau: i.tau }),
    ...(i.delta === undefined || i.lossType !== "bco_pair" ? {} : { bcoDelta: i.delta }),
  };
}

const dpoOracle: FunctionOracle<DpoInstance> = {
  name: "dpoLoss",
  bound:
    "FEW·EPS·(running error bound of the type's formula in float64, inputs exact) per loss, gradient and implicit " +
    "reward (its documentation: a few ulp of the loss, absolute where the formula cancels, plus the inputs' rounding)",
  instances: dpoInstances,
  compare: (i) => {
    const losses = exactLosses(i, null);
    const gradients = (["pc", "pr"] as const).map((side) =>
      i.pairs.map((_, pair) =>
        exactLosses(i, { pair, side }).reduce((s, l) => ({ d: s.d.plus(l.d), ed: s.ed.plus(l.ed) }), {
          d: constant(0),
          ed: constant(0),
        }),
      ),
    );
    const beta = exact(i.beta);
    const rewards = (["c", "r"] as const).map((side) =>
      i.pairs.map((x) => {
        const [policy, reference] = side === "c" ? [x.pc, x.rc] : [x.pr, x.rr];
        const ratio = exact(policy).minus(i.referenceFree ? constant(0) : exact(reference));
        const value = beta.times(ratio);
        // one rounding of the log-ratio, one of the product
        return { value, bound: ulps(value) };
      }),
    );
    const exacts = [...losses.map((l) => l.v), ...gradients.flat().map((g) => g.d)];
    const referenceFree = i.referenceFree;
    let out;
    try {
      out = dpoLoss(
        {
          policyChosenLogps: i.pairs.map((x) => x.pc),
          policyRejectedLogps: i.pairs.map((x) => x.pr),
          ...(referenceFree
            ? {}
            : { referenceChosenLogps: i.pairs.map((x) => x.rc), referenceRejectedLogps: i.pairs.map((x) => x.rr) }),
          ...(i.lengths ? { chosenLengths: i.pairs.map((x) => x.cl), rejectedLengths: i.pairs.map((x) => x.rl) } : {}),
        },
        dpoOptions(i),
      );
    } catch (error) {
      return refusal(error, exacts);
    }
    const result = out;
    return [
      ...losses.map((l, k) => ({ name: `loss ${k}`, value: result.losses[k], exact: l.v, bound: ulps(l.ev) })),
      ...gradients[0].map((g, k) => ({
        name: `gradPolicyChosen ${k}`,
        value: result.gradPolicyChosen[k],
        exact: g.d,
        bound: ulps(g.ed),
      })),
      ...gradients[1].map((g, k) => ({
        name: `gradPolicyRejected ${k}`,
        value: result.gradPolicyRejected[k],
        exact: g.d,
        bound: ulps(g.ed),
      })),
      ...rewards[0].map((r, k) => ({
        name: `chosenRewards ${k}`,
        value: result.chosenRewards[k],
        exact: r.value,
        bound: r.bound,
      })),
      ...rewards[1].map((r, k) => ({
        name: `rejectedRewards ${k}`,
        value: result.rejectedRewards[k],
        exact: r.value,
        bound: r.bound,
      })),
    ];
  },
  show: render,
};

/** Rows of K responses with their log-probs and a ranking (a full one, or a top-k). */
interface ListwiseInstance {
  readonly beta: number;
  readonly rows: { policy: number[]; reference: number[]; ranking: number[] }[];
}

const listwiseInstances: fc.Arbitrary<ListwiseInstance> = fc.record({
  beta: betaArbitrary,
  rows: fc.array(
    fc.integer({ min: 2, max: 6 }).chain((K) =>
      fc
        .record({
          policy: fc.array(logProbability, { minLength: K, maxLength: K }),
          reference: fc.array(logProbability, { minLength: K, maxLength: K }),
          keys: fc.array(fc.nat(), { minLength: K, maxLength: K }),
          k: fc.integer({ min: 1, max: K }),
        })
        .map(({ policy, reference, keys, k }) => ({
          policy,
          reference,
          ranking: keys
            .map((_, j) => j)
            .sort((a, b) => keys[a] - keys[b] || a - b)
            .slice(0, k),
        })),
    ),
    { minLength: 1, maxLength: 3 },
  ),
});

const listwiseOracle: FunctionOracle<ListwiseInstance> = {
  name: "plackettLuceDpoLoss",
  bound:
    "loss: as plackettLuceLogProbability on r̂ = β log π_θ/π_ref, plus 2k·δ for r̂'s rounding δ = " +
    "EPS·β·max(|log π_θ| + |log π_ref|); gradient: FEW·EPS·β·Σ_steps (1 + max|r̂|) + β·2k·δ; rewards: FEW·EPS·β(|log π_θ| + |log π_ref|)",
  instances: listwiseInstances,
  compare: ({ beta, rows }) => {
    const b = exact(beta);
    const expected = rows.map(({ policy, reference, ranking }) => {
      const rhat = policy.map((p, k) => b.times(exact(p).minus(exact(reference[k]))));
      const all = policy.map((_, k) => k);
      const { value, size } = plackettLuce(rhat, ranking, all);
      const delta = eps(constant(Math.max(...policy.map((p, k) => Math.abs(p) + Math.abs(reference[k]))))).times(b);
      const scoreError = delta.times(2 * ranking.length);
      // −β Σ_steps ([j = τ(step)] − p_step,j), p the softmax of r̂ over the responses still in play
      const remaining = [...ranking, ...all.filter((j) => !ranking.includes(j))];
      const grad = all.map(() => constant(0));
      let gradSize = constant(0);
      ranking.forEach((item, i) => {
        const set = remaining.slice(i);
        const z = logSumExpOf(set.map((j) => rhat[j]));
        grad[item] = grad[item].minus(b);
        for (const j of set) grad[j] = grad[j].plus(b.times(rhat[j].minus(z).exp()));
        gradSize = gradSize.plus(maxAbsFinite(set.map((j) => rhat[j])).plus(1));
      });
      const gradBound = ulps(gradSize).times(b).plus(b.times(scoreError));
      const rewardBound = policy.map((p, k) => ulps(exact(p), exact(reference[k])).times(b).plus(ulps(rhat[k])));
      return { loss: value.neg(), lossBound: ulps(size).plus(scoreError), rhat, grad, gradBound, rewardBound };
    });
    let out;
    try {
      out = plackettLuceDpoLoss(
        {
          policyLogps: rows.map((r) => r.policy),
          referenceLogps: rows.map((r) => r.reference),
          rankings: rows.map((r) => r.ranking),
        },
        { beta },
      );
    } catch (error) {
      return refusal(
        error,
        expected.flatMap((e) => [e.loss, ...e.grad, ...e.rhat]),
      );
    }
    const result = out;
    return expected.flatMap((e, i) => [
      { name: `loss ${i}`, value: result.losses[i], exact: e.loss, bound: e.lossBound },
      ...e.grad.map((g, k) => ({
        name: `gradPolicy ${i}, ${k}`,
        value: result.gradPolicy[i][k],
        exact: g,
        bound: e.gradBound,
      })),
      ...e.rhat.map((r, k) => ({
        name: `rewards ${i}, ${k}`,
        value: result.rewards[i][k],
        exact: r,
        bound: e.rewardBound[k],
      })),
    ]);
  },
  show: render,
};

/**
 * Oracles of the loss family: `dpoLoss` for every loss type (losses, both gradients, the implicit rewards) and the
 * listwise `plackettLuceDpoLoss`, each against its formula at 50 digits.
 *
 * @returns one oracle per public loss function
 * @internal
 */
export function lossOracles(): FunctionOracle<never>[] {
  return [dpoOracle, listwiseOracle] as unknown as FunctionOracle<never>[];
}
