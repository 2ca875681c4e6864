import { addCompensated, settleCompensated } from "./compensated.js";
import { NeumaierSum } from "../numerics/sum.js";
import type { Factors } from "./factors.js";
import { largest } from "./stopping-rule.js";

/** The smallest normal float64: below it e^(−|d|) has lost digits (or is 0). */
const MIN_NORMAL = 2 ** -1022;

/** Groups are the fitting data as built (see {@link Factors}). @internal */
export type Groups = Factors;

/** Per-iterate quantities shared by the gradient and the information products. @internal */
export interface GroupState {
  readonly logLikelihood: number;
  readonly gradient: Float64Array;
  /**
   * e_m = exp(θ_m − M_g) per member slot (M_g the group's largest θ), for groups of three or more members (this
   * and the next two are not written for a pair, whose information is its `curvature`).
   */
  readonly e: Float64Array;
  /** 1/S_j per member slot j < k (S_j the suffix sum from j). */
  readonly inverseSuffix: Float64Array;
  /** Σ_{j ≤ min(i, k−1)} 1/S_j per member slot i. */
  readonly prefixInverse: Float64Array;
  /** Work space of the information products, one entry per member slot. */
  readonly scratch: Float64Array;
  /**
   * w·σ(d)σ(−d) of each pairwise group (unused for larger groups): the information of one comparison,
   * kept from the log-odds so that it neither cancels (p − p²) nor underflows while w·e^(−|d|) is
   * representable (a count of 1e300 at a log-odds of 1000).
   */
  readonly curvature: Float64Array;
  /**
   * When every group is a pair: the information's diagonal, each item's sum of its pairs' curvatures (written with
   * them, which spares the Newton step's preconditioner a pass over the data); empty otherwise.
   */
  readonly pairDiagonal: Float64Array;
  /** The rounding errors of the gradient's per-item sums (see {@link addCompensated}), one per item. */
  readonly compensation: Float64Array;
}

/**
 * ∇ℓ (and ℓ unless `withLogLikelihood` is false: NaN then) at θ, keeping the sums the information products need;
 * `reuse` lends its arrays. @internal
 */
export function evaluateGroups(
  groups: Groups,
  theta: Float64Array,
  reuse?: GroupState,
  withLogLikelihood = true,
): GroupState {
  const { start, members, factors, weight } = groups;
  const gradient = reuse?.gradient.fill(0) ?? new Float64Array(theta.length);
  const gradientCompensation = reuse?.compensation.fill(0) ?? new Float64Array(theta.length);
  const curvature = reuse?.curvature ?? new Float64Array(start.length - 1);
  const none = new Float64Array(0);
  if (allPairs(start)) {
    const pairDiagonal = reuse?.pairDiagonal.fill(0) ?? new Float64Array(theta.length);
    const logLikelihood = evaluatePairs(
      groups,
      theta,
      { gradient, compensation: gradientCompensation, curvature, diagonal: pairDiagonal },
      withLogLikelihood,
    );
    // pairs keep nothing per member slot
    return {
      logLikelihood,
      gradient,
      e: none,
      inverseSuffix: none,
      prefixInverse: none,
      scratch: none,
      compensation: gradientCompensation,
      curvature,
      pairDiagonal,
    };
  }
  const e = reuse?.e ?? new Float64Array(members.length);
  const inverseSuffix = reuse?.inverseSuffix ?? new Float64Array(members.length);
  const prefixInverse = reuse?.prefixInverse ?? new Float64Array(members.length);
  const logLikelihood = new NeumaierSum();
  for (let g = 0; g + 1 < start.length; g++) {
    const a = start[g];
    const b = start[g + 1];
    const k = factors[g];
    const w = weight[g];
    if (b - a === 2) {
      const pair = addPair(
        members[a],
        members[a + 1],
        w,
        g,
        theta,
        gradient,
        gradientCompensation,
        curvature,
        withLogLikelihood,
      );
      if (withLogLikelihood) logLikelihood.add(pair);
      continue;
    }
    let max = -Infinity;
    for (let m = a; m < b; m++) max = Math.max(max, theta[members[m]]);
    for (let m = a; m < b; m++) e[m] = Math.exp(theta[members[m]] - max);
    // suffix sums S_j for j < k, from the end
    let suffix = 0;
    for (let m = b - 1; m >= a + k; m--) suffix += e[m];
    let groupLog = 0;
    for (let j = k - 1; j >= 0; j--) {
      const tail = suffix; // S_{j+1}
      suffix += e[a + j];
      inverseSuffix[a + j] = 1 / suffix;
      // log p = log(e_j / S_j); the chosen item's 1 − p is S_{j+1}/S_j, without cancellation
      if (withLogLikelihood) groupLog += Math.log(e[a + j]) - Math.log(suffix);
      addCompensated(gradient, gradientCompensation, members[a + j], (w * tail) / suffix);
    }
    let running = 0;
    for (let m = a; m < b; m++) {
      if (m < a + k) {
        running += inverseSuffix[m];
        // item j's own factor contributes its 1 − p above; its earlier factors −e·Σ_{i<j} 1/S_i
        addCompensated(gradient, gradientCompensation, members[m], -w * e[m] * (running - inverseSuffix[m]));
      } else {
        addCompensated(gradient, gradientCompensation, members[m], -w * e[m] * running);
      }
      prefixInverse[m] = running;
    }
    logLikelihood.add(w * groupLog);
  }
  settleCompensated(gradient, gradientCompensation);
  return {
    logLikelihood: withLogLikelihood ? logLikelihood.value() : Number.NaN,
    gradient,
    e,
    inverseSuffix,
    prefixInverse,
    scratch: reuse?.scratch ?? new Float64Array(members.length),
    compensation: gradientCompensation,
    curvature,
    pairDiagonal: none,
  };
}

/**
 * The largest |θ| at which {@link evaluatePairs} works from the items' strengths e^θ ({@link addPairsByStrength}):
 * their ratios and each pair's shares e^θ_l / (e^θ_w + e^θ_l) are then at least e^(−2·RATIO_LIMIT), far above the
 * smallest normal float64 (e^(−708)), so that they keep their digits.
 */
const RATIO_LIMIT = 300;

/** {@link allPairs} of each groups' `start` seen, so that a fit's many evaluations scan it once. */
const pairsOnly = new WeakMap<Int32Array, boolean>();

/**
 * Whether every group has two members (pairwise comparisons): {@link evaluatePairs} and the pairs' branches of
 * the information's functions then do the work. Groups' arrays are not changed after they are built.
 * @internal
 */
export function allPairs(start: Int32Array): boolean {
  let known = pairsOnly.get(start);
  if (known === undefined) {
    known = true;
    for (let g = 0; g < start.length && known; g++) known = start[g] === 2 * g;
    pairsOnly.set(start, known);
  }
  return known;
}

/** What {@link evaluatePairs} writes: the gradient (compensated), the curvatures and their sums per item. */
interface PairOutputs {
  readonly gradient: Float64Array;
  readonly compensation: Float64Array;
  readonly curvature: Float64Array;
  readonly diagonal: Float64Array;
}

/**
 * {@link evaluateGroups} when every group is a pair (member slots 2g and 2g + 1, the winner first): the gradient,
 * the curvatures and the information's diagonal written to `out` (all zero on entry), the log-likelihood returned
 * (NaN unless `withLogLikelihood`).
 */
function evaluatePairs(groups: Groups, theta: Float64Array, out: PairOutputs, withLogLikelihood: boolean): number {
  const { members, weight } = groups;
  // from the items' e^θ, one exponential per item instead of one per comparison, where every |θ| ≤ RATIO_LIMIT;
  // beyond, one exponential per comparison
  if (largest(theta) <= RATIO_LIMIT && weight.length > theta.length)
    return addPairsByStrength(groups, theta.map(Math.exp), out, withLogLikelihood);
  const { gradient, compensation, curvature, diagonal } = out;
  const logLikelihood = new NeumaierSum();
  for (let g = 0; g < weight.length; g++) {
    const winner = members[2 * g];
    const loser = members[2 * g + 1];
    const term = addPair(winner, loser, weight[g], g, theta, gradient, compensation, curvature, withLogLikelihood);
    if (withLogLikelihood) logLikelihood.add(term);
    diagonal[winner] += curvature[g];
    diagonal[loser] += curvature[g];
  }
  settleCompensated(gradient, compensation);
  return withLogLikelihood ? logLikelihood.value() : Number.NaN;
}

/**
 * {@link evaluatePairs} from the items' strengths γ = e^θ, all within [e^−RATIO_LIMIT, e^RATIO_LIMIT]: with
 * u = γ_loser / (γ_winner + γ_loser) = σ(−d), the gradient's w·u, the curvature w·u·(1 − u) as w·u·γ_winner / (γ_winner
 * + γ_loser), and w·log σ(d) = −w·log1p(γ_loser / γ_winner): ratios and sums of positive terms, which neither cancel
 * nor leave float64's normal range, and no branch on the sign of d (which the data make unpredictable). The
 * log-likelihood's terms are summed with Knuth's TwoSum, as {@link addCompensated}.
 */
function addPairsByStrength(
  groups: Groups,
  strength: Float64Array,
  { gradient, compensation, curvature, diagonal }: PairOutputs,
  withLogLikelihood: boolean,
): number {
  const { members, weight } = groups;
  let logLikelihood = 0;
  let lost = 0;
  for (let g = 0; g < weight.length; g++) {
    const winner = members[2 * g];
    const loser = members[2 * g + 1];
    const winnerStrength = strength[winner];
    const loserStrength = strength[loser];
    const inverse = 1 / (winnerStrength + loserStrength);
    const flow = weight[g] * (loserStrength * inverse);
    const c = flow * (winnerStrength * inverse);
    curvature[g] = c;
    diagonal[winner] += c;
    diagonal[loser] += c;
    addCompensated(gradient, compensation, winner, flow);
    addCompensated(gradient, compensation, loser, -flow);
    if (withLogLikelihood) {
      const term = -weight[g] * Math.log1p(loserStrength / winnerStrength);
      const sum = logLikelihood + term;
      const back = sum - logLikelihood;
      lost += logLikelihood - (sum - back) + (term - back);
      logLikelihood = sum;
    }
  }
  settleCompensated(gradient, compensation);
  return withLogLikelihood ? logLikelihood + lost : Number.NaN;
}

/**
 * One comparison of `winner` and `loser` with weight w (group g): adds w·σ(−d) to the winner's gradient entry and
 * takes it from the loser's (compensated), writes the curvature w·σ(d)σ(−d), and returns w·log σ(d), d = θ_winner −
 * θ_loser (0 unless `withLogLikelihood`). One exponential, e^(−|d|); log σ through its two branches.
 */
function addPair(
  winner: number,
  loser: number,
  w: number,
  g: number,
  theta: Float64Array,
  gradient: Float64Array,
  gradientCompensation: Float64Array,
  curvature: Float64Array,
  withLogLikelihood: boolean,
): number {
  const d = theta[winner] - theta[loser];
  const tail = Math.exp(-Math.abs(d));
  const inverse = 1 / (1 + tail);
  // w·σ(−d) and w·σ(d)σ(−d); past float64's exponent range for e^(−|d|) alone, as exp(log w − |d|)
  const tiny = tail < MIN_NORMAL;
  const flow = d >= 0 && tiny ? Math.exp(Math.log(w) - d) : w * (d >= 0 ? tail : 1) * inverse;
  curvature[g] = tiny ? Math.exp(Math.log(w) - Math.abs(d)) : w * tail * inverse * inverse;
  addCompensated(gradient, gradientCompensation, winner, flow);
  addCompensated(gradient, gradientCompensation, loser, -flow);
  return withLogLikelihood ? w * ((d >= 0 ? 0 : d) - Math.log1p(tail)) : 0;
}

/** The information's diagonal: Σ_j w p_{j,i}(1 − p_{j,i}) = w(e_i Σ 1/S_j − e_i² Σ 1/S_j²). @internal */
export function groupInformationDiagonal(groups: Groups, state: GroupState): Float64Array {
  const { start, members, factors, weight } = groups;
  if (allPairs(start)) return state.pairDiagonal.slice();
  const d = new Float64Array(groups.nItems);
  for (let g = 0; g + 1 < start.length; g++) {
    const a = start[g];
    const k = factors[g];
    if (start[g + 1] - a === 2) {
      d[members[a]] += state.curvature[g];
      d[members[a + 1]] += state.curvature[g];
      continue;
    }
    let squares = 0;
    for (let m = a; m < start[g + 1]; m++) {
      if (m < a + k) squares += state.inverseSuffix[m] ** 2;
      d[members[m]] += weight[g] * (state.e[m] * state.prefixInverse[m] - state.e[m] ** 2 * squares);
    }
  }
  return d;
}

/** (Jv)_i = w(e_i v_i Σ_{j} 1/S_j − e_i Σ_{j} V_j/S_j²), V_j = Σ_{l ≥ j} e_l v_l. @internal */
export function groupInformationTimes(groups: Groups, state: GroupState, v: Float64Array, out: Float64Array): void {
  const { start, members, factors, weight } = groups;
  const { e, inverseSuffix, prefixInverse } = state;
  const scratch = state.scratch;
  out.fill(0);
  if (allPairs(start)) {
    // one pairwise factor each: w p_a p_b (v_a − v_b)
    for (let g = 0; g + 1 < start.length; g++) {
      const i = members[2 * g];
      const j = members[2 * g + 1];
      const flow = state.curvature[g] * (v[i] - v[j]);
      out[i] += flow;
      out[j] -= flow;
    }
    return;
  }
  for (let g = 0; g + 1 < start.length; g++) {
    const a = start[g];
    const b = start[g + 1];
    const k = factors[g];
    const w = weight[g];
    if (b - a === 2) {
      // one pairwise factor: w p_a p_b (v_a − v_b)
      const i = members[a];
      const j = members[a + 1];
      const flow = state.curvature[g] * (v[i] - v[j]);
      out[i] += flow;
      out[j] -= flow;
      continue;
    }
    let tailProduct = 0;
    for (let m = b - 1; m >= a + k; m--) tailProduct += e[m] * v[members[m]];
    // suffix products V_j for j < k (kept in `scratch` at the member slots), then prefix sums of V_j / S_j²
    for (let j = k - 1; j >= 0; j--) {
      tailProduct += e[a + j] * v[members[a + j]];
      scratch[a + j] = tailProduct * inverseSuffix[a + j] * inverseSuffix[a + j];
    }
    let running = 0;
    for (let m = a; m < b; m++) {
      if (m < a + k) running += scratch[m];
      out[members[m]] += w * e[m] * (v[members[m]] * prefixInverse[m] - running);
    }
  }
}
