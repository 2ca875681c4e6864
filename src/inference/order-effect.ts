import { sigmoidUnchecked } from "../numerics/sigmoid.js";
import { log1pExpUnchecked } from "../numerics/log1p-exp.js";
import type { Factors } from "./factors.js";

/**
 * Bradley–Terry with an order effect (home advantage): P(w beats l) = σ(θ_w − θ_l + α·h), where
 * h = +1 when the winner had the advantage, −1 when the loser did, 0 when neither. Fitted jointly by
 * Newton's method on (θ, α) with the Newton system solved densely (n + 1 unknowns; the θ part is
 * grounded at its mean, as the likelihood is invariant to shifting θ).
 * @internal
 */
export interface OrderEffectEstimate {
  readonly theta: Float64Array;
  readonly alpha: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly logLikelihood: number;
  /** The observed information over (θ, α), (n + 1)². */
  readonly information: Float64Array[];
}

function parts(f: Factors, h: Float64Array, theta: Float64Array, alpha: number) {
  const n = f.nItems;
  const g = new Float64Array(n + 1);
  const info = Array.from({ length: n + 1 }, () => new Float64Array(n + 1));
  let ll = 0;
  for (let c = 0; c + 1 < f.start.length; c++) {
    const w = f.members[2 * c];
    const l = f.members[2 * c + 1];
    const wt = f.weight[c];
    const d = theta[w] - theta[l] + alpha * h[c];
    ll -= wt * log1pExpUnchecked(-d);
    const s = wt * sigmoidUnchecked(-d);
    g[w] += s;
    g[l] -= s;
    g[n] += s * h[c];
    const k = wt * sigmoidUnchecked(d) * sigmoidUnchecked(-d);
    info[w][w] += k;
    info[l][l] += k;
    info[w][l] -= k;
    info[l][w] -= k;
    info[w][n] += k * h[c];
    info[n][w] += k * h[c];
    info[l][n] -= k * h[c];
    info[n][l] -= k * h[c];
    info[n][n] += k * h[c] * h[c];
  }
  return { ll, g, info };
}

/** Solves A x = b for symmetric A by Gaussian elimination with partial pivoting. */
function solve(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = col + 1; r < n; r++) {
      const factor = m[r][col] / m[col][col];
      if (factor !== 0) for (let j = col; j <= n; j++) m[r][j] -= factor * m[col][j];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let j = r + 1; j < n; j++) s -= m[r][j] * x[j];
    x[r] = s / m[r][r];
  }
  return x;
}

/**
 * Newton's method for θ and α. The information is singular along (1, …, 1, 0); adding 11ᵀ/n to its
 * θ block makes it definite without changing the step orthogonal to that direction.
 * @internal
 */
export function fitOrderEffect(f: Factors, h: Float64Array, tolerance: number, maxIterations: number, exposure: Float64Array): OrderEffectEstimate {
  const n = f.nItems;
  const theta = new Float64Array(n);
  let alpha = 0;
  let state = parts(f, h, theta, alpha);
  const totalWeight = f.weight.reduce((a, w) => a + w, 0);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    let worst = Math.abs(state.g[n]) / (1 + totalWeight);
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(state.g[i]) / (1 + exposure[i]));
    if (worst <= tolerance) return { theta, alpha, iterations: iteration, converged: true, logLikelihood: state.ll, information: state.info };
    const a = state.info.map((row, i) => row.map((v, j) => (i < n && j < n ? v + 1 / n : v)));
    const step = solve(a, state.g);
    let t = 1;
    for (let halvings = 0; halvings < 50; halvings++) {
      const trialTheta = theta.map((x, i) => x + t * step[i]);
      const trial = parts(f, h, trialTheta, alpha + t * step[n]);
      if (trial.ll >= state.ll - 1e-12 * Math.abs(state.ll)) {
        theta.set(trialTheta);
        alpha += t * step[n];
        state = trial;
        break;
      }
      t /= 2;
    }
    if (t < 2 ** -49) break;
    let mean = 0;
    for (const x of theta) mean += x;
    for (let i = 0; i < n; i++) theta[i] -= mean / n;
  }
  return { theta, alpha, iterations: maxIterations, converged: false, logLikelihood: state.ll, information: state.info };
}
