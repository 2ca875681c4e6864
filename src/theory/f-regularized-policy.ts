import { LuceError } from "../errors.js";
import { logSumExpParts } from "../numerics/log-sum-exp.js";
import { describe, requireFinite } from "../validation/checks.js";
import { logOptimalPolicyRow } from "./kernels.js";
import { readProblem } from "./optimal-policy.js";
import type { Policy, Rows } from "./rows.js";

/**
 * The f-divergence D_f(π‖π_ref) = Σ_y π_ref(y) f(π(y)/π_ref(y)) that regularises the policy, by TRL's
 * `f_divergence_type` names (Wang et al. 2023, "Beyond Reverse KL", f-DPO). Each is named by its score
 * s(ℓ) = f′(e^ℓ) up to a constant, ℓ = log π/π_ref, the quantity f-DPO puts in place of the log-ratio:
 * - `reverse_kl`: f(t) = t log t, s = ℓ (eq. 3 itself)
 * - `forward_kl`: f(t) = −log t, s = −e^{−ℓ}
 * - `js_divergence`: f(t) = t log t − (1 + t) log(1 + t), s = log σ(ℓ)
 * - `alpha_divergence`: f(t) = t^α / (α(α − 1)), s = e^{(α−1)ℓ}/(α − 1) (α = 1 is `reverse_kl`)
 */
export type FRegularizer = "reverse_kl" | "forward_kl" | "js_divergence" | "alpha_divergence";

const REGULARIZERS: readonly FRegularizer[] = ["reverse_kl", "forward_kl", "js_divergence", "alpha_divergence"];

/** |α − 1| below this is α = 1: the α-divergence's score is then the log-ratio itself (TRL's threshold). */
const ALPHA_IS_ONE = 1e-6;

/** What {@link fRegularizedOptimalPolicy} returns. */
export interface FRegularizedPolicy {
  /** log π_f(y | x), −Infinity where π_ref is 0 (and, for α > 1, where the optimum puts no mass). */
  readonly logPolicy: Float64Array[];
  /** The multiplier λ(x) of Σ_y π = 1, in reward units: s(log π/π_ref) = (r − λ)/β wherever π > 0. */
  readonly normalizer: Float64Array;
}

/**
 * log π/π_ref as a function of the normaliser's parameter t > 0, decreasing in t (increasing for α > 1, where
 * −Infinity marks a response the optimum gives no mass), given g_y = (r_max − r_y)/β ≥ 0.
 */
type LogRatio = (gap: number, t: number) => number;

function logRatioOf(divergence: FRegularizer, alpha: number): { logRatio: LogRatio; rising: boolean } {
  switch (divergence) {
    case "forward_kl":
      // −e^{−ℓ} = −w, w = g + t
      return { logRatio: (g, t) => -Math.log(g + t), rising: false };
    case "js_divergence":
      // log σ(ℓ) = −w: ℓ = −w − log(1 − e^{−w}), with 1 − e^{−w} = −expm1(−w) exact for small w
      return { logRatio: (g, t) => -(g + t) - Math.log(-Math.expm1(-(g + t))), rising: false };
    default:
      if (alpha < 1)
        // e^{(α−1)ℓ}/(α−1) = −w: ℓ = log((1−α) w)/(α−1)
        // log((1−α)w) as a sum of logarithms: (1 − α)·w alone may overflow for |α| near the float64 range
        return { logRatio: (g, t) => (Math.log1p(-alpha) + Math.log(g + t)) / (alpha - 1), rising: false };
      // α > 1: e^{(α−1)ℓ}/(α−1) = z = t − g > 0, else π = 0 (the score's range is (0, ∞): the KKT boundary)
      return {
        logRatio: (g, t) => (t > g ? (Math.log(alpha - 1) + Math.log(t - g)) / (alpha - 1) : -Infinity),
        rising: true,
      };
  }
}

/** log Σ_y π_ref e^{ℓ_y}: the log of the total mass at parameter t. */
function logMass(logRef: Float64Array, gaps: Float64Array, logRatio: LogRatio, t: number): number {
  const terms = logRef.map((l, y) => (l === -Infinity ? -Infinity : l + logRatio(gaps[y], t)));
  const { max, rest } = logSumExpParts(terms);
  return max + Math.log1p(rest);
}

/** A log of the total mass within this of 0 is a normalised policy (a few rounding errors of the log-sum-exp). */
const MASS_TOLERANCE = 4 * Number.EPSILON;

/** Bisection halvings at most: from a bracket [0, 2^1100] to adjacent doubles takes fewer. */
const MAX_BISECTIONS = 2200;

/**
 * The policy that maximises the f-regularised objective, per prompt (the f-DPO paper's generalisation of eq. 3):
 *
 * $$\max_\pi\ \mathbb{E}_{y\sim\pi}\, r(x, y) - \beta\, D_f(\pi \,\|\, \pi_{\mathrm{ref}}),\qquad
 * D_f(\pi\,\|\,\pi_{\mathrm{ref}}) = \sum_y \pi_{\mathrm{ref}}(y)\,
 * f\!\Big(\frac{\pi(y)}{\pi_{\mathrm{ref}}(y)}\Big).$$
 *
 * f is strictly convex, so the objective is strictly concave and its maximiser unique; stationarity of the
 * Lagrangian gives f′(π/π_ref) = (r − λ)/β, i.e. π(y) = π_ref(y)·(f′)⁻¹((r(y) − λ)/β), with λ fixed by Σπ = 1
 * (docs/loss-theory.md derives it; appendix A.1 is the reverse-KL case, where this is π_r of eq. 4). Where f′(0⁺)
 * is finite (α > 1) responses with r(y) ≤ λ get π(y) = 0 (the KKT boundary).
 *
 * Method: one monotone equation per prompt, log Σ π_ref (f′)⁻¹((r − λ)/β) = 0, solved for λ by bracketing and
 * bisection in t = ±(λ − r_max)/β, every term in log space ((f′)⁻¹ written through −log w, expm1 and log), then the
 * row is renormalised exactly; reverse KL is eq. 4 through `logOptimalPolicy`'s kernel.
 *
 * @param reward - r(x, y), finite, one row per prompt
 * @param reference - π_ref, as probabilities or `logSpace`
 * @param beta - β > 0
 * @param divergence - which f (see {@link FRegularizer})
 * @param alpha - α of `alpha_divergence` (any finite number; default 0.5); only with `alpha_divergence`
 * @returns the optimal log-policy and the normaliser λ per prompt
 * @throws {@link LuceError} for non-finite rewards, reference rows that are not distributions, shape mismatches,
 *   β ≤ 0 or not finite, an unknown divergence, or an α that is not finite or given to another divergence
 * @example
 * ```ts
 * fRegularizedOptimalPolicy([[1, 0]], [[0.5, 0.5]], 1, "forward_kl");
 * // π = π_ref / (λ − r) with λ = 1 + 1/√2: π = [1/√2, 1 − 1/√2] = [0.7071…, 0.2929…] (π_r: [0.7311…, 0.2689…])
 * ```
 */
export function fRegularizedOptimalPolicy(
  reward: Rows,
  reference: Policy,
  beta: number,
  divergence: FRegularizer,
  alpha?: number,
): FRegularizedPolicy {
  const fn = "fRegularizedOptimalPolicy";
  const { r, logRef, b } = readProblem(fn, reward, reference, beta);
  if (typeof divergence !== "string" || !REGULARIZERS.includes(divergence))
    throw new LuceError(fn, "divergence", `is ${describe(divergence)}, not one of: ${REGULARIZERS.join(", ")}`);
  if (alpha !== undefined && divergence !== "alpha_divergence")
    throw new LuceError(fn, "alpha", "is only used by the divergence 'alpha_divergence'");
  const a = alpha === undefined ? 0.5 : requireFinite(fn, "alpha", alpha);
  const reverse = divergence === "reverse_kl" || (divergence === "alpha_divergence" && Math.abs(a - 1) < ALPHA_IS_ONE);
  const logPolicy: Float64Array[] = [];
  const normalizer = new Float64Array(r.length);
  r.forEach((row, x) => {
    const ref = logRef[x];
    if (reverse) {
      const logPi = logOptimalPolicyRow(row, ref, b);
      logPolicy.push(logPi);
      // s = ℓ = (r − λ)/β on the support: λ = r − βℓ at any supported response
      const y = ref.findIndex((l) => l > -Infinity);
      normalizer[x] = row[y] - b * (logPi[y] - ref[y]);
      return;
    }
    let best = -Infinity;
    ref.forEach((l, y) => {
      if (l > -Infinity) best = Math.max(best, row[y]);
    });
    const gaps = row.map((ry) => (best - ry) / b);
    const { logRatio, rising } = logRatioOf(divergence, a);
    // the total mass is monotone in t and passes 1 once: bracket that t by doubling, then bisect to adjacent doubles
    const belowRoot = (t: number) => logMass(ref, gaps, logRatio, t) > 0 !== rising;
    let lo = 0;
    let hi = 1;
    // a mass within rounding of 1 is the root too (α far from 1 makes every log-ratio ~0: π → π_ref)
    while (belowRoot(hi) && Math.abs(logMass(ref, gaps, logRatio, hi)) > MASS_TOLERANCE) {
      if (hi > Number.MAX_VALUE / 2)
        throw new LuceError(fn, "reward", `of prompt ${x} leaves the normaliser beyond the float64 range`);
      lo = hi;
      hi *= 2;
    }
    for (let i = 0; i < MAX_BISECTIONS; i++) {
      const mid = lo + (hi - lo) / 2;
      if (mid <= lo || mid >= hi) break;
      if (belowRoot(mid)) lo = mid;
      else hi = mid;
    }
    const t = hi;
    const shift = logMass(ref, gaps, logRatio, t);
    logPolicy.push(ref.map((l, y) => (l === -Infinity ? -Infinity : l + logRatio(gaps[y], t) - shift)));
    normalizer[x] = rising ? best - b * t : best + b * t;
  });
  return { logPolicy, normalizer };
}
