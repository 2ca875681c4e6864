import { describe, expect, it } from "vitest";
import { floatArithmetic, gradientOf, type Arithmetic } from "../../src/proofs/forward-derivative.js";
import { exact, preciseArithmetic } from "../../src/proofs/precise.js";
import { EPS, expectClose } from "../helpers/close.js";

/** f(x, y) = log(1 + e^x) · y / (x + 2) − e^{xy}: every operation, both variables in several places. */
function f<T>(ar: Arithmetic<T>, [x, y]: readonly T[]): T {
  const softplus = ar.log(ar.add(ar.constant(1), ar.exp(x)));
  return ar.sub(ar.div(ar.mul(softplus, y), ar.add(x, ar.constant(2))), ar.exp(ar.mul(x, y)));
}

/** The partial derivatives of f by hand: σ(x) = ∂ softplus / ∂x. */
function closedForm(x: number, y: number): [number, number] {
  const softplus = Math.log1p(Math.exp(x));
  const sigma = 1 / (1 + Math.exp(-x));
  const dx = (y * (sigma * (x + 2) - softplus)) / (x + 2) ** 2 - y * Math.exp(x * y);
  const dy = softplus / (x + 2) - x * Math.exp(x * y);
  return [dx, dy];
}

describe("forward differentiation", () => {
  const points: [number, number][] = [
    [0.3, -1.2],
    [-1.5, 0.7],
    [2, 0.25],
  ];
  it("gives the hand-derived partial derivatives in float64", () => {
    for (const [x, y] of points) {
      const [dx, dy] = gradientOf(floatArithmetic, f, [x, y]);
      const [ex, ey] = closedForm(x, y);
      // a few dozen roundings of terms of size ≤ 10
      expectClose(dx, ex, { abs: 64 * 10 * EPS }, `∂x at ${x}, ${y}`);
      expectClose(dy, ey, { abs: 64 * 10 * EPS }, `∂y at ${x}, ${y}`);
    }
  });
  it("at 50 digits gives the hand-derived partial derivatives evaluated at 50 digits", () => {
    for (const [x, y] of points) {
      const [dx, dy] = gradientOf(preciseArithmetic, f, [exact(x), exact(y)]);
      const [px, py] = [exact(x), exact(y)];
      const softplus = px.exp().plus(1).ln();
      const sigma = exact(1).div(px.neg().exp().plus(1));
      const ex = py
        .times(sigma.times(px.plus(2)).minus(softplus))
        .div(px.plus(2).pow(2))
        .minus(py.times(px.times(py).exp()));
      const ey = softplus.div(px.plus(2)).minus(px.times(px.times(py).exp()));
      // 50 significant digits of terms of size ≤ 10
      expect(dx.minus(ex).abs().toNumber()).toBeLessThan(1e-45);
      expect(dy.minus(ey).abs().toNumber()).toBeLessThan(1e-45);
    }
  });
  it("a constant has derivative zero and a variable derivative one", () => {
    expect(gradientOf(floatArithmetic, (ar) => ar.constant(3), [1])).toEqual([0]);
    expect(gradientOf(floatArithmetic, (ar, [x, y]) => ar.add(x, ar.mul(ar.constant(0), y)), [1, 2])).toEqual([1, 0]);
  });
});
