import type { Arithmetic } from "../forward-derivative.js";
import { intervalRow } from "../enclosures.js";
import { dpoLossErrors, logSumExpError } from "../function-errors.js";
import type { InstanceEnclosure } from "../instance-enclosure.js";
import {
  abs,
  add,
  div,
  exp,
  fromConstant,
  fromDouble,
  ln,
  logSumExp,
  mul,
  sigmoid,
  sub,
  type Interval,
} from "../interval/index.js";
import { dpoLossAtLogits, forwardGradient, type AppendixA4Instance } from "./appendix-a4.js";

/** Interval arithmetic in the form forward differentiation takes; constants enter as their exact doubles. */
const intervalArithmetic: Arithmetic<Interval> = { constant: fromDouble, add, sub, mul, div, exp, log: ln };

/**
 * Appendix A.4 enclosed: per logit, |paper's gradient − forward derivative of the loss| (the loss written in the
 * logits, differentiated on dual numbers over intervals), and the float64 errors of logSumExp and dpoLoss (losses and
 * gradients) on the log-probabilities luce computes from the logits.
 * @internal
 */
export function appendixA4Enclosure(instance: AppendixA4Instance): InstanceEnclosure {
  const { beta, logits, logReference, pairs } = instance;
  const b = fromDouble(beta);
  const t = intervalRow(logits);
  const ref = intervalRow(logReference);
  const lse = logSumExp(t);
  const paper = t.map(() => fromConstant(0));
  for (const [w, l] of pairs) {
    const rw = mul(b, sub(sub(t[w], lse), ref[w]));
    const rl = mul(b, sub(sub(t[l], lse), ref[l]));
    const s = mul(b, sigmoid(sub(rl, rw)));
    paper[w] = sub(paper[w], s);
    paper[l] = add(paper[l], s);
  }
  const forward = forwardGradient(instance, intervalArithmetic);
  const residuals = paper.map((g, k) => ({
    name: `θ${k}: formula = derivative`,
    value: abs(sub(g, forward[k])),
    claim: "= 0" as const,
  }));
  const { z, logPi, result: r } = dpoLossAtLogits(instance, logits);
  const float64 = [
    logSumExpError(logits, z, "logits"),
    ...pairs.flatMap(([w, l], p) =>
      dpoLossErrors(
        {
          policyChosen: logPi[w],
          policyRejected: logPi[l],
          referenceChosen: logReference[w],
          referenceRejected: logReference[l],
        },
        beta,
        { loss: r.losses[p], gradChosen: r.gradPolicyChosen[p], gradRejected: r.gradPolicyRejected[p] },
        `pair ${p}`,
      ),
    ),
  ];
  return { residuals, float64 };
}
