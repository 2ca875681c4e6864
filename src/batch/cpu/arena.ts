import { LuceError } from "../../errors.js";
import type { ArrayView } from "../tensor-view.js";
import { ARENA_SCRATCH_BYTES, PAGE, kernelPool } from "./worker-pool.js";

const ALIGN = 64;
const LIMIT = 65536 * PAGE; // a 32-bit WebAssembly memory: 4 GiB

/** Free byte ranges [start, end) of the arena, sorted and merged. */
const free: [number, number][] = [];
/** Allocated ranges: start → size. */
const allocated = new Map<number, number>();
/** The arena's buffers as handed out (a shared memory's `buffer` is a new object after it grows). */
const buffers = new WeakSet<object>();

function ensureInitialised(): void {
  if (allocated.size === 0 && free.length === 0) {
    const memory = kernelPool().arena.memory;
    free.push([ARENA_SCRATCH_BYTES, memory.buffer.byteLength]);
  }
}

/**
 * Reserves `bytes` of the arena (64-byte aligned), growing it when needed; returns the start, or null past 4 GiB.
 * @internal
 */
export function arenaAllocate(bytes: number): number | null {
  ensureInitialised();
  const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  let index = free.findIndex(([start, end]) => end - start >= size);
  if (index < 0) {
    const memory = kernelPool().arena.memory;
    const top = memory.buffer.byteLength;
    const last = free.length > 0 && free[free.length - 1][1] === top ? free[free.length - 1][0] : top;
    const pages = Math.ceil((last + size - top) / PAGE);
    if (top + pages * PAGE > LIMIT) return null;
    memory.grow(pages);
    if (last === top) free.push([top, top + pages * PAGE]);
    else free[free.length - 1][1] = top + pages * PAGE;
    index = free.length - 1;
  }
  const [start, end] = free[index];
  if (end - start === size) free.splice(index, 1);
  else free[index][0] = start + size;
  allocated.set(start, size);
  return start;
}

/** Returns a range to the arena. @internal */
export function arenaRelease(start: number): boolean {
  const size = allocated.get(start);
  if (size === undefined) return false;
  allocated.delete(start);
  let index = free.findIndex(([s]) => s > start);
  if (index < 0) index = free.length;
  free.splice(index, 0, [start, start + size]);
  // merge with the neighbours
  if (index + 1 < free.length && free[index][1] === free[index + 1][0])
    free.splice(index, 2, [free[index][0], free[index + 1][1]]);
  if (index > 0 && free[index - 1][1] === free[index][0])
    free.splice(index - 1, 2, [free[index - 1][0], free[index][1]]);
  return true;
}

/** A Float32Array over the arena from byte `start`. */
function arenaFloats(start: number, length: number): Float32Array {
  const buffer = kernelPool().arena.memory.buffer;
  buffers.add(buffer);
  return new Float32Array(buffer, start, length);
}

/** The byte offset in the arena of data that lies in it, else null. @internal */
export function arenaOffset(data: ArrayLike<number>): number | null {
  return data instanceof Float32Array && buffers.has(data.buffer) ? data.byteOffset : null;
}

/** Logits in the arena: a Float32Array view and its shape. */
export interface ArenaLogits extends ArrayView<Float32Array> {
  /** The shape asked for. */
  readonly shape: number[];
}

/**
 * Float32 logits [B, T, V] allocated in luce's arena: memory that the float32 kernel's threads all
 * read in place, so scoring them copies nothing (logits elsewhere are copied into each thread's
 * kernel memory first). Fill `data` yourself, or hand it to ONNX Runtime as a preallocated output
 * (`new ort.Tensor("float32", view.data, view.shape)` in `session.run`'s fetches). The arena holds
 * at most 4 GiB in all; give the memory back with {@link releaseLogits}.
 *
 * @param shape - [B, T, V] (any shape works; the product is the length)
 * @returns an array view `{ data, shape }` (its contents are whatever that memory held: fill it)
 * @throws {@link luce!LuceError} for a bad shape, or when the arena cannot grow to hold it
 * @example
 * ```ts
 * const logits = allocateLogits([2, 3, 5]);
 * logits.data.fill(0.5);
 * await sequenceLogProbs(logits, [[0, 1, 2], [3, 4, 0]]); // read in place
 * releaseLogits(logits);
 * ```
 */
export function allocateLogits(shape: readonly number[]): ArenaLogits {
  const fn = "allocateLogits";
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new LuceError(fn, "shape", "must be a non-empty array of non-negative integers");
  const length = shape.reduce((a, d) => a * d, 1);
  const start = length * 4 <= LIMIT ? arenaAllocate(length * 4) : null;
  if (start === null)
    throw new LuceError(
      fn,
      "shape",
      `needs ${length * 4} bytes; the arena holds 4 GiB in all, ${[...allocated.values()].reduce((a, b) => a + b, 0)} of them in use`,
    );
  return { data: arenaFloats(start, length), shape: [...shape] };
}

/**
 * Gives logits from {@link allocateLogits} back to the arena; the view must not be used after.
 * @param logits - the view allocateLogits returned
 * @throws {@link luce!LuceError} for a view not allocated there, or released already
 * @example
 * ```ts
 * releaseLogits(allocateLogits([1, 4, 8]));
 * ```
 */
export function releaseLogits(logits: { readonly data: Float32Array }): void {
  const fn = "releaseLogits";
  const start = logits !== null && typeof logits === "object" ? arenaOffset(logits.data) : null;
  if (start === null || !arenaRelease(start))
    throw new LuceError(fn, "logits", "was not allocated by allocateLogits, or was released already");
}
