import { describe, expect, it } from "vitest";
import fixtures from "../fixtures/cholesky.json" with { type: "json" };
import {
  inverse,
  inverseCholeskyFactor,
  inverseDiagonalAndProduct,
  inverseTimes,
  withInverseFactor,
  withInverseFactorOf,
  type BlockKernel,
  type InverseFactor,
} from "../../src/numerics/cholesky.js";
import { choleskyKernelWasm } from "../../src/numerics/cholesky-kernel-wasm.js";
import { assembleCholeskyKernel } from "../../scripts/build-cholesky-wasm.mjs";
import { EPS, expectClose } from "../helpers/close.js";

// References: the exact inverse of each float64 matrix (mpmath at 50 digits, test/fixtures/generate_cholesky.py).
// Bound: Cholesky and the triangular inverse are backward stable, so each entry of the computed inverse is off by at
// most c · order · EPS · κ(A) · max|A⁻¹| (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., thm. 10.3
// and §14.2); c = 8 covers the two triangular stages and the products formed from them.
const KERNELS: BlockKernel[] = ["simd", "scalar", "auto"];

/** The diagonal of A⁻¹ from its factor, through the full inverse. */
const inverseDiagonalOf = (factor: InverseFactor) => Float64Array.from(inverse(factor), (row, i) => row[i]);

for (const kernel of KERNELS) {
  describe(`the inverse Cholesky factor, ${kernel} block sums, against exact inverses`, () => {
    it.each(fixtures.cases.map((c) => [c.order, c.condition, c] as const))("order %i (condition %d)", (n, kappa, c) => {
      const a = Float64Array.from(c.a, Number);
      const exact = c.inverse.map(Number);
      const largest = Math.max(...exact.map(Math.abs));
      const bound = { abs: 8 * n * EPS * kappa * largest };
      const factor = inverseCholeskyFactor(a, n, kernel);
      expect(factor).not.toBeNull();
      const full = inverse(factor!);
      const diagonal = inverseDiagonalOf(factor!);
      const unit = new Float64Array(n);
      unit[n - 1] = 1;
      const lastColumn = inverseTimes(factor!, unit);
      for (let i = 0; i < n; i++) {
        expectClose(diagonal[i], exact[i * n + i], bound, `diagonal ${i}`);
        expectClose(lastColumn[i], exact[i * n + n - 1], bound, `column ${i}`);
        for (let j = 0; j < n; j++) expectClose(full[i][j], exact[i * n + j], bound, `entry ${i},${j}`);
      }
    });

    it.each(fixtures.cases.map((c) => [c.order, c] as const))(
      "order %i: the diagonal and a product read where the factor is formed (inverseDiagonalAndProduct)",
      (n, c) => {
        const a = Float64Array.from(c.a, Number);
        const exact = c.inverse.map(Number);
        const x = Float64Array.from({ length: n }, (_, i) => (i % 3) - 1 + i / n);
        // the reference product sums exact entries in float64: its own rounding is within the bound's n·EPS
        const bound = {
          abs: 8 * n * EPS * c.condition * Math.max(...exact.map(Math.abs)) * x.reduce((t, v) => t + Math.abs(v), 0),
        };
        const got = inverseDiagonalAndProduct(
          n,
          (add) => {
            for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) add(i, j, a[i * n + j]);
          },
          x,
          kernel,
        );
        expect(got).not.toBeNull();
        for (let i = 0; i < n; i++) {
          let want = 0;
          for (let j = 0; j < n; j++) want += exact[i * n + j] * x[j];
          expectClose(got!.diagonal[i], exact[i * n + i], bound, `diagonal ${i}`);
          expectClose(got!.product[i], want, bound, `product ${i}`);
        }
      },
    );

    it("returns null for a matrix that is not positive definite, and for a NaN entry", () => {
      // [[1, 2], [2, 1]] has eigenvalues 3 and −1; diag(1, NaN) no finite pivot
      expect(inverseCholeskyFactor(Float64Array.of(1, 2, 2, 1), 2, kernel)).toBeNull();
      expect(inverseCholeskyFactor(Float64Array.of(1, 0, 0, NaN), 2, kernel)).toBeNull();
      // a positive semi-definite 9×9 (rank 1): a zero pivot after the first
      expect(inverseCholeskyFactor(new Float64Array(81).fill(1), 9, kernel)).toBeNull();
    });
  });
}

describe("the reused work space", () => {
  const byOrder = (n: number) => fixtures.cases.find((c) => c.order === n)!;
  const check = (c: (typeof fixtures.cases)[number], diagonal: Float64Array) => {
    const exact = c.inverse.map(Number);
    const bound = { abs: 8 * c.order * EPS * c.condition * Math.max(...exact.map(Math.abs)) };
    diagonal.forEach((d, i) => expectClose(d, exact[i * c.order + i], bound, `diagonal ${i}`));
  };
  const diagonalOf = (c: (typeof fixtures.cases)[number]) => {
    const a = c.a.map(Number);
    return withInverseFactor(c.order, (i, j) => a[i * c.order + j], inverseDiagonalOf, "simd")!;
  };

  it("keeps nothing of a larger factorisation into a smaller one, nor of a failed one", () => {
    check(byOrder(130), diagonalOf(byOrder(130)));
    check(byOrder(9), diagonalOf(byOrder(9)));
    expect(withInverseFactor(130, () => Number.NaN, inverseDiagonalOf, "simd")).toBeNull();
    check(byOrder(37), diagonalOf(byOrder(37)));
  });

  it("gives a factorisation inside another's use a space of its own", () => {
    const outer = byOrder(37);
    const a = outer.a.map(Number);
    const [inner, diagonal] = withInverseFactor(
      outer.order,
      (i, j) => a[i * outer.order + j],
      (factor) => [diagonalOf(byOrder(22)), inverseDiagonalOf(factor)] as const,
      "simd",
    )!;
    check(byOrder(22), inner);
    check(outer, diagonal);
  });
});

describe("a matrix written in parts (withInverseFactorOf)", () => {
  // each entry of the lower triangle handed over as two parts that sum to it exactly (x/2 twice: a power of two),
  // and the diagonal last, after the rows below it; entries that are 0 left out
  it.each(fixtures.cases.map((c) => [c.order, c.condition, c] as const))("order %i (condition %d)", (n, kappa, c) => {
    const a = c.a.map(Number);
    const exact = c.inverse.map(Number);
    const bound = { abs: 8 * n * EPS * kappa * Math.max(...exact.map(Math.abs)) };
    for (const kernel of KERNELS) {
      const diagonal = withInverseFactorOf(
        n,
        (add) => {
          for (let i = n - 1; i >= 0; i--)
            for (let j = 0; j < i; j++) {
              if (a[i * n + j] === 0) continue;
              add(i, j, a[i * n + j] / 2);
              add(i, j, a[i * n + j] / 2);
            }
          for (let i = 0; i < n; i++) add(i, i, a[i * n + i]);
        },
        inverseDiagonalOf,
        kernel,
      );
      expect(diagonal, kernel).not.toBeNull();
      diagonal!.forEach((d, i) => expectClose(d, exact[i * n + i], bound, `${kernel} diagonal ${i}`));
    }
  });

  it("clears what a previous factorisation left in the reused space", () => {
    // a dense matrix first, then the identity of a smaller order written as its diagonal alone
    const big = fixtures.cases.find((c) => c.order === 130)!;
    const a = big.a.map(Number);
    expect(withInverseFactor(130, (i, j) => a[i * 130 + j], inverseDiagonalOf, "simd")).not.toBeNull();
    const diagonal = withInverseFactorOf(
      129,
      (add) => {
        for (let i = 0; i < 129; i++) add(i, i, 4);
      },
      inverseDiagonalOf,
      "simd",
    );
    expect(Array.from(diagonal!)).toEqual(new Array(129).fill(0.25));
  });
});

describe("the SIMD kernel's source", () => {
  it("ships the bytes cholesky-kernel.wat assembles to (node scripts/build-cholesky-wasm.mjs after editing it)", async () => {
    expect(choleskyKernelWasm).toBe(await assembleCholeskyKernel());
  });
});
