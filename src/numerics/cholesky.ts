import { choleskyKernelWasm } from "./cholesky-kernel-wasm.js";

/**
 * The inverse Cholesky factor of a symmetric positive-definite matrix, for what is read from the
 * inverse: A = L Lᵀ, A⁻¹ = Wᵀ W with W = L⁻¹, kept as V = Wᵀ = L⁻ᵀ (upper triangular, row-major),
 * so that the diagonal of A⁻¹ is the rows' sums of squares and each entry a dot product of two rows.
 *
 * Matrices are flat, row-major `Float64Array`s. The factor is padded to a multiple of four rows with
 * identity rows and columns (which change nothing of the rest), so that the loops can work on 4×2
 * blocks: each value loaded serves several multiply-adds, and every inner loop runs along rows.
 * @internal
 */
export interface InverseFactor {
  /** The order of the matrix. */
  readonly size: number;
  /** The row length of `v`: `size` rounded up to a multiple of the block's rows. */
  readonly stride: number;
  /** V = L⁻ᵀ, upper triangular, row-major with row length `stride`. */
  readonly v: Float64Array;
}

/** The rows of a block: every order is padded to a multiple of it. */
const ROWS = 4;

/**
 * Which code computes the block sums that make up nearly all of the work: `"simd"`, the float64 SIMD
 * WebAssembly kernel (cholesky-kernel.wat), or `"scalar"`, the same sums in JavaScript; `"auto"` takes the
 * kernel from order {@link SIMD_MIN_ORDER} on. Both add the same products; the kernel adds them in two
 * interleaved partial sums (even and odd k), so results differ from the scalar loop's by rounding only: a
 * relative change of order size · EPS in each sum, which the factorisation carries into A⁻¹ amplified at most
 * by A's condition number (the backward stability of Cholesky, Higham, Accuracy and Stability of Numerical
 * Algorithms, 2nd ed., thm. 10.3).
 * @internal
 */
export type BlockKernel = "auto" | "simd" | "scalar";

/**
 * The order from which "auto" uses the SIMD kernel: a kernel instance and its memory cost about as much as
 * the scalar factorisation of order 50 (tens of microseconds), and from order 128 on the kernel's halving of
 * size³/3 multiply-adds repays it several times over.
 */
const SIMD_MIN_ORDER = 128;

/**
 * Factors A = L Lᵀ (the lower triangle of the flat `a` of order `size` is read) and forms L⁻ᵀ.
 * Returns null when a pivot is not positive and finite: A is not numerically positive definite
 * (a NaN or infinite entry reaches a later pivot through its row's sum of squares).
 * Cost: size³/3 multiply-adds, in the SIMD kernel (see {@link BlockKernel}) unless the process has no
 * WebAssembly or the kernel's memory cannot hold the two matrices.
 * @internal
 */
export function inverseCholeskyFactor(
  a: Float64Array,
  size: number,
  kernel: BlockKernel = "auto",
): InverseFactor | null {
  const stride = Math.ceil(size / ROWS) * ROWS;
  const simd = kernel === "simd" || (kernel === "auto" && size >= SIMD_MIN_ORDER);
  const simdWork = simd ? simdWorkspace(stride) : null;
  const work = simdWork ?? scalarWorkspace(stride);
  const l = work.l;
  for (let i = 0; i < size; i++) for (let j = 0; j <= i; j++) l[i * stride + j] = a[i * size + j];
  for (let i = size; i < stride; i++) l[i * stride + i] = 1;
  if (!factorLower(work)) return null;
  invertLowerTransposed(work);
  // the kernel's memory goes with its instance: V is copied out of it
  return { size, stride, v: simdWork === null ? work.v : work.v.slice() };
}

/**
 * The matrices of one factorisation and the block sums over them: `lByL(ra, qx, from, to)` writes
 * sums[2b + c] = Σ_{from≤k<to} l[ra + b·s + k] · l[qx + c·s + k] for b < 4, c < 2, and `lByV` the same with
 * rows of v in place of the second l.
 */
interface Workspace {
  readonly stride: number;
  readonly l: Float64Array;
  readonly v: Float64Array;
  readonly sums: Float64Array;
  readonly lByL: BlockSums;
  readonly lByV: BlockSums;
}

type BlockSums = (ra: number, qx: number, from: number, to: number) => void;

function scalarWorkspace(s: number): Workspace {
  const l = new Float64Array(s * s);
  const v = new Float64Array(s * s);
  const sums = new Float64Array(ROWS * 2);
  return {
    stride: s,
    l,
    v,
    sums,
    lByL: (ra, qx, from, to) => blockSums(l, ra, l, qx, s, from, to, sums),
    lByV: (ra, qx, from, to) => blockSums(l, ra, v, qx, s, from, to, sums),
  };
}

/** The parts of the WebAssembly API used here (TypeScript's ES libraries do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

/** The compiled kernel, made on first use. */
let kernelModule: object | undefined;

/** The kernel's memory page. */
const PAGE_BYTES = 65536;
/** The kernel writes its eight sums to the first bytes of its memory; the matrices follow. */
const SUMS_ELEMENTS = ROWS * 2;

/**
 * A fresh kernel instance whose memory holds the sums, then L, then V (zeroed, as a new memory is), or null
 * when that memory cannot be had (WebAssembly memory is at most 4 GiB: order above about 16,000) or the process
 * has no WebAssembly.
 */
function simdWorkspace(s: number): Workspace | null {
  const elements = SUMS_ELEMENTS + 2 * s * s;
  const pages = Math.ceil((elements * Float64Array.BYTES_PER_ELEMENT) / PAGE_BYTES);
  const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) return null;
  kernelModule ??= new api.Module(Buffer.from(choleskyKernelWasm, "base64"));
  const instance = new api.Instance(kernelModule);
  const memory = instance.exports.memory as { readonly buffer: ArrayBuffer; grow(pages: number): number };
  const run = instance.exports.blockSums as (a: number, x: number, s: number, from: number, to: number) => void;
  try {
    memory.grow(pages - memory.buffer.byteLength / PAGE_BYTES);
  } catch {
    return null;
  }
  const lBase = SUMS_ELEMENTS;
  const vBase = lBase + s * s;
  return {
    stride: s,
    l: new Float64Array(memory.buffer, lBase * Float64Array.BYTES_PER_ELEMENT, s * s),
    v: new Float64Array(memory.buffer, vBase * Float64Array.BYTES_PER_ELEMENT, s * s),
    sums: new Float64Array(memory.buffer, 0, SUMS_ELEMENTS),
    lByL: (ra, qx, from, to) => run(lBase + ra, lBase + qx, s, from, to),
    lByV: (ra, qx, from, to) => run(lBase + ra, vBase + qx, s, from, to),
  };
}

/**
 * Cholesky–Banachiewicz in place on the lower triangle, L_ij = (A_ij − Σ_{k<j} L_ik L_jk) / L_jj: four
 * rows against two earlier rows at a time (eight sums from six loads a step), then the block's own
 * 4×4 corner one entry at a time.
 */
function factorLower({ stride: s, l, sums, lByL }: Workspace): boolean {
  for (let i0 = 0; i0 < s; i0 += ROWS) {
    const r0 = i0 * s;
    for (let j0 = 0; j0 < i0; j0 += 2) {
      const q0 = j0 * s;
      const q1 = q0 + s;
      lByL(r0, q0, 0, j0);
      for (let b = 0; b < ROWS; b++) finishPair(l, r0 + b * s, q0, q1, j0, sums[2 * b], sums[2 * b + 1]);
    }
    for (let i = i0; i < i0 + ROWS; i++) {
      const ri = i * s;
      for (let j = i0; j <= i; j++) {
        const rj = j * s;
        const x = l[ri + j] - dot(l, ri, rj, j);
        if (j < i) {
          l[ri + j] = x / l[rj + j];
        } else {
          if (!(x > 0 && x < Infinity)) return false;
          l[ri + i] = Math.sqrt(x);
        }
      }
    }
  }
  return true;
}

/**
 * out[2b + c] = Σ_{from≤k<to} a[ra + b·s + k] · x[qx + c·s + k] for the four rows b of a block of `a` and two rows c
 * of `x`: eight sums from six loads a step, the inner kernel of the factorisation and of the inversion (in scalar
 * JavaScript; cholesky-kernel.wat computes the same in SIMD).
 */
function blockSums(
  a: Float64Array,
  ra: number,
  x: Float64Array,
  qx: number,
  s: number,
  from: number,
  to: number,
  out: Float64Array,
): void {
  const [r0, r1, r2, r3] = [ra, ra + s, ra + 2 * s, ra + 3 * s];
  const q1 = qx + s;
  let s00 = 0;
  let s01 = 0;
  let s10 = 0;
  let s11 = 0;
  let s20 = 0;
  let s21 = 0;
  let s30 = 0;
  let s31 = 0;
  for (let k = from; k < to; k++) {
    const b0 = x[qx + k];
    const b1 = x[q1 + k];
    const a0 = a[r0 + k];
    const a1 = a[r1 + k];
    const a2 = a[r2 + k];
    const a3 = a[r3 + k];
    s00 += a0 * b0;
    s01 += a0 * b1;
    s10 += a1 * b0;
    s11 += a1 * b1;
    s20 += a2 * b0;
    s21 += a2 * b1;
    s30 += a3 * b0;
    s31 += a3 * b1;
  }
  out[0] = s00;
  out[1] = s01;
  out[2] = s10;
  out[3] = s11;
  out[4] = s20;
  out[5] = s21;
  out[6] = s30;
  out[7] = s31;
}

/** L_{r,j0} and L_{r,j0+1} from their sums over k < j0: column j0 enters column j0 + 1. */
function finishPair(l: Float64Array, r: number, q0: number, q1: number, j0: number, sum0: number, sum1: number): void {
  const x = (l[r + j0] - sum0) / l[q0 + j0];
  l[r + j0] = x;
  l[r + j0 + 1] = (l[r + j0 + 1] - sum1 - x * l[q1 + j0]) / l[q1 + j0 + 1];
}

/**
 * V = L⁻ᵀ from the lower triangular L: W = L⁻¹ row by row, W_ij = −(Σ_{j≤k<i} L_ik W_kj) / L_ii,
 * stored transposed so that the sum is a dot product of row i of L and row j of V. Four rows of W
 * against two of V at a time over k below the block, then the terms from inside the block.
 */
function invertLowerTransposed({ stride: s, l, v, sums, lByV }: Workspace): void {
  for (let i0 = 0; i0 < s; i0 += ROWS) {
    const r0 = i0 * s;
    for (let j0 = 0; j0 < i0; j0 += 2) {
      const q0 = j0 * s;
      lByV(r0, q0, j0, i0);
      // rows inside the block add the terms k = i0, …, i − 1 from the rows of W just formed
      for (let b = 0; b < ROWS; b++) {
        const i = i0 + b;
        const ri = i * s;
        for (let c = 0; c < 2; c++) {
          const qj = q0 + c * s;
          let x = sums[2 * b + c];
          for (let k = i0; k < i; k++) x += l[ri + k] * v[qj + k];
          v[qj + i] = -x / l[ri + i];
        }
      }
    }
    for (let j = i0; j < i0 + ROWS; j++) {
      const qj = j * s;
      v[qj + j] = 1 / l[qj + j];
      for (let i = j + 1; i < i0 + ROWS; i++) {
        const ri = i * s;
        let x = 0;
        for (let k = j; k < i; k++) x += l[ri + k] * v[qj + k];
        v[qj + i] = -x / l[ri + i];
      }
    }
  }
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
