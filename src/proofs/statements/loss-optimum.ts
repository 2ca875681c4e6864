import fc from "fast-check";
import { logReferenceArbitrary } from "../../arbitraries/problem.js";
import { solveDense } from "../../numerics/dense-solve.js";
import { klRow } from "../../theory/kl.js";
import { solvePrompt, readPopulationOptimumProblem, type PromptSolution } from "../../theory/population-optimum.js";
import type { PopulationLossType } from "../../theory/population-problem.js";
import { exact, preciseMax, preciseSigmoid, type Precise } from "../precise.js";
import type { Residual } from "../statement.js";

/** One prompt of a population problem, as the loss statements draw it (see `populationOptimum`). */
export interface LossOptimumInstance {
  /** β > 0. */
  readonly beta: number;
  /** r*(y). */
  readonly reward: number[];
  /** log π_ref(y). */
  readonly logReference: number[];
  /** μ: symmetric, zero diagonal. */
  readonly pairWeights: number[][];
  /** ε, the rate at which labels are flipped (0 when absent). */
  readonly labelNoise?: number;
  /** The loss's own ε (`labelSmoothing` of `dpoLoss`), when it takes one. */
  readonly labelSmoothing?: number;
  /** Response lengths, for the types that divide by them. */
  readonly lengths?: number[];
  /** μ₀, where pairs are drawn independently from a response distribution: μ_ij = μ₀(i) μ₀(j). */
  readonly responseWeights?: number[];
}

/**
 * KL(π_computed ‖ π_claimed) at or below this counts as equal: the statements' own threshold (as population DPO's),
 * not a rounding bound: with labels p down to e^{−16} Newton fixes a margin to about EPS/p.
 */
export const OPTIMUM_KL_THRESHOLD = 1e-10;

/**
 * The optimum `populationOptimum` computes for one instance (its internal solver: no throw on divergence), with
 * further `dpoLoss` options (an f-divergence) where the statement has them.
 */
export function computeOptimum(
  lossType: PopulationLossType,
  instance: LossOptimumInstance,
  listwise = false,
  lossOptions: Record<string, unknown> = {},
): PromptSolution {
  const read = readPopulationOptimumProblem("populationOptimum", {
    lossType,
    beta: instance.beta,
    reward: [instance.reward],
    logReference: [instance.logReference],
    ...(listwise ? {} : { pairWeights: [instance.pairWeights] }),
    ...(instance.labelNoise === undefined ? {} : { labelNoise: instance.labelNoise }),
    ...(instance.labelSmoothing === undefined ? {} : { labelSmoothing: instance.labelSmoothing }),
    ...(instance.lengths === undefined ? {} : { lengths: [instance.lengths] }),
    ...lossOptions,
  });
  return solvePrompt("populationOptimum", read, read.prompts[0]);
}

/**
 * The float64 residuals of "the population optimum is `claimed`": KL(π_computed ‖ π_claimed) against the statement's
 * threshold, and the certificate's gradient against its rounding bound. A loss Newton could not minimise is an
 * infinite residual (the 50-digit check then says whether the claim itself holds).
 */
export function optimumResiduals(solution: PromptSolution, claimedLogPolicy: Float64Array): Residual[] {
  if (solution.kind !== "optimum")
    return [{ name: `populationOptimum: ${solution.reason}`, residual: Infinity, bound: OPTIMUM_KL_THRESHOLD }];
  const kl = Math.max(0, klRow(solution.logPolicy, claimedLogPolicy));
  return [
    { name: "KL(π_populationOptimum ‖ π_claimed)", residual: kl, bound: OPTIMUM_KL_THRESHOLD },
    {
      name: "|∇L| at the optimum (logit gauge)",
      residual: solution.certificate.gradientNorm,
      bound: solution.certificate.gradientBound,
    },
  ];
}

/** Log-uniform pair weights in [1e−4, 1]: unbalanced μ, from rarely to often compared. */
const PAIR_WEIGHT = fc.double({ min: -4, max: 0, noNaN: true }).map((e) => 10 ** e);

/** Options of {@link lossInstanceArbitrary}. */
export interface LossInstanceOptions {
  /** Responses, fixed or a range; default 2 to 8. */
  readonly responses?: number | [number, number];
  /** Largest |r*|; default 8 (label probabilities down to e^{−16}). */
  readonly maxReward?: number;
  /** Smallest and largest β; default 0.05 to 10 (|r* / β| up to 160). */
  readonly beta?: [number, number];
  /** `false`: μ with two blocks never compared with each other. Default connected. */
  readonly connected?: boolean;
  /** μ_ij = μ₀(i) μ₀(j): pairs drawn independently from a response distribution μ₀. */
  readonly product?: boolean;
  /** Label-noise range, when labels are flipped. */
  readonly labelNoise?: [number, number];
  /** The loss's ε range, when it takes one. */
  readonly labelSmoothing?: [number, number];
  /** Draw lengths 1 to 400 (`equal`: one length for all). */
  readonly lengths?: "varied" | "equal";
  /** Smallest log π_ref before normalising; default log(1e−300). */
  readonly minLogProbability?: number;
}

/**
 * Instances reaching the extremes the statements promise: K up to 8, |r* / β| up to 160, π_ref down to 1e−300,
 * pair weights 1e−4 apart; a connected μ is a random spanning tree plus random extra pairs.
 */
export function lossInstanceArbitrary(options: LossInstanceOptions = {}): fc.Arbitrary<LossOptimumInstance> {
  const [kMin, kMax] =
    typeof options.responses === "number" ? [options.responses, options.responses] : (options.responses ?? [2, 8]);
  const maxReward = options.maxReward ?? 8;
  const [betaMin, betaMax] = options.beta ?? [0.05, 10];
  const drawn = fc.integer({ min: kMin, max: kMax }).chain((k) =>
    fc.record<Record<string, unknown>>({
      beta: fc.double({ min: Math.log(betaMin), max: Math.log(betaMax), noNaN: true }).map(Math.exp),
      reward: fc.array(
        fc.oneof(
          fc.double({ min: -2, max: 2, noNaN: true }),
          fc.double({ min: -maxReward, max: maxReward, noNaN: true }),
        ),
        { minLength: k, maxLength: k },
      ),
      logReference: logReferenceArbitrary({
        responses: k,
        ...(options.minLogProbability === undefined ? {} : { minLogProbability: options.minLogProbability }),
      }),
      ...(options.product
        ? { responseWeights: fc.array(PAIR_WEIGHT, { minLength: k, maxLength: k }) }
        : { pairWeights: pairWeightsArbitrary(k, options) }),
      ...(options.labelNoise === undefined
        ? {}
        : { labelNoise: fc.double({ min: options.labelNoise[0], max: options.labelNoise[1], noNaN: true }) }),
      ...(options.labelSmoothing === undefined
        ? {}
        : {
            labelSmoothing: fc.double({ min: options.labelSmoothing[0], max: options.labelSmoothing[1], noNaN: true }),
          }),
      ...(options.lengths === undefined
        ? {}
        : {
            lengths:
              options.lengths === "equal"
                ? fc.integer({ min: 1, max: 400 }).map((l) => Array.from({ length: k }, () => l))
                : fc.array(fc.integer({ min: 1, max: 400 }), { minLength: k, maxLength: k }),
          }),
    }),
  );
  // pairs drawn independently from μ₀: μ_ij = μ₀(i) μ₀(j) off the diagonal
  return drawn.map((drawnInstance) => {
    const instance = drawnInstance as unknown as LossOptimumInstance;
    const mu0 = instance.responseWeights;
    return mu0 === undefined
      ? instance
      : { ...instance, pairWeights: mu0.map((a, i) => mu0.map((b, j) => (i === j ? 0 : a * b))) };
  });
}

function symmetric(k: number, entries: [number, number, number][]): number[][] {
  const mu = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const [i, j, w] of entries) {
    if (i === j) continue;
    mu[i][j] += w;
    mu[j][i] += w;
  }
  return mu;
}

function pairWeightsArbitrary(k: number, options: LossInstanceOptions): fc.Arbitrary<number[][]> {
  if (options.connected === false)
    return fc.integer({ min: 1, max: k - 1 }).chain((cut) =>
      fc.array(fc.tuple(fc.nat(k - 1), fc.nat(k - 1), PAIR_WEIGHT), { maxLength: 2 * k }).map((raw) =>
        symmetric(
          k,
          raw.filter(([i, j]) => i < cut === j < cut),
        ),
      ),
    );
  const tree = fc.array(fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), PAIR_WEIGHT), {
    minLength: k - 1,
    maxLength: k - 1,
  });
  const extra = fc.array(fc.tuple(fc.nat(k - 1), fc.nat(k - 1), PAIR_WEIGHT), { maxLength: k });
  return fc
    .tuple(tree, extra)
    .map(([parents, more]) =>
      symmetric(k, [
        ...parents.map(([u, w], v) => [v + 1, Math.floor(u * (v + 1)), w] as [number, number, number]),
        ...more,
      ]),
    );
}

/** Label probabilities q_ij = (1 − ε) σ(r*_i − r*_j) + ε σ(r*_j − r*_i) at 50 digits. */
export function preciseLabels(instance: LossOptimumInstance): Precise[][] {
  const r = instance.reward.map(exact);
  const eps = exact(instance.labelNoise ?? 0);
  const one = exact(1);
  return r.map((ri, i) =>
    r.map((rj, j) =>
      i === j
        ? exact(0)
        : one
            .minus(eps)
            .times(preciseSigmoid(ri.minus(rj)))
            .plus(eps.times(preciseSigmoid(rj.minus(ri)))),
    ),
  );
}

/** A pair kernel's derivatives [∂ℓ/∂u, ∂ℓ/∂v] at 50 digits (u, v already divided by the lengths). */
export type PreciseKernelDerivative = (u: Precise, v: Precise) => [Precise, Precise];

/**
 * max_y |∂L/∂h_y| at 50 digits, h = log π/π_ref, L the μ- and label-weighted population loss: 0 at a stationary
 * point of a loss that depends on differences of h/length only (the normalisation's direction is then free).
 * `weight` gives μ_ij at 50 digits (by default the float64 entry, exactly).
 */
export function precisePopulationGradient(
  instance: LossOptimumInstance,
  h: readonly Precise[],
  derivative: PreciseKernelDerivative,
  weight: (i: number, j: number) => Precise = (i, j) => exact(instance.pairWeights[i][j]),
): Precise {
  const q = preciseLabels(instance);
  const lengths = (instance.lengths ?? instance.reward.map(() => 1)).map(exact);
  const grad = h.map(() => exact(0));
  const k = h.length;
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      if (i === j || instance.pairWeights[i][j] === 0) continue;
      const w = weight(i, j).times(q[i][j]);
      const [du, dv] = derivative(h[i].div(lengths[i]), h[j].div(lengths[j]));
      grad[i] = grad[i].plus(w.times(du).div(lengths[i]));
      grad[j] = grad[j].plus(w.times(dv).div(lengths[j]));
    }
  return preciseMax(grad.map((g) => g.abs()));
}

/** The sigmoid (cDPO with smoothing s) kernel's derivatives at 50 digits. */
export function preciseSigmoidDerivative(beta: number, smoothing = 0): PreciseKernelDerivative {
  const b = exact(beta);
  const s = exact(smoothing);
  const one = exact(1);
  return (u, v) => {
    const x = b.times(u.minus(v));
    const d = one
      .minus(s)
      .times(preciseSigmoid(x.neg()))
      .neg()
      .plus(s.times(preciseSigmoid(x)));
    return [b.times(d), b.times(d).neg()];
  };
}

/** Solves the Laplacian system Σ_j μ_ij (x_i − x_j) = b_i with x_0 = 0 (connected μ), in float64. */
export function solveLaplacian(mu: number[][], b: number[]): Float64Array {
  const k = b.length;
  const a = Array.from({ length: k - 1 }, (_, i) =>
    Array.from({ length: k - 1 }, (_, j) => {
      const [ii, jj] = [i + 1, j + 1];
      if (ii === jj) return mu[ii].reduce((s, w) => s + w, 0);
      return -mu[ii][jj];
    }),
  );
  const x = solveDense(a, b.slice(1));
  return Float64Array.from({ length: k }, (_, i) => (i === 0 ? 0 : x[i - 1]));
}

/** The same Laplacian system at 50 digits (Gaussian elimination; μ connected, so the grounded system is regular). */
export function preciseSolveLaplacian(mu: number[][], b: readonly Precise[]): Precise[] {
  const k = b.length;
  const n = k - 1;
  const m: Precise[][] = Array.from({ length: n }, (_, i) => [
    ...Array.from({ length: n }, (_, j) =>
      i === j ? mu[i + 1].reduce((s, w) => s.plus(exact(w)), exact(0)) : exact(mu[i + 1][j + 1]).neg(),
    ),
    b[i + 1],
  ]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (m[r][col].abs().gt(m[pivot][col].abs())) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = col + 1; r < n; r++) {
      const f = m[r][col].div(m[col][col]);
      for (let j = col; j <= n; j++) m[r][j] = m[r][j].minus(f.times(m[col][j]));
    }
  }
  const x: Precise[] = new Array<Precise>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i][n];
    for (let j = i + 1; j < n; j++) s = s.minus(m[i][j].times(x[j]));
    x[i] = s.div(m[i][i]);
  }
  return [exact(0), ...x];
}
