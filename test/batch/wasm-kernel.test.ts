import { describe, expect, it } from "vitest";
import { assembleKernel, expandMacros, expandTwins, expandUnrolls, lowerRelaxed } from "../../scripts/build-wasm.mjs";
import { logSumExpFusedWasm, logSumExpWasm } from "../../src/batch/cpu/log-sum-exp-wasm.js";
import { KernelPool, kernelPool } from "../../src/batch/cpu/worker-pool.js";
import {
  allocateLogits,
  dpoBatch,
  releaseLogits,
  sequenceLogProbs,
  sequenceTokenLogProbs,
} from "../../src/batch/index.js";
import { syntheticBatch } from "../helpers/synthetic-logits.js";
import synthetic from "../fixtures/batch_synthetic.json" with { type: "json" };
import { scoreOnnx } from "../../src/batch/onnx-scoring.js";
import { readScoring } from "../../src/batch/scoring.js";
import { scorePosition } from "../../src/batch/row-scan.js";
import { expectClose, expectLuceRejection } from "../helpers/close.js";

describe("the fast pass and the mask", () => {
  // Blocks are summed without the underflow mask until one holds a term below M − 86.6; that block
  // and the row's later ones are summed with it. Rows where the hand-over falls anywhere, against the
  // float64 kernel (another function, with its own mask).
  const V = 4000;
  let state = 11;
  const gaussian = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const u = state / 2 ** 32 + 1e-12;
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos((2 * Math.PI * state) / 2 ** 32);
  };
  const rows = {
    "−∞ in the last blocks only": (v: number) => (v > 3000 && v % 3 === 0 ? -Infinity : 3 * gaussian()),
    "one far term in the first block": (v: number) => (v === 5 ? -95 : 3 * gaussian()),
    "a far term in the middle, the maximum late": (v: number) => (v === 2000 ? -120 : v === 3900 ? 30 : 3 * gaussian()),
    "spread 200: most terms underflow": () => 200 * gaussian(),
    "every other logit −∞": (v: number) => (v % 2 === 0 ? -Infinity : 3 * gaussian()),
  };
  for (const [name, make] of Object.entries(rows)) {
    it(`${name}: float32 within 1e-7 of float64 per token`, async () => {
      const T = 6;
      const data = new Float32Array(T * V);
      for (let t = 0; t < T; t++) for (let v = 0; v < V; v++) data[t * V + v] = make(v);
      const labels = [Array.from({ length: T }, (_, t) => [1, 3001, 3900, 7, 2001, 3999][t])];
      const logits = { data, shape: [1, T, V] };
      const [fast, exact] = await Promise.all([
        sequenceTokenLogProbs(logits, labels, { shift: false }),
        sequenceTokenLogProbs(logits, labels, { shift: false, precision: "float64" }),
      ]);
      exact.tokenLogps[0].forEach((want, t) => {
        if (want === -Infinity) expect(fast.tokenLogps[0][t]).toBe(-Infinity);
        else expectClose(fast.tokenLogps[0][t], want, { rel: 1e-7 }, `token ${t}`);
      });
    });
  }
});

describe("rows handed to worker threads", () => {
  // Worker threads score rows the calling thread wrote into staging slots of shared memory (copied from where they lie,
  // or through a row of the kernel's type when they must be converted, padded with −∞ where the kernel needs it);
  // the bits must agree for every kind of source and any number of threads.
  // 1200 rows: several jobs per worker, slots reused; rows padded on both paths (V odd)
  const [B, T, V] = [4, 300, 1001];
  const values = new Float32Array(B * T * V);
  let state = 7;
  for (let i = 0; i < values.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = (state / 2 ** 32) * 8 - 4;
  }
  const labels = { data: Int32Array.from({ length: B * T }, (_, i) => (i * 7919) % V), shape: [B, T] };
  const reversed = new Float32Array(values.length); // the vocabulary reversed: a strided view of the same logits
  for (let row = 0; row < B * T; row++)
    for (let v = 0; v < V; v++) reversed[row * V + (V - 1 - v)] = values[row * V + v];
  const float16 = Uint16Array.from(values, (x) => {
    const [bits] = new Uint32Array(Float32Array.of(x).buffer); // float16 bits by truncation: any valid float16 will do
    return ((bits >>> 16) & 0x8000) | (((((bits >>> 23) & 0xff) - 112) & 0x1f) << 10) | ((bits >>> 13) & 0x3ff);
  });
  const sources = {
    "Float32Array, float32": [{ data: values, shape: [B, T, V] }, "float32"],
    "Float32Array, float64": [{ data: values, shape: [B, T, V] }, "float64"],
    "Float64Array, float32": [{ data: Float64Array.from(values), shape: [B, T, V] }, "float32"],
    "Float64Array, float64": [{ data: Float64Array.from(values), shape: [B, T, V] }, "float64"],
    "strided view, float32": [{ data: reversed, shape: [B, T, V], stride: [T * V, V, -1], offset: V - 1 }, "float32"],
    "float16 bits, float32": [{ data: float16, shape: [B, T, V], dtype: "float16" }, "float32"],
  } as const;
  /**
   * Each position's log-probability by the scalar Math.exp scan (row-scan.ts), reading the view as given: no kernel
   * involved.
   */
  const scanned = (logits: Parameters<typeof sequenceLogProbs>[0], precision: "float32" | "float64") => {
    const s = readScoring("test", logits, labels, { shift: false, precision });
    return Array.from({ length: B * T }, (_, i) =>
      scorePosition("test", s.logits, Math.floor(i / T), i % T, labels.data[i], new Float64Array(1)),
    );
  };
  for (const [name, [logits, precision]] of Object.entries(sources)) {
    it(`${name}: the Math.exp scan's values, and the same bits on 1, 2 and 3 threads`, async () => {
      const runs = await Promise.all(
        [1, 2, 3].map((threads) => sequenceTokenLogProbs(logits, labels, { shift: false, threads, precision })),
      );
      scanned(logits, precision).forEach((want, i) =>
        expectClose(
          runs[2].tokenLogps[Math.floor(i / T)][i % T],
          want,
          { rel: precision === "float32" ? 1e-7 : 1e-13 },
          `position ${i}`,
        ),
      );
      for (const run of runs.slice(1))
        run.tokenLogps.forEach((tokens, b) => expect(Array.from(tokens)).toEqual(Array.from(runs[0].tokenLogps[b])));
    });
  }
  for (const precision of ["float32", "float64"] as const) {
    it(`the logits gradient (${precision}), read back from the staging slots: the same bits on 1, 2 and 3 threads`, async () => {
      const policyLogits =
        precision === "float32"
          ? { data: values, shape: [B, T, V] }
          : { data: Float64Array.from(values), shape: [B, T, V] };
      const runs = await Promise.all(
        [1, 2, 3].map((threads) =>
          dpoBatch(
            { policyLogits, referenceLogps: [-3000, -3010, -2990, -3005], labels },
            { beta: 0.1, gradient: true, threads, precision },
          ),
        ),
      );
      for (const run of runs.slice(1))
        expect(Buffer.from(run.gradLogits!.buffer).equals(Buffer.from(runs[0].gradLogits!.buffer))).toBe(true);
      // independently, on every 37th position (shift: labels[t + 1] scored by logits[t]): g_b·(onehot − exp(x − lse)),
      // lse by the Math.exp scan
      const { gradPolicyChosen, gradPolicyRejected } = runs[2];
      const g = [...gradPolicyChosen, ...gradPolicyRejected];
      const s = readScoring("test", policyLogits, labels, { precision });
      const lse = new Float64Array(1);
      for (let i = 0; i < B * T; i += 37) {
        const [b, t] = [Math.floor(i / T), i % T];
        const grad = runs[2].gradLogits!.subarray(i * V, (i + 1) * V);
        if (t === T - 1) {
          expect(grad.every((x) => x === 0)).toBe(true);
          continue;
        }
        const label = labels.data[i + 1];
        scorePosition("test", s.logits, b, t, label, lse);
        for (let v = 0; v < V; v++) {
          const want = g[b] * ((v === label ? 1 : 0) - Math.exp(values[i * V + v] - lse[0]));
          if (Math.abs(grad[v] - want) > (precision === "float32" ? 1e-6 : 1e-14) * Math.abs(g[b]))
            expect.fail(`position ${i}, entry ${v}: ${grad[v]} vs ${want}`);
        }
      }
    });
  }
  it("the strided view reads the logits it views", async () => {
    const [plain, strided] = await Promise.all(
      [sources["Float32Array, float32"][0], sources["strided view, float32"][0]].map((logits) =>
        sequenceLogProbs(logits, labels, { shift: false, threads: 2 }),
      ),
    );
    expect(Array.from(strided)).toEqual(Array.from(plain));
  });
});

describe("the float32 kernel", () => {
  it("ships the bytes its WAT source assembles to, both builds (npm run build:wasm after editing it)", async () => {
    for (const [shipped, fused] of [
      [logSumExpWasm, false],
      [logSumExpFusedWasm, true],
    ] as const) {
      expect(shipped).toBe(await assembleKernel({ fused, shared: true }));
    }
  });

  it("writes each ;; expand of a ;; define out with its arguments, and names a wrong one", () => {
    const source = ";; define twice %x %y\n(add %x %x %y)\n;; end define\n(a)\n  ;; expand twice $p# 3\n(b)\n";
    expect(expandMacros(source)).toBe("(a)\n(add $p# $p# 3)\n(b)\n");
    expect(() => expandMacros(";; expand nothing $p\n")).toThrow(/no ;; define nothing/);
    expect(() => expandMacros(";; define one %x\n(%x)\n;; end define\n;; expand one\n")).toThrow(
      /0 arguments for 1 parameters/,
    );
    expect(() => expandMacros(";; define one %x\n(%z)\n;; end define\n;; expand one 1\n")).toThrow(
      /%z is not one of its parameters/,
    );
  });

  it("writes out each ;; unroll block N times, # the copy's index and @ its vector's byte offset", () => {
    expect(expandUnrolls("(a)\n  ;; unroll 3\n  (v $x# offset=@)\n  ;; end unroll\n(b)\n")).toBe(
      "(a)\n  (v $x0 offset=0)\n  (v $x1 offset=16)\n  (v $x2 offset=32)\n(b)\n",
    );
    expect(() => expandUnrolls(";; unroll 2\n;; unroll 2\n(x)\n;; end unroll\n;; end unroll\n")).toThrow(/nested/);
  });

  it("writes each ;; twin region out twice, the twin with its ;;m lines as code and its functions renamed", () => {
    const source =
      "(a)\n;; twin M\n(func $f (param $p i32)\n  ;;m (param $q i32)\n  (call $f) (call $fx) (call $g))\n" +
      '(func (export "h")\n  ;;m (x)\n)\n;; end twin\n(b)\n';
    expect(expandTwins(source)).toBe(
      "(a)\n(func $f (param $p i32)\n  ;;m (param $q i32)\n  (call $f) (call $fx) (call $g))\n" +
        '(func (export "h")\n  ;;m (x)\n)\n' +
        "(func $fM (param $p i32)\n  (param $q i32)\n  (call $fM) (call $fx) (call $g))\n" +
        '(func (export "hM")\n  (x)\n)\n(b)\n',
    );
    expect(() => expandTwins(";; twin A\n;; twin B\n;; end twin\n;; end twin\n")).toThrow(/nested/);
  });

  it("lowers each relaxed multiply-add of the source to a multiply and an add for the portable build, nested ones included", () => {
    expect(lowerRelaxed("(f32x4.relaxed_madd (a) (f32x4.relaxed_nmadd (b) (c) (d)) (e))")).toBe(
      "(f32x4.add (f32x4.mul (a) (f32x4.sub (d) (f32x4.mul (b) (c)))) (e))",
    );
    expect(lowerRelaxed("(f64x2.relaxed_madd (a) ;; a comment (with parentheses\n (b) (c))")).toBe(
      "(f64x2.add (f64x2.mul (a) (b)) (c))",
    );
    expect(() => lowerRelaxed("(f32x4.relaxed_madd $x (b) (c))")).toThrow(
      /operand 1 is not a parenthesised expression/,
    );
    expect(() => lowerRelaxed("(f32x4.relaxed_nmadd (a) (b) (c) (d))")).toThrow(/more than three operands/);
  });

  it("runs the fused build (relaxed SIMD, on Node 20 too), or the portable one when LUCE_KERNEL=portable asks", () => {
    expect(kernelPool().kernel).toBe(process.env.LUCE_KERNEL === "portable" ? "portable" : "fused");
    // the flag that Node 20 needs for relaxed SIMD was on for the kernel's compile only
    const { validate } = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } })
      .WebAssembly;
    if (process.versions.node.startsWith("20."))
      expect(validate(Buffer.from(logSumExpFusedWasm, "base64"))).toBe(false);
    // the portable build needs nothing beyond the SIMD that every supported Node has
    expect(validate(Buffer.from(logSumExpWasm, "base64"))).toBe(true);
    const before = process.env.LUCE_KERNEL;
    try {
      process.env.LUCE_KERNEL = "fast";
      expect(() => new KernelPool()).toThrow('LUCE_KERNEL must be "fused" or "portable", not "fast"');
    } finally {
      if (before === undefined) delete process.env.LUCE_KERNEL;
      else process.env.LUCE_KERNEL = before;
    }
  });

  it("matches float64 on rows that exercise every branch: ties, a later maximum, −∞ blocks, padding, spread 1e4", async () => {
    const V = 1000; // 7 full blocks and a padded one
    const rows: number[][] = [
      Array.from({ length: V }, (_, v) => (v % 97 === 0 ? 3 : Math.sin(v))), // 11 ties at the maximum
      Array.from({ length: V }, (_, v) => v / 100), // the maximum rises block after block
      Array.from({ length: V }, (_, v) => (v < 600 ? -Infinity : Math.cos(v))), // whole blocks of −∞
      Array.from({ length: V }, (_, v) => (v === 999 ? 0 : -1e4 + v)), // a spread of 1e4: all but one term underflow
      Array.from({ length: V }, (_, v) => (v === 5 ? 40 : Math.sin(v))), // peaked
    ];
    const data = Float32Array.from(rows.flat());
    const labels = [[0, 999, 700, 3, 5]];
    const logits = { data, shape: [1, rows.length, V] };
    const fast = await sequenceLogProbs(logits, labels, { shift: false, threads: 1 });
    const exact = await sequenceLogProbs(logits, labels, { shift: false, precision: "float64" });
    expectClose(fast[0], exact[0], { rel: 1e-7 });
    // Per term, float32 rounds x − M (2⁻²⁴·|x − M| relative) and the exp polynomial errs by 2.5e-7
    // at most: on the peaked row, whose log-prob is −Σ exp(x − M) over terms 40 below M, the worst
    // case is their sum; elsewhere 1e-7 holds.
    const bounds = [1e-7, 1e-7, 1e-7, 1e-7, 2 ** -24 * 41 + 2.5e-7];
    for (let r = 0; r < rows.length; r++) {
      const one = { data: data.subarray(r * V, (r + 1) * V), shape: [1, 1, V] };
      const a = await sequenceLogProbs(one, [[labels[0][r]]], { shift: false });
      const b = await sequenceLogProbs(one, [[labels[0][r]]], { shift: false, precision: "float64" });
      expectClose(a[0], b[0], { rel: bounds[r] }, `row ${r}`);
    }
  });

  it("rejects float64 logits beyond float32's range on the float32 path, and bad options", async () => {
    const huge = { data: new Float64Array([1e300, 0, 0]), shape: [1, 1, 3] };
    await expectLuceRejection(sequenceLogProbs(huge, [[1]], { shift: false, precision: "float32" }), "logits[0][0]");
    expectClose((await sequenceLogProbs(huge, [[1]], { shift: false }))[0], -1e300, { rel: 1e-15 });
    const ok = { data: new Float32Array(3), shape: [1, 1, 3] };
    await expectLuceRejection(sequenceLogProbs(ok, [[1]], { precision: "half" as never }), "options.precision");
    await expectLuceRejection(sequenceLogProbs(ok, [[1]], { threads: 0 }), "options.threads");
    await expectLuceRejection(sequenceLogProbs(ok, [[1]], { threads: 1.5 }), "options.threads");
    await expectLuceRejection(sequenceLogProbs(ok, [[1]], { backend: "cuda" as never }), "options.backend");
    await expectLuceRejection(
      sequenceLogProbs(ok, [[1]], { backend: "webgpu", precision: "float64" }),
      "options.precision",
    );
  });
});

describe("logits in the shared memory (allocateLogits), read in place", () => {
  it("give the same bits as copied logits, for any vocabulary (partial last blocks), view and thread count", async () => {
    for (const [seed, shape] of [
      [31, [3, 5, 4000]],
      [32, [2, 4, 1001]],
      [33, [2, 3, 50257]],
    ] as const) {
      const { logits, labels } = syntheticBatch(seed, shape, 0);
      const inShared = allocateLogits(shape);
      inShared.data.set(logits.data);
      const copied = await sequenceTokenLogProbs(logits, labels, { shift: false, threads: 1 });
      for (const threads of [1, 2, 3]) {
        const got = await sequenceTokenLogProbs(inShared, labels, { shift: false, threads });
        expect(Array.from(got.logps)).toEqual(Array.from(copied.logps));
        got.tokenLogps.forEach((tokens, b) => expect(Array.from(tokens)).toEqual(Array.from(copied.tokenLogps[b])));
      }
      // a view with the batch reversed, in place too
      const [B, T, V] = shape;
      const reversed = { data: inShared.data, shape: [...shape], stride: [-T * V, V, 1], offset: (B - 1) * T * V };
      const labelsReversed = {
        data: Int32Array.from({ length: B * T }, (_, i) => labels.data[(B - 1 - Math.floor(i / T)) * T + (i % T)]),
        shape: [B, T],
      };
      const back = await sequenceLogProbs(reversed, labelsReversed, { shift: false });
      expect(Array.from(back).reverse()).toEqual(Array.from(copied.logps));
      releaseLogits(inShared);
    }
  });

  it("reuses released memory, names bad input, and rejects a double release", async () => {
    const a = allocateLogits([1, 2, 8]);
    const offset = a.data.byteOffset;
    releaseLogits(a);
    const b = allocateLogits([1, 2, 8]);
    expect(b.data.byteOffset).toBe(offset);
    b.data.fill(0);
    b.data[3] = Number.NaN;
    await expectLuceRejection(sequenceLogProbs(b, [[0, 0]], { shift: false }), "logits[0][0][3]");
    releaseLogits(b);
    expect(() => releaseLogits(b)).toThrow(/releaseLogits.*logits/);
    expect(() => releaseLogits({ data: new Float32Array(4) })).toThrow(/releaseLogits/);
    expect(() => allocateLogits([2, -1])).toThrow(/allocateLogits.*shape/);
    expect(() => allocateLogits([2 ** 20, 2 ** 11])).toThrow(/allocateLogits.*shape/); // 8 GiB
  });
});

describe("the logits gradient on the float32 path", () => {
  it("is float32 and agrees with the float64 path's to float32 rounding; −∞ logits get exactly 0", async () => {
    const { logits, labels } = syntheticBatch(41, [4, 6, 1003], 0);
    logits.data.fill(-Infinity, 5 * 1003 + 10, 5 * 1003 + 20); // a masked vocabulary stretch
    const inputs = { policyLogits: logits, referenceLogps: [-40, -41, -39, -42], labels };
    for (const options of [{ beta: 0.1 }, { beta: 0.5, lossType: "ipo" as const, average: true }]) {
      const fast = await dpoBatch(inputs, { ...options, gradient: true, shift: false });
      const exact = await dpoBatch(inputs, { ...options, gradient: true, shift: false, precision: "float64" });
      expect(fast.gradLogits).toBeInstanceOf(Float32Array);
      expect(exact.gradLogits).toBeInstanceOf(Float64Array);
      const scale = Math.max(...Array.from(exact.gradLogits!, Math.abs));
      exact.gradLogits!.forEach((want, i) => {
        const got = fast.gradLogits![i];
        if (Math.abs(got - want) > 1e-6 * Math.abs(want) + 1e-9 * scale) expect.fail(`entry ${i}: ${got} vs ${want}`);
      });
      for (let v = 10; v < 20; v++) expect(fast.gradLogits![5 * 1003 + v]).toBe(0);
    }
  });

  it("gives the same bits on 1, 2 and 3 threads", async () => {
    const { logits, labels } = syntheticBatch(42, [4, 40, 2000], 0);
    const inputs = { policyLogits: logits, referenceLogps: [-300, -310, -305, -299], labels };
    const runs = await Promise.all(
      [1, 2, 3].map((threads) => dpoBatch(inputs, { beta: 0.1, gradient: true, threads })),
    );
    for (const run of runs.slice(1))
      expect(Buffer.from(run.gradLogits!.buffer).equals(Buffer.from(runs[0].gradLogits!.buffer))).toBe(true);
  });
});

describe("a gradient buffer the caller reuses", () => {
  it("is written in place, unscored rows zeroed, equal to a fresh gradient; wrong types and lengths are named", async () => {
    const { logits, labels } = syntheticBatch(43, [2, 5, 300], 0);
    const inputs = { policyLogits: logits, referenceLogps: [-20, -21], labels };
    const fresh = await dpoBatch(inputs, { beta: 0.2, gradient: true });
    const buffer = new Float32Array(2 * 5 * 300).fill(7);
    const again = await dpoBatch(inputs, { beta: 0.2, gradient: buffer });
    expect(again.gradLogits).toBe(buffer);
    expect(Array.from(buffer)).toEqual(Array.from(fresh.gradLogits!));
    expect(buffer.subarray(4 * 300, 5 * 300).every((v) => v === 0)).toBe(true); // position t = 4 scores nothing (shift)
    await expectLuceRejection(dpoBatch(inputs, { beta: 0.2, gradient: new Float32Array(5) }), "options.gradient");
    await expectLuceRejection(dpoBatch(inputs, { beta: 0.2, gradient: new Float64Array(3000) }), "options.gradient");
  });
});

describe("extreme rows on the float32 kernel and the ONNX graph", () => {
  // a label 1e4 above the rest; one 70 above, in a vocabulary that is not a multiple of the block
  // (padding); one 60 above in a mostly masked (−∞) vocabulary: −∞ and the padding contribute
  // exactly 0, so even log-probs of −1e-28 keep 1e-7
  const V = 1000;
  const rows = [
    Array.from({ length: V }, (_, v) => (v === 0 ? 0 : -1e4)),
    Array.from({ length: V }, (_, v) => (v === 7 ? 70 : Math.sin(v))),
    Array.from({ length: V }, (_, v) => (v < 900 ? -Infinity : v === 950 ? 60 : Math.cos(v))),
  ];
  const logits = { data: Float32Array.from(rows.flat()), shape: [3, 1, V] };
  const labels = [[0], [7], [950]];
  it("agree with float64 to 1e-7 relative (0 exactly for the first)", async () => {
    const exact = await sequenceLogProbs(logits, labels, { shift: false, precision: "float64" });
    const fast = await sequenceLogProbs(logits, labels, { shift: false });
    const graph = (await scoreOnnx("test", readScoring("test", logits, labels, { shift: false }), "cpu")).logps;
    expect(exact[0]).toBe(0);
    expect(fast[0]).toBe(0);
    expect(graph[0]).toBe(0);
    for (const r of [1, 2]) {
      expectClose(fast[r], exact[r], { rel: 1e-7 }, `kernel row ${r}`);
      expectClose(graph[r], exact[r], { rel: 1e-7 }, `graph row ${r}`);
    }
    expect(exact[1]).toBeLessThan(-1e-28);
  });
});

describe("the float64 path's kernel (WebAssembly f64x2)", () => {
  /** Row r's log-probability of `label` by the float64 scan with Math.exp (scorePosition), one row at a time. */
  const scan = (rows: number[][], labels: number[]) =>
    rows.map((row, r) =>
      scorePosition(
        "test",
        readScoring("test", { data: Float64Array.from(row), shape: [1, 1, row.length] }, [[labels[r]]], {
          shift: false,
          precision: "float64",
        }).logits,
        0,
        0,
        labels[r],
        new Float64Array(1),
      ),
    );

  it("agrees with the Math.exp scan to 1e-14: odd vocabularies, ties, −∞, a spread of 1e4, peaked rows, an overflowing plain sum", async () => {
    const V = 1001; // odd: the kernel pads with −∞
    const rows: number[][] = [
      Array.from({ length: V }, (_, v) => (v % 97 === 0 ? 3 : Math.sin(v))), // 11 ties at the maximum
      Array.from({ length: V }, (_, v) => (v < 600 ? -Infinity : 5 * Math.cos(v))), // −∞ entries
      Array.from({ length: V }, (_, v) => (v === 999 ? 0 : -1e4 + v)), // all but one term below e^-708
      Array.from({ length: V }, (_, v) => (v === 5 ? 40 : Math.sin(v))), // peaked: log p ≈ −1e-15
      // the plain sum overflows beside −∞: the scan scores it
      Array.from({ length: V }, (_, v) => (v < 2 ? 1e308 : v === 2 ? -Infinity : 1e307 * Math.sin(v))),
      Array.from({ length: 3 }, (_, v) => [0.5, -2, 0.5][v]),
    ];
    const labels = [0, 999, 999, 5, 1, 1];
    const want = scan(rows, labels);
    for (let r = 0; r < rows.length; r++) {
      const got = await sequenceLogProbs(
        { data: Float64Array.from(rows[r]), shape: [1, 1, rows[r].length] },
        [[labels[r]]],
        { shift: false },
      );
      expectClose(got[0], want[r], { rel: 1e-14 }, `row ${r}`);
    }
    // the peaked row keeps its digits: log p = −log1p(Σ e^(x − 40)) with a tiny sum
    expect(want[3]).toBeLessThan(0);
    expect(want[3]).toBeGreaterThan(-1e-14);
  });

  it("gives the same bits on 1, 2 and 3 threads", async () => {
    const { logits, labels } = syntheticBatch(synthetic[0].seed, synthetic[0].shape, 0);
    const runs = await Promise.all(
      [1, 2, 3].map((threads) =>
        sequenceTokenLogProbs(logits, labels, { shift: false, threads, precision: "float64" }),
      ),
    );
    for (const run of runs.slice(1)) {
      expect(Array.from(run.logps)).toEqual(Array.from(runs[0].logps));
      run.tokenLogps.forEach((tokens, b) => expect(Array.from(tokens)).toEqual(Array.from(runs[0].tokenLogps[b])));
    }
  });

  it("writes the logits gradient g·(onehot − softmax) within 1e-15 of Math.exp's, the same bits on 1, 2 and 3 threads", async () => {
    const [B, T, V] = [4, 5, 301];
    const data = Float64Array.from({ length: B * T * V }, (_, i) =>
      i % 97 === 0 ? -Infinity : 6 * Math.sin(0.37 * i),
    );
    const labels = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (7 * b + 31 * t + 1) % V));
    const run = (threads: number) =>
      dpoBatch(
        { policyLogits: { data, shape: [B, T, V] }, referenceLogps: [-30, -31, -29, -30.5], labels },
        { beta: 0.3, gradient: true, threads },
      );
    const [one, two, three] = await Promise.all([1, 2, 3].map(run));
    expect(one.gradLogits).toBeInstanceOf(Float64Array);
    expect(Array.from(two.gradLogits!)).toEqual(Array.from(one.gradLogits!));
    expect(Array.from(three.gradLogits!)).toEqual(Array.from(one.gradLogits!));
    // independently: g_b·(onehot − exp(x − lse)) with Math.exp, lse from a sorted float64 sum
    const g = [...one.gradPolicyChosen, ...one.gradPolicyRejected];
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T - 1; t++) {
        const row = Array.from(data.subarray((b * T + t) * V, (b * T + t + 1) * V));
        const m = Math.max(...row);
        const lse =
          m +
          Math.log(
            row
              .map((x) => Math.exp(x - m))
              .sort((x, y) => x - y)
              .reduce((a, x) => a + x, 0),
          );
        for (let v = 0; v < V; v++) {
          const want = g[b] * ((v === labels[b][t + 1] ? 1 : 0) - Math.exp(row[v] - lse));
          expect(Math.abs(one.gradLogits![(b * T + t) * V + v] - want)).toBeLessThanOrEqual(1e-15 * Math.abs(g[b]));
        }
      }
    }
  });

  it("names a vocabulary too large for either kernel's memory (2^27 float32, 2^26 float64)", async () => {
    // one logit repeated by zero strides: the shape alone is too large
    const huge = (V: number) => ({ data: new Float32Array(1), shape: [1, 2, V], stride: [0, 0, 0] });
    await expectLuceRejection(sequenceLogProbs(huge(2 ** 27 + 1), [[0, 0]]), "logits.shape");
    await expectLuceRejection(sequenceLogProbs(huge(2 ** 26 + 1), [[0, 0]], { precision: "float64" }), "logits.shape");
  });

  it("still names NaN, +∞ and all-−∞ rows (the kernel hands them to the scan)", async () => {
    const row = (values: number[]) => ({ data: Float64Array.from(values), shape: [1, 1, values.length] });
    await expectLuceRejection(sequenceLogProbs(row([0, Number.NaN, 1]), [[0]], { shift: false }), "logits[0][0][1]");
    await expectLuceRejection(sequenceLogProbs(row([0, 1, Infinity]), [[0]], { shift: false }), "logits[0][0][2]");
    await expectLuceRejection(
      sequenceLogProbs(row([-Infinity, -Infinity, -Infinity]), [[0]], { shift: false }),
      "logits[0][0]",
    );
  });
});
