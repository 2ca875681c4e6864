/**
 * Forward-mode differentiation: an expression evaluated on dual numbers v + d·ε (ε² = 0) carries
 * its exact derivative along, by the chain rule applied operation by operation. It differentiates
 * the expression as written, so it is independent of any hand-derived gradient formula; over
 * float64 it rounds like the expression itself, over 50-digit decimals it is exact to 50 digits.
 * @internal
 */

/** The operations an expression may use, over some number type T (float64 or 50-digit decimals). */
export interface Arithmetic<T> {
  readonly constant: (x: number) => T;
  readonly add: (a: T, b: T) => T;
  readonly sub: (a: T, b: T) => T;
  readonly mul: (a: T, b: T) => T;
  readonly div: (a: T, b: T) => T;
  readonly exp: (a: T) => T;
  readonly log: (a: T) => T;
}

/** A dual number: a value and its derivative in the one chosen variable. */
export interface Dual<T> {
  readonly value: T;
  readonly derivative: T;
}

/** The arithmetic of dual numbers over `base`: each operation applies its own derivative rule. */
export function dualArithmetic<T>(base: Arithmetic<T>): Arithmetic<Dual<T>> {
  const zero = base.constant(0);
  return {
    constant: (x) => ({ value: base.constant(x), derivative: zero }),
    add: (a, b) => ({ value: base.add(a.value, b.value), derivative: base.add(a.derivative, b.derivative) }),
    sub: (a, b) => ({ value: base.sub(a.value, b.value), derivative: base.sub(a.derivative, b.derivative) }),
    // (ab)' = a'b + ab'
    mul: (a, b) => ({
      value: base.mul(a.value, b.value),
      derivative: base.add(base.mul(a.derivative, b.value), base.mul(a.value, b.derivative)),
    }),
    // (a/b)' = (a'b − ab') / b²
    div: (a, b) => ({
      value: base.div(a.value, b.value),
      derivative: base.div(
        base.sub(base.mul(a.derivative, b.value), base.mul(a.value, b.derivative)),
        base.mul(b.value, b.value),
      ),
    }),
    // (e^a)' = a' e^a
    exp: (a) => {
      const e = base.exp(a.value);
      return { value: e, derivative: base.mul(a.derivative, e) };
    },
    // (log a)' = a' / a
    log: (a) => ({ value: base.log(a.value), derivative: base.div(a.derivative, a.value) }),
  };
}

/** float64 arithmetic. */
export const floatArithmetic: Arithmetic<number> = {
  constant: (x) => x,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  exp: Math.exp,
  log: Math.log,
};

/**
 * The partial derivatives of `f` at `point`, one forward pass per variable: variable k enters as
 * point[k] + 1·ε, the others with derivative 0.
 */
export function gradientOf<T>(
  base: Arithmetic<T>,
  f: <U>(arithmetic: Arithmetic<U>, variables: readonly U[]) => U,
  point: readonly T[],
): T[] {
  const dual = dualArithmetic(base);
  const zero = base.constant(0);
  const one = base.constant(1);
  return point.map(
    (_, k) =>
      f(
        dual,
        point.map((value, j) => ({ value, derivative: j === k ? one : zero })),
      ).derivative,
  );
}
