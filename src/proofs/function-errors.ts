import type { NormalizedObservation } from "../ranking/observations.js";
import { expectationOf, intervalRow, klOf, logPolicyOf, maxOf, plackettLuceOf, tiltedTerms } from "./enclosures.js";
import { epsOf, float64Error, rowErrors, ulpsOf, type Float64Error } from "./float64-error.js";
import {
  abs,
  div,
  expm1,
  fromConstant,
  fromDouble,
  logSigmoid,
  logSumExp,
  mul,
  neg,
  sigmoid,
  sub,
  sum,
  type Interval,
} from "./interval/index.js";

/*
 * luce's float64 functions that the statements use, each against its defining formula enclosed at the doubles it was
 * given, with the accuracy bound its documentation states (FEW·EPS is its "a few ulp"; a bound marked derived is the
 * one the oracles of `luce verify` hold it to, where the documentation states none).
 */

/** max |x| over a row's finite entries, exactly (the largest of doubles is a double). */
const maxAbsExact = (row: ArrayLike<number>): Interval =>
  fromDouble(Array.from(row).reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0));

const label = (prefix: string, what: string) => (prefix === "" ? what : `${prefix}, ${what}`);

/**
 * plackettLuceLogProbability: a few ulp of Σ|factors| (its documentation), plus the rounding of the scores it reads,
 * 2(1 − p_i)·max|s| per factor (derived).
 * @internal
 */
export function plackettLuceError(
  scores: ArrayLike<number>,
  observation: NormalizedObservation,
  value: number,
  prefix: string,
): Float64Error {
  const s = intervalRow(scores);
  const { value: exact, factors } = plackettLuceOf(s, observation.ranked, observation.unranked);
  const biggest = maxAbsExact(scores);
  const size = sum(factors.map((f) => sum([abs(f), mul(fromConstant(2), mul(abs(expm1(f)), biggest))])));
  return float64Error("plackettLuceLogProbability", label(prefix, "log p(τ)"), value, exact, ulpsOf(size));
}

/**
 * logOptimalPolicy: FEW·EPS·(max|r/β| + max|log π_ref|) absolute per entry (its documentation).
 * @internal
 */
export function logOptimalPolicyErrors(
  reward: ArrayLike<number>,
  logReference: ArrayLike<number>,
  beta: number,
  values: ArrayLike<number>,
  prefix: string,
): Float64Error[] {
  const b = fromDouble(beta);
  const exact = logPolicyOf(intervalRow(reward), intervalRow(logReference), b);
  const bound = ulpsOf(div(maxAbsExact(reward), abs(b)), maxAbsExact(logReference));
  return rowErrors("logOptimalPolicy", label(prefix, ""), values, exact, () => bound);
}

/**
 * logPartition: FEW·EPS·(max|log π_ref| + 2·max|r/β| + |log Z|) (derived, its documentation states none: the kernel
 * rounds the terms log π_ref + (r − r₀)/β, with |r − r₀| ≤ 2·max|r|, their log-sum-exp, and r₀/β + that sum, r₀
 * the pivot reward).
 * @internal
 */
export function logPartitionError(
  reward: ArrayLike<number>,
  logReference: ArrayLike<number>,
  beta: number,
  value: number,
  prefix: string,
): Float64Error {
  const b = fromDouble(beta);
  const exact = logSumExp(tiltedTerms(intervalRow(reward), intervalRow(logReference), b));
  const rewardScale = div(mul(fromConstant(2), maxAbsExact(reward)), abs(b));
  const bound = ulpsOf(maxAbsExact(logReference), rewardScale, exact);
  return float64Error("logPartition", label(prefix, "log Z"), value, exact, bound);
}

/**
 * projectReward: FEW·EPS·(|r| + |β log Z| + |β|·max|log π_ref + r/β|) absolute per entry (derived: log Z cancels its
 * shift where it is near 0).
 * @internal
 */
export function projectRewardErrors(
  reward: ArrayLike<number>,
  logReference: ArrayLike<number>,
  beta: number,
  values: ArrayLike<number>,
  prefix: string,
): Float64Error[] {
  const b = fromDouble(beta);
  const r = intervalRow(reward);
  const terms = tiltedTerms(r, intervalRow(logReference), b);
  const betaLogZ = mul(b, logSumExp(terms));
  const shift = mul(abs(b), maxOf(terms.filter((t) => t.hi.isFinite()).map(abs)));
  const exact = r.map((v) => sub(v, betaLogZ));
  return rowErrors("projectReward", label(prefix, ""), values, exact, (y) => ulpsOf(r[y], betaLogZ, shift));
}

/**
 * impliedReward: EPS·|β|(|log π| + |log π_ref|) absolute per entry (its documentation), over π_ref's support.
 * @internal
 */
export function impliedRewardErrors(
  logPolicy: ArrayLike<number>,
  logReference: ArrayLike<number>,
  beta: number,
  values: ArrayLike<number>,
  prefix: string,
): Float64Error[] {
  const b = fromDouble(beta);
  const out: Float64Error[] = [];
  for (let y = 0; y < logPolicy.length; y++) {
    if (logReference[y] === -Infinity) continue;
    const p = fromDouble(logPolicy[y]);
    const q = fromDouble(logReference[y]);
    const bound = mul(abs(b), epsOf(p, q));
    out.push(float64Error("impliedReward", label(prefix, `response ${y}`), values[y], mul(b, sub(p, q)), bound));
  }
  return out;
}

/**
 * klDivergence: FEW·EPS·(1 + Σ π|log π/π_ref|) absolute (its documentation), for log-probabilities as given.
 * @internal
 */
export function klDivergenceError(
  logPolicy: ArrayLike<number>,
  logReference: ArrayLike<number>,
  value: number,
  prefix: string,
): Float64Error {
  const { value: exact, size } = klOf(intervalRow(logPolicy), intervalRow(logReference));
  return float64Error("klDivergence", label(prefix, "KL"), value, exact, ulpsOf(fromConstant(1), size));
}

/**
 * klRegularizedObjective's expected reward E_π r: FEW·EPS·Σ π|r| (its documentation's bound, reward part).
 * @internal
 */
export function expectedRewardError(
  logPolicy: ArrayLike<number>,
  reward: ArrayLike<number>,
  value: number,
  prefix: string,
): Float64Error {
  const { value: exact, size } = expectationOf(intervalRow(logPolicy), intervalRow(reward));
  return float64Error("klRegularizedObjective", label(prefix, "E_π r"), value, exact, ulpsOf(size));
}

/**
 * logSumExp: a few ulp relative; where the result crosses zero (m < 0 < result), a few EPS·(|m| + log1p(t))
 * absolute (its documentation).
 * @internal
 */
export function logSumExpError(values: ArrayLike<number>, value: number, prefix: string): Float64Error {
  const exact = logSumExp(intervalRow(values));
  const m = Math.max(...Array.from(values));
  const mi = fromDouble(m);
  const bound = m < 0 && exact.hi.isFinite() ? ulpsOf(exact, mi, sub(exact, mi)) : ulpsOf(exact);
  return float64Error("logSumExp", label(prefix, "result"), value, exact, bound);
}

/** The four log-probabilities of one preference pair, as dpoLoss reads them. */
export interface PairLogps {
  readonly policyChosen: number;
  readonly policyRejected: number;
  readonly referenceChosen: number;
  readonly referenceRejected: number;
}

/**
 * dpoLoss (sigmoid type) on one pair: the loss −log σ(βd), d = (π_w − ref_w) − (π_l − ref_l), to a few ulp plus the
 * inputs' rounding EPS·Σ|inputs|·|∂loss/∂d| (its documentation), and the gradients ∓βσ(−βd) to a few ulp plus the
 * same rounding times |∂²loss/∂d²| = β²σ(βd)σ(−βd) (derived).
 * @internal
 */
export function dpoLossErrors(
  pair: PairLogps,
  beta: number,
  values: { loss: number; gradChosen: number; gradRejected: number },
  prefix: string,
): Float64Error[] {
  const b = fromDouble(beta);
  const inputs = [pair.policyChosen, pair.referenceChosen, pair.policyRejected, pair.referenceRejected].map(fromDouble);
  const d = sub(sub(inputs[0], inputs[1]), sub(inputs[2], inputs[3]));
  const bd = mul(b, d);
  const loss = neg(logSigmoid(bd));
  const weight = sigmoid(neg(bd));
  const slope = mul(abs(b), weight);
  const curvature = mul(mul(b, b), mul(weight, sigmoid(bd)));
  const rounding = epsOf(...inputs);
  const fewEps = ulpsOf(fromConstant(1));
  const gradientBound = sum([mul(fewEps, slope), mul(fromConstant(8), mul(rounding, curvature))]);
  return [
    float64Error(
      "dpoLoss",
      label(prefix, "loss"),
      values.loss,
      loss,
      sum([ulpsOf(loss), mul(rounding, mul(fromConstant(8), slope))]),
    ),
    float64Error("dpoLoss", label(prefix, "∂/∂π_w"), values.gradChosen, neg(mul(b, weight)), gradientBound),
    float64Error("dpoLoss", label(prefix, "∂/∂π_l"), values.gradRejected, mul(b, weight), gradientBound),
  ];
}
