/**
 * Hostile values for the fuzz suite, and the places in a valid call where one is put: every
 * argument, every field of a plain options or inputs object, every element of an array or typed
 * array, one at a time, so the call is valid except at that one place.
 */
import fc from "fast-check";

/** A place in a call's argument tree: argument index, then keys or indices. */
export type Path = readonly (string | number)[];

const TYPED = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
] as const;

/** True for the containers the suite descends into: arrays and plain (or null-prototype) objects. */
function isPlain(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return Array.isArray(x) || proto === Object.prototype || proto === null;
}

/** Every place in `args` (arguments, fields, elements) up to `depth` levels deep. */
export function placesOf(args: readonly unknown[], depth = 4): Path[] {
  const out: Path[] = [];
  const walk = (x: unknown, path: Path) => {
    out.push(path);
    if (path.length > depth) return;
    if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
      const n = Math.min((x as unknown as ArrayLike<unknown>).length, 3);
      for (let i = 0; i < n; i++) out.push([...path, i]);
      return;
    }
    if (!isPlain(x)) return;
    for (const key of Object.keys(x))
      walk((x as Record<string, unknown>)[key], [...path, Array.isArray(x) ? Number(key) : key]);
  };
  args.forEach((a, i) => walk(a, [i]));
  return out;
}

/** The value at `path`. */
export function valueAt(args: readonly unknown[], path: Path): unknown {
  let x: unknown = args;
  for (const key of path) x = (x as Record<string | number, unknown>)[key];
  return x;
}

/** Puts `value` at `path` (copying nothing: `args` is built fresh for each run). */
export function setAt(args: unknown[], path: Path, value: unknown): void {
  let x: unknown = args;
  for (const key of path.slice(0, -1)) x = (x as Record<string | number, unknown>)[key];
  const last = path[path.length - 1];
  if (ArrayBuffer.isView(x)) {
    // a typed array holds only numbers (or only BigInts): anything else becomes NaN, the worst number
    const bigints = x instanceof BigInt64Array || x instanceof BigUint64Array;
    const fits = bigints ? typeof value === "bigint" : typeof value === "number";
    (x as unknown as Record<number, unknown>)[last as number] = fits ? value : bigints ? 0n : Number.NaN;
    return;
  }
  (x as Record<string | number, unknown>)[last] = value;
}

/**
 * What a hostile getter throws. luce may let it through unchanged (it is the caller's own error, and
 * luce cannot tell it from a bug of its own if it wrapped it), but nothing else that is not a LuceError.
 */
export class HostileGetterError extends Error {
  constructor() {
    super("a getter of the caller's threw");
    this.name = "HostileGetterError";
  }
}

/** A hostile value, by kind (what is shown in a counterexample). */
export interface Hostile {
  readonly kind: string;
  /** Builds the value, possibly from the valid value it replaces (for Proxies and lying copies). */
  readonly make: (original: unknown) => unknown;
}

const scalar = (kind: string, v: unknown): Hostile => ({ kind, make: () => v });

const SCALARS: Hostile[] = [
  scalar("NaN", Number.NaN),
  scalar("Infinity", Number.POSITIVE_INFINITY),
  scalar("-Infinity", Number.NEGATIVE_INFINITY),
  scalar("-0", -0),
  scalar("1e308", 1e308),
  scalar("-1e308", -1e308),
  scalar("5e-324", 5e-324),
  scalar("2**53", 2 ** 53),
  scalar("2**31", 2 ** 31),
  scalar("-1", -1),
  scalar("-7", -7),
  scalar("1.5", 1.5),
  scalar("1e9", 1e9),
  scalar("0", 0),
  scalar("''", ""),
  scalar("'1'", "1"),
  scalar("'x'", "x"),
  scalar("'\\0'", "\0"),
  scalar("null", null),
  scalar("undefined", undefined),
  scalar("true", true),
  scalar("false", false),
  scalar("1n", 1n),
  scalar("Symbol", Symbol("hostile")),
  scalar("{}", {}),
  { kind: "null-prototype object", make: () => Object.create(null) },
  scalar("[]", []),
  scalar("function", () => 1),
  scalar("Date", new Date(0)),
];

/** Copies of an array-like with its contents kept: the shape is what is hostile. */
const CONTAINERS: Hostile[] = [
  {
    kind: "array with holes",
    make: (o) => {
      const a = Array.isArray(o) ? [...o] : [1, 2, 3];
      const holey = new Array(a.length + 1);
      for (let i = 0; i < a.length; i += 2) holey[i] = a[i];
      return holey;
    },
  },
  {
    kind: "length-lying array-like",
    make: (o) => ({ ...(Array.isArray(o) ? o : [1, 2]), length: 2 ** 32 + 1 }),
  },
  { kind: "array-like length 1e9", make: () => ({ length: 1e9, 0: 1 }) },
  { kind: "array-like length NaN", make: () => ({ length: Number.NaN }) },
  { kind: "array-like length -1", make: () => ({ length: -1 }) },
  {
    kind: "frozen",
    make: (o) =>
      o !== null && typeof o === "object" ? Object.freeze(Array.isArray(o) ? [...o] : { ...o }) : Object.freeze({}),
  },
  {
    kind: "null-prototype copy",
    make: (o) => Object.assign(Object.create(null), o !== null && typeof o === "object" ? o : {}),
  },
  {
    kind: "Proxy whose getters throw",
    make: (o) =>
      new Proxy(o !== null && typeof o === "object" ? o : {}, {
        get() {
          throw new HostileGetterError();
        },
      }),
  },
  {
    kind: "Proxy that changes between reads",
    make: (o) => {
      let reads = 0;
      const target = o !== null && typeof o === "object" ? o : {};
      return new Proxy(target, {
        get(t, key, receiver) {
          const v = Reflect.get(t, key, receiver);
          if (typeof v === "number" && key !== "length") return ++reads > 1 ? Number.NaN : v;
          if (Array.isArray(v)) return ++reads > 1 ? [Number.NaN] : v;
          return v;
        },
      });
    },
  },
  {
    kind: "options with an unknown key",
    make: (o) => ({ ...(o !== null && typeof o === "object" && !Array.isArray(o) ? o : {}), notAnOption: 1 }),
  },
  ...TYPED.map((T) => ({ kind: T.name, make: (o: unknown) => T.from(Array.isArray(o) ? o.map(Number) : [1, 0, 2]) })),
  {
    kind: "BigInt64Array",
    make: (o: unknown) =>
      BigInt64Array.from(
        Array.isArray(o) ? o.map((x) => (Number.isInteger(x) ? BigInt(x as number) : 1n)) : [1n, 0n, 2n],
      ),
  },
  { kind: "BigUint64Array", make: () => BigUint64Array.from([1n, 2n ** 63n]) },
  { kind: "huge array", make: () => new Array(5000).fill(1) },
];

/** All hostile values. */
export const HOSTILE: readonly Hostile[] = [...SCALARS, ...CONTAINERS];

/** One hostile value, by index, so a counterexample prints its kind. */
export const hostileArbitrary: fc.Arbitrary<Hostile> = fc.constantFrom(...HOSTILE);
