import * as tf from "@tensorflow/tfjs-core";
import { LuceError } from "../errors.js";
import { dpoLoss, isBatchCoupled, type DpoLossOptions } from "../losses/dpo.js";
import {
  asOp,
  reducedLosses,
  requireReduction,
  requireTensor,
  upstreamWeights,
  valuesOf,
  type Reduction,
} from "./tensors.js";

const OP = "dpoLossOp";

/** The inputs of {@link dpoLossOp}: one entry per preference pair. */
export interface DpoLossOpInputs {
  /** log π_θ(y_w | x), float32 [n]: the loss is differentiated with respect to it. */
  readonly policyChosenLogps: tf.Tensor1D;
  /** log π_θ(y_l | x), float32 [n]: the loss is differentiated with respect to it. */
  readonly policyRejectedLogps: tf.Tensor1D;
  /** log π_ref(y_w | x), a tensor or numbers (no gradient flows to it); may be omitted with `referenceFree`. */
  readonly referenceChosenLogps?: tf.Tensor1D | ArrayLike<number>;
  /** log π_ref(y_l | x), likewise. */
  readonly referenceRejectedLogps?: tf.Tensor1D | ArrayLike<number>;
  /** Token counts of the chosen responses (`ipo` optionally, `sigmoid_norm` and `sft` always). */
  readonly chosenLengths?: tf.Tensor1D | ArrayLike<number>;
  /** Token counts of the rejected responses. */
  readonly rejectedLengths?: tf.Tensor1D | ArrayLike<number>;
}

/**
 * Options of {@link dpoLossOp}: those of {@link luce!dpoLoss} but `routerAuxLossCoef` (the op returns the pair
 * losses; add coefficient × aux_loss to its value yourself), and the reduction.
 */
export interface DpoLossOpOptions extends Omit<DpoLossOptions, "routerAuxLossCoef"> {
  /**
   * `"mean"` (default, as TRL and the original DPO code): a scalar, the mean loss over pairs;
   * `"sum"`: a scalar; `"none"`: the [n] losses (not for `aot` and `aot_unpaired`, whose k-th loss
   * belongs to the k-th position of the sorted batch rather than to pair k, nor for `sft`, whose every entry is
   * the batch's mean).
   */
  readonly reduction?: Reduction;
}

/**
 * The DPO loss family (eq. 7 and TRL's descendants) as a differentiable tfjs op: the losses of
 * {@link luce!dpoLoss}, computed in float64, and its exact gradients with respect to the policy
 * log-probs as the op's gradient (so nothing is differentiated through float32 softplus chains).
 * Compose it with {@link sequenceLogProbsOp} to get the gradient with respect to the logits.
 *
 * $$\mathcal{L} = -\log \sigma\Big(\beta \log \frac{\pi_\theta(y_w \mid x)}{\pi_{\mathrm{ref}}(y_w \mid x)} - \beta
 * \log \frac{\pi_\theta(y_l \mid x)}{\pi_{\mathrm{ref}}(y_l \mid x)}\Big)$$
 * for the default `sigmoid`; every `lossType` of dpoLoss is available.
 *
 * @param inputs - the policy's log-probs as float32 tensors [n]; the reference's and lengths as tensors or numbers
 * @param options - β, the loss type and its parameters (as dpoLoss), and the reduction
 * @returns a scalar (mean or sum) or the [n] losses, float32
 * @throws {@link luce!LuceError} for inputs that are not float32 tensors of rank 1, a bad reduction,
 *   and whatever dpoLoss rejects (named as this op's)
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * const chosen = tf.tensor1d([-10]), rejected = tf.tensor1d([-12]);
 * const grads = tf.grads((c: tf.Tensor, r: tf.Tensor) =>
 *   dpoLossOp({ policyChosenLogps: c as tf.Tensor1D, policyRejectedLogps: r as tf.Tensor1D,
 *               referenceChosenLogps: [-11], referenceRejectedLogps: [-11] }, { beta: 0.1 }));
 * grads([chosen, rejected]); // [−β σ(−βd), +β σ(−βd)] with d = 2
 * ```
 */
export function dpoLossOp(inputs: DpoLossOpInputs, options: DpoLossOpOptions): tf.Tensor {
  if (typeof inputs !== "object" || inputs === null) throw new LuceError(OP, "inputs", "must be an object");
  if (typeof options !== "object" || options === null) throw new LuceError(OP, "options", "must be an object");
  const chosen = requireTensor(OP, "inputs.policyChosenLogps", inputs.policyChosenLogps, 1);
  const rejected = requireTensor(OP, "inputs.policyRejectedLogps", inputs.policyRejectedLogps, 1);
  const { reduction: given = "mean", ...lossOptions } = options;
  const reduction = requireReduction(OP, given);
  if (reduction === "none" && isBatchCoupled(lossOptions.lossType)) {
    throw new LuceError(
      OP,
      "options.reduction",
      `cannot be "none" for ${String(lossOptions.lossType)}, whose losses belong to sorted positions or to the ` +
        "whole batch (aot, aot_unpaired, sft), not to pairs",
    );
  }
  const optional = (name: keyof DpoLossOpInputs) =>
    inputs[name] === undefined ? undefined : valuesOf(OP, `inputs.${name}`, inputs[name]);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [c, r] = args as tf.Tensor[];
    const result = asOp(OP, () =>
      dpoLoss(
        {
          policyChosenLogps: c.dataSync() as ArrayLike<number>,
          policyRejectedLogps: r.dataSync() as ArrayLike<number>,
          referenceChosenLogps: optional("referenceChosenLogps"),
          referenceRejectedLogps: optional("referenceRejectedLogps"),
          chosenLengths: optional("chosenLengths"),
          rejectedLengths: optional("rejectedLengths"),
        },
        lossOptions,
      ),
    );
    // d(Σ losses)/dx is diagonal for every type but the aot ones (mean and sum only): scale it by dy
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const weight = upstreamWeights(dy, reduction, result.losses.length);
      return [result.gradPolicyChosen, result.gradPolicyRejected].map((g) =>
        tf.tensor1d(
          Float32Array.from(g, (x, i) => x * weight(i)),
          "float32",
        ),
      );
    };
    return { value: reducedLosses(result.losses, reduction), gradFunc };
  });
  return op(chosen, rejected);
}
