import { LuceError } from "../../errors.js";
import type { ArrayView } from "../tensor-view.js";
import { SCRATCH_BYTES, MAX_PAGES, PAGE, kernelPool } from "./worker-pool.js";

/** Alignment of every range handed out (a cache line). */
const ALIGN = 64;
/** Bytes the shared memory can hold: a 32-bit WebAssembly memory's 4 GiB. */
const LIMIT = MAX_PAGES * PAGE;

/** Free byte ranges [start, end) of the shared memory, sorted and merged. */
const free: [number, number][] = [];
/** Allocated ranges: start → size. */
const allocated = new Map<number, number>();
/** The shared memory's buffers as handed out (a shared memory's `buffer` is a new object after it grows). */
const buffers = new WeakSet<object>();
/** The views releaseLogits was given: using one again is an error, even once its memory has a new owner. */
const released = new WeakSet<Float32Array>();
/** Ranges in use by calls in flight that read them in place: start → calls; releasing one of them is an error. */
const reading = new Map<number, number>();

/**
 * Reserves `bytes` of shared memory (64-byte aligned), growing it when needed; returns the start, or null past 4 GiB.
 * @internal
 */
export function sharedAllocate(bytes: number): number | null {
  if (allocated.size === 0 && free.length === 0) free.push([SCRATCH_BYTES, kernelPool().memory.buffer.byteLength]);
  const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  let index = free.findIndex(([start, end]) => end - start >= size);
  if (index < 0) {
    const memory = kernelPool().memory;
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

/** Returns an allocated range to the shared memory, merged with free neighbours. @internal */
export function sharedRelease(start: number): void {
  const size = allocated.get(start)!;
  allocated.delete(start);
  let index = free.findIndex(([s]) => s > start);
  if (index < 0) index = free.length;
  free.splice(index, 0, [start, start + size]);
  if (index + 1 < free.length && free[index][1] === free[index + 1][0])
    free.splice(index, 2, [free[index][0], free[index + 1][1]]);
  if (index > 0 && free[index - 1][1] === free[index][0])
    free.splice(index - 1, 2, [free[index - 1][0], free[index][1]]);
}

/** A Float32Array over the shared memory from byte `start`. */
function sharedFloats(start: number, length: number): Float32Array {
  const buffer = kernelPool().memory.buffer;
  buffers.add(buffer);
  return new Float32Array(buffer, start, length);
}

/**
 * Where `data` lies in shared memory, marked as read in place by a call in flight until `done()` (releaseLogits on it
 * meanwhile is a LuceError: the call's workers read it); null for an array elsewhere. An array in shared memory outside
 * every allocated range (given back with releaseLogits) is a LuceError for the caller `fn`: its memory may hold another
 * caller's data by now.
 * @internal
 */
export function readInPlace(fn: string, argument: string, data: unknown): { offset: number; done: () => void } | null {
  if (!(data instanceof Float32Array && ArrayBuffer.isView(data)) || !buffers.has(data.buffer)) return null;
  let range: number | null = null;
  for (const [start, size] of allocated)
    if (data.byteOffset >= start && data.byteOffset + data.byteLength <= start + size) range = start;
  if (range === null || released.has(data))
    throw new LuceError(
      fn,
      argument,
      "lies in shared logits memory given back with releaseLogits: it must not be used after",
    );
  const held = range;
  reading.set(held, (reading.get(held) ?? 0) + 1);
  const done = () => {
    const calls = reading.get(held)! - 1;
    if (calls === 0) reading.delete(held);
    else reading.set(held, calls);
  };
  return { offset: data.byteOffset, done };
}

/** Logits in the shared memory: a Float32Array view and its shape. */
export interface SharedLogits extends ArrayView<Float32Array> {
  /** The shape asked for. */
  readonly shape: number[];
}

/**
 * Float32 logits [B, T, V] allocated in luce's shared logits memory: memory that the float32 kernel's threads all
 * read in place, so scoring them copies nothing (logits elsewhere are copied into each thread's
 * kernel memory first). Fill `data` yourself, or hand it to ONNX Runtime as a preallocated output
 * (`new ort.Tensor("float32", view.data, view.shape)` in `session.run`'s fetches). The shared memory holds
 * at most 4 GiB in all; give the memory back with {@link releaseLogits}.
 *
 * @param shape - [B, T, V] (any shape works; the product is the length)
 * @returns an array view `{ data, shape }` (its contents are whatever that memory held: fill it)
 * @throws {@link luce!LuceError} for a bad shape, or when the shared memory cannot grow to hold it
 * @example
 * ```ts
 * const logits = allocateLogits([2, 3, 5]);
 * logits.data.fill(0.5);
 * await sequenceLogProbs(logits, [[0, 1, 2], [3, 4, 0]]); // read in place
 * releaseLogits(logits);
 * ```
 */
export function allocateLogits(shape: readonly number[]): SharedLogits {
  const fn = "allocateLogits";
  // read once, holes included (a sparse array's holes are undefined here, and rejected)
  const dims = Array.isArray(shape) ? Array.from(shape as unknown[]) : [];
  if (dims.length === 0 || !dims.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
    throw new LuceError(fn, "shape", "must be a non-empty array of non-negative integers");
  const length = (dims as number[]).reduce((a, d) => a * d, 1);
  kernelPool(fn); // the kernel's memory: a process without WebAssembly gets a LuceError naming this call
  const start = length * 4 <= LIMIT ? sharedAllocate(length * 4) : null;
  if (start === null)
    throw new LuceError(
      fn,
      "shape",
      `needs ${length * 4} bytes; the shared memory holds 4 GiB in all, ${[...allocated.values()].reduce((a, b) => a + b, 0)} of them in use`,
    );
  return { data: sharedFloats(start, length), shape: dims as number[] };
}

/**
 * Gives logits from {@link allocateLogits} back to the shared memory; the view must not be used after.
 * @param logits - the view allocateLogits returned
 * @throws {@link luce!LuceError} for a view not allocated there, or released already
 * @example
 * ```ts
 * releaseLogits(allocateLogits([1, 4, 8]));
 * ```
 */
export function releaseLogits(logits: { readonly data: Float32Array }): void {
  const fn = "releaseLogits";
  const data: unknown = logits !== null && typeof logits === "object" ? logits.data : null;
  const start =
    data instanceof Float32Array && ArrayBuffer.isView(data) && buffers.has(data.buffer) ? data.byteOffset : null;
  if (start !== null && reading.has(start))
    throw new LuceError(fn, "logits", "are being read by a call in flight: release them once it has settled");
  if (start === null || released.has(data as Float32Array) || !allocated.has(start))
    throw new LuceError(fn, "logits", "was not allocated by allocateLogits, or was released already");
  sharedRelease(start);
  released.add(data as Float32Array);
}
