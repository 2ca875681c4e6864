// A small causal transformer for testing the model path: built here as an ONNX graph (with luce's
// own encoder), and evaluated independently by a float64 forward pass written out below. Nothing is
// downloaded. Token and position embeddings, BLOCKS pre-norm blocks of causal multi-head
// self-attention that honours a padding mask and a SiLU MLP, a final layer norm and an LM head.
import { encodeModel, type InitializerSpec, type NodeSpec } from "../../src/batch/onnx/model.js";

export const VOCABULARY = 1000;
export const LENGTH = 64;
const WIDTH = 32;
const HEADS = 2;
const HEAD = WIDTH / HEADS;
const HIDDEN = 64;
const BLOCKS = 2;
const EPSILON = 1e-5;
const MASKED = -1e9;

/** The weights, float32, drawn from a 32-bit LCG (uniform in ±scale). */
export interface Weights {
  readonly tokens: Float32Array; // [V, d]
  readonly positions: Float32Array; // [T, d]
  readonly blocks: {
    readonly norm1: [Float32Array, Float32Array];
    readonly query: Float32Array; // [d, d]
    readonly key: Float32Array;
    readonly value: Float32Array;
    readonly out: Float32Array;
    readonly norm2: [Float32Array, Float32Array];
    readonly up: Float32Array; // [d, h]
    readonly upBias: Float32Array;
    readonly down: Float32Array; // [h, d]
    readonly downBias: Float32Array;
  }[];
  readonly finalNorm: [Float32Array, Float32Array];
  readonly head: Float32Array; // [d, V]
}

export function tinyWeights(seed: number): Weights {
  let state = seed >>> 0;
  const uniform = (n: number, scale: number, centre = 0) =>
    Float32Array.from({ length: n }, () => {
      state = (Math.imul(1664525, state) + 1013904223) >>> 0;
      return centre + scale * ((state >>> 8) / 2 ** 23 - 1);
    });
  const matrix = (rows: number, columns: number) => uniform(rows * columns, 1 / Math.sqrt(rows));
  return {
    tokens: uniform(VOCABULARY * WIDTH, 1),
    positions: uniform(LENGTH * WIDTH, 0.3),
    blocks: Array.from({ length: BLOCKS }, () => ({
      norm1: [uniform(WIDTH, 0.2, 1), uniform(WIDTH, 0.1)] as [Float32Array, Float32Array],
      query: matrix(WIDTH, WIDTH),
      key: matrix(WIDTH, WIDTH),
      value: matrix(WIDTH, WIDTH),
      out: matrix(WIDTH, WIDTH),
      norm2: [uniform(WIDTH, 0.2, 1), uniform(WIDTH, 0.1)] as [Float32Array, Float32Array],
      up: matrix(WIDTH, HIDDEN),
      upBias: uniform(HIDDEN, 0.1),
      down: matrix(HIDDEN, WIDTH),
      downBias: uniform(WIDTH, 0.1),
    })),
    finalNorm: [uniform(WIDTH, 0.2, 1), uniform(WIDTH, 0.1)],
    head: uniform(WIDTH * VOCABULARY, 2 / Math.sqrt(WIDTH)),
  };
}

/** The ONNX model (opset 17): inputs input_ids, attention_mask (int64 [B, 64]); output logits [B, 64, 1000]. */
export function tinyCausalLm(w: Weights): Uint8Array {
  const init: InitializerSpec[] = [];
  const f32 = (name: string, dims: number[], data: Float32Array) => (
    init.push({ name, type: "float32", dims, data }),
    name
  );
  const i64 = (name: string, values: number[]) => (
    init.push({ name, type: "int64", dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) }),
    name
  );
  const nodes: NodeSpec[] = [];
  let counter = 0;
  const op = (type: string, inputs: string[], attributes?: NodeSpec["attributes"]) => {
    const out = `${type.toLowerCase()}_${counter++}`;
    nodes.push({ op: type, inputs, outputs: [out], ...(attributes ? { attributes } : {}) });
    return out;
  };
  const norm = (x: string, [g, b]: [Float32Array, Float32Array], name: string) =>
    op("LayerNormalization", [x, f32(`${name}_g`, [WIDTH], g), f32(`${name}_b`, [WIDTH], b)], {
      axis: { int: -1 },
      epsilon: { float: EPSILON },
    });

  const causal = new Float32Array(LENGTH * LENGTH);
  for (let i = 0; i < LENGTH; i++) for (let j = i + 1; j < LENGTH; j++) causal[i * LENGTH + j] = MASKED;
  f32("causal", [1, 1, LENGTH, LENGTH], causal);
  f32("one", [], Float32Array.of(1));
  f32("masked", [], Float32Array.of(MASKED));
  f32("scale", [], Float32Array.of(1 / Math.sqrt(HEAD)));
  i64("split_heads", [0, 0, HEADS, HEAD]);
  i64("merge_heads", [0, 0, WIDTH]);
  i64("key_axes", [1, 2]);

  let x = op("Add", [
    op("Gather", [f32("tokens", [VOCABULARY, WIDTH], w.tokens), "input_ids"], { axis: { int: 0 } }),
    f32("positions", [LENGTH, WIDTH], w.positions),
  ]);
  // padding: keys whose mask is 0 get −1e9, as do future keys
  const keyBias = op("Unsqueeze", [
    op("Mul", [op("Sub", ["one", op("Cast", ["attention_mask"], { to: { int: 1 } })]), "masked"]),
    "key_axes",
  ]);
  const bias = op("Add", [keyBias, "causal"]);
  w.blocks.forEach((block, l) => {
    const h = norm(x, block.norm1, `b${l}_norm1`);
    const heads = (name: string, weight: Float32Array, perm: number[]) =>
      op(
        "Transpose",
        [op("Reshape", [op("MatMul", [h, f32(`b${l}_${name}`, [WIDTH, WIDTH], weight)]), "split_heads"])],
        { perm: { ints: perm } },
      );
    const q = heads("query", block.query, [0, 2, 1, 3]);
    const k = heads("key", block.key, [0, 2, 3, 1]);
    const v = heads("value", block.value, [0, 2, 1, 3]);
    const scores = op("Add", [op("Mul", [op("MatMul", [q, k]), "scale"]), bias]);
    const context = op("MatMul", [op("Softmax", [scores], { axis: { int: -1 } }), v]);
    const merged = op("Reshape", [op("Transpose", [context], { perm: { ints: [0, 2, 1, 3] } }), "merge_heads"]);
    x = op("Add", [x, op("MatMul", [merged, f32(`b${l}_out`, [WIDTH, WIDTH], block.out)])]);
    const u = op("Add", [
      op("MatMul", [norm(x, block.norm2, `b${l}_norm2`), f32(`b${l}_up`, [WIDTH, HIDDEN], block.up)]),
      f32(`b${l}_up_bias`, [HIDDEN], block.upBias),
    ]);
    const silu = op("Mul", [u, op("Sigmoid", [u])]);
    x = op("Add", [
      x,
      op("Add", [
        op("MatMul", [silu, f32(`b${l}_down`, [HIDDEN, WIDTH], block.down)]),
        f32(`b${l}_down_bias`, [WIDTH], block.downBias),
      ]),
    ]);
  });
  const last = op("MatMul", [norm(x, w.finalNorm, "final"), f32("head", [WIDTH, VOCABULARY], w.head)]);
  nodes[nodes.length - 1] = { ...nodes[nodes.length - 1], outputs: ["logits"] };
  void last;
  return encodeModel({
    name: "tiny_causal_lm",
    inputs: [
      { name: "input_ids", type: "int64", shape: ["batch", LENGTH] },
      { name: "attention_mask", type: "int64", shape: ["batch", LENGTH] },
    ],
    outputs: [{ name: "logits", type: "float32", shape: ["batch", LENGTH, VOCABULARY] }],
    nodes,
    initializers: init,
  });
}

/** The same network in float64, written out loop by loop: logits [B, T, V] as a Float64Array. */
export function tinyForward(w: Weights, ids: number[][], mask: number[][]): Float64Array {
  const B = ids.length;
  const T = LENGTH;
  const logits = new Float64Array(B * T * VOCABULARY);
  const layerNorm = (x: Float64Array, [g, b]: [Float32Array, Float32Array]) => {
    const mean = x.reduce((s, v) => s + v, 0) / WIDTH;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / WIDTH;
    return x.map((v, i) => ((v - mean) / Math.sqrt(variance + EPSILON)) * g[i] + b[i]);
  };
  const times = (x: Float64Array, m: Float32Array, columns: number) => {
    const out = new Float64Array(columns);
    for (let i = 0; i < x.length; i++) for (let j = 0; j < columns; j++) out[j] += x[i] * m[i * columns + j];
    return out;
  };
  for (let b = 0; b < B; b++) {
    let x = Array.from({ length: T }, (_, t) =>
      Float64Array.from({ length: WIDTH }, (_, i) => w.tokens[ids[b][t] * WIDTH + i] + w.positions[t * WIDTH + i]),
    );
    for (const block of w.blocks) {
      const h = x.map((row) => layerNorm(row, block.norm1));
      const q = h.map((row) => times(row, block.query, WIDTH));
      const k = h.map((row) => times(row, block.key, WIDTH));
      const v = h.map((row) => times(row, block.value, WIDTH));
      const context = Array.from({ length: T }, () => new Float64Array(WIDTH));
      for (let head = 0; head < HEADS; head++) {
        for (let i = 0; i < T; i++) {
          const scores = Array.from({ length: T }, (_, j) => {
            let dot = 0;
            for (let e = head * HEAD; e < (head + 1) * HEAD; e++) dot += q[i][e] * k[j][e];
            return dot / Math.sqrt(HEAD) + (1 - mask[b][j]) * MASKED + (j > i ? MASKED : 0);
          });
          const top = Math.max(...scores);
          const weights = scores.map((s) => Math.exp(s - top));
          const total = weights.reduce((s, v) => s + v, 0);
          for (let j = 0; j < T; j++)
            for (let e = head * HEAD; e < (head + 1) * HEAD; e++) context[i][e] += (weights[j] / total) * v[j][e];
        }
      }
      x = x.map((row, t) => {
        const attended = times(context[t], block.out, WIDTH).map((a, i) => row[i] + a);
        const u = times(layerNorm(attended, block.norm2), block.up, HIDDEN).map((a, i) => a + block.upBias[i]);
        const silu = u.map((a) => a / (1 + Math.exp(-a)));
        return times(silu, block.down, WIDTH).map((a, i) => attended[i] + a + block.downBias[i]);
      });
    }
    x.forEach((row, t) => logits.set(times(layerNorm(row, w.finalNorm), w.head, VOCABULARY), (b * T + t) * VOCABULARY));
  }
  return logits;
}
