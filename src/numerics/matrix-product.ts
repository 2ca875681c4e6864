/**
 * The product of two dense square matrices given as rows (zero entries of `left` skipped, which sparse
 * covariance factors have many of). @internal
 */
export function matrixProduct(left: ArrayLike<number>[], right: ArrayLike<number>[]): Float64Array[] {
  const size = left.length;
  return left.map((row) => {
    const out = new Float64Array(size);
    for (let k = 0; k < size; k++) {
      const r = row[k];
      if (r === 0) continue;
      const other = right[k];
      for (let j = 0; j < size; j++) out[j] += r * other[j];
    }
    return out;
  });
}
