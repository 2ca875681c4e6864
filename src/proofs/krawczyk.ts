import { Decimal } from "decimal.js";
import { add, around, fromConstant, mul, sub, sum, type Interval } from "./interval/index.js";
import { Down, Exact, Up, WORKING_DIGITS } from "./interval/rounding.js";

/*
 * Krawczyk's test (Krawczyk 1969; Moore, Kearfott, Cloud, "Introduction to Interval Analysis", §8.2): for F: ℝ^m → ℝ^m
 * continuously differentiable on a box X, a point c ∈ X and any real matrix Y,
 *   K(X) = c − Y F(c) + (I − Y J(X))(X − c),   J(X) an interval enclosure of F′ over X.
 * If K(X) ⊂ int X then F has exactly one zero in X (and it lies in K(X)); every zero in X lies in K(X) ∩ X in any
 * case, so iterating X ← K(X) ∩ X with Y ≈ J(mid X)⁻¹ shrinks the box around it quadratically.
 */

/** A system F(x) = 0 in interval arithmetic: F and its Jacobian over a box (or at a point box). */
export interface IntervalSystem {
  /** F over x (an enclosure of {F(v) : v ∈ x}). */
  value(x: readonly Interval[]): Interval[];
  /** An enclosure of the Jacobian F′ over x, as rows. */
  jacobian(x: readonly Interval[]): Interval[][];
}

/** What a successful Krawczyk test gives: a box holding the one zero of F in it, and how it got there. */
export interface KrawczykBox {
  /** The box: F has exactly one zero in it. */
  readonly box: Interval[];
  /** The radius of the first box the test succeeded on (around the given centre). */
  readonly firstRadius: number;
  /** Krawczyk steps taken. */
  readonly steps: number;
}

/** Decimal arithmetic a few digits above the working precision, for the approximate inverse Y (any Y is valid). */
const Approx = Decimal.clone({ precision: WORKING_DIGITS + 10, rounding: Decimal.ROUND_HALF_EVEN });

/** The box radius, as a multiple of the Newton step from the given centre (the centre's error estimate). */
const RADIUS_FACTOR = 8;

/** Steps of X ← K(X) ∩ X after the test succeeded; each one roughly squares the relative width. */
const MAX_TIGHTENING = 8;

/** Relative width below which the box is tight enough: well under the 1e−40 the certified claims are held to. */
const TIGHT = new Exact("1e-50");

/**
 * The midpoint of an interval rounded to the working precision, kept inside it (a box a few units of the 60th digit
 * wide could round its midpoint out): any point of the box is a valid c, and one outside it is not.
 */
function midpoint(a: Interval): Interval {
  let m: Decimal = new Approx(Exact.add(a.lo, a.hi).div(2)).toSD(WORKING_DIGITS);
  if (m.lt(a.lo)) m = a.lo;
  if (m.gt(a.hi)) m = a.hi;
  return { lo: m, hi: m };
}

/** The midpoint of an interval as a decimal. */
const centre = (a: Interval): Decimal => Exact.add(a.lo, a.hi).div(2);

/** Y = M⁻¹ by Gauss–Jordan with partial pivoting at 70 digits, or null if M is singular at that precision. */
function approximateInverse(m: Decimal[][]): Decimal[][] | null {
  const n = m.length;
  const a = m.map((row, i) => [
    ...row.map((v) => new Approx(v)),
    ...Array.from({ length: n }, (_, j) => new Approx(i === j ? 1 : 0)),
  ]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (a[r][col].abs().gt(a[pivot][col].abs())) pivot = r;
    if (a[pivot][col].isZero()) return null;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    const p = a[col][col];
    for (let j = 0; j < 2 * n; j++) a[col][j] = a[col][j].div(p);
    for (let r = 0; r < n; r++) {
      if (r === col || a[r][col].isZero()) continue;
      const f = a[r][col];
      for (let j = 0; j < 2 * n; j++) a[r][j] = a[r][j].minus(f.times(a[col][j]));
    }
  }
  return a.map((row) => row.slice(n).map((v) => v.toSD(WORKING_DIGITS - 5)));
}

/** Y as point intervals (its entries have fewer digits than the working precision, so they are exact). */
const pointMatrix = (y: Decimal[][]): Interval[][] => y.map((row) => row.map((v) => around(new Exact(v))));

/** Matrix times vector of intervals. */
const times = (a: readonly Interval[][], x: readonly Interval[]): Interval[] =>
  a.map((row) => sum(row.map((v, j) => mul(v, x[j]))));

/** K(X) for the box x, its midpoint c and Y from the midpoint of J(X). */
function krawczykImage(system: IntervalSystem, x: readonly Interval[]): Interval[] {
  const c = x.map(midpoint);
  const j = system.jacobian(x);
  const inverse = approximateInverse(j.map((row) => row.map(centre)));
  if (inverse === null) throw new RangeError("Krawczyk: the Jacobian is singular at the box's centre");
  const y = pointMatrix(inverse);
  const fc = system.value(c);
  const n = x.length;
  // I − Y J(X)
  const residual = y.map((row, i) =>
    Array.from({ length: n }, (_, k) => sub(fromConstant(i === k ? 1 : 0), sum(row.map((v, l) => mul(v, j[l][k]))))),
  );
  const step = times(y, fc);
  const spread = times(
    residual,
    x.map((v, i) => sub(v, c[i])),
  );
  return c.map((ci, i) => add(sub(ci, step[i]), spread[i]));
}

/** Whether a lies in the interior of b. */
const inside = (a: Interval, b: Interval): boolean => a.lo.gt(b.lo) && a.hi.lt(b.hi);

/** a ∩ b (non-empty: both hold the zero). */
const meet = (a: Interval, b: Interval): Interval => ({
  lo: a.lo.gt(b.lo) ? a.lo : b.lo,
  hi: a.hi.lt(b.hi) ? a.hi : b.hi,
});

/** Whether every entry's width is below TIGHT relative to 1 + its magnitude. */
function tight(x: readonly Interval[]): boolean {
  return x.every((v) => Exact.sub(v.hi, v.lo).lte(TIGHT.times(Exact.add(1, v.hi.abs()))));
}

/**
 * Proves that F has exactly one zero near a float64 approximation c₀ and encloses it tightly: the box c₀ ± ρ, with ρ
 * RADIUS_FACTOR times the largest Newton step |J(c₀)⁻¹F(c₀)| (c₀'s error estimate) plus `floor`, must pass Krawczyk's
 * test K(X) ⊂ int X; then X ← K(X) ∩ X until its relative width is below 1e−50.
 *
 * @param system - F and its Jacobian in interval arithmetic
 * @param approximation - c₀, e.g. a float64 Newton answer
 * @param floor - the least radius, per entry (the float64 rounding of c₀'s entries)
 * @returns the box
 * @throws RangeError when the test fails (no zero proven near c₀: c₀ is not a zero's approximation, or F′ is
 *   singular there), or an interval operation is out of its domain
 */
export function krawczykZero(system: IntervalSystem, approximation: readonly number[], floor: number): KrawczykBox {
  const c0 = approximation.map((v) => around(new Exact(v)));
  const inverse = approximateInverse(system.jacobian(c0).map((row) => row.map(centre)));
  if (inverse === null) throw new RangeError("Krawczyk: the Jacobian is singular at the float64 answer");
  const newton = times(pointMatrix(inverse), system.value(c0));
  const largestStep = newton.reduce((m, v) => Math.max(m, Math.abs(centre(v).toNumber())), 0);
  const radius = RADIUS_FACTOR * largestStep + floor;
  const r = new Exact(radius);
  let box = c0.map((v) => ({ lo: Down.sub(v.lo, r), hi: Up.add(v.hi, r) }));
  const image = krawczykImage(system, box);
  if (!image.every((v, i) => inside(v, box[i])))
    throw new RangeError(
      `Krawczyk: K(X) ⊄ int X for the box of radius ${radius.toExponential(2)} around the float64 answer`,
    );
  box = image.map((v, i) => meet(v, box[i]));
  let steps = 1;
  while (!tight(box) && steps <= MAX_TIGHTENING) {
    box = krawczykImage(system, box).map((v, i) => meet(v, box[i]));
    steps++;
  }
  return { box, firstRadius: radius, steps };
}
