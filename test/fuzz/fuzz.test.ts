/**
 * Property-based fuzz of every export: each run takes a valid call, puts one hostile value at one
 * place (an argument, a field, an element), and asserts the contract of issue "hostile input":
 * only LuceErrors are thrown (naming a function and an argument), no NaN comes out and results the
 * documentation promises finite are finite, no call runs past a generous budget (a hang detector,
 * not a timing claim) and none allocates more than a stated multiple of its input.
 */
import fc from "fast-check";
import { writeSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LuceError } from "../../src/errors.js";
import { entries, excluded, modules, type FuzzEntry } from "./entries.js";
import { HostileGetterError, hostileArbitrary, placesOf, setAt, valueAt, type Hostile, type Path } from "./hostile.js";
import { knownFailures } from "./known-failures.js";

/** Wall-clock budget of one call: far above any valid small call, so only a hang or runaway work exceeds it. */
const CALL_BUDGET_MS = 10_000;
/** Memory growth allowed per byte of input and output… */
const MEMORY_PER_INPUT_BYTE = 64;
/** …plus this much, for the allocator's and the garbage collector's noise and lazily built caches. */
const MEMORY_SLACK_BYTES = 96 * 2 ** 20;
/** Default runs per export; the seed comes from LUCE_SEED (test/setup/seed.ts). */
const RUNS = 60;
/** At most this long per export: fast-check stops generating (not a failure) once it is spent. */
const EXPORT_TIME_LIMIT_MS = 5_000;

/** Approximate bytes of an argument tree: 8 per number or element, the byte length of typed arrays. */
function inputBytes(x: unknown, seen = new Set<unknown>()): number {
  if (x === null || typeof x !== "object") return typeof x === "string" ? 2 * x.length + 16 : 16;
  if (seen.has(x) || seen.size > 10_000) return 0;
  seen.add(x);
  if (ArrayBuffer.isView(x)) return x.byteLength + 64;
  let n = 64;
  try {
    const values = Array.isArray(x) ? x : Object.values(x);
    for (const v of values.slice(0, 100_000)) n += 8 + inputBytes(v, seen);
  } catch {
    // a Proxy that throws: its size is what its target holds, which is small
  }
  return n;
}

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers + m.external;
}

/** Every NaN in a result, to a small depth (arrays, typed arrays, plain objects). */
function hasNaN(x: unknown, depth = 0): boolean {
  if (typeof x === "number") return Number.isNaN(x);
  if (x === null || typeof x !== "object" || depth > 4) return false;
  if (ArrayBuffer.isView(x)) {
    if (x instanceof Float32Array || x instanceof Float64Array) return x.some(Number.isNaN);
    return false;
  }
  const proto = Object.getPrototypeOf(x);
  if (!Array.isArray(x) && proto !== Object.prototype && proto !== null) return false;
  return Object.values(x).some((v) => hasNaN(v, depth + 1));
}

/** Awaits `value` if it is a promise, failing it after the budget. */
async function settle(value: unknown): Promise<unknown> {
  if (!(value instanceof Promise)) return value;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CALL_BUDGET_MS} ms`)), CALL_BUDGET_MS);
  });
  try {
    return await Promise.race([value, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What one hostile call did: undefined when it kept the contract, else what it broke. */
async function violation(
  name: string,
  entry: FuzzEntry,
  path: Path | null,
  hostile: Hostile | null,
): Promise<string | undefined> {
  const args = entry.args();
  if (path !== null && hostile !== null) setAt(args, path, hostile.make(valueAt(args, path)));
  // LUCE_FUZZ_TRACE=1 names each call before it runs: the last name printed is the culprit of a crash
  if (process.env.LUCE_FUZZ_TRACE) writeSync(2, `${describeCall(name, path, hostile)}\n`);
  const size = inputBytes(args);
  const before = memory();
  const start = performance.now();
  let result: unknown;
  try {
    result = await settle(entry.call(...args));
  } catch (e) {
    if (e instanceof HostileGetterError) return undefined; // the caller's own error, passed on unchanged
    if (!(e instanceof LuceError)) return `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    if (e.name !== "LuceError" || typeof e.function !== "string" || typeof e.argument !== "string")
      return `a LuceError without name, function or argument: ${e.message}`;
    if (e.function === "" || e.argument === "") return `a LuceError naming no function or argument: ${e.message}`;
    return undefined;
  }
  const elapsed = performance.now() - start;
  if (elapsed > CALL_BUDGET_MS) return `took ${Math.round(elapsed)} ms`;
  // the output's own size counts as input: a dense n×n Hessian of n scores is its documented answer
  const grown = memory() - before;
  const allowed = MEMORY_PER_INPUT_BYTE * (size + inputBytes(result)) + MEMORY_SLACK_BYTES;
  if (grown > allowed) return `grew memory by ${grown} bytes for ${size} bytes of input`;
  if (!entry.echoesInput && hasNaN(result)) return "returned NaN";
  const infiniteInput = hostile !== null && hostile.kind.endsWith("Infinity");
  const finite = infiniteInput ? [] : (entry.finite?.(result) ?? []);
  if (finite.some((x) => !Number.isFinite(x)))
    return `returned a non-finite number where finite is promised: ${finite.join(", ")}`;
  const logs = entry.logProbabilities?.(result) ?? [];
  if (logs.some((x) => !(x <= 0))) return `returned a log-probability that is NaN or above 0: ${logs.join(", ")}`;
  return undefined;
}

function describeCall(name: string, path: Path | null, hostile: Hostile | null): string {
  return path === null || hostile === null
    ? `${name}()`
    : `${name} with args${path.map((k) => `[${JSON.stringify(k)}]`).join("")} = ${hostile.kind}`;
}

describe("the fuzz suite covers every export", () => {
  it("lists every function export of luce, luce/proofs, luce/arbitraries and luce/batch as fuzzed or excluded", () => {
    const exported = Object.entries(modules).flatMap(([module, ns]) =>
      Object.entries(ns)
        .filter(([, value]) => typeof value === "function")
        .map(([name]) => `${module}:${name}`),
    );
    const covered = new Set([...Object.keys(entries), ...Object.keys(excluded)]);
    expect(
      exported.filter((name) => !covered.has(name)),
      "exports without a fuzz entry",
    ).toEqual([]);
    expect(
      [...covered].filter((name) => !exported.includes(name)),
      "fuzz entries of no export",
    ).toEqual([]);
  });
  it("the constants the modules export are finite numbers", () => {
    for (const ns of Object.values(modules))
      for (const value of Object.values(ns)) if (typeof value !== "function") expect(Number.isFinite(value)).toBe(true);
  });
  it.each(Object.keys(entries))("%s: its valid call keeps the contract", async (name) => {
    expect(await violation(name, entries[name], null, null)).toBeUndefined();
  });
});

describe("hostile values, one place at a time", () => {
  it.each(Object.keys(entries))("%s", async (name) => {
    const entry = entries[name];
    const places = placesOf(entry.args());
    if (places.length === 0) return; // no arguments: nothing to make hostile
    const known = knownFailures.filter((k) => k.export === name);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...places), hostileArbitrary, async (path, hostile) => {
        const found = await violation(name, entry, path, hostile);
        if (found === undefined) return;
        const call = describeCall(name, path, hostile);
        if (known.some((k) => k.matches(path, hostile.kind, found))) return;
        throw new Error(`${call}: ${found}`);
      }),
      // a time limit per export keeps the suite inside its CPU budget on a slow machine
      { numRuns: entry.runs ?? RUNS, interruptAfterTimeLimit: EXPORT_TIME_LIMIT_MS },
    );
  });
});
