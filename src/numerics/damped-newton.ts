/**
 * One problem for {@link dampedNewton}: a concave objective f to maximise (a minimiser passes −f),
 * evaluated into a `State` that holds its gradient (and its value when asked: the value costs
 * logarithms the gradient does not need, so it is computed only when the line search must).
 * @internal
 */
export interface NewtonProblem<State> {
  /**
   * f and ∇f at `x`; the value only `withValue` (otherwise any number). `reuse`, when given, is a
   * state no longer needed whose storage may be recycled.
   */
  evaluate(x: Float64Array, withValue: boolean, reuse?: State): State;
  /** ∇f at the state's point. */
  gradient(state: State): Float64Array;
  /** f at the state's point (evaluated `withValue`). */
  value(state: State): number;
  /** The Newton direction d with (−∇²f) d ≈ ∇f at the state's point (any ascent direction will do). */
  direction(state: State, x: Float64Array): Float64Array;
  /**
   * The stopping rule, given the point, its state and its Newton direction. When it holds the
   * direction is still taken: once it is small the remaining error is of the order of its square.
   */
  converged(state: State, x: Float64Array, direction: Float64Array): boolean;
  /** Applied to x after every accepted step (for example centring, when f is shift-invariant). */
  normalize?(x: Float64Array): void;
  /**
   * Double a step only while the slope at its end stays above {@link EXTEND_WHEN_SLOPE_KEEPS} of the initial slope,
   * rather than while f rises: for an f whose terms have linear tails (a constant slope far off), where a slope that
   * has fallen means the step has crossed them, and a small one left by one term could carry x, f rising all the
   * while, far onto the flat tails of others. Without it a logistic likelihood's tail, whose slope decays
   * geometrically, is crossed in logarithmically many doublings.
   */
  readonly doubleWhileSteep?: boolean;
}

/** What {@link dampedNewton} returns. @internal */
export interface NewtonResult {
  /** The last point (the argument x0, updated in place). */
  readonly x: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  /** Why it stopped without converging, when it did. */
  readonly stopped?: string;
}

/** Armijo's sufficient-increase fraction of the predicted increase t·∇fᵀd. */
const ARMIJO = 1e-4;
/**
 * A step is also accepted without evaluating f when the slope at its end is no worse than −½ of the
 * initial slope: were f quadratic along d, f would have risen by at least a quarter of t·∇fᵀd (an exact
 * Newton step ends at slope 0, one twice too long at −slope with no gain). Near the maximum, where
 * f's rounding hides the gain, this saves evaluating f (its logarithms) twice per iteration.
 */
const QUADRATIC_OVERSHOOT = 0.5;
/** Halvings of the step before the line search gives up (2^-60 of a step changes nothing in float64). */
const MAX_HALVINGS = 60;
/**
 * A step that still climbs at its end with slope above this fraction of the initial slope is far from
 * the quadratic regime (on a logistic's flat tail a Newton step covers one unit of the log-odds), so the
 * step is doubled while the objective keeps rising: the tail is crossed in logarithmically many steps.
 */
const EXTEND_WHEN_SLOPE_KEEPS = 0.25;
/** Doublings of one step at most (2^60 units of any parameter is past every float64 optimum). */
const MAX_DOUBLINGS = 60;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Damped Newton's method for a concave objective: at each point the Newton direction d, then a line
 * search along it: the step t·d is accepted when f's slope along d at its end is ≥ 0 (f is concave, so it
 * rose all the way) or not below −½ of the initial slope (see {@link QUADRATIC_OVERSHOOT}), else by Armijo's
 * rule on f itself, halving t until one holds; a full step
 * that still climbs steeply is doubled while f keeps rising (with {@link NewtonProblem.doubleWhileSteep}, while it
 * climbs steeply at its end). Stops when `problem.converged` holds (and
 * takes that last step), when no step increases f (`stopped` says so), or after `maxIterations`.
 * @internal
 */
export function dampedNewton<State>(
  problem: NewtonProblem<State>,
  x0: Float64Array,
  maxIterations: number,
): NewtonResult {
  const x = x0;
  const n = x.length;
  let state = problem.evaluate(x, false);
  let spare: State | undefined;
  const trial = new Float64Array(n);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const d = problem.direction(state, x);
    if (problem.converged(state, x, d)) {
      for (let i = 0; i < n; i++) x[i] += d[i];
      problem.normalize?.(x);
      return { x, iterations: iteration + 1, converged: true };
    }
    const slope = dot(d, problem.gradient(state));
    if (!(slope > 0))
      return { x, iterations: iteration, converged: false, stopped: "the Newton direction does not ascend" };
    let value = Number.NaN;
    let t = 1;
    let accepted = false;
    let along = 0;
    for (let halvings = 0; halvings < MAX_HALVINGS && !accepted; halvings++) {
      for (let i = 0; i < n; i++) trial[i] = x[i] + t * d[i];
      let next = problem.evaluate(trial, false, spare);
      along = dot(d, problem.gradient(next));
      accepted = along >= -QUADRATIC_OVERSHOOT * slope;
      if (!accepted) {
        if (Number.isNaN(value)) value = problem.value(problem.evaluate(x, true));
        next = problem.evaluate(trial, true, next);
        accepted = problem.value(next) >= value + ARMIJO * t * slope;
      }
      if (accepted) {
        spare = state;
        state = next;
      } else {
        spare = next;
        t /= 2;
      }
    }
    if (!accepted)
      return {
        x,
        iterations: iteration + 1,
        converged: false,
        stopped: "no step along the Newton direction increases the objective",
      };
    if (t === 1 && along > EXTEND_WHEN_SLOPE_KEEPS * slope) {
      for (let doublings = 0; doublings < MAX_DOUBLINGS; doublings++) {
        for (let i = 0; i < n; i++) trial[i] = x[i] + 2 * t * d[i];
        const next = problem.evaluate(trial, false, spare);
        const end = dot(d, problem.gradient(next));
        if (!(end >= 0)) {
          spare = next;
          break;
        }
        spare = state;
        state = next;
        t *= 2;
        if (problem.doubleWhileSteep === true && !(end > EXTEND_WHEN_SLOPE_KEEPS * slope)) break;
      }
    }
    for (let i = 0; i < n; i++) x[i] += t * d[i];
    if (problem.normalize !== undefined) {
      problem.normalize(x);
      // the state belongs to the point before normalising; f is invariant under it, ∇f too
    }
  }
  return { x, iterations: maxIterations, converged: false, stopped: `it reached maxIterations (${maxIterations})` };
}
