import { Decimal } from "decimal.js";
import { LuceError } from "../errors.js";
import { copyArrayLike, describe, requireIndex, requireNumber } from "../validation/checks.js";
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
 * A {@link Precise} argument, checked and read once into a fresh copy through its exact decimal
 * string: any other value, or a Proxy whose digits change between reads, would otherwise surface as a
 * TypeError or an endless recursion deep in decimal.js.
 */
function requirePrecise(fn: string, name: string, x: unknown): Precise {
  const problem = `must be a Precise (a decimal.js Decimal), got ${describe(x)}`;
  if (!B.isDecimal(x)) throw new LuceError(fn, name, problem);
  let copy: Precise;
  try {
    copy = new B(String(x.toString()));
  } catch {
    throw new LuceError(fn, name, problem);
  }
  return copy;
}

/** An array of {@link Precise}, read once into a plain array. */
function readPreciseArray(fn: string, name: string, xs: unknown): Precise[] {
  return copyArrayLike(fn, name, xs).map((x, i) => requirePrecise(fn, `${name}[${i}]`, x));
}

/**
 * The exact value of a double (its binary value to 60 digits), or −Infinity: how a float64 input
 * enters a 50-digit re-evaluation, so it is the very instance float64 saw.
 *
 * @param x - a finite double or −Infinity
 * @throws {@link luce!LuceError} when x is not a number, or NaN
 * @returns the same value as a {@link Precise}
 * @example
 * ```ts
 * exact(0.1).minus(constant("0.1")).toExponential(3); // "5.551e-18": the double 0.1 is not one tenth
 * ```
 */
export function exact(x: number): Precise {
  requireNumber("exact", "x", x);
  if (x === -Infinity) return new B("-Infinity");
  return new B(x.toPrecision(60));
}

/** A decimal literal decimal.js reads, or ±Infinity. */
const DECIMAL = /^[+-]?((\d+\.?\d*|\.\d+)(e[+-]?\d+)?|Infinity)$/i;

/**
 * A small integer or a decimal constant, read as written (`constant("0.1")` is one tenth exactly).
 *
 * @param x - an integer, or a decimal string
 * @throws {@link luce!LuceError} for anything else
 * @returns the constant at 50 digits
 */
export function constant(x: number | string): Precise {
  const valid = typeof x === "string" ? DECIMAL.test(x) : typeof x === "number" && !Number.isNaN(x);
  if (!valid) throw new LuceError("constant", "x", `must be a number or a decimal string, got ${describe(x)}`);
  return new B(x);
}

/**
 * The working precision of {@link preciseLog1p} and {@link preciseExpm1} above their series range: 1 + u and e^u − 1
 * formed at 100 digits keep 90 digits of a u as small as 1e−10, so the 50-digit results are correctly rounded.
 */
const W = Decimal.clone({ precision: 100 });

/** Below this |u|, log(1 + u) and e^u − 1 come from five terms of their series (the sixth is below 1e−50 relative). */
const SERIES_BELOW = new B("1e-10");

/**
 * log(1 + u) at 50 digits, also where |u| is far below 1e−50 (where 1 + u at 50 digits would be 1).
 *
 * @param u - a value > −1
 * @returns log(1 + u)
 * @internal
 */
export function preciseLog1p(u: Precise): Precise {
  if (u.abs().gte(SERIES_BELOW)) return new B(new W(u).plus(1).ln());
  // u − u²/2 + u³/3 − u⁴/4 + u⁵/5: the next term is below 1e−50 of u
  return u.minus(u.pow(2).div(2)).plus(u.pow(3).div(3)).minus(u.pow(4).div(4)).plus(u.pow(5).div(5));
}

/**
 * e^u − 1 at 50 digits, also where |u| is far below 1e−50.
 *
 * @param u - any value
 * @returns e^u − 1
 * @internal
 */
export function preciseExpm1(u: Precise): Precise {
  if (u.abs().gte(SERIES_BELOW)) return new B(new W(u).exp().minus(1));
  return u.plus(u.pow(2).div(2)).plus(u.pow(3).div(6)).plus(u.pow(4).div(24)).plus(u.pow(5).div(120));
}

/**
 * log Σ e^{x_i} of already-checked terms in two parts, the largest term m and log(1 + Σ_{i≠argmax} e^{x_i − m})
 * through {@link preciseLog1p}, so a tail far below 1e−50 of m (log σ(208) = −e^{−208}) keeps its digits, and
 * x_k − m − log1pTail is a log-share without the cancellation of x_k − (m + log1pTail). −Infinity terms are zero
 * terms; no finite term gives m = −Infinity.
 * @internal
 */
export function logSumExpParts(xs: readonly Precise[]): { max: Precise; log1pTail: Precise } {
  let argmax = -1;
  xs.forEach((x, i) => {
    if (x.isFinite() && (argmax < 0 || x.gt(xs[argmax]))) argmax = i;
  });
  if (argmax < 0) return { max: new B("-Infinity"), log1pTail: new B(0) };
  const max = xs[argmax];
  let tail = new B(0);
  xs.forEach((x, i) => {
    if (i !== argmax && x.isFinite()) tail = tail.plus(x.minus(max).exp());
  });
  return { max, log1pTail: preciseLog1p(tail) };
}

/** log Σ e^{x_i} of already-checked terms (see {@link logSumExpParts}). @internal */
export function logSumExpOf(xs: readonly Precise[]): Precise {
  const { max, log1pTail } = logSumExpParts(xs);
  return max.plus(log1pTail);
}

/**
 * log Σ e^{x_i} at 50 digits, skipping −Infinity terms (−Infinity if all are). Formed as m + log(1 + t) with m the
 * largest term and t the sum of the others' e^{x_i − m}, the logarithm taken without rounding 1 + t, so a sum whose
 * other terms are below 1e−50 of the largest keeps them (log(e^0 + e^{−200}) = e^{−200} to 50 digits, not 0).
 *
 * @param xs - the log-terms
 * @throws {@link luce!LuceError} when xs is not an array of {@link Precise}
 * @returns their log-sum-exp
 */
export function preciseLogSumExp(xs: readonly Precise[]): Precise {
  return logSumExpOf(readPreciseArray("preciseLogSumExp", "xs", xs));
}

/**
 * σ(x) = 1/(1 + e^{−x}) at 50 digits.
 *
 * @param x - the argument
 * @throws {@link luce!LuceError} when x is not a {@link Precise}
 * @returns σ(x)
 */
export function preciseSigmoid(x: Precise): Precise {
  return new B(1).div(requirePrecise("preciseSigmoid", "x", x).neg().exp().plus(1));
}

/**
 * The largest of non-negative residuals (0 for none): a statement's `precise` result over its parts.
 *
 * @param xs - the residuals
 * @throws {@link luce!LuceError} when xs is not an array of {@link Precise}
 * @returns their maximum
 */
export function preciseMax(xs: readonly Precise[]): Precise {
  let m = new B(0);
  for (const x of readPreciseArray("preciseMax", "xs", xs)) if (x.gt(m)) m = x;
  return m;
}

/**
 * Plackett–Luce log-probability of ranked items (best first) out of ranked ∪ unranked, at 50 digits.
 *
 * @param scores - one score per item
 * @param ranked - the ranked items, best first
 * @param unranked - the items in play that were not ranked (a top-k observation)
 * @throws {@link luce!LuceError} for scores that are not {@link Precise}, indices out of range or repeated
 * @returns log p(ranking)
 */
export function precisePlackettLuce(
  scores: readonly Precise[],
  ranked: ArrayLike<number>,
  unranked: ArrayLike<number>,
): Precise {
  const fn = "precisePlackettLuce";
  const s = readPreciseArray(fn, "scores", scores);
  const indices = (name: string, a: unknown) =>
    copyArrayLike(fn, name, a).map((j, i) => requireIndex(fn, `${name}[${i}]`, j, s.length));
  const top = indices("ranked", ranked);
  const rest = indices("unranked", unranked);
  // each item once: a repeated index is no observation, and n repeats would cost n² 50-digit exponentials
  const seen = new Set<number>();
  [...top.map((j, i) => [j, `ranked[${i}]`] as const), ...rest.map((j, i) => [j, `unranked[${i}]`] as const)].forEach(
    ([j, name]) => {
      if (seen.has(j)) throw new LuceError(fn, name, `repeats item ${j}`);
      seen.add(j);
    },
  );
  const remaining = [...top, ...rest];
  let total = new B(0);
  for (let i = 0; i < top.length; i++) {
    // (s_k − m) − log(1 + t): a factor of −1e−300 next to scores near 1000 keeps its digits
    const { max, log1pTail } = logSumExpParts(remaining.slice(i).map((j) => s[j]));
    total = total.plus(s[top[i]].minus(max).minus(log1pTail));
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
 * @throws {@link luce!LuceError} for an entry that is not a number, or NaN
 * @returns one {@link Precise} per entry
 */
export function preciseRow(row: ArrayLike<number>): Precise[] {
  return copyArrayLike("preciseRow", "row", row).map((x, i) => exact(requireNumber("preciseRow", `row[${i}]`, x)));
}
