/**
 * The inverse Cholesky factor of a symmetric positive-definite matrix, for what is read from the
 * inverse: A = L Lᵀ, A⁻¹ = Wᵀ W with W = L⁻¹, kept as V = Wᵀ = L⁻ᵀ (upper triangular, row-major),
 * so that the diagonal of A⁻¹ is the rows' sums of squares and each entry a dot product of two rows.
 *
 * Matrices are flat, row-major `Float64Array`s. The factor is padded to an even order with an
 * identity row and column (which changes nothing of the rest), so that the loops can work on 2×2
 * blocks: each value loaded serves two multiply-adds, and every inner loop runs along rows.
 * @internal
 */
export interface InverseFactor {
  /** The order of the matrix. */
  readonly size: number;
  /** The row length of `v`: `size` rounded up to even. */
  readonly stride: number;
  /** V = L⁻ᵀ, upper triangular, row-major with row length `stride`. */
  readonly v: Float64Array;
}

/** The rows of a 2×2 block. */
const BLOCK = 2;

/**
 * Factors A = L Lᵀ (the lower triangle of the flat `a` of order `size` is read) and forms L⁻ᵀ.
 * Returns null when a pivot is not positive and finite: A is not numerically positive definite
 * (a NaN or infinite entry reaches a later pivot through its row's sum of squares).
 * Cost: size³/3 multiply-adds.
 * @internal
 */
export function inverseCholeskyFactor(a: Float64Array, size: number): InverseFactor | null {
  const stride = size + (size % BLOCK);
  const l = new Float64Array(stride * stride);
  for (let i = 0; i < size; i++) for (let j = 0; j <= i; j++) l[i * stride + j] = a[i * size + j];
  for (let i = size; i < stride; i++) l[i * stride + i] = 1;
  if (!factorLower(l, stride)) return null;
  return { size, stride, v: invertLowerTransposed(l, stride) };
}

/** Cholesky–Banachiewicz in place on the lower triangle, two rows by two columns at a time. */
function factorLower(l: Float64Array, s: number): boolean {
  for (let i0 = 0; i0 < s; i0 += BLOCK) {
    const r0 = i0 * s;
    const r1 = r0 + s;
    for (let j0 = 0; j0 < i0; j0 += BLOCK) {
      const q0 = j0 * s;
      const q1 = q0 + s;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let k = 0; k < j0; k++) {
        const a0 = l[r0 + k];
        const a1 = l[r1 + k];
        const b0 = l[q0 + k];
        const b1 = l[q1 + k];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s10 += a1 * b0;
        s11 += a1 * b1;
      }
      // L_ij = (A_ij − Σ_{k<j} L_ik L_jk) / L_jj, the block's own column j0 entering column j0 + 1
      const below = l[q1 + j0];
      const x0 = (l[r0 + j0] - s00) / l[q0 + j0];
      const x1 = (l[r1 + j0] - s10) / l[q0 + j0];
      l[r0 + j0] = x0;
      l[r1 + j0] = x1;
      l[r0 + j0 + 1] = (l[r0 + j0 + 1] - s01 - x0 * below) / l[q1 + j0 + 1];
      l[r1 + j0 + 1] = (l[r1 + j0 + 1] - s11 - x1 * below) / l[q1 + j0 + 1];
    }
    let s00 = 0;
    let s10 = 0;
    let s11 = 0;
    for (let k = 0; k < i0; k++) {
      const a0 = l[r0 + k];
      const a1 = l[r1 + k];
      s00 += a0 * a0;
      s10 += a1 * a0;
      s11 += a1 * a1;
    }
    const pivot0 = l[r0 + i0] - s00;
    if (!(pivot0 > 0 && pivot0 < Infinity)) return false;
    const d0 = Math.sqrt(pivot0);
    const below = (l[r1 + i0] - s10) / d0;
    const pivot1 = l[r1 + i0 + 1] - s11 - below * below;
    if (!(pivot1 > 0 && pivot1 < Infinity)) return false;
    l[r0 + i0] = d0;
    l[r1 + i0] = below;
    l[r1 + i0 + 1] = Math.sqrt(pivot1);
  }
  return true;
}

/**
 * V = L⁻ᵀ from the lower triangular L: W = L⁻¹ row by row, W_ij = −(Σ_{j≤k<i} L_ik W_kj) / L_ii,
 * stored transposed so that the sum is a dot product of row i of L and row j of V.
 */
function invertLowerTransposed(l: Float64Array, s: number): Float64Array {
  const v = new Float64Array(s * s);
  for (let i0 = 0; i0 < s; i0 += BLOCK) {
    const r0 = i0 * s;
    const r1 = r0 + s;
    const d0 = l[r0 + i0];
    const below = l[r1 + i0];
    const d1 = l[r1 + i0 + 1];
    for (let j0 = 0; j0 < i0; j0 += BLOCK) {
      const q0 = j0 * s;
      const q1 = q0 + s;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let k = j0; k < i0; k++) {
        const a0 = l[r0 + k];
        const a1 = l[r1 + k];
        const b0 = v[q0 + k];
        const b1 = v[q1 + k];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s10 += a1 * b0;
        s11 += a1 * b1;
      }
      // row i0 + 1 also takes the term k = i0, from row i0 of W just formed
      const w00 = -s00 / d0;
      const w01 = -s01 / d0;
      v[q0 + i0] = w00;
      v[q1 + i0] = w01;
      v[q0 + i0 + 1] = -(s10 + below * w00) / d1;
      v[q1 + i0 + 1] = -(s11 + below * w01) / d1;
    }
    v[r0 + i0] = 1 / d0;
    v[r0 + i0 + 1] = -below / (d0 * d1);
    v[r1 + i0 + 1] = 1 / d1;
  }
  return v;
}

/** Σ_{k<length} x[a+k]·x[b+k], with four partial sums (independent chains the CPU can overlap). */
function dot(x: Float64Array, a: number, b: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < length; k += 4) {
    s0 += x[a + k] * x[b + k];
    s1 += x[a + k + 1] * x[b + k + 1];
    s2 += x[a + k + 2] * x[b + k + 2];
    s3 += x[a + k + 3] * x[b + k + 3];
  }
  for (; k < length; k++) s0 += x[a + k] * x[b + k];
  return s0 + s1 + (s2 + s3);
}

/** The diagonal of A⁻¹: the sums of squares of V's rows. Cost: size²/2. @internal */
export function inverseDiagonal({ size, stride, v }: InverseFactor): Float64Array {
  return Float64Array.from({ length: size }, (_, j) => dot(v, j * stride + j, j * stride + j, size - j));
}

/** A⁻¹ x = Wᵀ (W x) for x of length `size`. Cost: size². @internal */
export function inverseTimes({ size, stride, v }: InverseFactor, x: ArrayLike<number>): Float64Array {
  // u = W x = Σ_j x_j (row j of V), then (Wᵀ u)_j = (row j of V) · u
  const u = new Float64Array(stride);
  for (let j = 0; j < size; j++) {
    const xj = x[j];
    if (xj === 0) continue;
    for (let i = j; i < size; i++) u[i] += xj * v[j * stride + i];
  }
  return Float64Array.from({ length: size }, (_, j) => {
    let s = 0;
    for (let i = j; i < size; i++) s += v[j * stride + i] * u[i];
    return s;
  });
}

/** All of A⁻¹, as rows: entry (i, j) is the dot product of rows i and j of V. Cost: size³/6. @internal */
export function inverse({ size, stride, v }: InverseFactor): Float64Array[] {
  const out = Array.from({ length: size }, () => new Float64Array(size));
  for (let i = 0; i < size; i++)
    for (let j = i; j < size; j++) {
      const c = dot(v, i * stride + j, j * stride + j, size - j);
      out[i][j] = c;
      out[j][i] = c;
    }
  return out;
}
