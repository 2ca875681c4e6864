/** Every permutation of 0..n−1 (brute-force enumeration for tests). */
export function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) {
    for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  }
  return out;
}

/** Central finite-difference gradient of f at x with step h. */
export function finiteDifferenceGradient(f: (x: number[]) => number, x: ArrayLike<number>, h = 1e-5): Float64Array {
  const base = Array.from(x);
  const grad = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const plus = [...base];
    const minus = [...base];
    plus[i] += h;
    minus[i] -= h;
    grad[i] = (f(plus) - f(minus)) / (2 * h);
  }
  return grad;
}
