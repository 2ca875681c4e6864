import { LuceError } from "../errors.js";
import type { ReadableView } from "./tensor-view.js";

/**
 * Scores one position with a scalar scan, for the rows the kernels flag: log
 * softmax(logits[b, t])[label] by one pass over the vocabulary with an online log-sum-exp (a
 * running maximum, rescaling the sum when it grows; `Math.exp`). −Infinity logits are valid
 * (masked vocabulary); NaN, +Infinity or a row of only −Infinity is an error naming the position.
 * Returns the log-probability and writes the row's log-normaliser to `lse[0]`. `logits` is the validated view.
 * @internal
 */
export function scorePosition(
  fn: string,
  logits: ReadableView,
  b: number,
  t: number,
  label: number,
  lse: Float64Array,
): number {
  const { read, stride, offset, shape, contiguous } = logits;
  const vocabulary = shape[2];
  const base = offset + b * stride[0] + t * stride[1];
  if (contiguous !== null) return scoreRow(fn, logits.name, contiguous, base, vocabulary, label, b, t, lse);
  // a strided, half-precision or otherwise indirect row: gather it once, then the same kernel
  if (scratch.length < vocabulary) scratch = new Float64Array(vocabulary);
  for (let v = 0; v < vocabulary; v++) scratch[v] = read(base + v * stride[2]);
  return scoreRow(fn, logits.name, scratch, 0, vocabulary, label, b, t, lse);
}

/** The gathered row, reused from call to call. */
let scratch = new Float64Array(0);

/** The online log-sum-exp over one unit-stride row `data[base .. base + vocabulary)`. */
function scoreRow(
  fn: string,
  name: string,
  data: Float32Array | Float64Array,
  base: number,
  vocabulary: number,
  label: number,
  b: number,
  t: number,
  lse: Float64Array,
): number {
  let max = -Infinity;
  let rest = 0;
  const end = base + vocabulary;
  for (let i = base; i < end; i++) {
    const x = data[i];
    if (x > max) {
      if (x === Infinity) throw new LuceError(fn, `${name}[${b}][${t}][${i - base}]`, "is +Infinity");
      if (max !== -Infinity) {
        const shrink = Math.exp(max - x);
        rest = rest * shrink + shrink;
      }
      max = x;
    } else if (x === x) {
      if (x !== -Infinity) rest += Math.exp(x - max);
    } else {
      throw new LuceError(fn, `${name}[${b}][${t}][${i - base}]`, "is NaN");
    }
  }
  if (max === -Infinity)
    throw new LuceError(fn, `${name}[${b}][${t}]`, "is −Infinity everywhere: no token has probability");
  const shift = Math.log1p(rest);
  lse[0] = max + shift;
  return data[base + label] - max - shift;
}
