import fc from "fast-check";
import { betaArbitrary } from "../../arbitraries/problem.js";
import { dpoLoss } from "../../losses/dpo.js";
import { logSumExp } from "../../numerics/log-sum-exp.js";
import { sigmoidUnchecked } from "../../numerics/sigmoid.js";
import { floatArithmetic, gradientOf, type Arithmetic } from "../forward-derivative.js";
import { exact, preciseArithmetic, preciseMax, preciseSigmoid } from "../precise.js";
import { EPS, maxAbs, show } from "../residuals.js";
import type { Residual, Statement } from "../statement.js";

/** An instance of appendix A.4: a tabular policy's logits, a reference, β and preference pairs over one prompt. */
export interface AppendixA4Instance {
  /** β > 0. */
  readonly beta: number;
  /** θ: π_θ = softmax(θ). */
  readonly logits: number[];
  /** log π_ref. */
  readonly logReference: number[];
  /** [y_w, y_l] pairs. */
  readonly pairs: [number, number][];
}

/**
 * The summed DPO loss as an expression in the logits t, over any arithmetic: the log-normaliser is
 * written out, not cancelled, so its derivative is taken too; β and log π_ref enter as constants.
 */
function lossInLogits<T>({ beta, logReference, pairs }: AppendixA4Instance, ar: Arithmetic<T>, t: readonly T[]): T {
  const b = ar.constant(beta);
  const r = logReference.map(ar.constant);
  const one = ar.constant(1);
  const zero = ar.constant(0);
  let sumExp = ar.exp(t[0]);
  for (let j = 1; j < t.length; j++) sumExp = ar.add(sumExp, ar.exp(t[j]));
  const lse = ar.log(sumExp);
  let total = zero;
  for (const [w, l] of pairs) {
    const margin = ar.sub(ar.mul(b, ar.sub(ar.sub(t[w], lse), r[w])), ar.mul(b, ar.sub(ar.sub(t[l], lse), r[l])));
    // −log σ(margin), with σ(x) = 1 / (1 + e^{−x})
    const sigma = ar.div(one, ar.add(one, ar.exp(ar.sub(zero, margin))));
    total = ar.sub(total, ar.log(sigma));
  }
  return total;
}

/** The loss's derivative in each logit by forward differentiation of {@link lossInLogits}, over `ar`. @internal */
export function forwardGradient<T>(instance: AppendixA4Instance, ar: Arithmetic<T>): T[] {
  return gradientOf(ar, (dual, t) => lossInLogits(instance, dual, t), instance.logits.map(ar.constant));
}

/**
 * luce's float64 forward pass on the instance's pairs at `logits`: log Z, log π = θ − log Z and dpoLoss's result
 * (one pair per entry). @internal
 */
export function dpoLossAtLogits({ beta, logReference, pairs }: AppendixA4Instance, logits: number[]) {
  const z = logSumExp(logits);
  const logPi = logits.map((t) => t - z);
  const result = dpoLoss(
    {
      policyChosenLogps: pairs.map(([w]) => logPi[w]),
      policyRejectedLogps: pairs.map(([, l]) => logPi[l]),
      referenceChosenLogps: pairs.map(([w]) => logReference[w]),
      referenceRejectedLogps: pairs.map(([, l]) => logReference[l]),
    },
    { beta },
  );
  return { z, logPi, result };
}

/** The summed DPO loss as a function of the logits (float64, through luce's dpoLoss). */
function luceLoss(instance: AppendixA4Instance, logits: number[]): { value: number; gradient: Float64Array } {
  const { pairs } = instance;
  const { logPi, result: r } = dpoLossAtLogits(instance, logits);
  const pi = logPi.map(Math.exp);
  // chain rule through the softmax: ∂ log π_y / ∂θ_k = [y = k] − π_k
  const gradient = new Float64Array(logits.length);
  pairs.forEach(([w, l], p) => {
    for (let k = 0; k < logits.length; k++) {
      gradient[k] +=
        r.gradPolicyChosen[p] * ((k === w ? 1 : 0) - pi[k]) + r.gradPolicyRejected[p] * ((k === l ? 1 : 0) - pi[k]);
    }
  });
  return { value: r.losses.reduce((a, v) => a + v, 0), gradient };
}

/** The paper's gradient: −β Σ σ(r̂_l − r̂_w)(e_w − e_l), r̂ = β log π_θ/π_ref (float64). */
function paperGradient({ beta, logits, logReference, pairs }: AppendixA4Instance): Float64Array {
  const z = logSumExp(logits);
  const g = new Float64Array(logits.length);
  for (const [w, l] of pairs) {
    const rw = beta * (logits[w] - z - logReference[w]);
    const rl = beta * (logits[l] - z - logReference[l]);
    const s = sigmoidUnchecked(rl - rw);
    g[w] -= beta * s;
    g[l] += beta * s;
  }
  return g;
}

const H = 1e-3;

/**
 * Appendix A.4 and section 4: the DPO gradient with respect to a tabular policy's logits,
 * −β Σ σ(r̂_l − r̂_w)(∇log π(y_w) − ∇log π(y_l)), equals the derivative of the loss. Checked three
 * ways in float64 — luce's dpoLoss gradients chained through the softmax against (1) the paper's
 * formula, (2) Richardson-extrapolated central differences with h = 1e−3, (3) the derivative of the
 * loss written in the logits by forward (dual-number) differentiation — and at 50 digits, the
 * paper's formula against that forward derivative.
 *
 * Bounds: (1) 16·EPS·β·n (n pairs); (2) truncation 1e−11·n·(1 + β)⁵ plus rounding
 * 64·EPS·(1 + |L|)/h; (3) 64·EPS·n·β·(1 + β(max|θ| + max|log π_ref|)).
 *
 * @returns the checkable statement
 * @example
 * ```ts
 * (await checkStatement(appendixA4(), { runs: 20 })).verdict; // "holds"
 * ```
 */
export function appendixA4(): Statement<AppendixA4Instance> {
  const instances = fc.integer({ min: 2, max: 5 }).chain((k) =>
    fc.record({
      beta: betaArbitrary({ min: 0.05, max: 5 }),
      logits: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: k, maxLength: k }),
      logReference: fc.array(fc.double({ min: -8, max: 0, noNaN: true }), { minLength: k, maxLength: k }).map((row) => {
        const z = logSumExp(row);
        return row.map((v) => v - z);
      }),
      pairs: fc.array(
        fc.tuple(fc.nat(k - 1), fc.nat(k - 1)).filter(([w, l]) => w !== l),
        { minLength: 1, maxLength: 4 },
      ),
    }),
  );
  return {
    id: "appendix-a4",
    title: "The DPO gradient in tabular logits equals the derivative of the loss",
    reference: "Section 4 and appendix A.4 (gradient of eq. 7)",
    definition:
      "luce vs the paper's formula, vs Richardson central differences, vs forward differentiation of the loss; at 50 digits, the formula vs the forward derivative",
    instances,
    runsFraction: 0.3,
    float64(instance) {
      const { beta, logits, logReference, pairs } = instance;
      const n = pairs.length;
      const { value, gradient } = luceLoss(instance, logits);
      const paper = paperGradient(instance);
      const forward = forwardGradient(instance, floatArithmetic);
      const out: Residual[] = [];
      for (let k = 0; k < logits.length; k++) {
        const at = (h: number) => {
          const plus = [...logits];
          const minus = [...logits];
          plus[k] += h;
          minus[k] -= h;
          return (luceLoss(instance, plus).value - luceLoss(instance, minus).value) / (2 * h);
        };
        const richardson = (4 * at(H / 2) - at(H)) / 3;
        out.push({
          name: `θ${k}: paper's formula`,
          residual: Math.abs(gradient[k] - paper[k]),
          bound: 16 * EPS * beta * n,
        });
        out.push({
          name: `θ${k}: finite differences`,
          residual: Math.abs(gradient[k] - richardson),
          bound: 1e-11 * n * (1 + beta) ** 5 + (64 * EPS * (1 + Math.abs(value))) / H,
        });
        out.push({
          name: `θ${k}: forward derivative`,
          residual: Math.abs(gradient[k] - forward[k]),
          bound: 64 * EPS * n * beta * (1 + beta * (maxAbs(logits) + maxAbs(logReference))),
        });
      }
      return out;
    },
    precise(instance) {
      const { beta, logits, logReference, pairs } = instance;
      const b = exact(beta);
      const t = logits.map(exact);
      const ref = logReference.map(exact);
      let lse = exact(0);
      for (const v of t) lse = lse.plus(v.exp());
      lse = lse.ln();
      const paper = t.map(() => exact(0));
      for (const [w, l] of pairs) {
        const rw = b.times(t[w].minus(lse).minus(ref[w]));
        const rl = b.times(t[l].minus(lse).minus(ref[l]));
        const s = b.times(preciseSigmoid(rl.minus(rw)));
        paper[w] = paper[w].minus(s);
        paper[l] = paper[l].plus(s);
      }
      const forward = forwardGradient(instance, preciseArithmetic);
      return preciseMax(paper.map((g, k) => g.minus(forward[k]).abs()));
    },
    show: (instance) => show(instance),
  };
}
