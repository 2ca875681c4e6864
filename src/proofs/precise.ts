import { Decimal } from "decimal.js";
import type { Arithmetic } from "./forward-derivative.js";

/**
 * 50-digit arithmetic for re-evaluating residuals: decimal.js at 50 significant digits. Inputs
 * enter exactly: a double's decimal expansion to 60 digits, so the re-evaluation is of the very
 * instance float64 saw, not of its shortest decimal rendering. decimal.js has an exponent range of
 * ±9e15, so e^{−5000} and e^{4000} are ordinary numbers.
 */
const B = Decimal.clone({ precision: 50 });

/** A 50-digit number. */
export type Precise = Decimal;

/** The exact value of a double (to 60 digits), or −Infinity. */
export function exact(x: number): Precise {
  if (x === -Infinity) return new B("-Infinity");
  return new B(x.toPrecision(60));
}

/** A small integer or simple constant. */
export function constant(x: number | string): Precise {
  return new B(x);
}

/** log Σ e^{x_i} at 50 digits, skipping −Infinity terms (−Infinity if all are). */
export function preciseLogSumExp(xs: readonly Precise[]): Precise {
  const finite = xs.filter((x) => x.isFinite());
  if (finite.length === 0) return new B("-Infinity");
  let m = finite[0];
  for (const x of finite) if (x.gt(m)) m = x;
  let s = new B(0);
  for (const x of finite) s = s.plus(x.minus(m).exp());
  return m.plus(s.ln());
}

/** σ(x) at 50 digits. */
export function preciseSigmoid(x: Precise): Precise {
  return new B(1).div(x.neg().exp().plus(1));
}

/** The largest of non-negative residuals. */
export function preciseMax(xs: readonly Precise[]): Precise {
  let m = new B(0);
  for (const x of xs) if (x.gt(m)) m = x;
  return m;
}

/** Plackett–Luce log-probability of ranked items (best first) out of ranked ∪ unranked, at 50 digits. */
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
