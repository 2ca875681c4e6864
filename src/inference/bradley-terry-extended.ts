import { dampedNewton, type NewtonProblem } from "../numerics/damped-newton.js";
import { solveDense } from "../numerics/dense-solve.js";
import type { Factors } from "./factors.js";
import { newtonConverged } from "./stopping-rule.js";

/**
 * Bradley–Terry with an order effect and/or Davidson's (1970) model for ties. For a pair (a, b)
 * with d = θ_a − θ_b + α·h (h = +1 when a had the advantage, −1 when b did, 0 otherwise):
 * - without ties: P(a beats b) = σ(d);
 * - with ties (Davidson, tie parameter δ = log ν): the outcomes a wins, tie, b wins have
 *   probabilities proportional to e^{d/2}, e^{δ}, e^{−d/2} — i.e. π_a, ν√(π_a π_b), π_b.
 * Newton's method on (θ, α, δ) with the system solved densely (n + 2 unknowns at most); the
 * θ block is singular along the all-ones vector, made definite by adding 11ᵀ/n to it.
 * @internal
 */
export interface ExtendedData {
  /** Wins: pair groups [winner, loser] with weights (from `comparisonFactors`). */
  readonly wins: Factors;
  /** Order effect per win, or null without an order effect. */
  readonly winAdvantage: Float64Array | null;
  /** Ties [a, b] with weights, or null without the Davidson model. */
  readonly ties: {
    readonly a: Int32Array;
    readonly b: Int32Array;
    readonly weight: Float64Array;
    readonly advantage: Float64Array;
  } | null;
}

/** The estimate of the extended model. @internal */
export interface ExtendedEstimate {
  readonly theta: Float64Array;
  /** The order effect α (0 when not fitted). */
  readonly alpha: number;
  /** The tie parameter δ = log ν (−Infinity when not fitted). */
  readonly delta: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Why Newton stopped without converging, when it did. */
  readonly stopped?: string;
  readonly logLikelihood: number;
  /** Observed information over the fitted parameters (θ, then α, then δ). */
  readonly information: Float64Array[];
}

interface Layout {
  readonly n: number;
  readonly alphaAt: number;
  readonly deltaAt: number;
  readonly size: number;
}

function evaluate(data: ExtendedData, layout: Layout, x: Float64Array) {
  const { alphaAt, deltaAt, size } = layout;
  const g = new Float64Array(size);
  const info = Array.from({ length: size }, () => new Float64Array(size));
  const alpha = alphaAt >= 0 ? x[alphaAt] : 0;
  const delta = deltaAt >= 0 ? x[deltaAt] : -Infinity;
  let ll = 0;
  // one observation: outcome "a wins" (tie = false) or "tie"; accumulate ℓ, ∇ℓ and the information
  const add = (a: number, b: number, h: number, w: number, tie: boolean) => {
    const d = x[a] - x[b] + alpha * h;
    // log Z over {d/2, δ, −d/2}, shifted by the largest
    const m = Math.max(Math.abs(d) / 2, delta);
    const ew = Math.exp(d / 2 - m);
    const el = Math.exp(-d / 2 - m);
    const et = delta === -Infinity ? 0 : Math.exp(delta - m);
    const z = ew + el + et;
    const logZ = m + Math.log(z);
    const pw = ew / z;
    const pl = el / z;
    const pt = et / z;
    ll += w * ((tie ? delta : d / 2) - logZ);
    const gd = w * ((tie ? 0 : 0.5) - (pw - pl) / 2);
    const gt = w * ((tie ? 1 : 0) - pt);
    // Var(d-score) and Var(tie) written without differences of near-equal terms (a count of 1e308
    // or a tie probability near 1 would cancel to 0 or below): (pw + pl) − (pw − pl)² = 4 pw pl + pt (pw + pl)
    const hdd = (w * (4 * pw * pl + pt * (pw + pl))) / 4;
    const hdt = (w * (-pt * (pw - pl))) / 2;
    const htt = w * pt * (pw + pl);
    // chain rule: ∂d/∂θ_a = 1, ∂d/∂θ_b = −1, ∂d/∂α = h
    const idx = [a, b, alphaAt];
    const coef = [1, -1, h];
    for (let i = 0; i < 3; i++) {
      if (idx[i] < 0 || coef[i] === 0) continue;
      g[idx[i]] += coef[i] * gd;
      for (let j = 0; j < 3; j++) if (idx[j] >= 0 && coef[j] !== 0) info[idx[i]][idx[j]] += coef[i] * coef[j] * hdd;
      if (deltaAt >= 0) {
        info[idx[i]][deltaAt] += coef[i] * hdt;
        info[deltaAt][idx[i]] += coef[i] * hdt;
      }
    }
    if (deltaAt >= 0) {
      g[deltaAt] += gt;
      info[deltaAt][deltaAt] += htt;
    }
  };
  const { start, members, weight } = data.wins;
  for (let c = 0; c + 1 < start.length; c++)
    add(members[start[c]], members[start[c] + 1], data.winAdvantage?.[c] ?? 0, weight[c], false);
  if (data.ties !== null)
    for (let t = 0; t < data.ties.a.length; t++)
      add(data.ties.a[t], data.ties.b[t], data.ties.advantage[t], data.ties.weight[t], true);
  return { ll, g, info };
}

/**
 * Fits the extended model by damped Newton ({@link dampedNewton}). It stops when
 * max |∂ℓ/∂x_i| / (1 + exposure_i) ≤ tolerance, with exposure_i the weight of the observations
 * parameter i enters, and the Newton step is within √tolerance.
 * @internal
 */
export function fitExtended(data: ExtendedData, tolerance: number, maxIterations: number): ExtendedEstimate {
  const n = data.wins.nItems;
  const alphaAt = data.winAdvantage !== null ? n : -1;
  const deltaAt = data.ties !== null ? n + (alphaAt >= 0 ? 1 : 0) : -1;
  const layout: Layout = { n, alphaAt, deltaAt, size: n + (alphaAt >= 0 ? 1 : 0) + (deltaAt >= 0 ? 1 : 0) };
  const exposure = new Float64Array(layout.size);
  const { start, members, weight } = data.wins;
  for (let c = 0; c + 1 < start.length; c++) {
    exposure[members[start[c]]] += weight[c];
    exposure[members[start[c] + 1]] += weight[c];
    if (alphaAt >= 0) exposure[alphaAt] += weight[c];
    if (deltaAt >= 0) exposure[deltaAt] += weight[c];
  }
  if (data.ties !== null) {
    for (let t = 0; t < data.ties.a.length; t++) {
      exposure[data.ties.a[t]] += data.ties.weight[t];
      exposure[data.ties.b[t]] += data.ties.weight[t];
      if (alphaAt >= 0) exposure[alphaAt] += data.ties.weight[t];
      exposure[deltaAt] += data.ties.weight[t];
    }
  }
  const stepTolerance = Math.sqrt(tolerance);
  const problem: NewtonProblem<ReturnType<typeof evaluate>> = {
    evaluate: (x) => evaluate(data, layout, x),
    gradient: (state) => state.g,
    value: (state) => state.ll,
    // the θ block is singular along the all-ones vector: adding 11ᵀ/n there makes it definite
    // without changing the step orthogonal to it
    direction: (state) =>
      solveDense(
        state.info.map((row, i) => row.map((v, j) => (i < n && j < n ? v + 1 / n : v))),
        state.g,
      ),
    converged: (state, _x, step) => newtonConverged(state.g, exposure, step, tolerance, stepTolerance),
    normalize(x) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += x[i];
      for (let i = 0; i < n; i++) x[i] -= mean / n;
    },
  };
  const result = dampedNewton(problem, new Float64Array(layout.size), maxIterations);
  const x = result.x;
  const state = evaluate(data, layout, x);
  return {
    theta: x.slice(0, n),
    alpha: alphaAt >= 0 ? x[alphaAt] : 0,
    delta: deltaAt >= 0 ? x[deltaAt] : -Infinity,
    iterations: result.iterations,
    converged: result.converged,
    stopped: result.stopped,
    logLikelihood: state.ll,
    information: state.info,
  };
}
