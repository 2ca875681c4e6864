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
 * Factors A = L Lᵀ, A of order `size` given by `entry(i, j)` for j ≤ i (the lower triangle, read once each),
 * forms L⁻ᵀ and hands the factor to `use`, returning what it returns; returns null (without calling `use`) when
 * a pivot is not positive and finite: A is not numerically positive definite (a NaN or infinite entry reaches a
 * later pivot through its row's sum of squares). The factor lives in a work space that the next factorisation
 * reuses: `use` must not keep it (copy what it needs). Reusing the space spares the page faults that fresh
 * memory of the two matrices' size costs the operating system on first touch (as much as the factorisation's
 * arithmetic at order 1000).
 * Cost: size³/3 multiply-adds, in the SIMD kernel (see {@link BlockKernel}) unless the process has no
 * WebAssembly or the kernel's memory cannot hold the two matrices.
 * @internal
 */
export function withInverseFactor<T>(
  size: number,
  entry: (i: number, j: number) => number,
  use: (factor: InverseFactor) => T,
  kernel: BlockKernel = "auto",
): T | null {
  return withInverseFactorOf(
    size,
    (l, stride) => {
      for (let i = 0; i < size; i++) {
        const row = i * stride;
        for (let j = 0; j <= i; j++) l[row + j] = entry(i, j);
      }
    },
    use,
    kernel,
  );
}

/**
 * {@link withInverseFactor} of the matrix that `writeLower(l, stride)` writes: it adds A_ij for j ≤ i < size into
 * l[i·stride + j], which holds 0 there when it is called (each entry may be written in several parts, or not at
 * all for a zero). For callers that hold the matrix in another form (a sparse sum of terms), written straight
 * into the work space without a dense copy of their own.
 * @internal
 */
export function withInverseFactorOf<T>(
  size: number,
  writeLower: (l: Float64Array, stride: number) => void,
  use: (factor: InverseFactor) => T,
  kernel: BlockKernel = "auto",
): T | null {
  const stride = Math.ceil(size / ROWS) * ROWS;
  const simd = kernel === "simd" || (kernel === "auto" && size >= SIMD_MIN_ORDER);
  const simdWork = simd && !busy ? simdWorkspace(stride) : null;
  const work = simdWork ?? scalarWorkspace(stride);
  const l = work.l;
  // the lower triangle cleared (a reused space holds the last factor's values), the padding's identity rows set
  for (let i = 0; i < stride; i++) {
    const row = i * stride;
    l.fill(0, row, row + i + 1);
    if (i >= size) l[row + i] = 1;
  }
  writeLower(l, stride);
  if (simdWork !== null) work.v.fill(0);
  if (simdWork !== null) busy = true;
  try {
    if (!factorLower(work)) return null;
    invertLowerTransposed(work);
    return use({ size, stride, v: work.v });
  } finally {
    if (simdWork !== null) busy = false;
  }
}

/** {@link withInverseFactor} of the flat row-major `a`, the factor copied out to be kept. @internal */
export function inverseCholeskyFactor(
  a: Float64Array,
  size: number,
  kernel: BlockKernel = "auto",
): InverseFactor | null {
  return withInverseFactor(
    size,
    (i, j) => a[i * size + j],
    (factor) => ({ ...factor, v: factor.v.slice() }),
    kernel,
  );
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

/** The kernel instance kept between factorisations, with its memory. */
let kept: { readonly run: BlockSumsExport; readonly memory: KernelMemory } | undefined;
/** True while a factor in the kept memory is in use: a factorisation inside `use` gets a space of its own. */
let busy = false;
/** The largest memory kept between factorisations (order about 2000); larger ones go with their instance. */
const KEPT_BYTES = 64 * 2 ** 20;

type BlockSumsExport = (a: number, x: number, s: number, from: number, to: number) => void;
interface KernelMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/**
 * A kernel instance whose memory holds the sums, then L, then V: the kept one, grown if need be, or for a size
 * past {@link KEPT_BYTES} a fresh one; null when that memory cannot be had (WebAssembly memory is at most 4 GiB:
 * order above about 16,000) or the process has no WebAssembly.
 */
function simdWorkspace(s: number): Workspace | null {
  const elements = SUMS_ELEMENTS + 2 * s * s;
  const bytes = elements * Float64Array.BYTES_PER_ELEMENT;
  const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) return null;
  kernelModule ??= new api.Module(Buffer.from(choleskyKernelWasm, "base64"));
  const fresh = () => {
    const instance = new api.Instance(kernelModule!);
    return { run: instance.exports.blockSums as BlockSumsExport, memory: instance.exports.memory as KernelMemory };
  };
  const kernel = bytes <= KEPT_BYTES ? (kept ??= fresh()) : fresh();
  const { run, memory } = kernel;
  try {
    const pages = Math.ceil(bytes / PAGE_BYTES) - memory.buffer.byteLength / PAGE_BYTES;
    if (pages > 0) memory.grow(pages);
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
 * The rows of a panel: the blocks of a panel take each earlier pair of rows in turn, so that the pair is read
 * from memory once for the whole panel and then from cache (the factorisation streams every earlier row past
 * every block: fetched anew for each block, the pairs' memory traffic, not the arithmetic, sets the pace).
 * 32 rows of order 1000 are 256 KiB, within a core's level-2 cache.
 */
const PANEL_ROWS = 8 * ROWS;

/**
 * Cholesky–Banachiewicz in place on the lower triangle, L_ij = (A_ij − Σ_{k<j} L_ik L_jk) / L_jj: four
 * rows against two earlier rows at a time (eight sums from six loads a step), then the block's own
 * 4×4 corner one entry at a time. Panels of blocks share each pair of rows above the panel; every entry is
 * formed from the same sums, in the same order, as block by block.
 */
function factorLower(work: Workspace): boolean {
  const s = work.stride;
  for (let p0 = 0; p0 < s; p0 += PANEL_ROWS) {
    const end = Math.min(p0 + PANEL_ROWS, s);
    for (let j0 = 0; j0 < p0; j0 += 2) for (let i0 = p0; i0 < end; i0 += ROWS) factorPair(work, i0, j0);
    for (let i0 = p0; i0 < end; i0 += ROWS) {
      for (let j0 = p0; j0 < i0; j0 += 2) factorPair(work, i0, j0);
      if (!factorCorner(work, i0)) return false;
    }
  }
  return true;
}

/** Columns j0 and j0 + 1 of the block's four rows i0, …, i0 + 3 (j0 + 1 < i0). */
function factorPair({ stride: s, l, sums, lByL }: Workspace, i0: number, j0: number): void {
  const r0 = i0 * s;
  const q0 = j0 * s;
  const q1 = q0 + s;
  lByL(r0, q0, 0, j0);
  for (let b = 0; b < ROWS; b++) finishPair(l, r0 + b * s, q0, q1, j0, sums[2 * b], sums[2 * b + 1]);
}

/** The block's 4×4 corner, its columns left of it done; false when a pivot is not positive and finite. */
function factorCorner({ stride: s, l }: Workspace, i0: number): boolean {
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
 * against two of V at a time over k below the block, then the terms from inside the block; in panels as
 * the factorisation (each entry from the same sums in the same order).
 */
function invertLowerTransposed(work: Workspace): void {
  const s = work.stride;
  for (let p0 = 0; p0 < s; p0 += PANEL_ROWS) {
    const end = Math.min(p0 + PANEL_ROWS, s);
    for (let j0 = 0; j0 < p0; j0 += 2) for (let i0 = p0; i0 < end; i0 += ROWS) invertPair(work, i0, j0);
    for (let i0 = p0; i0 < end; i0 += ROWS) {
      for (let j0 = p0; j0 < i0; j0 += 2) invertPair(work, i0, j0);
      invertCorner(work, i0);
    }
  }
}

/** W_ij for the block's rows i0, …, i0 + 3 and columns j0, j0 + 1 (j0 + 1 < i0), rows above i0 done. */
function invertPair({ stride: s, l, v, sums, lByV }: Workspace, i0: number, j0: number): void {
  const r0 = i0 * s;
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

/** W inside the block's 4×4 corner. */
function invertCorner({ stride: s, l, v }: Workspace, i0: number): void {
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
export function inverseTimes(factor: InverseFactor, x: ArrayLike<number>): Float64Array {
  return inverseTimesInto(factor, x, new Float64Array(factor.stride), new Float64Array(factor.size));
}

/**
 * {@link inverseTimes} into `out` (length ≥ size), with `scratch` (length ≥ stride) as its working memory: for
 * loops that solve with one factor many times without allocating. Returns `out`.
 * @internal
 */
export function inverseTimesInto(
  { size, stride, v }: InverseFactor,
  x: ArrayLike<number>,
  scratch: Float64Array,
  out: Float64Array,
): Float64Array {
  // u = W x = Σ_j x_j (row j of V), then (Wᵀ u)_j = (row j of V) · u
  const u = scratch.fill(0, 0, stride);
  for (let j = 0; j < size; j++) {
    const xj = x[j];
    if (xj === 0) continue;
    const row = j * stride;
    for (let i = j; i < size; i++) u[i] += xj * v[row + i];
  }
  for (let j = 0; j < size; j++) {
    const row = j * stride;
    let s = 0;
    for (let i = j; i < size; i++) s += v[row + i] * u[i];
    out[j] = s;
  }
  return out;
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
