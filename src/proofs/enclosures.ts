import {
  abs,
  add,
  div,
  exp,
  fromConstant,
  fromDouble,
  log1p,
  logSumExp,
  max,
  min,
  mul,
  neg,
  sub,
  sum,
  type Interval,
} from "./interval/index.js";

/*
 * The formulas of section 5 as interval functions of exact inputs: each returns an interval that contains the exact
 * real value of the formula at the doubles it is given. The statements' enclosures and the float64-error checks of
 * luce's functions are written with these.
 */

/** The zero probability's log: a point at −∞. */
const isZeroTerm = (a: Interval): boolean => !a.hi.isFinite() && a.hi.isNegative();

/** A row of doubles as intervals of their exact values (−Infinity stays a point at −∞). @internal */
export function intervalRow(row: ArrayLike<number>): Interval[] {
  return Array.from(row, fromDouble);
}

/** The largest of intervals (their hull's upper end, and the largest lower end); [0, 0] for none. @internal */
export function maxOf(xs: readonly Interval[]): Interval {
  return xs.reduce(max, fromConstant(0));
}

/** The terms a_y = log π_ref(y) + r(y)/β of log Z (eq. 4), −∞ where π_ref = 0. @internal */
export function tiltedTerms(r: readonly Interval[], logReference: readonly Interval[], beta: Interval): Interval[] {
  return r.map((v, y) => (isZeroTerm(logReference[y]) ? logReference[y] : add(logReference[y], div(v, beta))));
}

/** log Z = log Σ_y π_ref(y) e^{r(y)/β} (eq. 4). @internal */
export function logPartitionOf(r: readonly Interval[], logReference: readonly Interval[], beta: Interval): Interval {
  return logSumExp(tiltedTerms(r, logReference, beta));
}

/** log π_r(y) = log π_ref(y) + r(y)/β − log Z (eq. 4), −∞ outside π_ref's support. @internal */
export function logPolicyOf(r: readonly Interval[], logReference: readonly Interval[], beta: Interval): Interval[] {
  const a = tiltedTerms(r, logReference, beta);
  const logZ = logSumExp(a);
  return a.map((v) => (isZeroTerm(v) ? v : sub(v, logZ)));
}

/** max_y |a_y − b_y| over the entries finite in both (entries −∞ in both agree). @internal */
export function maxAbsDiffOf(a: readonly Interval[], b: readonly Interval[]): Interval {
  return maxOf(a.flatMap((v, y) => (isZeroTerm(v) && isZeroTerm(b[y]) ? [] : [abs(sub(v, b[y]))])));
}

/**
 * max_y (a − b) − min_y (a − b) over the responses where `support` (if given) is finite: 0 exactly when a − b is
 * constant there (Definition 1). @internal
 */
export function spreadOf(a: readonly Interval[], b: readonly Interval[], support?: ArrayLike<number>): Interval {
  const d = a.map((v, y) => sub(v, b[y])).filter((_, y) => support === undefined || support[y] !== -Infinity);
  return sub(d.reduce(max), d.reduce(min));
}

/** Σ_y e^{log p(y)}·(log p(y) − log q(y)) over p's support, and Σ|terms|. @internal */
export function klOf(logP: readonly Interval[], logQ: readonly Interval[]): { value: Interval; size: Interval } {
  const terms = logP.flatMap((lp, y) => (isZeroTerm(lp) ? [] : [mul(exp(lp), sub(lp, logQ[y]))]));
  return { value: sum(terms), size: sum(terms.map(abs)) };
}

/** Σ_y e^{log p(y)}·r(y) over p's support, and Σ|terms|. @internal */
export function expectationOf(logP: readonly Interval[], r: readonly Interval[]): { value: Interval; size: Interval } {
  const terms = logP.flatMap((lp, y) => (isZeroTerm(lp) ? [] : [mul(exp(lp), r[y])]));
  return { value: sum(terms), size: sum(terms.map(abs)) };
}

/**
 * The Plackett–Luce log-probability of ranked items (best first) among ranked ∪ unranked (section 3, appendix A.3):
 * Σ_i (s_{τ(i)} − log Σ_{j ∈ R_i} e^{s_j}), with its factors, each written −log1p(Σ_{j ∈ R_i, j ≠ τ(i)} e^{s_j −
 * s_{τ(i)}}) (the same real number), so a factor near 0 whose item dominates is enclosed to a few ulp of itself instead
 * of to a few ulp of the scores that would cancel. @internal
 */
export function plackettLuceOf(
  s: readonly Interval[],
  ranked: ArrayLike<number>,
  unranked: ArrayLike<number>,
): { value: Interval; factors: Interval[] } {
  const remaining = [...Array.from(ranked), ...Array.from(unranked)];
  const factors = Array.from(ranked, (item, i) => {
    const others = remaining.slice(i + 1).map((j) => exp(sub(s[j], s[item])));
    return neg(log1p(sum(others)));
  });
  return { value: sum(factors), factors };
}
