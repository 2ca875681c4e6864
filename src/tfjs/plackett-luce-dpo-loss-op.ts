import * as tf from "@tensorflow/tfjs-core";
import { LuceError } from "../errors.js";
import { plackettLuceDpoLoss } from "../losses/plackett-luce-dpo.js";
import { requireOptions } from "../validation/checks.js";
import {
  asOp,
  reducedLosses,
  requireReduction,
  requireTensor,
  upstreamWeights,
  valuesOf,
  type Reduction,
} from "./tensors.js";

const OP = "plackettLuceDpoLossOp";

/** The inputs of {@link plackettLuceDpoLossOp}: n examples of K responses each. */
export interface PlackettLuceDpoLossOpInputs {
  /** log π_θ(y_k | x), float32 [n, K]: the loss is differentiated with respect to it. */
  readonly policyLogps: tf.Tensor2D;
  /** log π_ref(y_k | x), [n, K], a tensor or nested arrays (no gradient flows to it). */
  readonly referenceLogps: tf.Tensor2D | ReadonlyArray<ArrayLike<number>>;
  /** Each example's response indices 0..K−1, best first: a full ranking or a top-k. */
  readonly rankings: ReadonlyArray<ArrayLike<number>>;
}

/**
 * The listwise (Plackett–Luce) DPO loss of the paper's appendix A.3 as a differentiable tfjs op:
 * the losses of {@link luce!plackettLuceDpoLoss}, computed in float64, with its exact gradient
 * with respect to the policy log-probs as the op's gradient.
 *
 * $$\mathcal{L}_i = -\log \prod_{k} \frac{\exp \hat r(x, y_{\tau(k)})}{\sum_{j \ge k} \exp \hat r(x, y_{\tau(j)})},
 * \qquad \hat r = \beta \log \frac{\pi_\theta}{\pi_{\mathrm{ref}}}.$$
 *
 * @param inputs - the policy's log-probs as a float32 tensor [n, K], the reference's, the rankings
 * @param options - β > 0, and the reduction over examples: `"mean"` (default), `"sum"` or `"none"` ([n] losses)
 * @returns a scalar, or the [n] losses, float32
 * @throws {@link luce!LuceError} for a policy that is not a float32 tensor of rank 2, a reference of
 *   another shape, a bad reduction, and whatever plackettLuceDpoLoss rejects (named as this op's)
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * const policy = tf.tensor2d([[-5, -6, -9]]);
 * const loss = plackettLuceDpoLossOp({ policyLogps: policy, referenceLogps: [[-6, -6, -6]], rankings: [[0, 1, 2]] }, {
 * beta: 0.5 });
 * tf.grad((p: tf.Tensor) => plackettLuceDpoLossOp({ policyLogps: p as tf.Tensor2D, referenceLogps: [[-6, -6, -6]],
 * rankings: [[0, 1, 2]] }, { beta: 0.5 }))(policy);
 * ```
 */
export function plackettLuceDpoLossOp(
  inputs: PlackettLuceDpoLossOpInputs,
  options: { readonly beta: number; readonly reduction?: Reduction },
): tf.Tensor {
  if (typeof inputs !== "object" || inputs === null) throw new LuceError(OP, "inputs", "must be an object");
  if (typeof options !== "object" || options === null) throw new LuceError(OP, "options", "must be an object");
  requireOptions(OP, "options", options, ["beta", "reduction"]);
  const policy = requireTensor(OP, "inputs.policyLogps", inputs.policyLogps, 2);
  const [n, K] = policy.shape;
  const reduction = requireReduction(OP, options.reduction ?? "mean");
  const { beta } = options;
  let reference: ArrayLike<number>[];
  if (Array.isArray(inputs.referenceLogps)) {
    reference = inputs.referenceLogps.map((row, i) => valuesOf(OP, `inputs.referenceLogps[${i}]`, row));
  } else {
    const tensor = requireTensor(OP, "inputs.referenceLogps", inputs.referenceLogps, 2);
    if (tensor.shape[0] !== n || tensor.shape[1] !== K)
      throw new LuceError(
        OP,
        "inputs.referenceLogps",
        `has shape [${tensor.shape.join(", ")}], not the policy's [${n}, ${K}]`,
      );
    const values = tensor.dataSync();
    reference = Array.from({ length: n }, (_, i) => values.subarray(i * K, (i + 1) * K));
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const p = args[0] as tf.Tensor;
    const values = p.dataSync();
    const policyLogps = Array.from({ length: n }, (_, i) => values.subarray(i * K, (i + 1) * K));
    const result = asOp(OP, () =>
      plackettLuceDpoLoss({ policyLogps, referenceLogps: reference, rankings: inputs.rankings }, { beta }),
    );
    const gradFunc = (dy: tf.Tensor): tf.Tensor => {
      const weight = upstreamWeights(dy, reduction, n);
      const grad = new Float32Array(n * K);
      for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) grad[i * K + k] = result.gradPolicy[i][k] * weight(i);
      return tf.tensor2d(grad, [n, K], "float32");
    };
    return { value: reducedLosses(result.losses, reduction), gradFunc };
  });
  return op(policy);
}
