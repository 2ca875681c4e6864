import { readLogTerms } from "./log-sum-exp.js";
import { NeumaierSum } from "./sum.js";

/**
 * The reverse cumulative log-sum-exp: out[i] = log Σ_{j ≥ i} e^{x_j}.
 * These are the Plackett–Luce normalisers of a ranking read best first
 * (the denominators of the paper's Plackett–Luce model).
 *
 * Stability trick: one pass from the right keeping a running maximum m and the
 * compensated sum t of the other terms relative to it, so out[i] = m + log1p(t).
 * When a new maximum x arrives, t becomes e^{m−x} + t·e^{m−x} (1 + t is never
 * rounded). So the suffix log-sum-exp of [0, −120] is [7.7e−53, −120]; the
 * float32 ListMLE of allRank and TF-Ranking returns 97 and −inf there.
 * Error per entry: as {@link logSumExp}.
 *
 * @param values - the log-terms; NaN and +Infinity are rejected
 * @returns a Float64Array of the same length
 * @throws {@link LuceError} naming `values[i]` for a NaN or +Infinity entry
 * @example
 * ```ts
 * suffixLogSumExp([0, -120]); // Float64Array [7.66e-53, -120]
 * ```
 */
export function suffixLogSumExp(values: ArrayLike<number>): Float64Array {
  const arr = readLogTerms("suffixLogSumExp", values);
  const out = new Float64Array(arr.length);
  const acc = new SuffixAccumulator();
  for (let i = arr.length - 1; i >= 0; i--) {
    acc.add(arr[i]);
    out[i] = acc.logSum();
  }
  return out;
}

/**
 * A log-sum-exp accumulated one term at a time: the pivot (running maximum)
 * and the compensated sum of the other terms relative to it.
 * @internal
 */
export class SuffixAccumulator {
  /** The largest term added so far (the pivot). */
  max = -Infinity;
  private readonly rest = new NeumaierSum();

  /** Adds the log-term x. */
  add(x: number): void {
    if (x <= this.max) {
      if (x !== -Infinity) this.rest.add(Math.exp(x - this.max));
      return;
    }
    if (this.max !== -Infinity) {
      const shrink = Math.exp(this.max - x);
      this.rest.scale(shrink);
      this.rest.add(shrink);
    }
    this.max = x;
  }

  /** Σ of the non-pivot terms divided by e^{max}. */
  restRelative(): number {
    return this.rest.value();
  }

  /** log of the sum of every term added. */
  logSum(): number {
    return this.max + Math.log1p(this.rest.value());
  }

  /**
   * log(e^x / Σ) for a term x that was added: (x − max) − log1p(rest), so the
   * factor of an item that is the pivot is −log1p(rest) with no cancellation.
   */
  logShareOf(x: number): number {
    return x - this.max - Math.log1p(this.rest.value());
  }
}
