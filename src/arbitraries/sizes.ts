import { LuceError } from "../errors.js";
import { requireCount } from "../validation/checks.js";

/**
 * The most numbers one draw of a luce arbitrary may hold (responses, prompts × responses, graph
 * vertices). A property runs a hundred draws or more and fast-check keeps some for shrinking, so a
 * million doubles (8 MB) per draw is the largest size that still finishes; a count past it is
 * refused at once instead of running out of memory.
 */
export const MAX_DRAWN_SIZE = 1_000_000;

/** A count in [min, MAX_DRAWN_SIZE]. @internal */
export function requireDrawnCount(fn: string, name: string, x: unknown, min: number): number {
  return requireCount(fn, name, x, min, MAX_DRAWN_SIZE);
}

/** Throws unless `total` numbers fit in one draw. @internal */
export function requireDrawnTotal(fn: string, name: string, total: number, what: string): void {
  if (total > MAX_DRAWN_SIZE)
    throw new LuceError(
      fn,
      name,
      `asks for up to ${total} ${what} per draw, more than the ${MAX_DRAWN_SIZE} luce draws`,
    );
}
