/**
 * Solves A x = b for a small dense square A by Gaussian elimination with partial pivoting. A zero
 * pivot leaves its unknown at 0, which is the answer wanted for the singular but consistent systems
 * Newton's method meets (a Laplacian whose grounded rows were removed, or a direction the data
 * cannot see). O(n³): for the handful of unknowns of an order effect, a tie parameter or one
 * prompt's responses. Internal.
 * @internal
 */
export function solveDense(a: ArrayLike<number>[], b: ArrayLike<number>): Float64Array {
  const n = b.length;
  const m = Array.from(a, (row, i) => Float64Array.from({ length: n + 1 }, (_, j) => (j < n ? row[j] : b[i])));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    if (m[col][col] === 0) continue;
    for (let r = col + 1; r < n; r++) {
      const factor = m[r][col] / m[col][col];
      if (factor !== 0) for (let j = col; j <= n; j++) m[r][j] -= factor * m[col][j];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let j = r + 1; j < n; j++) s -= m[r][j] * x[j];
    x[r] = m[r][r] === 0 ? 0 : s / m[r][r];
  }
  return x;
}
