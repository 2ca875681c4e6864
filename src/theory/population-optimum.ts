import { LuceError } from "../errors.js";
import { inverse, inverseCholeskyFactor, inverseTimes } from "../numerics/cholesky.js";
import { dampedNewton, type NewtonProblem } from "../numerics/damped-newton.js";
import { logOptimalPolicyRow } from "./kernels.js";
import { MAX_LISTWISE_RESPONSES, populationLoss, type PopulationLossValue } from "./population-loss.js";
import {
  readPopulationProblem,
  type PopulationProblem,
  type PromptProblem,
  type ReadPopulationProblem,
} from "./population-problem.js";

/** How one prompt's optimum was certified. */
export interface PopulationCertificate {
  /**
   * `newton`: damped Newton's method on the logits (the loss is smooth); `enumeration`: the loss is piecewise
   * linear (`hinge`), and every vertex of its pieces was evaluated, so the optimum is exact, not approximate.
   */
  readonly method: "newton" | "enumeration";
  /**
   * max_y |∂L/∂θ_y| at the optimum in the logit gauge: log π = log π_ref + θ − log Σ π_ref e^θ over π_ref's
   * support, a parametrisation of every policy with that support in which θ + c gives the same π, so the
   * gradient sums to 0 and its size does not depend on the gauge. 0 for `enumeration`.
   */
  readonly gradientNorm: number;
  /**
   * What float64 rounding explains of that gradient: 4·n·EPS times the size of the terms that cancel in it, n the
   * number of terms (labelled pairs, or K² for the listwise loss, plus K).
   */
  readonly gradientBound: number;
  /**
   * Second-order check: the Hessian in θ (finite differences of the exact gradient), restricted to the gauge's
   * complement, is positive definite (its smallest pivot above 1e−9 of its largest diagonal entry), so the point
   * is a strict local minimum. False where the loss is flat along some direction (a disconnected μ, or `apo_zero`
   * whose every response wins as much weight as it loses, a constant loss: the minimiser is not unique) or for
   * `enumeration`.
   */
  readonly positiveDefinite: boolean;
  /** Newton iterations (vertices evaluated for `enumeration`). */
  readonly iterations: number;
  /**
   * The accuracy claimed for each log π entry (absolute): for `newton`, 4·max_y Σ_j |H⁻¹|_yj (|∂L/∂θ_j| +
   * its rounding bound), the distance to the exact stationary point that a gradient of that size can hide (twice:
   * log π = θ − log Σ π_ref e^θ moves by a θ error twice), with a safety factor 2, plus a few ulp of max(|θ|, |log
   * π_ref|, 1) for forming log π; +Infinity where the Hessian is not positive definite (the minimiser is not unique).
   * For `enumeration`, only the ulps (the vertex is exact). `luce verify --losses --certified` encloses the exact
   * error on its instances and holds populationOptimum to this bound.
   */
  readonly logPolicyError: number;
}

/** What {@link populationOptimum} returns; one entry (row) per prompt. */
export interface PopulationOptimum {
  /** log π*(y | x) of the minimiser; −Infinity off π_ref's support. */
  readonly logPolicy: Float64Array[];
  /** Its implied reward β log(π* / π_ref) (eq. 5 without β log Z); −Infinity off π_ref's support. */
  readonly impliedReward: Float64Array[];
  /** The population loss at the optimum, per prompt. */
  readonly loss: Float64Array;
  /** How each prompt's optimum was found and checked. */
  readonly certificates: PopulationCertificate[];
}

/** One prompt solved, or the reason it has no finite optimum. @internal */
export type PromptSolution =
  | {
      readonly kind: "optimum";
      readonly logPolicy: Float64Array;
      readonly loss: number;
      readonly certificate: PopulationCertificate;
    }
  | { readonly kind: "diverges"; readonly responses: number[]; readonly reason: string }
  | { readonly kind: "unconverged"; readonly reason: string };

/** The multiple of EPS·|log π|·|H| that the log-ratios' rounding may move a gradient entry by (π_ref's own and π's). */
const INPUT_NOISE = 4;
/**
 * Newton's starting points θ = c·r* / β for these c, for a loss that may not be convex: π_ref, π_r* and π_r* at 2β,
 * β/2 and −β; the lowest of the local minima found is kept (discopop has several).
 */
const START_SCALES = [0, 1, 0.5, 2, -1];
/**
 * The loss types whose population loss is convex in the log-ratios (each kernel a convex function of linear
 * forms of h, weighted by non-negative label probabilities), so one start reaches the minimum.
 */
const CONVEX_TYPES: readonly string[] = [
  "sigmoid",
  "conservative_sigmoid",
  "ipo",
  "sigmoid_norm",
  "nca_pair",
  "bco_pair",
  "sppo_hard",
  "plackett_luce",
];

/** Whether one start suffices: a convex type alone, on the log-ratios themselves (no f-divergence score). */
function convexLoss(problem: ReadPopulationProblem): boolean {
  const { fDivergence } = problem.lossOptions;
  return (
    typeof problem.lossType === "string" &&
    CONVEX_TYPES.includes(problem.lossType) &&
    (fDivergence === undefined || fDivergence === "reverse_kl")
  );
}

/**
 * The largest |β·log π/π_ref| (per length) Newton may try: `dpoLoss` promises finite results to |β d| of 1e4, and
 * every kernel has saturated long before (σ′ of 700 is below 1e−304), so a log-ratio that runs to ±∞ is detected
 * inside it.
 */
const LOG_RATIO_LIMIT = 1e4;
/** Newton iterations before a prompt is reported as not converging. */
const MAX_NEWTON_ITERATIONS = 400;
/** A Newton step below this, relative to 1 + max|θ|, has converged (its error is of the order of its square). */
const STEP_TOLERANCE = 1e-13;
/**
 * A gradient entry sums n terms (one per labelled pair or ranking, and the normaliser's share), each rounded: its
 * error is at most about n·EPS times the size of the terms; this multiple of that is what a converged gradient keeps.
 */
const GRADIENT_NOISE = 4;
/**
 * A response whose every term's gradient, relative to the weight of the pairs it is in (times β), is below this
 * has been pushed where float64 no longer sees it (σ′ of a margin beyond ±665 is below 1e−289): its log-ratio is
 * running to ±∞. A finite optimum keeps every ratio above e^{−|reward gap|}.
 */
const SATURATED = 1e-289;
/** Relative size of the smallest Cholesky pivot that counts as positive definite. */
const DEFINITE = 1e-9;
/** The most responses (on π_ref's support) a `hinge` prompt may have: (2K − 1)^(K−1) vertices are evaluated. */
export const MAX_HINGE_RESPONSES = 5;

/** The multiple of EPS·max(|θ|, |log π_ref|, 1) that forming log π = log π_ref + θ − log Z rounds by ("a few ulp"). */
const FORMING_ULPS = 8;
/** The safety factor on the first-order distance H⁻¹·g to the exact stationary point (second-order terms). */
const STEP_SAFETY = 2;

/** FORMING_ULPS·EPS·max(|θ|, |log π_ref|, 1): the rounding of forming log π from θ. */
function formingError(theta: ArrayLike<number>, logReference: ArrayLike<number>): number {
  let size = 1;
  for (let y = 0; y < theta.length; y++) size = Math.max(size, Math.abs(theta[y]), Math.abs(logReference[y]));
  return FORMING_ULPS * Number.EPSILON * size;
}

/** EPS^(1/3): the finite-difference step, in units of the kernels' argument, that balances truncation and rounding. */
const DIFFERENCE_STEP = Math.cbrt(Number.EPSILON);

interface State {
  readonly theta: Float64Array;
  readonly logPolicy: Float64Array;
  readonly value: PopulationLossValue;
  /** −∂L/∂θ on the free coordinates (dampedNewton maximises −L). */
  readonly ascent: Float64Array;
  /** The noise bound of each gradient entry. */
  readonly noise: Float64Array;
}

/** What rounding explains of a gradient entry that sums `terms` rounded terms of total size `scale`. */
function gradientNoise(scale: number, terms: number): number {
  return GRADIENT_NOISE * terms * Number.EPSILON * scale;
}

/** ∂L/∂θ_y = g_y − π_y Σ g (the logits' chain rule; it sums to 0), with the size of its terms. */
function logitGradient(
  value: PopulationLossValue,
  logPolicy: Float64Array,
): { gradient: Float64Array; scale: Float64Array } {
  let total = 0;
  let totalScale = 0;
  for (let y = 0; y < logPolicy.length; y++) {
    total += value.gradient[y];
    totalScale += value.gradientScale[y];
  }
  const gradient = value.gradient.map((g, y) => g - Math.exp(logPolicy[y]) * total);
  const scale = value.gradientScale.map((s, y) => s + Math.exp(logPolicy[y]) * totalScale);
  return { gradient, scale };
}

/** Solves one prompt; pivot response 0 (of the support) keeps θ = 0 (the gauge). */
function solveSmooth(fn: string, problem: ReadPopulationProblem, prompt: PromptProblem): PromptSolution {
  const k = prompt.support.length;
  const m = k - 1;
  const full = new Float64Array(k);
  const terms = (problem.lossType === "plackett_luce" ? k * k : prompt.pairs.length) + k;
  // a point whose kernel arguments pass ±LOG_RATIO_LIMIT is outside the losses' domain: there a flat loss would
  // read as "still descending", and Newton's step extension would run on to 2^60
  const beyondKernels = (logPolicy: Float64Array) =>
    logPolicy.some(
      (l, y) => Math.abs((problem.beta * (l - prompt.logReference[y])) / prompt.lengths[y]) > LOG_RATIO_LIMIT,
    );
  const evaluate = (x: Float64Array): State => {
    full.set(x, 1);
    full[0] = 0;
    const theta = Float64Array.from(full);
    const logPolicy = logOptimalPolicyRow(theta, prompt.logReference, 1);
    const value = beyondKernels(logPolicy)
      ? { loss: Infinity, gradient: new Float64Array(k).fill(Number.NaN), gradientScale: new Float64Array(k) }
      : populationLoss(fn, problem, prompt, logPolicy);
    const { gradient, scale } = logitGradient(value, logPolicy);
    return {
      theta,
      logPolicy,
      value,
      ascent: gradient.subarray(1).map((g) => -g),
      noise: scale.subarray(1).map((s) => gradientNoise(s, terms)),
    };
  };
  const minLength = prompt.lengths.reduce((a, l) => Math.min(a, l), Infinity);
  const step = (DIFFERENCE_STEP * minLength) / problem.beta;
  const hessian = (x: Float64Array): Float64Array => {
    const h = new Float64Array(m * m);
    const probe = Float64Array.from(x);
    for (let j = 0; j < m; j++) {
      probe[j] = x[j] + step;
      const plus = evaluate(probe).ascent;
      probe[j] = x[j] - step;
      const minus = evaluate(probe).ascent;
      probe[j] = x[j];
      for (let i = 0; i < m; i++) h[i * m + j] = (minus[i] - plus[i]) / (2 * step);
    }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < i; j++) {
        const s = (h[i * m + j] + h[j * m + i]) / 2;
        h[i * m + j] = s;
        h[j * m + i] = s;
      }
    return h;
  };
  // what the log-ratios' own rounding (EPS·|log π| absolute) moves the gradient by, from the last Hessian
  let curvatureNoise: Float64Array = new Float64Array(m);
  const newton: NewtonProblem<State> = {
    evaluate: (x) => evaluate(x),
    gradient: (s) => s.ascent,
    value: (s) => -s.value.loss,
    direction(s, x) {
      const h = hessian(x);
      curvatureNoise = inputNoise(s, h);
      if (!h.every(Number.isFinite)) return Float64Array.from(s.ascent);
      let largest = 0;
      for (let i = 0; i < m; i++) largest = Math.max(largest, Math.abs(h[i * m + i]));
      // Levenberg's shift where the Hessian is not positive definite (a non-convex loss, or a flat direction)
      let shift = 0;
      for (let attempt = 0; attempt < 40; attempt++) {
        const shifted = Float64Array.from(h);
        for (let i = 0; i < m; i++) shifted[i * m + i] += shift;
        const factor = inverseCholeskyFactor(shifted, m);
        if (factor !== null) return inverseTimes(factor, s.ascent);
        shift = shift === 0 ? Math.max(largest, Number.MIN_VALUE) * 1e-10 : shift * 10;
      }
      return Float64Array.from(s.ascent);
    },
    converged(s, x, d) {
      let size = 1;
      for (let i = 0; i < m; i++) size = Math.max(size, Math.abs(x[i]));
      const small = d.every((v) => Math.abs(v) <= STEP_TOLERANCE * size);
      const quiet = s.ascent.every((g, i) => Math.abs(g) <= s.noise[i] + curvatureNoise[i]);
      return small || quiet;
    },
  };
  const scales = convexLoss(problem) ? [0] : START_SCALES;
  const starts = scales.map((c) =>
    Float64Array.from({ length: m }, (_, i) => (c * (prompt.reward[i + 1] - prompt.reward[0])) / problem.beta),
  );
  let best: (PromptSolution & { value: number }) | null = null;
  for (const x of starts) {
    const found = fromStart(x);
    // an unconverged start loses to any other outcome; otherwise the lower loss wins
    if (best === null || best.kind === "unconverged" || (found.kind !== "unconverged" && found.value < best.value))
      best = found;
  }
  // the value was only for choosing among the starts
  return best!;

  function fromStart(x: Float64Array): PromptSolution & { value: number } {
    const result = dampedNewton(newton, x, MAX_NEWTON_ITERATIONS);
    const final = evaluate(result.x);
    const saturated = saturatedResponses(problem, prompt, final);
    if (saturated.length > 0) {
      const where = saturated.map((y) => `y_${prompt.support[y]}`).join(", ");
      const logRatio = saturated.map((y) => final.logPolicy[y] - prompt.logReference[y]);
      const direction = logRatio.every((r) => r < 0) ? "−∞" : "±∞";
      return {
        kind: "diverges",
        value: final.value.loss,
        responses: saturated.map((y) => prompt.support[y]),
        reason:
          `the loss keeps decreasing as log π/π_ref of ${where} runs to ${direction} ` +
          `(reached ${logRatio.map((r) => r.toPrecision(3)).join(", ")}, where no term of the loss still depends on it)`,
      };
    }
    const h = hessian(result.x);
    const finalCurvatureNoise = inputNoise(final, h);
    const gradientNorm = final.ascent.reduce((a, g) => Math.max(a, Math.abs(g)), 0);
    const gradientBound = final.noise.reduce((a, g, i) => Math.max(a, g + finalCurvatureNoise[i]), 0);
    if (!(gradientNorm <= gradientBound))
      return {
        kind: "unconverged",
        value: Infinity,
        reason: `Newton's method did not converge (${result.stopped ?? "no reason given"}; gradient ${gradientNorm})`,
      };
    const factor = inverseCholeskyFactor(h, m);
    let step = factor === null ? Infinity : 0;
    if (factor !== null)
      inverse(factor).forEach((row) => {
        let s = 0;
        row.forEach(
          (v, j) => (s += Math.abs(v) * (Math.abs(final.ascent[j]) + final.noise[j] + finalCurvatureNoise[j])),
        );
        step = Math.max(step, s);
      });
    const logPolicyError = 2 * STEP_SAFETY * step + formingError(final.theta, prompt.logReference);
    let largest = 0;
    for (let i = 0; i < m; i++) largest = Math.max(largest, Math.abs(h[i * m + i]));
    for (let i = 0; i < m; i++) h[i * m + i] -= DEFINITE * largest;
    const positiveDefinite = largest > 0 && inverseCholeskyFactor(h, m) !== null;
    return {
      kind: "optimum",
      value: final.value.loss,
      logPolicy: final.logPolicy,
      loss: final.value.loss,
      certificate: {
        method: "newton",
        gradientNorm,
        gradientBound,
        positiveDefinite,
        iterations: result.iterations,
        logPolicyError: positiveDefinite ? logPolicyError : Infinity,
      },
    };
  }
}

/**
 * What rounding the log-ratios carry moves each gradient entry by: log π and log π_ref are each known to
 * EPS·|value| absolute, and the gradient moves by the Hessian times that (row sums of |H|, times the largest).
 */
function inputNoise(state: State, hessian: Float64Array): Float64Array {
  const m = state.ascent.length;
  let size = 1;
  state.logPolicy.forEach((l) => (size = Math.max(size, Math.abs(l))));
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let row = 0;
    for (let j = 0; j < m; j++) row += Math.abs(hessian[i * m + j]);
    out[i] = INPUT_NOISE * Number.EPSILON * size * row;
  }
  return out;
}

/** Responses none of whose loss terms still see their log-ratio (see {@link SATURATED}). */
function saturatedResponses(problem: ReadPopulationProblem, prompt: PromptProblem, state: State): number[] {
  const k = prompt.support.length;
  const weight = new Float64Array(k);
  if (problem.lossType === "plackett_luce") weight.fill(1);
  for (const { chosen, rejected, weight: w } of prompt.pairs) {
    weight[chosen] += w;
    weight[rejected] += w;
  }
  const out: number[] = [];
  for (let y = 0; y < k; y++)
    if (weight[y] > 0 && state.value.gradientScale[y] <= SATURATED * weight[y] * problem.beta) out.push(y);
  return out;
}

/**
 * The piecewise-linear `hinge` loss: its minimum is attained at a vertex of the arrangement of the planes
 * β(h_i − h_j) = ±1, where the implied rewards βh differ by integers along a spanning tree of the compared pairs,
 * so βh − βh_pivot ∈ {−(K−1), …, K−1}; every such point is evaluated, the lowest kept.
 */
function solveByEnumeration(fn: string, problem: ReadPopulationProblem, prompt: PromptProblem): PromptSolution {
  const k = prompt.support.length;
  const span = k - 1;
  const digits = new Int32Array(k).fill(-span);
  digits[0] = 0;
  const theta = new Float64Array(k);
  let best: { loss: number; logPolicy: Float64Array } | null = null;
  let count = 0;
  for (;;) {
    for (let y = 0; y < k; y++) theta[y] = digits[y] / problem.beta;
    const logPolicy = logOptimalPolicyRow(theta, prompt.logReference, 1);
    const { loss } = populationLoss(fn, problem, prompt, logPolicy);
    count++;
    if (best === null || loss < best.loss) best = { loss, logPolicy };
    let y = 1;
    while (y < k && digits[y] === span) digits[y++] = -span;
    if (y >= k) break;
    digits[y]++;
  }
  return {
    kind: "optimum",
    logPolicy: best!.logPolicy,
    loss: best!.loss,
    certificate: {
      method: "enumeration",
      gradientNorm: 0,
      gradientBound: 0,
      positiveDefinite: false,
      iterations: count,
      logPolicyError: formingError(theta, prompt.logReference),
    },
  };
}

/**
 * The net weight a_y = (weight of the pairs y loses) − (weight of the pairs y wins) of each response: the `apo_zero`
 * population loss Σ w [σ(−βh_w) + σ(βh_l)] is a constant plus Σ_y a_y σ(βh_y) (TRL 1.x: log-ratios h, no lengths).
 */
function apoZeroNetWeights(prompt: PromptProblem): { net: Float64Array; scale: number } {
  const net = new Float64Array(prompt.support.length);
  let scale = 0;
  for (const { chosen, rejected, weight } of prompt.pairs) {
    net[chosen] -= weight;
    net[rejected] += weight;
    scale += weight;
  }
  return { net, scale };
}

/**
 * `apo_zero` has no finite optimum unless every a_y is 0 (see {@link apoZeroNetWeights}): the a_y sum to 0, so a
 * response with a_y > 0 comes with one with a_y ≤ 0, and moving probability from the first to the second lowers
 * σ(βh) where a > 0 and raises it where a ≤ 0, lowering the loss from every policy: log π/π_ref of each response with
 * a_y > 0 runs to −∞. The loss is flat only when every a_y is within the rounding of the weights' sum (see
 * {@link apoZeroFlat}): as the a_y sum to 0, one beyond it on either side means that some a_y is above 0.
 */
function apoZeroDivergence(prompt: PromptProblem): PromptSolution | null {
  const { net, scale } = apoZeroNetWeights(prompt);
  const noise = gradientNoise(scale, prompt.pairs.length + 1);
  if (net.every((a) => Math.abs(a) <= noise)) return null;
  const responses = prompt.support.map((_, y) => y);
  // those surely above 0; when every positive a_y is within the rounding, those whose sum offsets the negative ones
  const sure = responses.filter((y) => net[y] > noise);
  const losing = sure.length > 0 ? sure : responses.filter((y) => net[y] > 0);
  if (losing.length === 0) return null;
  const where = losing.map((y) => `y_${prompt.support[y]}`).join(", ");
  return {
    kind: "diverges",
    responses: losing.map((y) => prompt.support[y]),
    reason:
      `apo_zero's loss is a constant plus Σ a_y σ(βh_y), a_y = weight lost − weight won; a_y > 0 for ${where}, ` +
      `so moving its probability to a response with a_y ≤ 0 always lowers the loss: log π/π_ref runs to −∞`,
  };
}

/**
 * `apo_zero` with every a_y 0 (within rounding; see {@link apoZeroDivergence}): its loss Σ_pairs w + Σ a_y σ(βh_y) is
 * the constant Σ_pairs w, so every policy is a minimiser. π_ref (h = 0) is returned, with the certificate of a
 * minimiser that is not unique (no definite Hessian, no accuracy claimed), as for a disconnected μ.
 */
function apoZeroFlat(fn: string, problem: ReadPopulationProblem, prompt: PromptProblem): PromptSolution {
  const k = prompt.support.length;
  const logPolicy = logOptimalPolicyRow(new Float64Array(k), prompt.logReference, 1);
  const value = populationLoss(fn, problem, prompt, logPolicy);
  const { gradient, scale } = logitGradient(value, logPolicy);
  const terms = prompt.pairs.length + k;
  const certificate = {
    method: "newton" as const,
    gradientNorm: gradient.reduce((a, g) => Math.max(a, Math.abs(g)), 0),
    gradientBound: scale.reduce((a, s) => Math.max(a, gradientNoise(s, terms)), 0),
    positiveDefinite: false,
    iterations: 0,
    logPolicyError: Infinity,
  };
  return { kind: "optimum", logPolicy, loss: value.loss, certificate };
}

/** Solves one prompt of a read problem. @internal */
export function solvePrompt(fn: string, problem: ReadPopulationProblem, prompt: PromptProblem): PromptSolution {
  if (prompt.support.length === 1) {
    const logPolicy = new Float64Array(1);
    const { loss } = populationLoss(fn, problem, prompt, logPolicy);
    const certificate = {
      method: "newton" as const,
      gradientNorm: 0,
      gradientBound: 0,
      positiveDefinite: true,
      iterations: 0,
      logPolicyError: 0,
    };
    return { kind: "optimum", logPolicy, loss, certificate };
  }
  if (problem.lossType === "apo_zero") return apoZeroDivergence(prompt) ?? apoZeroFlat(fn, problem, prompt);
  return problem.lossType === "hinge" ? solveByEnumeration(fn, problem, prompt) : solveSmooth(fn, problem, prompt);
}

/** Reads a problem and enforces the enumeration limits. @internal */
export function readPopulationOptimumProblem(fn: string, problem: unknown): ReadPopulationProblem {
  const read = readPopulationProblem(fn, problem);
  read.prompts.forEach((prompt, x) => {
    const k = prompt.support.length;
    if (read.lossType === "plackett_luce" && k > MAX_LISTWISE_RESPONSES)
      throw new LuceError(
        fn,
        `problem.reward[${x}]`,
        `has ${k} responses on π_ref's support: the listwise expectation enumerates K! rankings, K ≤ ${MAX_LISTWISE_RESPONSES}`,
      );
    if (read.lossType === "hinge" && k > MAX_HINGE_RESPONSES)
      throw new LuceError(
        fn,
        `problem.reward[${x}]`,
        `has ${k} responses on π_ref's support: the hinge optimum is found by enumeration, K ≤ ${MAX_HINGE_RESPONSES}`,
      );
  });
  return read;
}

/**
 * The population optimum of a DPO-family loss: per prompt, the policy π (with π_ref's support) that minimises
 *
 * $$L(\pi) = \sum_{i<j} \mu_{ij} \big[q_{ij}\, \ell(y_i \succ y_j; \pi) + q_{ji}\, \ell(y_j \succ y_i; \pi)\big],\qquad
 * q_{ij} = (1-\varepsilon)\,\sigma(r^*_i - r^*_j) + \varepsilon\,\sigma(r^*_j - r^*_i),$$
 *
 * with ℓ the `dpoLoss` type's own kernel (section 5's population DPO for `sigmoid`, eq. 7), or, for
 * `plackett_luce`, the expectation of the appendix A.3 listwise loss over full rankings drawn from
 * Plackett–Luce(r*), enumerated (K ≤ 6). For `sigmoid` on a connected μ the answer is π_{r*} (eq. 4); the guide
 * docs/loss-theory.md derives every other type's.
 *
 * Method: damped Newton's method on the logits θ (log π = log π_ref + θ − log Σ π_ref e^θ), the gradient exact
 * from the loss's kernels and the Hessian from central differences of it (so any loss type and option works), with
 * Levenberg's shift where the loss is not convex; `hinge`, piecewise linear, by evaluating every vertex of its
 * pieces (K ≤ 5). The certificate states the gradient's size against its rounding and the Hessian's definiteness.
 * `apo_zero` is decided from its net weights a_y (weight lost − weight won): it has no finite optimum unless every
 * a_y is 0, and then its loss is constant: π_ref is returned, with the certificate of a minimiser that is not unique.
 *
 * @param problem - β, r*, log π_ref, μ (`pairWeights`), optional `labelNoise`, `lengths` and `dpoLoss` options
 * @returns the optimal log-policy, its implied reward, the loss and a certificate per prompt
 * @throws {@link LuceError} for invalid input (as `dpoLoss` for the loss options, named `problem.<key>`), `aot`
 *   types (batch-sorted, no population loss), too many responses for an enumeration, and where the loss has no
 *   finite optimum: the message names the prompt and the responses whose log π/π_ref runs to ±∞
 * @example
 * ```ts
 * const { logPolicy } = populationOptimum({
 *   beta: 0.5, reward: [[1, 0, -1]], logReference: [[Math.log(0.5), Math.log(0.25), Math.log(0.25)]],
 *   pairWeights: [[[0, 1, 1], [1, 0, 1], [1, 1, 0]]] });
 * // logPolicy[0] = logOptimalPolicy([[1, 0, -1]], [[0.5, 0.25, 0.25]], 0.5)[0] to ~1e-12
 * ```
 */
export function populationOptimum(problem: PopulationProblem): PopulationOptimum {
  const fn = "populationOptimum";
  const read = readPopulationOptimumProblem(fn, problem);
  const logPolicy: Float64Array[] = [];
  const impliedReward: Float64Array[] = [];
  const loss = new Float64Array(read.prompts.length);
  const certificates: PopulationCertificate[] = [];
  read.prompts.forEach((prompt, x) => {
    const solution = solvePrompt(fn, read, prompt);
    if (solution.kind === "diverges")
      throw new LuceError(
        fn,
        "problem",
        `has no finite optimum for the '${read.lossType}' loss on prompt ${x}: ${solution.reason}`,
      );
    if (solution.kind === "unconverged")
      throw new LuceError(
        fn,
        "problem",
        `could not be solved for the '${read.lossType}' loss on prompt ${x}: ${solution.reason}`,
      );
    const k = prompt.responses;
    const row = new Float64Array(k).fill(-Infinity);
    const implied = new Float64Array(k).fill(-Infinity);
    prompt.support.forEach((y, i) => {
      row[y] = solution.logPolicy[i];
      implied[y] = read.beta * (solution.logPolicy[i] - prompt.logReference[i]);
    });
    logPolicy.push(row);
    impliedReward.push(implied);
    loss[x] = solution.loss;
    certificates.push(solution.certificate);
  });
  return { logPolicy, impliedReward, loss, certificates };
}
