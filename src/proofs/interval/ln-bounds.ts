import type { Decimal } from "decimal.js";
import { Exact, GUARD_DIGITS, GuardDown, GuardUp, WORKING_DIGITS } from "./rounding.js";

/*
 * ln x at the guarded precision from + − × ÷ alone: x = 10^E · 2^p · c · (w/c) with c = 1 + j/64 the table entry just
 * below the binary significand w ∈ [1, 2), so
 *   ln x = E·ln 10 + p·ln 2 + ln c + 2·atanh(s),   s = (w − c)/(w + c) ∈ [0, 1/129),
 * and 2·atanh(s) = 2(s + s³/3 + s⁵/5 + …) is a series of positive terms: rounding every operation down gives a lower
 * bound of its truncation (itself below the sum), and rounding up plus the tail bound gives an upper bound.
 */

/** Table entries per octave: c_j = 1 + j/TABLE_SIZE, j = 0..TABLE_SIZE − 1. */
const TABLE_SIZE = 64;

/** The series stops once s^{2N+3} is below 10^−(guarded digits + 6). */
const TRUNCATION_DIGITS = WORKING_DIGITS + GUARD_DIGITS + 6;

type Rounding = typeof GuardDown;

/** A lower and an upper bound at the guarded precision. */
interface Bounds {
  readonly lo: Decimal;
  readonly hi: Decimal;
}

/**
 * 2·atanh(s) = ln((1 + s)/(1 − s)) for 0 ≤ s ≤ 1/2, rounded down (`upward` false) or up: Horner's rule in u = s² over
 * the coefficients 1/(2i + 1), then the tail 2·s^{2N+3}/((2N + 3)(1 − s²)) ≤ 4·s^{2N+3}/(2N + 3) when rounding up.
 */
function twiceAtanh(s: Decimal, R: Rounding, upward: boolean): Decimal {
  if (s.isZero()) return new R(0);
  const digitsPerPower = -Math.log10(s.toNumber());
  const n = Math.max(0, Math.ceil((TRUNCATION_DIGITS / digitsPerPower - 3) / 2));
  const u = R.mul(s, s);
  let sum = R.div(1, 2 * n + 1);
  for (let i = n - 1; i >= 0; i--) sum = R.add(R.div(1, 2 * i + 1), R.mul(u, sum));
  let value = R.mul(2, R.mul(s, sum));
  if (upward) {
    let tail = R.div(4, 2 * n + 3);
    for (let i = 0; i < 2 * n + 3; i++) tail = R.mul(tail, s);
    value = R.add(value, tail);
  }
  return value;
}

/** 2·atanh of an exact rational p/q ≥ 0, both bounds. */
function twiceAtanhOf(p: number, q: number): Bounds {
  return { lo: twiceAtanh(GuardDown.div(p, q), GuardDown, false), hi: twiceAtanh(GuardUp.div(p, q), GuardUp, true) };
}

interface Constants {
  readonly ln2: Bounds;
  readonly ln10: Bounds;
  /** ln(1 + j/64). */
  readonly table: readonly Bounds[];
}

let constants: Constants | undefined;

/** ln 2 = 2·atanh(1/3), ln 10 = 3·ln 2 + 2·atanh(1/9), ln(1 + j/64) = 2·atanh(j/(128 + j)); computed on first use. */
function getConstants(): Constants {
  if (constants !== undefined) return constants;
  const ln2 = twiceAtanhOf(1, 3);
  const ln125 = twiceAtanhOf(1, 9);
  const ln10 = {
    lo: GuardDown.add(GuardDown.mul(3, ln2.lo), ln125.lo),
    hi: GuardUp.add(GuardUp.mul(3, ln2.hi), ln125.hi),
  };
  const table = Array.from({ length: TABLE_SIZE }, (_, j) => twiceAtanhOf(j, 2 * TABLE_SIZE + j));
  constants = { ln2, ln10, table };
  return constants;
}

/** n·c rounded in R's direction, for an integer n of either sign and the bounds of a positive constant c. */
function times(n: number, c: Bounds, R: Rounding, upward: boolean): Decimal {
  // a lower bound of n·c takes c's lower bound when n ≥ 0 and its upper bound when n < 0
  return R.mul(n, n >= 0 === upward ? c.hi : c.lo);
}

/**
 * A bound on ln x for a finite x > 0 at the guarded precision: a lower bound when `upward` is false, else an upper one.
 * @internal
 */
export function lnBound(x: Decimal, upward: boolean): Decimal {
  const R = upward ? GuardUp : GuardDown;
  const { ln2, ln10, table } = getConstants();
  // x = 10^E · d with d ∈ [1, 10), exactly
  const e = x.e;
  const d = Exact.mul(x, new Exact(`1e${-e}`));
  // d = 2^p · w with w ∈ [1, 2): halving is exact in decimal (d · 5^p / 10^p)
  let p = 0;
  let w = d;
  while (w.gte(2)) {
    w = Exact.mul(w, "0.5");
    p++;
  }
  const j = Math.min(TABLE_SIZE - 1, Math.floor((w.toNumber() - 1) * TABLE_SIZE));
  let c = Exact.add(1, Exact.div(j, TABLE_SIZE));
  // toNumber may round w up across a table boundary; c must not exceed w
  if (c.gt(w)) c = Exact.add(1, Exact.div(j - 1, TABLE_SIZE));
  const jc = Exact.sub(c, 1).times(TABLE_SIZE).toNumber();
  const numerator = Exact.sub(w, c);
  const denominator = Exact.add(w, c);
  const s = R.div(numerator, denominator);
  const parts = [
    times(e, ln10, R, upward),
    times(p, ln2, R, upward),
    upward ? table[jc].hi : table[jc].lo,
    twiceAtanh(s, R, upward),
  ];
  return parts.reduce((a, b) => R.add(a, b));
}
