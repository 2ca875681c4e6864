import { log1mExpUnchecked } from "../numerics/log1m-exp.js";
import { logSigmoidUnchecked } from "../numerics/log-sigmoid.js";
import { scaledDifference } from "./pairwise-kernels.js";

/**
 * The f-divergence that regularises the policy against the reference (Wang et al. 2023, "Beyond Reverse KL:
 * Generalizing Direct Preference Optimization with Diverse Divergence Constraints", f-DPO), by TRL's
 * `f_divergence_type` names. It maps each response's log-ratio r = log π_θ(y)/π_ref(y) to the score
 * s(r) = f′(e^r) (constants dropped) that the loss type then uses in place of r:
 * - `reverse_kl` (DPO): s = r
 * - `forward_kl`: s = −e^{−r}
 * - `js_divergence`: s = log σ(r)
 * - `alpha_divergence`: s = e^{(α−1) r} / (α − 1), and s = r where |α − 1| < 1e−6 (the limit α → 1, as TRL)
 */
export type FDivergence = "reverse_kl" | "forward_kl" | "js_divergence" | "alpha_divergence";

/** The f-divergences {@link FDivergence} names. @internal */
export const F_DIVERGENCES: readonly FDivergence[] = ["reverse_kl", "forward_kl", "js_divergence", "alpha_divergence"];

/** |α − 1| below this is α = 1, where the α-divergence's score is r itself (TRL's threshold). @internal */
export const ALPHA_IS_ONE = 1e-6;

/**
 * A score map s and what the losses need of it, in float64 and finite wherever the exact value is.
 * `length` divides the score (`ipo` and `sigmoid_norm` use s(r)/length, as TRL 1.x; others pass 1).
 * @internal
 */
export interface ScoreMap {
  /** True for s = r: the score is the log-ratio itself. */
  readonly identity: boolean;
  /** s(r) / length. */
  score(r: number, length: number): number;
  /**
   * d = s(rw)/lw − s(rl)/lr and β·d into out[0], out[1], each ±Infinity only where the exact value is beyond
   * the float64 range (d itself may overflow where β·d does not).
   */
  difference(rw: number, lw: number, rl: number, lr: number, beta: number, out: Float64Array): void;
  /** g · s′(r), the chain rule from a score's gradient g to the log-ratio's; 0 where g is 0. */
  chain(g: number, r: number): number;
}

/** Below this a float64 has lost digits (subnormal): a product is formed in log space instead. */
const SMALLEST_NORMAL = 2 ** -1022;

/** g · e^{logFactor} where the factor e^{logFactor} over- or underflows on its own. */
function timesExp(g: number, factor: number, logFactor: number): number {
  if (g === 0) return 0;
  if (factor >= SMALLEST_NORMAL && Number.isFinite(factor)) return g * factor;
  return Math.sign(g) * Math.exp(Math.log(Math.abs(g)) + logFactor);
}

const identity: ScoreMap = {
  identity: true,
  score: (r, length) => r / length,
  difference(rw, lw, rl, lr, beta, out) {
    const u = rw / lw;
    const v = rl / lr;
    out[0] = u - v;
    out[1] = scaledDifference(beta, u, v);
  },
  chain: (g) => g,
};

// s = log σ(r) ∈ (−∞, 0) is finite for every finite r, and s′ = σ(−r) = e^{log σ(−r)}, whose log keeps
// its digits where σ(−r) underflows (r > 745)
const logSigmoidScore: ScoreMap = {
  identity: false,
  score: (r, length) => logSigmoidUnchecked(r) / length,
  difference(rw, lw, rl, lr, beta, out) {
    const u = logSigmoidUnchecked(rw) / lw;
    const v = logSigmoidUnchecked(rl) / lr;
    out[0] = u - v;
    out[1] = scaledDifference(beta, u, v);
  },
  chain: (g, r) => timesExp(g, Math.exp(logSigmoidUnchecked(-r)), logSigmoidUnchecked(-r)),
};

/**
 * s = c·e^{k r} with c·k = 1, so s′ = e^{k r}: forward KL (c = k = −1) and α-divergence (c = 1/(α−1),
 * k = α − 1). e^{k r} overflows at k r > 709.78 (r < −709.78 for forward KL) where differences and β·s
 * may still be finite: those are formed from logarithms, log|c| + k r − log length.
 */
function exponentialScore(c: number, k: number): ScoreMap {
  const logC = Math.log(Math.abs(c));
  const signC = Math.sign(c);
  const score = (r: number, length: number): number => {
    const direct = (c * Math.exp(k * r)) / length;
    return Number.isFinite(direct) ? direct : signC * Math.exp(logC + k * r - Math.log(length));
  };
  return {
    identity: false,
    score,
    difference(rw, lw, rl, lr, beta, out) {
      const d = score(rw, lw) - score(rl, lr);
      if (Number.isFinite(d)) {
        out[0] = d;
        out[1] = beta * d;
        return;
      }
      // c (e^{aw} − e^{al}) with a = k r − log length, as sign · e^{log|c| + max a + log(1 − e^{−|aw − al|})}:
      // nothing in it overflows before the final exp
      const aw = k * rw - Math.log(lw);
      const al = k * rl - Math.log(lr);
      const logMagnitude = logC + Math.max(aw, al) + log1mExpUnchecked(-Math.abs(aw - al));
      const sign = aw === al ? 0 : signC * Math.sign(aw - al);
      out[0] = sign * Math.exp(logMagnitude);
      out[1] = sign * Math.exp(Math.log(beta) + logMagnitude);
    },
    chain: (g, r) => timesExp(g, Math.exp(k * r), k * r),
  };
}

/**
 * The score map of an f-divergence; `alpha` is read for `alpha_divergence` only.
 * @internal
 */
export function scoreMapOf(divergence: FDivergence, alpha: number): ScoreMap {
  switch (divergence) {
    case "reverse_kl":
      return identity;
    case "forward_kl":
      return exponentialScore(-1, -1);
    case "js_divergence":
      return logSigmoidScore;
    case "alpha_divergence":
      return Math.abs(alpha - 1) < ALPHA_IS_ONE ? identity : exponentialScore(1 / (alpha - 1), alpha - 1);
  }
}

/** The log-ratio itself as the score: the map of `reverse_kl`, and of the types that ignore scores. @internal */
export const IDENTITY_SCORE: ScoreMap = identity;
