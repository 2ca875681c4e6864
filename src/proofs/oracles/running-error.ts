import { constant, exact, preciseLog1p, type Precise } from "../precise.js";

/**
 * A quantity of a formula evaluated at 50 digits, with its derivative in one chosen input (forward mode, ε² = 0) and
 * first-order bounds, in units of EPS, on the error float64 makes in each when it evaluates the formula as written:
 * every operation rounds its result once (|result|) and passes on its operands' errors scaled by its partial
 * derivatives. This is the classical running error bound (Wilkinson; Higham, Accuracy and Stability of Numerical
 * Algorithms, §3.3) carried along with the value, so an oracle can hold a function to "a few times the error of its
 * formula in float64" without a hand-derived bound per formula.
 * @internal
 */
export interface Tracked {
  /** The value at 50 digits. */
  readonly v: Precise;
  /** Its derivative in the chosen input. */
  readonly d: Precise;
  /** The value's float64 error bound / EPS. */
  readonly ev: Precise;
  /** The derivative's float64 error bound / EPS. */
  readonly ed: Precise;
}

const ZERO = constant(0);
const ONE = constant(1);

/**
 * A rounding's error in units of EPS: |result| relative, plus half the spacing of the subnormals (2^−1074, which is
 * 2^−1022 EPS) absolute, since a result that underflows keeps no relative accuracy (σ(−745)·σ(745) is one subnormal
 * step, and multiplied by 750 it stays 750 steps off).
 */
const SUBNORMAL_SPACING = constant(2).pow(-1022);

const rounding = (result: Precise) => result.abs().plus(SUBNORMAL_SPACING);

/** An input: a double, exact (no error), with derivative 1 when it is the chosen input. @internal */
export function input(x: number, chosen = false): Tracked {
  return { v: exact(x), d: chosen ? ONE : ZERO, ev: ZERO, ed: ZERO };
}

/** −a: exact. @internal */
export function neg(a: Tracked): Tracked {
  return { v: a.v.neg(), d: a.d.neg(), ev: a.ev, ed: a.ed };
}

/** a + b, rounded once. @internal */
export function add(a: Tracked, b: Tracked): Tracked {
  const v = a.v.plus(b.v);
  const d = a.d.plus(b.d);
  return { v, d, ev: a.ev.plus(b.ev).plus(rounding(v)), ed: a.ed.plus(b.ed).plus(rounding(d)) };
}

/** a − b, rounded once. @internal */
export function sub(a: Tracked, b: Tracked): Tracked {
  return add(a, neg(b));
}

/** a·b, rounded once. @internal */
export function mul(a: Tracked, b: Tracked): Tracked {
  const v = a.v.times(b.v);
  const da = a.d.times(b.v);
  const db = a.v.times(b.d);
  const d = da.plus(db);
  const ev = a.ev.times(b.v.abs()).plus(a.v.abs().times(b.ev)).plus(rounding(v));
  const ed = a.ed
    .times(b.v.abs())
    .plus(a.d.abs().times(b.ev))
    .plus(a.ev.times(b.d.abs()))
    .plus(a.v.abs().times(b.ed))
    .plus(rounding(da))
    .plus(rounding(db))
    .plus(rounding(d));
  return { v, d, ev, ed };
}

/** a/b, rounded once. @internal */
export function div(a: Tracked, b: Tracked): Tracked {
  const v = a.v.div(b.v);
  const bAbs = b.v.abs();
  const d = a.d.minus(v.times(b.d)).div(b.v);
  const ev = a.ev.plus(v.abs().times(b.ev)).div(bAbs).plus(rounding(v));
  const ed = a.ed
    .plus(v.abs().times(b.ed))
    .plus(ev.times(b.d.abs()))
    .plus(d.abs().times(b.ev))
    .plus(a.d.abs())
    .plus(v.times(b.d).abs())
    .div(bAbs)
    .plus(rounding(d));
  return { v, d, ev, ed };
}

/** e^a: an absolute error δ of a becomes a relative error δ of the result. @internal */
export function exp(a: Tracked): Tracked {
  const v = a.v.exp();
  const d = a.d.times(v);
  const ev = v.times(a.ev).plus(rounding(v));
  const ed = v
    .times(a.ed)
    .plus(d.abs().times(a.ev.plus(1)))
    .plus(rounding(d));
  return { v, d, ev, ed };
}

/** log(1 + a) for a > −1, without rounding 1 + a (Math.log1p). @internal */
export function log1p(a: Tracked): Tracked {
  const onePlus = a.v.plus(1);
  const v = preciseLog1p(a.v);
  const d = a.d.div(onePlus);
  const ev = a.ev.div(onePlus).plus(rounding(v));
  const ed = a.ed.plus(d.abs().times(a.ev)).div(onePlus).plus(d.abs()).plus(rounding(d));
  return { v, d, ev, ed };
}

/** log a for a > 0. @internal */
export function log(a: Tracked): Tracked {
  const v = a.v.ln();
  const d = a.d.div(a.v);
  const ev = a.ev.div(a.v).plus(rounding(v));
  const ed = a.ed.plus(d.abs().times(a.ev)).div(a.v).plus(d.abs()).plus(rounding(d));
  return { v, d, ev, ed };
}

/** log(1 + e^x) through the branch that keeps the small side: x + log1p(e^{−x}) for x > 0, else log1p(e^x). */
export function softplus(x: Tracked): Tracked {
  return x.v.isPositive() && !x.v.isZero() ? add(x, log1p(exp(neg(x)))) : log1p(exp(x));
}

/** log σ(x) = −log(1 + e^{−x}). @internal */
export function logSigmoid(x: Tracked): Tracked {
  return neg(softplus(neg(x)));
}

/** σ(x) = 1/(1 + e^{−x}) for x ≥ 0, e^x/(1 + e^x) below (neither overflows). @internal */
export function sigmoid(x: Tracked): Tracked {
  if (!x.v.isNegative()) return div(input(1), add(input(1), exp(neg(x))));
  const e = exp(x);
  return div(e, add(input(1), e));
}

/**
 * max(0, a). Where a is within its own float64 error of 0 the side float64 lands on is not determined, so the
 * derivative's error bound takes in the jump |a′| (either one-sided derivative is right).
 * @internal
 */
export function positivePart(a: Tracked, few: number): Tracked {
  const undetermined = a.v.abs().lte(a.ev.times(few).times(constant(2).pow(-52)));
  const taken = a.v.isPositive() && !a.v.isZero() ? a : { v: ZERO, d: ZERO, ev: ZERO, ed: ZERO };
  return undetermined
    ? { ...taken, ev: taken.ev.plus(a.ev), ed: taken.ed.plus(a.d.abs().div(constant(2).pow(-52))) }
    : taken;
}
