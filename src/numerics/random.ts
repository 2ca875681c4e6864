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
  let x = Math.trunc(seed) >>> 0;
  const splitmix32 = (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const state = Int32Array.of(splitmix32(), splitmix32(), splitmix32(), splitmix32());
  const block = new Float64Array(BLOCK);
  let next = BLOCK;
  return () => {
    if (next === BLOCK) {
      fillUniforms(state, block);
      next = 0;
    }
    return block[next++];
  };
}

/**
 * The doubles a generator hands out are made a block at a time: one tight loop keeps the state in registers and
 * writes the block, and each call then only reads the next value, which costs about half as much per value as
 * stepping the state on every call. A generator used for a few values only makes a block it does not use up.
 */
const BLOCK = 128;

/**
 * Fills `out` with the next doubles of xoshiro128** from `state` (its four 32-bit words, updated): each double
 * takes two outputs, the high 27 bits of the first and 26 of the second, u = (a · 2^26 + b) / 2^53.
 */
function fillUniforms(state: Int32Array, out: Float64Array): void {
  let s0 = state[0];
  let s1 = state[1];
  let s2 = state[2];
  let s3 = state[3];
  let high = 0;
  for (let i = 0; i < 2 * out.length; i++) {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    if ((i & 1) === 0) high = result >>> 5;
    else out[i >> 1] = (high * 67108864 + (result >>> 6)) / 9007199254740992;
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

function rotl(v: number, k: number): number {
  return (v << k) | (v >>> (32 - k));
}
