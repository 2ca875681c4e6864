import { expect } from "vitest";

/** Machine epsilon of float64. */
export const EPS = Number.EPSILON;

/** Reads a fixture number written as a decimal string (or a JSON number, or "-Infinity"). */
export function num(v: number | string): number {
  return typeof v === "string" ? Number(v) : v;
}

/**
 * Asserts |actual − expected| ≤ max(rel·|expected|, abs). Equal infinities pass.
 * The message shows both values and the error in units of the bound.
 */
export function expectClose(actual: number, expected: number, bound: { rel?: number; abs?: number }, label = ""): void {
  if (actual === expected) return;
  const err = Math.abs(actual - expected);
  const tol = Math.max((bound.rel ?? 0) * Math.abs(expected), bound.abs ?? 0);
  expect(err <= tol, `${label} actual ${actual} expected ${expected}: error ${err} > bound ${tol}`).toBe(true);
}

/**
 * Asserts that `fn` throws a LuceError whose message names `argument`; with `from`, also that the
 * error names that function and exactly that argument.
 */
export function expectLuceError(fn: () => unknown, argument: string, from?: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected a LuceError naming '${argument}'`).toBeInstanceOf(Error);
  expect((thrown as Error).name).toBe("LuceError");
  expect((thrown as Error).message).toContain(`'${argument}`);
  if (from !== undefined) {
    const { function: named, argument: exact } = thrown as { function: string; argument: string };
    expect([named, exact]).toEqual([from, argument]);
  }
}

/** Asserts that a promise rejects with a LuceError naming `argument`. */
export async function expectLuceRejection(p: Promise<unknown>, argument: string): Promise<void> {
  let thrown: unknown;
  try {
    await p;
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected a LuceError naming '${argument}'`).toBeInstanceOf(Error);
  expect((thrown as Error).name).toBe("LuceError");
  expect((thrown as Error).message).toContain(`'${argument}`);
}
