import { choleskyKernelWasm } from "./cholesky-kernel-wasm.js";

/**
 * The inverse Cholesky factor of a symmetric positive-definite matrix, for what is read from the
 * inverse: A = L Lᵀ, A⁻¹ = Wᵀ W with W = L⁻¹, kept as V = Wᵀ = L⁻ᵀ (upper triangular, row-major),
 * so that the diagonal of A⁻¹ is the rows' sums of squares and each entry a dot product of two rows.
 *
 * `v` is a flat, row-major `Float64Array`. The factor is padded to a multiple of four rows with identity rows
 * and columns (which change nothing of the rest), so that the loops can work on 4×2 blocks: each value loaded
 * serves several multiply-adds. While it is formed the work space holds its matrices in blocks of rows (see
 * {@link at}).
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
 * Which code runs the factorisation and the inversion: `"simd"`, the WebAssembly kernel (cholesky-kernel.wat: the
 * same loops, with the block sums that make up nearly all of the work in float64 SIMD), or `"scalar"`, JavaScript;
 * `"auto"` takes the kernel from order {@link SIMD_MIN_ORDER} on. Both add the same products; the kernel adds the
 * block sums in two interleaved partial sums (even and odd k), so results differ from the scalar loop's by
 * rounding only: a relative change of order size · EPS in each sum, which the factorisation carries into A⁻¹
 * amplified at most by A's condition number (the backward stability of Cholesky, Higham, Accuracy and Stability
 * of Numerical Algorithms, 2nd ed., thm. 10.3).
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
    (add) => {
      for (let i = 0; i < size; i++) for (let j = 0; j <= i; j++) add(i, j, entry(i, j));
    },
    use,
    kernel,
  );
}

/**
 * {@link withInverseFactor} of the matrix that `writeLower(add)` writes: it calls add(i, j, x) to add x to A_ij,
 * j ≤ i < size, which start at 0 (an entry may come in several parts, or not at all for a zero). For callers
 * that hold the matrix in another form (a sparse sum of terms): written straight into the work space, without
 * a dense copy of their own.
 * @internal
 */
export function withInverseFactorOf<T>(
  size: number,
  writeLower: (add: (i: number, j: number, x: number) => void) => void,
  use: (factor: InverseFactor) => T,
  kernel: BlockKernel = "auto",
): T | null {
  return factorise(size, writerOf(size, writeLower), kernel, (v, free, stride) => {
    // L is spent: its space takes V in the row-major form that InverseFactor promises
    rowMajor(v, free, stride);
    return use({ size, stride, v: free });
  });
}

/** What {@link inverseDiagonalAndProduct} returns. @internal */
export interface DiagonalAndProduct {
  /** The diagonal of A⁻¹. */
  readonly diagonal: Float64Array;
  /** A⁻¹ x. */
  readonly product: Float64Array;
}

/**
 * The diagonal of A⁻¹ and A⁻¹ x for the matrix that `writeLower` writes (as for {@link withInverseFactorOf}), read
 * from V = L⁻ᵀ in the work space's layout (see {@link at}) without the row-major copy that an {@link InverseFactor}
 * holds: the sums of squares of V's rows, and Wᵀ (W x) with W = Vᵀ. Cost: size³/3 multiply-adds (see
 * {@link withInverseFactor}), then 3·size²/2. Returns null when A is not numerically positive definite.
 * @internal
 */
export function inverseDiagonalAndProduct(
  size: number,
  writeLower: (add: (i: number, j: number, x: number) => void) => void,
  x: ArrayLike<number>,
  kernel: BlockKernel = "auto",
): DiagonalAndProduct | null {
  return factorise(size, writerOf(size, writeLower), kernel, (v, _, stride) =>
    blockedDiagonalAndProduct(v, stride, size, x),
  );
}

/** `write` for {@link factorise} from a caller's `writeLower` (see {@link withInverseFactorOf}). */
function writerOf(
  size: number,
  writeLower: (add: (i: number, j: number, x: number) => void) => void,
): (l: Float64Array, stride: number) => void {
  return (l, s) => {
    clearLower(l, s, size);
    writeLower((i, j, x) => (l[at(s, i, j)] += x));
  };
}

/**
 * {@link inverseDiagonalAndProduct} from V in the layout of {@link at}: each block of four rows is read once per
 * sweep, from its diagonal on (V is zero below it, and in the padding's columns). The first sweep sums the rows'
 * squares and forms u = W x = Σ_j x_j (row j of V); the second (A⁻¹ x)_j = (row j of V) · u.
 */
function blockedDiagonalAndProduct(v: Float64Array, s: number, size: number, x: ArrayLike<number>): DiagonalAndProduct {
  const diagonal = new Float64Array(s);
  const product = new Float64Array(s);
  const u = new Float64Array(s);
  const padded = new Float64Array(s);
  for (let j = 0; j < size; j++) padded[j] = x[j];
  // a block's four rows at a time: in column i they lie at q + c, q + 2 + c, q + 4 + c, q + 6 + c (q the pair's
  // start, c = i & 1)
  for (let j0 = 0; j0 < size; j0 += ROWS) {
    const block = at(s, j0, 0);
    const x0 = padded[j0];
    const x1 = padded[j0 + 1];
    const x2 = padded[j0 + 2];
    const x3 = padded[j0 + 3];
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    for (let i = j0; i < s; i++) {
      const q = block + (i >> 1) * PAIR + (i & 1);
      const v0 = v[q];
      const v1 = v[q + 2];
      const v2 = v[q + 4];
      const v3 = v[q + 6];
      d0 += v0 * v0;
      d1 += v1 * v1;
      d2 += v2 * v2;
      d3 += v3 * v3;
      u[i] += v0 * x0 + v1 * x1 + v2 * x2 + v3 * x3;
    }
    diagonal[j0] = d0;
    diagonal[j0 + 1] = d1;
    diagonal[j0 + 2] = d2;
    diagonal[j0 + 3] = d3;
  }
  for (let j0 = 0; j0 < size; j0 += ROWS) {
    const block = at(s, j0, 0);
    let p0 = 0;
    let p1 = 0;
    let p2 = 0;
    let p3 = 0;
    for (let i = j0; i < s; i++) {
      const q = block + (i >> 1) * PAIR + (i & 1);
      const ui = u[i];
      p0 += v[q] * ui;
      p1 += v[q + 2] * ui;
      p2 += v[q + 4] * ui;
      p3 += v[q + 6] * ui;
    }
    product[j0] = p0;
    product[j0 + 1] = p1;
    product[j0 + 2] = p2;
    product[j0 + 3] = p3;
  }
  return { diagonal: diagonal.subarray(0, size), product: product.subarray(0, size) };
}

/**
 * The factorisation behind {@link withInverseFactor}: `write(l, stride)` sets the lower triangle of rows
 * i < size in the work space's layout (see {@link at}); the padding rows are set here. `read(v, free, stride)` is
 * handed V = L⁻ᵀ in the same layout and `free`, a space of the same size that it may overwrite.
 */
function factorise<T>(
  size: number,
  write: (l: Float64Array, stride: number) => void,
  kernel: BlockKernel,
  read: (v: Float64Array, free: Float64Array, stride: number) => T,
): T | null {
  const stride = Math.ceil(size / ROWS) * ROWS;
  const simd = kernel === "simd" || (kernel === "auto" && size >= SIMD_MIN_ORDER);
  const simdWork = simd && !busy ? simdWorkspace(stride) : null;
  const work = simdWork ?? scalarWorkspace(stride);
  const { l, v } = work;
  write(l, stride);
  // the padding's identity rows (a reused space holds the last factor's values)
  for (let i = size; i < stride; i++) {
    for (let j = 0; j < i; j++) l[at(stride, i, j)] = 0;
    l[at(stride, i, i)] = 1;
  }
  if (simdWork !== null) {
    // V's entries below its diagonal are read as zeros next to those above it
    v.fill(0);
    busy = true;
  }
  try {
    if (!work.factor()) return null;
    work.invert();
    return read(v, l, stride);
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

/** The values of one pair of columns of a block of rows, stored together (see {@link at}). */
const PAIR = 2 * ROWS;

/**
 * Where entry (i, j) of a matrix of row length s lies in the work space: rows in blocks of {@link ROWS}, each
 * block stored by pairs of columns, the pair (j, j + 1) of the block's rows as {@link PAIR} consecutive values
 * (row by row). The block sums then read a block's four rows and two rows of another block from two
 * addresses at fixed offsets, one pair of columns a step, which is what lets the SIMD kernel run near the
 * processor's rate of multiply-adds (addresses computed per row cost it as many instructions as the arithmetic).
 */
function at(s: number, i: number, j: number): number {
  return (i >> 2) * ROWS * s + (j >> 1) * PAIR + (i & 3) * 2 + (j & 1);
}

/** Zeros the lower triangle of rows i < size (and some entries above it: the diagonal blocks whole). */
function clearLower(l: Float64Array, s: number, size: number): void {
  for (let i0 = 0; i0 < size; i0 += ROWS) {
    const block = at(s, i0, 0);
    l.fill(0, block, block + ((i0 + ROWS) / 2) * PAIR);
  }
}

/** The upper triangle of `v` (in the layout of {@link at}) into `out`, row-major, zeros below its diagonal. */
function rowMajor(v: Float64Array, out: Float64Array, s: number): void {
  out.fill(0, 0, s * s);
  for (let j = 0; j < s; j++) {
    const row = j * s;
    for (let i = j; i < s; i++) out[row + i] = v[at(s, j, i)];
  }
}

/**
 * The matrices of one factorisation (in the layout of {@link at}, row length `stride`) and the two stages on
 * them: `factor` overwrites l's lower triangle with L (false at a pivot that is not positive and finite),
 * `invert` then writes V = L⁻ᵀ into v (whose entries below the diagonal are zero).
 */
interface Workspace {
  readonly stride: number;
  readonly l: Float64Array;
  readonly v: Float64Array;
  factor(): boolean;
  invert(): void;
}

/**
 * The matrices in JavaScript and the block sums over them: `lByL(a, x, pairs)` writes sums[2b + c] = Σ_k l_b[k] ·
 * l'_c[k] over `pairs` pairs of columns, for the four rows l_b of a block of l from its value at index a on and
 * the two rows l'_c of l whose pair of columns starts at index x; `lByV` the same with rows of v in place of the
 * second l.
 */
interface ScalarWork {
  readonly stride: number;
  readonly l: Float64Array;
  readonly v: Float64Array;
  readonly sums: Float64Array;
  readonly lByL: BlockSums;
  readonly lByV: BlockSums;
}

type BlockSums = (a: number, x: number, pairs: number) => void;

function scalarWorkspace(s: number): Workspace {
  const l = new Float64Array(s * s);
  const v = new Float64Array(s * s);
  const sums = new Float64Array(ROWS * 2);
  const work: ScalarWork = {
    stride: s,
    l,
    v,
    sums,
    lByL: (a, x, pairs) => blockSums(l, a, l, x, pairs, sums),
    lByV: (a, x, pairs) => blockSums(l, a, v, x, pairs, sums),
  };
  return { stride: s, l, v, factor: () => factorLower(work), invert: () => invertLowerTransposed(work) };
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
/** The kernel keeps two blocks' eight sums in the first bytes of its memory; the matrices follow. */
const SUMS_ELEMENTS = 2 * ROWS * 2;

/** The kernel instance kept between factorisations, with its memory. */
let kept: KernelInstance | undefined;
/** True while a factor in the kept memory is in use: a factorisation inside `use` gets a space of its own. */
let busy = false;
/** The largest memory kept between factorisations (order about 2000); larger ones go with their instance. */
const KEPT_BYTES = 64 * 2 ** 20;

/** The kernel's exports: byte addresses and the row length (see cholesky-kernel.wat). */
interface KernelInstance {
  readonly factor: (l: number, s: number) => number;
  readonly invert: (l: number, v: number, s: number) => void;
  readonly memory: KernelMemory;
}
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
  const fresh = () => new api.Instance(kernelModule!).exports as unknown as KernelInstance;
  const kernel = bytes <= KEPT_BYTES ? (kept ??= fresh()) : fresh();
  const memory = kernel.memory;
  try {
    const pages = Math.ceil(bytes / PAGE_BYTES) - memory.buffer.byteLength / PAGE_BYTES;
    if (pages > 0) memory.grow(pages);
  } catch {
    return null;
  }
  const lBytes = SUMS_ELEMENTS * Float64Array.BYTES_PER_ELEMENT;
  const vBytes = lBytes + s * s * Float64Array.BYTES_PER_ELEMENT;
  return {
    stride: s,
    l: new Float64Array(memory.buffer, lBytes, s * s),
    v: new Float64Array(memory.buffer, vBytes, s * s),
    factor: () => kernel.factor(lBytes, s) === 1,
    invert: () => kernel.invert(lBytes, vBytes, s),
  };
}

/**
 * The rows of a panel: the blocks of a panel take each earlier pair of rows in turn, so that the pair is read
 * from memory once for the whole panel and then from cache (the factorisation streams every earlier row past
 * every block: fetched anew for each block, the pairs' memory traffic, not the arithmetic, sets the pace).
 * 32 rows of order 1000 are 256 KiB, within a core's level-2 cache. cholesky-kernel.wat uses the same panels.
 */
const PANEL_ROWS = 8 * ROWS;

/**
 * Cholesky–Banachiewicz in place on the lower triangle, L_ij = (A_ij − Σ_{k<j} L_ik L_jk) / L_jj: four
 * rows against two earlier rows at a time (eight sums from six loads a step), then the block's own
 * 4×4 corner. Panels of blocks share each pair of rows above the panel; every entry is formed from the same
 * sums, in the same order, as block by block.
 */
function factorLower(work: ScalarWork): boolean {
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

/**
 * Columns j0 and j0 + 1 of the block's four rows i0, …, i0 + 3 (j0 even, j0 + 1 < i0), from their sums over
 * k < j0: L_{r,j0}, which then enters L_{r,j0+1}.
 */
function factorPair({ stride: s, l, sums, lByL }: ScalarWork, i0: number, j0: number): void {
  lByL(at(s, i0, 0), at(s, j0, 0), j0 / 2);
  const pivot = at(s, j0, j0); // then (j0 + 1, j0) and (j0 + 1, j0 + 1) at +2 and +3
  for (let b = 0; b < ROWS; b++) {
    const r = at(s, i0 + b, j0); // then (i0 + b, j0 + 1) at +1
    const x = (l[r] - sums[2 * b]) / l[pivot];
    l[r] = x;
    l[r + 1] = (l[r + 1] - sums[2 * b + 1] - x * l[pivot + 2]) / l[pivot + 3];
  }
}

/**
 * The block's 4×4 corner, its columns left of it done: the sums over k < i0 from the block sums, the terms
 * inside the block one entry at a time; false when a pivot is not positive and finite.
 */
function factorCorner({ stride: s, l, sums, lByL }: ScalarWork, i0: number): boolean {
  const rows = at(s, i0, 0);
  lByL(rows, rows, i0 / 2);
  const left = sums.slice(); // columns i0, i0 + 1
  lByL(rows, at(s, i0 + 2, 0), i0 / 2); // columns i0 + 2, i0 + 3
  for (let b = 0; b < ROWS; b++) {
    const i = i0 + b;
    for (let c = 0; c <= b; c++) {
      const j = i0 + c;
      let x = l[at(s, i, j)] - (c < 2 ? left[2 * b + c] : sums[2 * b + c - 2]);
      for (let k = i0; k < j; k++) x -= l[at(s, i, k)] * l[at(s, j, k)];
      if (j < i) {
        l[at(s, i, j)] = x / l[at(s, j, j)];
      } else {
        if (!(x > 0 && x < Infinity)) return false;
        l[at(s, i, i)] = Math.sqrt(x);
      }
    }
  }
  return true;
}

/**
 * out[2b + c] = Σ_k a_b[k] · x_c[k] over `pairs` pairs of columns, for the four rows a_b of a block of `a` from
 * index pa on and the two rows x_c of `x` whose pair of columns starts at index px (the layout of {@link at}):
 * eight sums from six loads a step, the inner kernel of the factorisation and of the inversion (in scalar
 * JavaScript, k in order; cholesky-kernel.wat computes the same in SIMD, even and odd k apart).
 */
function blockSums(a: Float64Array, pa: number, x: Float64Array, px: number, pairs: number, out: Float64Array): void {
  let s00 = 0;
  let s01 = 0;
  let s10 = 0;
  let s11 = 0;
  let s20 = 0;
  let s21 = 0;
  let s30 = 0;
  let s31 = 0;
  const end = pa + pairs * PAIR;
  for (let p = pa, q = px; p < end; p += PAIR, q += PAIR) {
    for (let lane = 0; lane < 2; lane++) {
      const b0 = x[q + lane];
      const b1 = x[q + 2 + lane];
      const a0 = a[p + lane];
      const a1 = a[p + 2 + lane];
      const a2 = a[p + 4 + lane];
      const a3 = a[p + 6 + lane];
      s00 += a0 * b0;
      s01 += a0 * b1;
      s10 += a1 * b0;
      s11 += a1 * b1;
      s20 += a2 * b0;
      s21 += a2 * b1;
      s30 += a3 * b0;
      s31 += a3 * b1;
    }
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

/**
 * V = L⁻ᵀ from the lower triangular L: W = L⁻¹ row by row, W_ij = −(Σ_{j≤k<i} L_ik W_kj) / L_ii,
 * stored transposed so that the sum is a dot product of row i of L and row j of V. Four rows of W
 * against two of V at a time over k below the block, then the terms from inside the block; in panels as
 * the factorisation (each entry from the same sums in the same order).
 */
function invertLowerTransposed(work: ScalarWork): void {
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

/** W_ij for the block's rows i0, …, i0 + 3 and columns j0, j0 + 1 (j0 even, j0 + 1 < i0), rows above i0 done. */
function invertPair({ stride: s, l, v, sums, lByV }: ScalarWork, i0: number, j0: number): void {
  lByV(at(s, i0, j0), at(s, j0, j0), (i0 - j0) / 2);
  // rows inside the block add the terms k = i0, …, i − 1 from the rows of W just formed
  for (let b = 0; b < ROWS; b++) {
    const i = i0 + b;
    for (let c = 0; c < 2; c++) {
      const j = j0 + c;
      let x = sums[2 * b + c];
      for (let k = i0; k < i; k++) x += l[at(s, i, k)] * v[at(s, j, k)];
      v[at(s, j, i)] = -x / l[at(s, i, i)];
    }
  }
}

/** W inside the block's 4×4 corner. */
function invertCorner({ stride: s, l, v }: ScalarWork, i0: number): void {
  for (let j = i0; j < i0 + ROWS; j++) {
    v[at(s, j, j)] = 1 / l[at(s, j, j)];
    for (let i = j + 1; i < i0 + ROWS; i++) {
      let x = 0;
      for (let k = j; k < i; k++) x += l[at(s, i, k)] * v[at(s, j, k)];
      v[at(s, j, i)] = -x / l[at(s, i, i)];
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
