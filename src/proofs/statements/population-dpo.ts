import fc from "fast-check";
import { betaArbitrary, logReferenceArbitrary } from "../../arbitraries/problem.js";
import { comparisonGraphArbitrary, type ComparisonGraph } from "../../arbitraries/graphs.js";
import { log1pExpUnchecked } from "../../numerics/log1p-exp.js";
import { sigmoidUnchecked } from "../../numerics/sigmoid.js";
import { dampedNewton, type NewtonProblem } from "../../numerics/damped-newton.js";
import { solveDense } from "../../numerics/dense-solve.js";
import { logOptimalPolicyRow } from "../../theory/kernels.js";
import { klRow } from "../../theory/kl.js";
import { exact, preciseMax, preciseSigmoid, type Precise } from "../precise.js";
import { preciseRow, show } from "../residuals.js";
import { type Assumptions, type Statement, readAssumptions } from "../statement.js";
import { preciseLogOptimalPolicy } from "./lemma-2.js";

/** An instance of population DPO: one prompt, the true reward, π_ref, β, the pair distribution μ and Newton's start. */
export interface PopulationDpoInstance {
  /** β > 0. */
  readonly beta: number;
  /** r*(y), in reward units. */
  readonly reward: number[];
  /** log π_ref. */
  readonly logReference: number[];
  /** The pairs μ draws, with their weights. */
  readonly graph: ComparisonGraph;
  /** Newton's starting implicit reward v₀ = β log π₀/π_ref. */
  readonly start: number[];
}

/** The population DPO loss's parts at one implicit reward v = β log π/π_ref (reward units). */
interface LossParts {
  /** L(v); NaN unless evaluated with the value. */
  readonly loss: number;
  /** ∇L. */
  readonly grad: Float64Array;
  /** ∇²L, a weighted Laplacian of the comparison graph (each edge's weight at least its floor). */
  readonly hess: Float64Array[];
  /** What rounding explains of each gradient entry (see {@link GRADIENT_NOISE}). */
  readonly noise: Float64Array;
}

/**
 * A gradient entry sums one term per edge at its response, each rounded: its error is at most about (degree + 1)·EPS
 * times the size of the terms; this multiple of that is what a converged gradient keeps.
 */
const GRADIENT_NOISE = 4;

/**
 * Each edge's curvature in ∇²L is raised to at least this fraction of its value at the edge's own minimiser,
 * μ σ(Δ*) σ(−Δ*) (where v_i − v_j = Δ*): on the logistic's flat tail σ(d) σ(−d) underflows to 0, and the edge would
 * drop out of the Laplacian, leaving its gradient, small but not rounding, uncorrected. Within ln 4 of Δ* the true
 * curvature is above the floor, so Newton's quadratic convergence is kept.
 */
const CURVATURE_FLOOR = 0.25;

/** Population DPO loss (`withValue`), gradient, Hessian (see {@link CURVATURE_FLOOR}) and gradient noise in v. */
function lossParts(v: Float64Array, instance: PopulationDpoInstance, withValue: boolean): LossParts {
  const k = v.length;
  const grad = new Float64Array(k);
  const hess = Array.from({ length: k }, () => new Float64Array(k));
  const scale = new Float64Array(k);
  const terms = new Float64Array(k).fill(1);
  let loss = withValue ? 0 : Number.NaN;
  for (const [i, j, mu] of instance.graph.edges) {
    const target = instance.reward[i] - instance.reward[j];
    // labels as a pair of probabilities: 1 − σ(Δ*) would round to 0 beyond Δ* ≈ 37
    const wPlus = sigmoidUnchecked(target);
    const wMinus = sigmoidUnchecked(-target);
    const d = v[i] - v[j];
    if (withValue) loss += mu * (wPlus * log1pExpUnchecked(-d) + wMinus * log1pExpUnchecked(d));
    const toward = mu * wMinus * sigmoidUnchecked(d);
    const away = mu * wPlus * sigmoidUnchecked(-d);
    grad[i] += toward - away;
    grad[j] -= toward - away;
    for (const y of [i, j]) {
      scale[y] += toward + away;
      terms[y]++;
    }
    const c = Math.max(mu * sigmoidUnchecked(d) * sigmoidUnchecked(-d), CURVATURE_FLOOR * mu * wPlus * wMinus);
    hess[i][i] += c;
    hess[j][j] += c;
    hess[i][j] -= c;
    hess[j][i] -= c;
  }
  const noise = scale.map((s, y) => GRADIENT_NOISE * terms[y] * Number.EPSILON * s);
  return { loss, grad, hess, noise };
}

/**
 * Solves the singular, consistent Laplacian system H x = b: one vertex per connected component is
 * grounded (x = 0 there, its equation dropped), the rest is solved densely (K ≤ 6), and the caller
 * removes each component's mean.
 */
function solveLaplacian(h: Float64Array[], b: Float64Array, label: number[]): Float64Array {
  const index = label.map((c, y) => (label.indexOf(c) !== y ? y : -1)).filter((y) => y >= 0);
  const reduced = solveDense(
    index.map((i) => index.map((j) => h[i][j])),
    index.map((i) => b[i]),
  );
  const x = new Float64Array(b.length);
  index.forEach((y, k) => (x[y] = reduced[k]));
  return x;
}

/**
 * The largest change of any compared reward difference in one Newton direction (a trust region): from the steep side
 * of the logistic, where the curvature is tiny, the full Newton step would jump far past the minimiser into the flat
 * tail; a capped direction that still descends steeply at its end is lengthened by the line search instead.
 */
const MAX_STEP = 2;
/**
 * Newton iterations at most: the statement's starts (|v₀| ≤ 5) need a few dozen; this leaves room for starts thousands
 * of reward units off, crossed MAX_STEP at a time where the line search does not lengthen the step.
 */
const MAX_ITERATIONS = 5000;
/** A Newton step below this, relative to 1 + max|v|, has converged (its error is of the order of its square). */
const STEP_TOLERANCE = 1e-15;

/**
 * Damped Newton's method ({@link dampedNewton} on −L) on the convex population DPO loss in tabular implicit rewards,
 * from the instance's start. Returns the implicit reward reached.
 * @internal
 */
export function newtonPopulationDpo(instance: PopulationDpoInstance): Float64Array {
  const label = components(instance.graph);
  const problem: NewtonProblem<LossParts> = {
    evaluate: (v, withValue) => lossParts(v, instance, withValue),
    gradient: (parts) => parts.grad.map((g) => -g),
    value: (parts) => -parts.loss,
    direction(parts) {
      // the minimum-norm Newton step: H's null space is spanned by the components' indicator
      // vectors, so remove the step's mean on each component
      const step = solveLaplacian(
        parts.hess,
        parts.grad.map((g) => -g),
        label,
      );
      removeComponentMeans(step, label);
      let widest = 0;
      for (const [i, j] of instance.graph.edges) widest = Math.max(widest, Math.abs(step[i] - step[j]));
      if (widest > MAX_STEP) for (let y = 0; y < step.length; y++) step[y] *= MAX_STEP / widest;
      return step;
    },
    converged(parts, v, step) {
      const size = 1 + v.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
      const small = step.every((s) => Math.abs(s) <= STEP_TOLERANCE * size);
      const quiet = parts.grad.every((g, y) => Math.abs(g) <= parts.noise[y]);
      return small || quiet;
    },
    // each edge's loss is linear far on its wrong side: a step is lengthened across such tails, not past them
    doubleWhileSteep: true,
  };
  return dampedNewton(problem, Float64Array.from(instance.start), MAX_ITERATIONS).x;
}

/** Subtracts from x its mean over each labelled component. */
function removeComponentMeans(x: Float64Array, label: number[]): void {
  const sums = new Map<number, [number, number]>();
  label.forEach((c, y) => {
    const [s, n] = sums.get(c) ?? [0, 0];
    sums.set(c, [s + x[y], n + 1]);
  });
  label.forEach((c, y) => {
    const [s, n] = sums.get(c)!;
    x[y] -= s / n;
  });
}

/** Connected components of the comparison graph (labels per response). @internal */
export function components(graph: ComparisonGraph): number[] {
  const parent = Array.from({ length: graph.size }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (const [i, j] of graph.edges) parent[find(i)] = find(j);
  return parent.map((_, i) => find(i));
}

/**
 * Population DPO: with pairs drawn from μ whose comparison graph connects all responses, labelled
 * by the true Bradley–Terry probabilities of r*, the population DPO loss is minimised at π_{r*}.
 * luce minimises it by damped Newton on tabular implicit rewards (the loss is convex there) and
 * measures KL(π_Newton ‖ π_{r*}); the statement holds when it is below 1e−10 (the threshold of the
 * statement itself, not a rounding bound). At 50 digits, the exact minimiser that Newton's answer
 * identifies, r* plus Newton's mean offset on each connected component, is checked: the loss
 * gradient there and its KL to π_{r*} must vanish.
 *
 * Instances: K = 2 to 6 responses, reward gaps up to 16 (label probabilities down to 1e−7, where
 * gradient descent crawls at σ′ ≈ 1e−7), β from 0.1 to 10. Why not the 4000 of the other
 * statements: along an edge whose label probability is p, the population loss changes by about p
 * times the change of the reward difference, while float64 rounds the gradient of the edges that
 * are already fitted at EPS; Newton then fixes that difference only to EPS/p, and KL < 1e−10 needs
 * (EPS/(pβ))² < 1e−10. Past gaps of about 20 the population problem is not resolvable in float64
 * by any node-based method, which is a fact about float64, not about the statement.
 *
 * @param assumptions - `connectedGraph: false` refutes it: every policy whose implied reward
 *   minus r* is constant on each component is a minimiser
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(populationDpo(), { runs: 50 })).verdict; // "holds"
 * ```
 */
export function populationDpo(assumptions: Assumptions = {}): Statement<PopulationDpoInstance> {
  assumptions = readAssumptions("populationDpo", assumptions);
  const connected = assumptions.connectedGraph ?? true;
  const instances = fc.integer({ min: 2, max: 6 }).chain((k) =>
    fc.record({
      beta: betaArbitrary({ min: 0.1, max: 10 }),
      reward: fc.array(
        fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -8, max: 8, noNaN: true })),
        { minLength: k, maxLength: k },
      ),
      logReference: logReferenceArbitrary({ responses: k }),
      graph: comparisonGraphArbitrary(k, { connected }),
      start: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: k, maxLength: k }),
    }),
  );
  return {
    id: "population-dpo",
    title:
      "With a connected comparison graph, the population DPO loss is minimised at π_r* (Newton reaches KL < 1e−10)",
    reference: "Section 4 and 5 (eq. 7 at the population level)",
    definition: "KL(π_Newton ‖ π_r*) ≤ 1e−10; at 50 digits, |∇L| and KL at the minimiser Newton identifies",
    instances,
    runsFraction: 0.5,
    float64(instance) {
      const v = newtonPopulationDpo(instance);
      const logPi = logOptimalPolicyRow(v, instance.logReference, instance.beta);
      const logTarget = logOptimalPolicyRow(instance.reward, instance.logReference, instance.beta);
      return [{ name: "KL(π_Newton ‖ π_r*)", residual: Math.max(0, klRow(logPi, logTarget)), bound: 1e-10 }];
    },
    precise(instance) {
      const v = newtonPopulationDpo(instance);
      const label = components(instance.graph);
      const beta = exact(instance.beta);
      const r = preciseRow(instance.reward);
      // the exact minimiser Newton's answer identifies: r* + (mean of v − r* on each component)
      const offset = new Map<number, { sum: Precise; n: number }>();
      label.forEach((c, y) => {
        const o = offset.get(c) ?? { sum: exact(0), n: 0 };
        offset.set(c, { sum: o.sum.plus(exact(v[y]).minus(r[y])), n: o.n + 1 });
      });
      const s = r.map((ry, y) => {
        const o = offset.get(label[y])!;
        return ry.plus(o.sum.div(o.n));
      });
      const grad = s.map(() => exact(0));
      for (const [i, j, mu] of instance.graph.edges) {
        const target = r[i].minus(r[j]);
        const d = s[i].minus(s[j]);
        const g = exact(mu).times(
          preciseSigmoid(target.neg())
            .times(preciseSigmoid(d))
            .minus(preciseSigmoid(target).times(preciseSigmoid(d.neg()))),
        );
        grad[i] = grad[i].plus(g);
        grad[j] = grad[j].minus(g);
      }
      const ref = preciseRow(instance.logReference);
      const logPi = preciseLogOptimalPolicy(s, ref, beta);
      const logTarget = preciseLogOptimalPolicy(r, ref, beta);
      let kl = exact(0);
      logPi.forEach((lp, y) => (kl = kl.plus(lp.exp().times(lp.minus(logTarget[y])))));
      return preciseMax([...grad.map((g) => g.abs()), kl.abs()]);
    },
    show: (instance) => show(instance),
  };
}
