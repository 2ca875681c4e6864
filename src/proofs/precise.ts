import { Decimal } from "decimal.js";
import type { Arithmetic } from "./forward-derivative.js";

/**
 * 50-digit arithmetic for re-evaluating residuals: decimal.js at 50 significant digits. Inputs
 * enter exactly: a double's decimal expansion to 60 digits, so the re-evaluation is of the very
 * instance float64 saw, not of its shortest decimal rendering. decimal.js has an exponent range of
 * ±9e15, so e^{−5000} and e^{4000} are ordinary numbers.
 */
const B = Decimal.clone({ precision: 50 });

/**
 * A 50-digit number: a decimal.js `Decimal` with `plus`, `minus`, `times`, `div`, `exp`, `ln`,
 * `abs`, `neg`, `gt`, `lt`, `toExponential`, …. A statement's `precise` returns one.
 */
export type Precise = Decimal;

/**
 * The exact value of a double (its binary value to 60 digits), or −Infinity: how a float64 input
 * enters a 50-digit re-evaluation, so it is the very instance float64 saw.
 *
 * @param x - a finite double or −Infinity
 * @returns the same value as a {@link Precise}
 * @example
 * ```ts
 * exact(0.1).minus(constant("0.1")).toExponential(3); // "5.551e-18": the double 0.1 is not one tenth
 * ```
 */
export function exact(x: number): Precise {
  if (x === -Infinity) return new B("-Infinity");
  return new B(x.toPrecision(60));
}

/**
 * A small integer or a decimal constant, read as written (`constant("0.1")` is one tenth exactly).
 *
 * @param x - an integer, or a decimal string
 * @returns the constant at 50 digits
 */
export function constant(x: number | string): Precise {
  return new B(x);
}

/**
 * log Σ e^{x_i} at 50 digits, skipping −Infinity terms (−Infinity if all are).
 *
 * @param xs - the log-terms
 * @returns their log-sum-exp
 */
export function preciseLogSumExp(xs: readonly Precise[]): Precise {
  const finite = xs.filter((x) => x.isFinite());
  if (finite.length === 0) return new B("-Infinity");
  let m = finite[0];
  for (const x of finite) if (x.gt(m)) m = x;
  let s = new B(0);
  for (const x of finite) s = s.plus(x.minus(m).exp());
  return m.plus(s.ln());
}

/**
 * σ(x) = 1/(1 + e^{−x}) at 50 digits.
 *
 * @param x - the argument
 * @returns σ(x)
 */
export function preciseSigmoid(x: Precise): Precise {
  return new B(1).div(x.neg().exp().plus(1));
}

/**
 * The largest of non-negative residuals (0 for none): a statement's `precise` result over its parts.
 *
 * @param xs - the residuals
 * @returns their maximum
 */
export function preciseMax(xs: readonly Precise[]): Precise {
  let m = new B(0);
  for (const x of xs) if (x.gt(m)) m = x;
  return m;
}

/**
 * Plackett–Luce log-probability of ranked items (best first) out of ranked ∪ unranked, at 50 digits.
 *
 * @param scores - one score per item
 * @param ranked - the ranked items, best first
 * @param unranked - the items in play that were not ranked (a top-k observation)
 * @returns log p(ranking)
 */
export function precisePlackettLuce(
  scores: readonly Precise[],
  ranked: ArrayLike<number>,
  unranked: ArrayLike<number>,
): Precise {
  const remaining = [...Array.from(ranked), ...Array.from(unranked)];
  let total = new B(0);
  for (let i = 0; i < ranked.length; i++) {
    const denominator = preciseLogSumExp(remaining.slice(i).map((j) => scores[j]));
    total = total.plus(scores[ranked[i]].minus(denominator));
  }
  return total;
}

/** 50-digit arithmetic in the form forward differentiation takes; constants enter exactly. */
export const preciseArithmetic: Arithmetic<Precise> = {
  constant: exact,
  add: (a, b) => a.plus(b),
  sub: (a, b) => a.minus(b),
  mul: (a, b) => a.times(b),
  div: (a, b) => a.div(b),
  exp: (a) => a.exp(),
  log: (a) => a.ln(),
};

/**
 * Exact 50-digit copies of a row of doubles (see {@link exact}).
 *
 * @param row - finite doubles or −Infinity
 * @returns one {@link Precise} per entry
 */
export function preciseRow(row: ArrayLike<number>): Precise[] {
  return Array.from(row, exact);
}
