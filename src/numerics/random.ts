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
  let s0 = splitmix32();
  let s1 = splitmix32();
  let s2 = splitmix32();
  let s3 = splitmix32();
  const next32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  return () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
}

function rotl(v: number, k: number): number {
  return (v << k) | (v >>> (32 - k));
}
