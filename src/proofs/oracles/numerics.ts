import fc from "fast-check";
import {
  logDiffExp,
  log1mExp,
  log1pExp,
  logSigmoid,
  logSumExp,
  sigmoid,
  softplus,
  suffixLogSumExp,
} from "../../numerics/index.js";
import { constant, exact, logSumExpOf, preciseExpm1, preciseLog1p, type Precise } from "../precise.js";
import { realArbitrary, render, ulps, type FunctionOracle } from "./oracle.js";

const one = constant(1);

/** log(1 + e^x) at 50 digits: x + log(1 + e^{−x}) for x > 0, so that neither side loses a tiny term. */
const preciseSoftplus = (x: Precise): Precise =>
  x.isPositive() ? x.plus(preciseLog1p(x.neg().exp())) : preciseLog1p(x.exp());

/** log(1 − e^a) for a < 0 at 50 digits, through whichever of e^a − 1 and log(1 + u) keeps the tiny side. */
function preciseLog1mExp(a: Precise): Precise {
  if (a.isZero()) return constant("-Infinity");
  return a.gt(HALF_LOG) ? preciseExpm1(a).neg().ln() : preciseLog1p(a.exp().neg());
}

/** −log 2, where 1 − e^a = 1/2. */
const HALF_LOG = constant(2).ln().neg();

/** The bound of a result documented "relative within a few ulp, absolute where it crosses zero" (m the shift). */
function crossingBound(result: Precise, shift: Precise): Precise {
  return shift.isNegative() && result.isFinite() ? ulps(result, shift, result.minus(shift)) : ulps(result);
}

function scalar(
  name: string,
  f: (x: number) => number,
  formula: (x: Precise) => Precise,
  domain: fc.Arbitrary<number> = realArbitrary,
): FunctionOracle<number> {
  return {
    name,
    bound: "FEW·EPS·|exact| (relative, a few ulp)",
    instances: domain,
    compare: (x) => {
      const e = formula(exact(x));
      return [{ name: "result", value: f(x), exact: e, bound: ulps(e) }];
    },
    show: (x) => `x = ${x}`,
  };
}

/** A row of log-terms: ordinary or wide reals, and now and then −Infinity (a zero term). */
const logTerms = fc.array(
  fc.oneof({ weight: 6, arbitrary: realArbitrary }, { weight: 1, arbitrary: fc.constant(-Infinity) }),
  { minLength: 1, maxLength: 8 },
);

/**
 * Oracles of the public numerics: each function's defining formula (log Σ e^x, log(1 + e^x), …) at 50 digits.
 *
 * @returns one oracle per public function of `luce/numerics`
 * @internal
 */
export function numericsOracles(): FunctionOracle<never>[] {
  const oracles: FunctionOracle<unknown>[] = [
    scalar("sigmoid", sigmoid, (x) => one.div(one.plus(x.neg().exp()))),
    scalar("logSigmoid", logSigmoid, (x) => preciseSoftplus(x.neg()).neg()),
    scalar("log1pExp", log1pExp, preciseSoftplus),
    scalar("softplus", softplus, preciseSoftplus),
    scalar(
      "log1mExp",
      log1mExp,
      preciseLog1mExp,
      realArbitrary.map((x) => -Math.abs(x)),
    ),
    {
      name: "logDiffExp",
      bound: "FEW·EPS·|exact|, and FEW·EPS·(|a| + |log1mExp(b − a)|) where it crosses zero",
      instances: fc.tuple(realArbitrary, realArbitrary).map(([u, v]) => [Math.max(u, v), Math.min(u, v)]),
      compare: ([a, b]) => {
        const ea = exact(a);
        // e^a − e^b = e^a (1 − e^{b−a})
        const e = ea.plus(preciseLog1mExp(exact(b).minus(ea)));
        const bound = a > 0 && e.isFinite() ? ulps(e, ea, ea.minus(e)) : ulps(e);
        return [{ name: "result", value: logDiffExp(a, b), exact: e, bound }];
      },
      show: ([a, b]) => `a = ${a}, b = ${b}`,
    } satisfies FunctionOracle<number[]>,
    {
      name: "logSumExp",
      bound: "FEW·EPS·|exact|, and FEW·EPS·(|m| + log1p(t)) where it crosses zero",
      instances: logTerms,
      compare: (xs) => {
        const terms = xs.map(exact);
        const e = logSumExpOf(terms);
        const m = exact(Math.max(...xs));
        return [{ name: "result", value: logSumExp(xs), exact: e, bound: crossingBound(e, m) }];
      },
      show: render,
    } satisfies FunctionOracle<number[]>,
    {
      name: "suffixLogSumExp",
      bound: "per entry, as logSumExp of the suffix",
      instances: logTerms,
      compare: (xs) => {
        const out = suffixLogSumExp(xs);
        return xs.map((_, i) => {
          const e = logSumExpOf(xs.slice(i).map(exact));
          const m = exact(Math.max(...xs.slice(i)));
          return { name: `entry ${i}`, value: out[i], exact: e, bound: crossingBound(e, m) };
        });
      },
      show: render,
    } satisfies FunctionOracle<number[]>,
  ];
  return oracles as FunctionOracle<never>[];
}
