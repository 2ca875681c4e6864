import { ALPHA_IS_ONE } from "../../losses/f-divergence.js";
import { logSigmoidUnchecked } from "../../numerics/log-sigmoid.js";
import { logOptimalPolicyRow } from "../../theory/kernels.js";
import { klRow } from "../../theory/kl.js";
import type { FRegularizer } from "../../theory/f-regularized-policy.js";
import type { PromptSolution } from "../../theory/population-optimum.js";
import { intervalRow, klOf, logPolicyOf, maxAbsDiffOf } from "../enclosures.js";
import { float64Error, type Float64Error } from "../float64-error.js";
import { klDivergenceError, logOptimalPolicyErrors } from "../function-errors.js";
import type { InstanceEnclosure, ResidualEnclosure } from "../instance-enclosure.js";
import {
  abs,
  add,
  div,
  exp,
  fromConstant,
  fromDouble,
  logSigmoid,
  logSumExp,
  mul,
  neg,
  sigmoid,
  sigmoidSlope,
  sub,
  type Interval,
} from "../interval/index.js";
import { krawczykZero, type IntervalSystem } from "../krawczyk.js";
import type { LossOptimumInstance } from "./loss-optimum.js";

/*
 * The population optimum of a loss statement, certified. Every loss the statements use depends on the policy only
 * through differences of per-response scores z_y = φ_y(h_y), h = log π/π_ref (φ the identity, h/L_y for the
 * length-normalised loss, f′(e^h) for f-DPO), and every policy with π_ref's support has one z up to a constant (the
 * normaliser fixes it), so the optimum is the zero of ∇_z L in the gauge z_0 = 0. Krawczyk's test around
 * populationOptimum's float64 answer proves that zero exists and is unique near it; each loss here is convex in z
 * (its kernels' second derivatives, below, are non-negative), so that zero is the global minimiser, unique up to the
 * gauge on a connected μ.
 */

/** A pair kernel as a function of x = scale·(z_i − z_j) (scale β, or 1 for `ipo`). */
export type PairKernel =
  /** (1 − ε)(−log σ(x)) + ε(−log σ(−x)): `sigmoid` (ε = 0) and `conservative_sigmoid`; ℓ″ = σ′. */
  | { readonly kind: "sigmoid"; readonly smoothing: number }
  /** ((1 − ε)(−log σ(x)) − ε(−log σ(−x)))/(1 − 2ε): `robust`; ℓ″ = σ′ as well. */
  | { readonly kind: "robust"; readonly eps: number }
  /** (x − 1/(2β))² on x = z_i − z_j: `ipo`; ℓ″ = 2. */
  | { readonly kind: "ipo" };

/** How the loss sees the log-ratios: z_y = φ_y(h_y). */
export type ScoreMap =
  | { readonly kind: "identity" }
  | { readonly kind: "lengths"; readonly lengths: readonly number[] }
  | { readonly kind: "f"; readonly divergence: FRegularizer; readonly alpha: number };

/** One compared pair i < j: its weight μ_ij and label probabilities q_ij, q_ji, enclosed. */
interface PairTerm {
  readonly i: number;
  readonly j: number;
  readonly mu: Interval;
  readonly qij: Interval;
  readonly qji: Interval;
}

/** q_ij = (1 − η)σ(r*_i − r*_j) + ησ(r*_j − r*_i), η the instance's label noise, enclosed. */
function labelProbability(instance: LossOptimumInstance, i: number, j: number): Interval {
  const r = intervalRow(instance.reward);
  const noise = fromDouble(instance.labelNoise ?? 0);
  const delta = sub(r[i], r[j]);
  return add(mul(sub(fromConstant(1), noise), sigmoid(delta)), mul(noise, sigmoid(neg(delta))));
}

/**
 * The compared pairs of an instance; `weight` gives μ_ij (default the float64 entry, exactly; the independent-pairs
 * statement passes the exact products μ₀(i)μ₀(j)).
 */
export function pairTerms(
  instance: LossOptimumInstance,
  weight: (i: number, j: number) => Interval = (i, j) => fromDouble(instance.pairWeights[i][j]),
): PairTerm[] {
  const out: PairTerm[] = [];
  const k = instance.reward.length;
  for (let i = 0; i < k; i++)
    for (let j = i + 1; j < k; j++)
      if (instance.pairWeights[i][j] !== 0)
        out.push({
          i,
          j,
          mu: weight(i, j),
          qij: labelProbability(instance, i, j),
          qji: labelProbability(instance, j, i),
        });
  return out;
}

/** The full z (z_0 = 0) from the unknowns z_1 … z_{K−1}. */
const withGauge = (x: readonly Interval[]): Interval[] => [fromConstant(0), ...x];

/** Rows and columns 1 … K−1 of a K×K matrix (the gauge's complement). */
const reduced = (h: Interval[][]): Interval[][] => h.slice(1).map((row) => row.slice(1));

const zeros = (k: number): Interval[] => Array.from({ length: k }, () => fromConstant(0));

/**
 * ∇_z L = 0 for the pairwise population loss Σ_{i<j} μ_ij [q_ij ℓ(x) + q_ji ℓ(−x)], x = scale·(z_i − z_j): with
 * D₁ = ∂/∂x of the bracket and D₂ = ∂²/∂x², ∂L/∂z_i = scale·D₁ = −∂L/∂z_j and the Hessian adds scale²·D₂ on the
 * pair's 2×2 block [1, −1; −1, 1].
 */
export function pairSystem(k: number, beta: number, kernel: PairKernel, terms: readonly PairTerm[]): IntervalSystem {
  const b = fromDouble(beta);
  const one = fromConstant(1);
  const scale = kernel.kind === "ipo" ? one : b;
  const tau = div(one, mul(fromConstant(2), b));
  const prepared = terms.map((t) => {
    const total = mul(t.mu, add(t.qij, t.qji));
    if (kernel.kind === "ipo")
      return { ...t, total, a: fromConstant(0), c: mul(mul(fromConstant(2), tau), mul(t.mu, sub(t.qij, t.qji))) };
    const e = fromDouble(kernel.kind === "sigmoid" ? kernel.smoothing : kernel.eps);
    const keep = sub(one, e);
    // coefficients of σ(x) and σ(−x) in D₁
    if (kernel.kind === "sigmoid")
      return {
        ...t,
        total,
        a: mul(t.mu, add(mul(keep, t.qji), mul(e, t.qij))),
        c: mul(t.mu, add(mul(keep, t.qij), mul(e, t.qji))),
      };
    const unbias = sub(one, mul(fromConstant(2), e));
    return {
      ...t,
      total,
      a: div(mul(t.mu, sub(mul(keep, t.qji), mul(e, t.qij))), unbias),
      c: div(mul(t.mu, sub(mul(keep, t.qij), mul(e, t.qji))), unbias),
    };
  });
  const argument = (z: Interval[], t: PairTerm) => mul(scale, sub(z[t.i], z[t.j]));
  return {
    value(x) {
      const z = withGauge(x);
      const g = zeros(k);
      for (const t of prepared) {
        const arg = argument(z, t);
        const d1 =
          kernel.kind === "ipo"
            ? sub(mul(mul(fromConstant(2), t.total), arg), t.c)
            : sub(mul(t.a, sigmoid(arg)), mul(t.c, sigmoid(neg(arg))));
        const gi = mul(scale, d1);
        g[t.i] = add(g[t.i], gi);
        g[t.j] = sub(g[t.j], gi);
      }
      return g.slice(1);
    },
    jacobian(x) {
      const z = withGauge(x);
      const h = Array.from({ length: k }, () => zeros(k));
      for (const t of prepared) {
        const d2 = kernel.kind === "ipo" ? mul(fromConstant(2), t.total) : mul(t.total, sigmoidSlope(argument(z, t)));
        const v = mul(mul(scale, scale), d2);
        h[t.i][t.i] = add(h[t.i][t.i], v);
        h[t.j][t.j] = add(h[t.j][t.j], v);
        h[t.i][t.j] = sub(h[t.i][t.j], v);
        h[t.j][t.i] = sub(h[t.j][t.i], v);
      }
      return reduced(h);
    },
  };
}

/**
 * ∇_z L = 0 for the listwise loss E_{τ∼PL(r*)}[−log PL(τ | βz)] (appendix A.3): grouping the rankings' steps by the
 * set S still to be ranked, with P_S the probability of reaching S and P_{S,j} that of then placing j,
 * ∂L/∂z_j = β Σ_S (P_S softmax_S(βz)_j − P_{S,j}), and the Hessian is β² Σ_S P_S (diag p_S − p_S p_Sᵀ).
 * `rankings` are the K! full rankings.
 */
export function listwiseSystem(instance: LossOptimumInstance, rankings: readonly number[][]): IntervalSystem {
  const k = instance.reward.length;
  const b = fromDouble(instance.beta);
  const r = intervalRow(instance.reward);
  const sets = new Map<number, { members: number[]; reach: Interval; placed: Interval[] }>();
  for (const tau of rankings) {
    // log PL(τ | r*) = Σ_k (r_τk − log Σ_{j ∈ S_k} e^{r_j})
    let logP = fromConstant(0);
    for (let s = 0; s < tau.length; s++) logP = add(logP, sub(r[tau[s]], logSumExp(tau.slice(s).map((j) => r[j]))));
    const p = exp(logP);
    for (let s = 0; s + 1 < tau.length; s++) {
      const members = tau.slice(s);
      const key = members.reduce((m, j) => m | (1 << j), 0);
      const entry = sets.get(key) ?? { members: [...members].sort(), reach: fromConstant(0), placed: zeros(k) };
      entry.reach = add(entry.reach, p);
      entry.placed[tau[s]] = add(entry.placed[tau[s]], p);
      sets.set(key, entry);
    }
  }
  const softmax = (z: Interval[], members: number[]) => {
    const scores = members.map((j) => mul(b, z[j]));
    const log = logSumExp(scores);
    return scores.map((s) => exp(sub(s, log)));
  };
  return {
    value(x) {
      const z = withGauge(x);
      const g = zeros(k);
      for (const { members, reach, placed } of sets.values()) {
        const p = softmax(z, members);
        members.forEach((j, m) => (g[j] = add(g[j], mul(b, sub(mul(reach, p[m]), placed[j])))));
      }
      return g.slice(1);
    },
    jacobian(x) {
      const z = withGauge(x);
      const h = Array.from({ length: k }, () => zeros(k));
      const b2 = mul(b, b);
      for (const { members, reach } of sets.values()) {
        const p = softmax(z, members);
        members.forEach((i, m) =>
          members.forEach((j, n) => {
            const cov = m === n ? sub(p[m], mul(p[m], p[m])) : neg(mul(p[m], p[n]));
            h[i][j] = add(h[i][j], mul(b2, mul(reach, cov)));
          }),
        );
      }
      return reduced(h);
    },
  };
}

/** Whether an f map scores by e^{(α−1)h}/(α − 1): the α-divergence away from α = 1, as `dpoLoss` decides it. */
const exponentialScore = (map: ScoreMap & { kind: "f" }): boolean =>
  map.divergence === "alpha_divergence" && Math.abs(map.alpha - 1) >= ALPHA_IS_ONE;

/** The score map φ(h) in float64, as `dpoLoss` forms its f-DPO scores (only a centre for the interval test). */
function scoreFloat(map: ScoreMap, y: number, h: number): number {
  if (map.kind === "identity") return h;
  if (map.kind === "lengths") return h / map.lengths[y];
  if (map.divergence === "forward_kl") return -Math.exp(-h);
  if (map.divergence === "js_divergence") return logSigmoidUnchecked(h);
  if (exponentialScore(map)) return Math.exp((map.alpha - 1) * h) / (map.alpha - 1);
  return h;
}

/** φ_y over an interval of h. */
function scoreInterval(map: ScoreMap, y: number, h: Interval): Interval {
  if (map.kind === "identity") return h;
  if (map.kind === "lengths") return div(h, fromDouble(map.lengths[y]));
  if (map.divergence === "forward_kl") return neg(exp(neg(h)));
  if (map.divergence === "js_divergence") return logSigmoid(h);
  if (exponentialScore(map)) {
    const a = sub(fromDouble(map.alpha), fromConstant(1));
    return div(exp(mul(a, h)), a);
  }
  return h;
}

/** An upper bound of φ′_y over an interval of h (each φ is increasing). */
function scoreSlope(map: ScoreMap, y: number, h: Interval): Interval {
  if (map.kind === "identity") return fromConstant(1);
  if (map.kind === "lengths") return div(fromConstant(1), fromDouble(map.lengths[y]));
  if (map.divergence === "forward_kl") return exp(neg(h));
  if (map.divergence === "js_divergence") return sigmoid(neg(h));
  if (exponentialScore(map)) return exp(mul(sub(fromDouble(map.alpha), fromConstant(1)), h));
  return fromConstant(1);
}

/** The certified optimum: the box of z (z_0 = 0) holding the exact one, and populationOptimum's float64 answer. */
export interface CertifiedOptimum {
  /** z* enclosed, z*_0 = 0. */
  readonly z: Interval[];
  /** populationOptimum's log π. */
  readonly logPolicy: Float64Array;
  /** The error it claims for log π. */
  readonly logPolicyError: number;
}

/** The least box radius around the float64 answer, in units of EPS·(1 + max|z|): its own rounding. */
const FLOOR_ULPS = 16;

/**
 * Krawczyk's test for the stationarity system around populationOptimum's answer (mapped to z): a unique zero, then
 * the box tightened to 1e−50 relative.
 *
 * @throws RangeError where the test fails, Error where populationOptimum found no optimum
 */
export function certifyOptimum(
  instance: LossOptimumInstance,
  solution: PromptSolution,
  system: IntervalSystem,
  map: ScoreMap,
): CertifiedOptimum {
  if (solution.kind !== "optimum") throw new Error(`populationOptimum found no optimum: ${solution.reason}`);
  const h = Array.from(solution.logPolicy, (l, y) => l - instance.logReference[y]);
  const z = h.map((v, y) => scoreFloat(map, y, v) - scoreFloat(map, 0, h[0]));
  const size = z.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
  const { box } = krawczykZero(system, z.slice(1), FLOOR_ULPS * Number.EPSILON * size);
  return {
    z: withGauge(box),
    logPolicy: solution.logPolicy,
    logPolicyError: solution.certificate.logPolicyError,
  };
}

/**
 * The residuals of "the population optimum is the claimed one": max_y |z*_y − z_claimed,y| (scores against response
 * 0's; 0 exactly when the two policies agree, the map from score differences to policies being one to one), and,
 * for the identity map, KL(π* ‖ π_claimed).
 */
export function optimumClaimResiduals(
  instance: LossOptimumInstance,
  optimum: CertifiedOptimum,
  claimed: readonly Interval[],
  map: ScoreMap,
): ResidualEnclosure[] {
  const out: ResidualEnclosure[] = [
    { name: "max_y |z*_y − z_claimed,y| (score differences)", value: maxAbsDiffOf(optimum.z, claimed), claim: "= 0" },
  ];
  if (map.kind === "identity") {
    const ref = intervalRow(instance.logReference);
    const one = fromConstant(1);
    const kl = klOf(logPolicyOf(optimum.z, ref, one), logPolicyOf([...claimed], ref, one)).value;
    out.push({ name: "KL(π* ‖ π_claimed)", value: kl, claim: "= 0" });
  }
  return out;
}

/**
 * populationOptimum's float64 answer against the certified exact optimum, held to the error its certificate claims
 * (`logPolicyError`): per response, |log π − log π*| for the identity map; for other maps, where log π* needs the
 * normaliser, the score differences |φ(h_y) − φ(h_0) − z*_y| against that error carried through φ (φ′ bounded over h
 * ± the error).
 */
export function populationOptimumErrors(
  instance: LossOptimumInstance,
  optimum: CertifiedOptimum,
  map: ScoreMap,
): Float64Error[] {
  const { logPolicy, logPolicyError } = optimum;
  const e = fromDouble(logPolicyError);
  if (map.kind === "identity") {
    const exact = logPolicyOf(optimum.z, intervalRow(instance.logReference), fromConstant(1));
    return exact.map((v, y) => float64Error("populationOptimum", `log π, response ${y}`, logPolicy[y], v, e));
  }
  const h = Array.from(logPolicy, (l, y) => sub(fromDouble(l), fromDouble(instance.logReference[y])));
  const widened = (v: Interval): Interval => ({ lo: sub(v, e).lo, hi: add(v, e).hi });
  const slope0 = scoreSlope(map, 0, widened(h[0]));
  const s0 = scoreInterval(map, 0, h[0]);
  const out: Float64Error[] = [];
  for (let y = 1; y < h.length; y++) {
    const error = abs(sub(sub(scoreInterval(map, y, h[y]), s0), optimum.z[y]));
    // the slopes' upper ends: any number above e·(sup φ′_y + sup φ′_0) is that claim's consequence
    const bound = mul(e, add(scoreSlope(map, y, widened(h[y])), slope0));
    out.push({
      function: "populationOptimum",
      output: `z_${y} − z_0 (scores of log π/π_ref), response ${y}`,
      error,
      bound: { lo: bound.hi, hi: bound.hi },
    });
  }
  return out;
}

/**
 * The float64 errors of the closed-form luce functions a statement compares with: logOptimalPolicy on the claimed
 * implied rewards, and klDivergence from populationOptimum's answer to it.
 */
export function targetErrors(instance: LossOptimumInstance, implied: readonly number[], logPolicy: Float64Array) {
  const target = logOptimalPolicyRow(implied, instance.logReference, instance.beta);
  return [
    ...logOptimalPolicyErrors(implied, instance.logReference, instance.beta, target, "π_claimed"),
    klDivergenceError(logPolicy, target, Math.max(0, klRow(logPolicy, target)), "π_populationOptimum ‖ π_claimed"),
  ];
}

/** What one loss statement's enclosure needs. */
export interface LossEnclosureSpec<I extends LossOptimumInstance> {
  /** populationOptimum's float64 answer, as the statement computes it. */
  solve(instance: I): PromptSolution;
  /** The stationarity system in z. */
  system(instance: I): IntervalSystem;
  /** The score map. */
  map(instance: I): ScoreMap;
  /** The claimed optimum's z (z_0 = 0), enclosed. */
  claimed(instance: I): Interval[];
  /** The claimed implied rewards in float64, where the statement forms its target with logOptimalPolicy. */
  implied?(instance: I): number[];
}

/** A loss statement's enclosure from its spec. */
export function lossOptimumEnclosure<I extends LossOptimumInstance>(
  spec: LossEnclosureSpec<I>,
): (instance: I) => InstanceEnclosure {
  return (instance) => {
    const map = spec.map(instance);
    const optimum = certifyOptimum(instance, spec.solve(instance), spec.system(instance), map);
    const residuals = optimumClaimResiduals(instance, optimum, spec.claimed(instance), map);
    const float64 = populationOptimumErrors(instance, optimum, map);
    if (spec.implied !== undefined) float64.push(...targetErrors(instance, spec.implied(instance), optimum.logPolicy));
    return { residuals, float64 };
  };
}

/** (r*_y − r*_0)·sign/β: the z of π_{±r*}. */
export function rewardScores(instance: LossOptimumInstance, sign = 1): Interval[] {
  const r = intervalRow(instance.reward);
  const b = fromDouble(instance.beta);
  return r.map((v) => mul(fromConstant(sign), div(sub(v, r[0]), b)));
}
