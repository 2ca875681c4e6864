import { requireFinite } from "../validation/checks.js";

/** A source of uniform numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * A seedable uniform generator (xoshiro128**, seeded through splitmix32),
 * returning doubles in [0, 1) with 53 random bits. The same seed gives the
 * same stream on every platform, so sampled rankings are reproducible.
 *
 * @param seed - any finite number; its integer part (mod 2^32) seeds the state
 * @returns a function returning the next uniform in [0, 1)
 * @throws {@link LuceError} when the seed is not finite
 * @example
 * ```ts
 * const random = createRandom(42);
 * random(); // the same first draw on every run
 * ```
 */
export function createRandom(seed: number): RandomSource {
  requireFinite("createRandom", "seed", seed);
  const stream = new UniformStream(seed);
  return () => stream.uniform();
}

/**
 * The stream of {@link createRandom} as an object that can be restarted from another seed: a hot loop that draws
 * many short streams (a bootstrap round each) keeps one object, so its calls always reach the same method, where a
 * new closure per stream would be a new call target each time for the optimising compiler.
 * @internal
 */
export class UniformStream {
  private readonly state = new Int32Array(4);
  private readonly block = new Float64Array(BLOCK);
  private next = BLOCK;

  /** @param seed - its integer part (mod 2^32) seeds the state, as for {@link createRandom} */
  constructor(seed: number) {
    this.reseed(seed);
  }

  /** Restarts the stream at the first value of `createRandom(seed)`'s. */
  reseed(seed: number): void {
    let x = Math.trunc(seed) >>> 0;
    for (let i = 0; i < this.state.length; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      this.state[i] = mix32(x);
    }
    this.next = BLOCK;
  }

  /** The next uniform in [0, 1). */
  uniform(): number {
    if (this.next === BLOCK) {
      fillUniforms(this.state, this.block);
      this.next = 0;
    }
    return this.block[this.next++];
  }
}

/** The 32-bit finaliser of splitmix32: a bijection of the unsigned 32-bit integers. @internal */
export function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * The doubles a generator hands out are made a block at a time: one tight loop keeps the state in registers and
 * writes the block, and each call then only reads the next value instead of stepping the state held in a
 * closure. A generator used for a few values only makes a block it does not use up.
 */
const BLOCK = 128;

/** 2^−53: a 53-bit integer times it is a double in [0, 1), exactly (a power of two). */
const TWO_TO_MINUS_53 = 2 ** -53;
/** 2^26: the high 27 bits of a double's numerator are shifted above the low 26. */
const TWO_TO_26 = 2 ** 26;

/**
 * Fills `out` with the next doubles of xoshiro128** from `state` (its four 32-bit words, updated): each double
 * takes two outputs, the high 27 bits of the first and 26 of the second, u = (a · 2^26 + b) · 2^−53. The two
 * steps of a double are written out, so the loop has no branch and the words stay 32-bit integers throughout.
 */
function fillUniforms(state: Int32Array, out: Float64Array): void {
  let s0 = state[0];
  let s1 = state[1];
  let s2 = state[2];
  let s3 = state[3];
  for (let i = 0; i < out.length; i++) {
    let result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    let t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    const high = result >>> 5;
    result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    out[i] = (high * TWO_TO_26 + (result >>> 6)) * TWO_TO_MINUS_53;
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

function rotl(v: number, k: number): number {
  return (v << k) | (v >>> (32 - k));
}
