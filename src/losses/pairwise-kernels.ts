import { log1pExpUnchecked } from "../numerics/log1p-exp.js";
import { logSigmoidUnchecked } from "../numerics/log-sigmoid.js";
import { sigmoidUnchecked } from "../numerics/sigmoid.js";

/**
 * One pairwise DPO-family loss as a function of the chosen and rejected scores u and v (the
 * log-ratios u = log π/π_ref(y_w), v = log π/π_ref(y_l) mapped by the f-divergence, and divided by
 * the lengths where the type normalises), given also their difference d = u − v and β·d, formed by
 * the caller so that they stay finite where u and v themselves overflow. Writes
 * [loss, ∂loss/∂u, ∂loss/∂v] into `out`. Internal: `dpoLoss` validates, maps, normalises and
 * applies the chain rule.
 * @internal
 */
export type PairKernel = (
  u: number,
  v: number,
  d: number,
  betaD: number,
  p: KernelParameters,
  out: Float64Array,
) => void;

/** Parameters a kernel reads. @internal */
export interface KernelParameters {
  readonly beta: number;
  readonly eps: number;
  readonly tau: number;
  readonly delta: number;
}

const ls = logSigmoidUnchecked;
const sig = sigmoidUnchecked;
const softplus = log1pExpUnchecked;

/**
 * β·(u − v) where u − v itself may pass the float64 range (log-ratios near ±1e308): then it is
 * βu − βv, which is finite whenever the exact product is (|β| < 1 there). ±Infinity only where
 * the exact β·(u − v) is beyond the float64 range; the kernels take its limits. @internal
 */
export function scaledDifference(beta: number, u: number, v: number): number {
  const d = u - v;
  return Number.isFinite(d) ? beta * d : beta * u - beta * v;
}

/** w·t where a zero weight makes the term 0 even when t is infinite (the limit of e^{−x}·x). */
function weighted(w: number, t: number): number {
  return w === 0 ? 0 : w * t;
}

/** −(1−ε) log σ(x) − ε log σ(−x) and its derivative in x: the sigmoid (and cDPO) loss. @internal */
export function conservativeSigmoid(x: number, eps: number, out: Float64Array, at: number): void {
  out[at] = eps === 0 ? -ls(x) : -(1 - eps) * ls(x) - eps * ls(-x);
  out[at + 1] = eps === 0 ? -sig(-x) : eps * sig(x) - (1 - eps) * sig(-x);
}

/** −(1−ε) log σ(βd) − ε log σ(−βd) with its gradients in u and v. */
function smoothedSigmoid(
  _u: number,
  _v: number,
  _d: number,
  betaD: number,
  { beta, eps }: KernelParameters,
  out: Float64Array,
): void {
  conservativeSigmoid(betaD, eps, out, 0);
  out[1] *= beta;
  out[2] = -out[1];
}

/**
 * `apo_down` in two parts for a score map other than the identity, where TRL 1.x applies σ(βu) to the
 * log-ratio u itself and 1 − σ(βd) to the scores' difference: `chosen` is σ(βu) (its v-gradient 0),
 * `margin` is σ(−βd). Their sum is the `apo_down` kernel.
 * @internal
 */
export const apoDownParts: { readonly chosen: PairKernel; readonly margin: PairKernel } = {
  chosen(u, _v, _d, _betaD, { beta }, out) {
    const a = beta * u;
    out[0] = sig(a);
    out[1] = beta * sig(a) * sig(-a);
    out[2] = 0;
  },
  margin(_u, _v, _d, betaD, { beta }, out) {
    const curvature = sig(betaD) * sig(-betaD);
    out[0] = sig(-betaD);
    out[1] = -beta * curvature;
    out[2] = beta * curvature;
  },
};

/**
 * The kernels, keyed by TRL's `loss_type`. Each comment gives the loss in
 * terms of β, u, v and d = u − v, and the trick that keeps it finite.
 * @internal
 */
export const pairKernels: Record<string, PairKernel> = {
  // −log σ(βd) (ε = 0 under TRL 1.x semantics; TRL 0.x's cDPO form below otherwise)
  sigmoid: smoothedSigmoid,
  // −(1−ε) log σ(βd) − ε log σ(−βd), conservative DPO: log σ through softplus branches
  conservative_sigmoid: smoothedSigmoid,
  // max(0, 1 − βd); the gradient at the kink βd = 1 is the one-sided value 0
  hinge(u, v, d, betaD, { beta }, out) {
    const slack = 1 - betaD;
    out[0] = slack > 0 ? slack : 0;
    out[1] = slack > 0 ? -beta : 0;
    out[2] = -out[1];
  },
  // (d − 1/(2β))²: crosses zero, so its error bound is absolute
  ipo(u, v, d, betaD, { beta }, out) {
    const r = d - 1 / (2 * beta);
    out[0] = r * r;
    out[1] = 2 * r;
    out[2] = -2 * r;
  },
  // −log σ(β d) on length-normalised scores (the normalisation is done by the caller)
  sigmoid_norm(u, v, d, betaD, { beta }, out) {
    const x = betaD;
    out[0] = -ls(x);
    out[1] = -beta * sig(-x);
    out[2] = -out[1];
  },
  // KL(Bernoulli(σ(βd)) ‖ Bernoulli(1−ε)); a weight σ(±x) that underflows to 0 makes its term 0,
  // the limit of σ(−x)·log σ(−x) as x → ∞ (not 0·∞); derivative in x = βd: σ(x)σ(−x)(x − log((1−ε)/ε))
  exo_pair(u, v, d, betaD, { beta, eps }, out) {
    const x = betaD;
    const p = sig(x);
    const q = sig(-x);
    out[0] = weighted(p, ls(x) - Math.log1p(-eps)) + weighted(q, ls(-x) - Math.log(eps));
    out[1] = beta * weighted(p * q, x - (Math.log1p(-eps) - Math.log(eps)));
    out[2] = -out[1];
  },
  // −log σ(βu) − ½ log σ(−βu) − ½ log σ(−βv)
  nca_pair(u, v, d, betaD, { beta }, out) {
    const a = beta * u;
    const b = beta * v;
    out[0] = -ls(a) - 0.5 * ls(-a) - 0.5 * ls(-b);
    out[1] = beta * (0.5 * sig(a) - sig(-a));
    out[2] = 0.5 * beta * sig(b);
  },
  // (−(1−ε) log σ(βd) + ε log σ(−βd)) / (1 − 2ε): may be negative, absolute bound near zero
  robust(u, v, d, betaD, { beta, eps }, out) {
    const x = betaD;
    const scale = 1 / (1 - 2 * eps);
    out[0] = (-(1 - eps) * ls(x) + eps * ls(-x)) * scale;
    out[1] = -beta * scale * ((1 - eps) * sig(-x) + eps * sig(x));
    out[2] = -out[1];
  },
  // −log σ(βu − δ) − log σ(−(βv − δ))
  bco_pair(u, v, d, betaD, { beta, delta }, out) {
    const a = beta * u - delta;
    const b = beta * v - delta;
    out[0] = -ls(a) - ls(-b);
    out[1] = -beta * sig(-a);
    out[2] = beta * sig(b);
  },
  // (u − 1/(2β))² + (v + 1/(2β))²
  sppo_hard(u, v, d, betaD, { beta }, out) {
    const a = u - 1 / (2 * beta);
    const b = v + 1 / (2 * beta);
    out[0] = a * a + b * b;
    out[1] = 2 * a;
    out[2] = 2 * b;
  },
  // 1 − σ(βu) + σ(βv), written σ(−βu) + σ(βv) so 1 − σ never cancels
  apo_zero(u, v, d, betaD, { beta }, out) {
    const a = beta * u;
    const b = beta * v;
    out[0] = sig(-a) + sig(b);
    out[1] = -beta * sig(a) * sig(-a);
    out[2] = beta * sig(b) * sig(-b);
  },
  // σ(βu) + 1 − σ(βd), written σ(βu) + σ(−βd)
  apo_down(u, v, d, betaD, { beta }, out) {
    const a = beta * u;
    const x = betaD;
    const curvature = sig(x) * sig(-x);
    out[0] = sig(a) + sig(-x);
    out[1] = beta * (sig(a) * sig(-a) - curvature);
    out[2] = beta * curvature;
  },
  // with l = βd, w = σ(l/τ): (1 − w)(−log σ(l)) + w e^{−l}. TRL's w·e^{−l} is 0·∞ = NaN at
  // l = −1e4; here (1 − w) = σ(−l/τ) and w e^{−l} = exp(log σ(l/τ) − l), finite wherever the loss is.
  discopop(u, v, d, betaD, { beta, tau }, out) {
    const l = betaD;
    const oneMinusW = sig(-l / tau);
    const logistic = softplus(-l);
    const weightedExp = Math.exp(ls(l / tau) - l);
    out[0] = oneMinusW * logistic + weightedExp;
    // d/dl: −(w(1−w)/τ)·softplus(−l) − (1−w)σ(−l) + w e^{−l}·((1−w)/τ − 1)
    const wOneMinusW = Math.exp(ls(l / tau) + ls(-l / tau));
    const dLdl = -(wOneMinusW / tau) * logistic - oneMinusW * sig(-l) + weightedExp * (oneMinusW / tau - 1);
    out[1] = beta * dLdl;
    out[2] = -out[1];
  },
};
