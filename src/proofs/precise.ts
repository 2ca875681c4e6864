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
 * log Σ e^{x_i} at 50 digits, skipping −Infinity terms (−Infinity if all are).
 *
 * @param xs - the log-terms
 * @throws {@link luce!LuceError} when xs is not an array of {@link Precise}
 * @returns their log-sum-exp
 */
export function preciseLogSumExp(xs: readonly Precise[]): Precise {
  const finite = readPreciseArray("preciseLogSumExp", "xs", xs).filter((x) => x.isFinite());
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
    const denominator = preciseLogSumExp(remaining.slice(i).map((j) => s[j]));
    total = total.plus(s[top[i]].minus(denominator));
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
