import * as tf from "@tensorflow/tfjs-core";
import type { Tensor } from "@tensorflow/tfjs-core";
import { LuceError } from "../errors.js";
import { NeumaierSum } from "../numerics/sum.js";
import { describe } from "../validation/checks.js";

/** Whether `x` looks like a tfjs tensor (tfjs-core may be loaded more than once, so no instanceof). @internal */
export function isTensor(x: unknown): x is Tensor {
  return typeof x === "object" && x !== null && "dataSync" in x && "shape" in x && "dtype" in x;
}

/** A float32 tensor of rank `rank`, or a LuceError naming `name`. @internal */
export function requireTensor(fn: string, name: string, x: unknown, rank: number): Tensor {
  if (!isTensor(x)) throw new LuceError(fn, name, "must be a tfjs Tensor");
  if (x.rank !== rank)
    throw new LuceError(fn, name, `must have rank ${rank}, not ${x.rank} (shape [${x.shape.join(", ")}])`);
  if (x.dtype !== "float32") throw new LuceError(fn, name, `must be float32, not ${x.dtype}`);
  return x;
}

/** A tensor's values, or an array's, as numbers (for the arguments that carry no gradient). @internal */
export function valuesOf(fn: string, name: string, x: unknown): ArrayLike<number> {
  if (isTensor(x)) return x.dataSync() as ArrayLike<number>;
  if (typeof x === "object" && x !== null && typeof (x as ArrayLike<number>).length === "number")
    return x as ArrayLike<number>;
  throw new LuceError(fn, name, "must be a tfjs Tensor or an array of numbers");
}

/** Runs `compute`, re-attributing a LuceError from the luce function it calls to the op the user called. @internal */
export function asOp<T>(op: string, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (!(error instanceof LuceError) || error.function === op) throw error;
    const prefix = `${error.function}: argument '${error.argument}' `;
    throw new LuceError(
      op,
      error.argument,
      error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message,
    );
  }
}

/** How a loss op reduces its per-example losses. */
export type Reduction = "mean" | "sum" | "none";

/** The reduction option, validated. @internal */
export function requireReduction(op: string, reduction: unknown): Reduction {
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none")
    throw new LuceError(op, "options.reduction", `must be "mean", "sum" or "none", not ${describe(reduction)}`);
  return reduction;
}

/**
 * The op's value: the losses' mean or sum (compensated, in float64) as a scalar, or the losses themselves, rounded to
 * float32 once. @internal
 */
export function reducedLosses(losses: Float64Array, reduction: Reduction): Tensor {
  if (reduction === "none") return tf.tensor1d(Float32Array.from(losses), "float32");
  const sum = new NeumaierSum();
  for (const loss of losses) sum.add(loss);
  const total = sum.value();
  return tf.scalar(reduction === "mean" ? total / losses.length : total, "float32");
}

/** Example i's weight in the backward pass: its upstream gradient, or the scalar's (over n for the mean). @internal */
export function upstreamWeights(dy: Tensor, reduction: Reduction, n: number): (i: number) => number {
  const upstream = dy.dataSync();
  if (reduction === "none") return (i) => upstream[i];
  const weight = reduction === "mean" ? upstream[0] / n : upstream[0];
  return () => weight;
}
