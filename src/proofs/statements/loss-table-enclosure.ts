import { withinBound } from "../float64-error.js";
import { add, formatInterval, fromConstant, mul, sub, width, type Interval } from "../interval/index.js";
import { computeOptimum, type LossOptimumInstance } from "./loss-optimum.js";
import {
  certifyOptimum,
  listwiseSystem,
  pairSystem,
  pairTerms,
  populationOptimumErrors,
  type PairKernel,
  type ScoreMap,
} from "./loss-optimum-enclosure.js";
import { readPopulationOptimumProblem } from "../../theory/population-optimum.js";
import { listwiseRankings } from "../../theory/population-loss.js";

/** A row of the loss table (statement 8), certified or not, and why. */
export interface TableRowEnclosure {
  /**
   * The row's verdict proven: a unique finite optimum enclosed (and populationOptimum within its claimed error), or
   * the divergence shown.
   */
  readonly certified: boolean;
  /**
   * Whether a proof was attempted (an interval kernel or a divergence argument exists for the row): an attempted proof
   * that fails is a failure of `verifyLosses`, a row with none is only reported.
   */
  readonly attempted: boolean;
  /** What was proven, or why nothing was. */
  readonly detail: string;
}

/** The table problem's one prompt as an instance (the table's problems have one prompt each). */
function instanceOf(problem: Record<string, unknown>): LossOptimumInstance {
  const row = <T>(key: string): T | undefined => (problem[key] as T[] | undefined)?.[0];
  return {
    beta: problem.beta as number,
    reward: row<number[]>("reward")!,
    logReference: row<number[]>("logReference")!,
    pairWeights: row<number[][]>("pairWeights") ?? [],
    ...(problem.labelNoise === undefined ? {} : { labelNoise: problem.labelNoise as number }),
    ...(problem.labelSmoothing === undefined ? {} : { labelSmoothing: problem.labelSmoothing as number }),
    ...(problem.lengths === undefined ? {} : { lengths: row<number[]>("lengths")! }),
  };
}

/** The pair kernel and score map of the table's types that have one in interval arithmetic. */
function kernelOf(lossType: string, instance: LossOptimumInstance): { kernel: PairKernel; map: ScoreMap } | null {
  const identity: ScoreMap = { kind: "identity" };
  if (lossType === "sigmoid") return { kernel: { kind: "sigmoid", smoothing: 0 }, map: identity };
  if (lossType === "conservative_sigmoid")
    return { kernel: { kind: "sigmoid", smoothing: instance.labelSmoothing ?? 0 }, map: identity };
  if (lossType === "robust") return { kernel: { kind: "robust", eps: instance.labelSmoothing ?? 0 }, map: identity };
  if (lossType === "ipo" && instance.lengths === undefined) return { kernel: { kind: "ipo" }, map: identity };
  if (lossType === "sigmoid_norm")
    return { kernel: { kind: "sigmoid", smoothing: 0 }, map: { kind: "lengths", lengths: instance.lengths! } };
  return null;
}

/**
 * apo_zero's divergence proven: its population loss is a constant plus Σ_y a_y σ(βh_y) with a_y = Σ_j μ_yj (q_jy −
 * q_yj) (the weight y loses minus the weight it wins), and Σ_y a_y = 0 term by term; an enclosure of some a_y above 0
 * then shows that moving mass from y to a response with a ≤ 0 lowers the loss from every policy.
 */
function apoZeroDivergence(instance: LossOptimumInstance): TableRowEnclosure {
  const net: Interval[] = instance.reward.map(() => fromConstant(0));
  for (const t of pairTerms(instance)) {
    const lost = mul(t.mu, sub(t.qji, t.qij));
    net[t.i] = add(net[t.i], lost);
    net[t.j] = sub(net[t.j], lost);
  }
  const losing = net.flatMap((a, y) => (a.lo.gt(0) ? [`a_${y} in ${formatInterval(a)}`] : []));
  return losing.length > 0
    ? { certified: true, attempted: true, detail: `no finite optimum proven: ${losing.join(", ")} > 0 and Σ a_y = 0` }
    : { certified: false, attempted: true, detail: "not certified: no net weight a_y is proven positive" };
}

/**
 * Certifies one row of the loss table: a finite optimum of a type with an interval kernel by Krawczyk's test around
 * populationOptimum's answer (and its float64 error against its claimed bound), apo_zero's divergence by its net
 * weights; any other row says why it is not certified.
 * @internal
 */
export function certifyTableRow(
  problem: Record<string, unknown>,
  optimum: "finite" | "no finite optimum" | "not computed",
): TableRowEnclosure {
  const lossType = problem.lossType as string;
  const instance = instanceOf(problem);
  let attempted = false;
  try {
    if (optimum === "no finite optimum")
      return lossType === "apo_zero"
        ? apoZeroDivergence(instance)
        : {
            certified: false,
            attempted: false,
            detail: `not certified: the divergence of '${lossType}' rests on Newton's saturation test, not on a proof`,
          };
    if (optimum !== "finite") return { certified: false, attempted: false, detail: "not certified: not computed" };
    let system;
    let map: ScoreMap = { kind: "identity" };
    if (lossType === "plackett_luce") {
      const read = readPopulationOptimumProblem("populationOptimum", problem);
      system = listwiseSystem(instance, listwiseRankings(read.prompts[0]).rankings);
    } else {
      const found = kernelOf(lossType, instance);
      if (found === null)
        return { certified: false, attempted: false, detail: `not certified: no interval kernel for '${lossType}'` };
      system = pairSystem(instance.reward.length, instance.beta, found.kernel, pairTerms(instance));
      map = found.map;
    }
    attempted = true;
    const solution = computeOptimum(lossType as never, instance, lossType === "plackett_luce");
    const certified = certifyOptimum(instance, solution, system, map);
    const errors = populationOptimumErrors(instance, certified, map);
    const within = errors.every(withinBound);
    const widest = certified.z.reduce((m, v) => (width(v).gt(m) ? width(v) : m), width(certified.z[0]));
    return {
      certified: within,
      attempted,
      detail:
        `unique optimum proven (Krawczyk), scores enclosed to ${widest.toExponential(1)}; ` +
        `populationOptimum ${within ? "within" : "NOT within"} its claimed error`,
    };
  } catch (e) {
    return { certified: false, attempted, detail: `not certified: ${e instanceof Error ? e.message : String(e)}` };
  }
}
