import { describe, expect, it } from "vitest";
import { createRandom, UniformStream } from "../../src/numerics/random.js";

const MASK = (1n << 32n) - 1n;

/**
 * xoshiro128** seeded through splitmix32, transcribed with BigInt from the reference C code (Blackman and Vigna,
 * xoshiro128starstar.c; splitmix32 as in createRandom's documentation): every operation on exact integers masked
 * to 32 bits, one output per step, a double from two outputs as (a >> 5) · 2^26 + (b >> 6) over 2^53.
 */
function referenceStream(seed: number, count: number): number[] {
  let x = BigInt(Math.trunc(seed) >>> 0);
  const splitmix32 = (): bigint => {
    x = (x + 0x9e3779b9n) & MASK;
    let z = x;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & MASK;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & MASK;
    return z ^ (z >> 16n);
  };
  const s = [splitmix32(), splitmix32(), splitmix32(), splitmix32()];
  const rotl = (v: bigint, k: bigint) => ((v << k) | (v >> (32n - k))) & MASK;
  const next = (): bigint => {
    const result = (rotl((s[1] * 5n) & MASK, 7n) * 9n) & MASK;
    const t = (s[1] << 9n) & MASK;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
    return result;
  };
  return Array.from({ length: count }, () => {
    const a = next() >> 5n;
    const b = next() >> 6n;
    return Number((a << 26n) | b) / 2 ** 53;
  });
}

describe("createRandom", () => {
  it.each([0, 1, 42, 2 ** 32 - 1, -7.5])("seed %d gives xoshiro128**'s reference stream, across blocks", (seed) => {
    const random = createRandom(seed);
    const drawn = Array.from({ length: 1000 }, () => random());
    expect(drawn).toEqual(referenceStream(seed, 1000));
  });
});

describe("UniformStream", () => {
  it("gives the reference stream of its seed, and of another after reseeding part-way through a block", () => {
    const stream = new UniformStream(3);
    expect(Array.from({ length: 300 }, () => stream.uniform())).toEqual(referenceStream(3, 300));
    stream.reseed(-7.5);
    expect(Array.from({ length: 300 }, () => stream.uniform())).toEqual(referenceStream(-7.5, 300));
    stream.reseed(2 ** 32 + 5);
    expect(Array.from({ length: 10 }, () => stream.uniform())).toEqual(referenceStream(5, 10));
  });
});
