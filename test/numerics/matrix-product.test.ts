import { describe, expect, it } from "vitest";
import { matrixProduct } from "../../src/numerics/matrix-product.js";

describe("matrixProduct", () => {
  it("equals the triple-loop product of small integer matrices exactly, zero entries of the left one included", () => {
    // integers below 2^10 in orders up to 9: every partial sum is an integer below 2^53, so both are exact
    for (const size of [1, 2, 5, 9]) {
      const entry = (i: number, j: number, salt: number) => ((i * 7 + j * 3 + salt) % 11) - 4;
      const left = Array.from({ length: size }, (_, i) =>
        Float64Array.from({ length: size }, (_, j) => entry(i, j, 1)),
      );
      const right = Array.from({ length: size }, (_, i) => Array.from({ length: size }, (_, j) => entry(j, i, 5)));
      expect(left.some((row) => row.includes(0)) || size === 1).toBe(true);
      const got = matrixProduct(left, right);
      for (let i = 0; i < size; i++)
        for (let j = 0; j < size; j++) {
          let want = 0;
          for (let k = 0; k < size; k++) want += left[i][k] * right[k][j];
          expect(got[i][j], `(${i}, ${j}) at order ${size}`).toBe(want);
        }
    }
  });
});
