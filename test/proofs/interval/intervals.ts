import { Decimal } from "decimal.js";
import { expect } from "vitest";
import type { CertifiedReport } from "../../../src/proofs/index.js";

/** The interval helpers the certification tests build wrong formulas with. */
export { div, fromDouble } from "../../../src/proofs/interval/index.js";
export { maxAbsDiffOf } from "../../../src/proofs/enclosures.js";

/** The endpoints of a reported enclosure `[lo, hi]`, rounded outward: lo > 0 proves the residual non-zero. */
export function endpoints(c: CertifiedReport): [Decimal, Decimal] {
  const [lo, hi] = c.residual.enclosure.slice(1, -1).split(", ");
  return [new Decimal(lo), new Decimal(hi)];
}

/**
 * A certified "holds": no problem, some instances, the residual's enclosure within 1e-40 of 0 (an identity's straddles
 * 0, an inequality's lies below 1e-40), and every luce function's float64 error within its bound.
 */
export function expectCertifiedHolds(c: CertifiedReport): void {
  expect(c.problem).toBeUndefined();
  expect(c.certified).toBe(true);
  expect(c.instances).toBeGreaterThan(0);
  const [lo, hi] = endpoints(c);
  expect(hi.lte(1e-40)).toBe(true);
  if (c.residual.claim === "= 0") expect(lo.gte(-1e-40)).toBe(true);
  for (const f of c.functions) expect(f.certified && f.ratio <= 1, f.function).toBe(true);
}
