import { encodeModel, type GraphSpec, type NodeSpec } from "./model.js";

/**
 * The ONNX graph behind the `webgpu` backend: for logits [R, V] (float32) and labels [R, 1] (int64),
 * each row's maximum M, the rest s = Σ_{x≠M} exp(x − M), its ties n = #{x = M} and the label's
 * logit, each [R, 1], the same statistics as the WebAssembly kernel, so that log p =
 * (x_y − M) − log(n + s) is formed in float64 on the host. Keeping M's own terms out of s keeps a
 * peaked row's digits.
 *
 * exp is the WebAssembly kernel's, spelled in ONNX operators: Cody–Waite reduction r = d − k·ln 2
 * with k = round(d·log2 e) (by the 1.5·2^23 trick), the zero-mean degree-5 polynomial for e^r, times 2^k (Pow of 2 to an
 * integer, exact). WGSL's own exp may err by 3 + 2|x| ULP, which on peaked rows (terms 16 or
 * more below M) costs more than the 1e-7 the float32 path promises; additions and
 * multiplications are correctly rounded. Every operator here runs on ONNX Runtime's WebGPU
 * provider (it has no LogSoftmax kernel: that node would fall back to the CPU with a copy of the
 * logits).
 * @internal
 */
export function rowStatisticsGraph(): GraphSpec {
  const scalar = (name: string, value: number) => ({ name, type: "float32" as const, dims: [], data: Float32Array.of(value) });
  const axis = { name: "axis", type: "int64" as const, dims: [1], data: BigInt64Array.of(-1n) };
  // the constants of src/batch/cpu/log-sum-exp.wat
  const constants = [
    scalar("zero", 0),
    scalar("one", 1),
    scalar("two", 2),
    scalar("floor", -86.6),
    scalar("log2e", 1.44269502),
    scalar("magic", 12582912),
    scalar("ln2_hi", 6.93145752e-1),
    scalar("ln2_lo", 1.42860677e-6),
    scalar("c1", 9.999983907e-1),
    scalar("c2", 4.999922514e-1),
    scalar("c3", 1.667030156e-1),
    scalar("c4", 4.18907702e-2),
    scalar("c5", 8.15856643e-3),
  ];
  const rows = (name: string, type: "float32" | "int64", ...rest: number[]) => ({ name, type, shape: ["rows", ...rest] });
  const op = (type: string, inputs: string[], output: string, attributes?: NodeSpec["attributes"]): NodeSpec => ({ op: type, inputs, outputs: [output], ...(attributes ? { attributes } : {}) });
  // Horner: ((((c5 r + c4) r + c3) r + c2) r + c1) r + 1
  const horner: NodeSpec[] = [];
  let acc = "c5";
  ["c4", "c3", "c2", "c1", "one"].forEach((c, i) => {
    horner.push(op("Mul", [acc, "r"], `p${i}_times_r`), op("Add", [`p${i}_times_r`, c], `p${i + 1}`));
    acc = `p${i + 1}`;
  });
  return {
    name: "luce_row_statistics",
    inputs: [{ name: "logits", type: "float32", shape: ["rows", "vocabulary"] }, rows("labels", "int64", 1)],
    outputs: [rows("max", "float32", 1), rows("rest", "float32", 1), rows("ties", "float32", 1), rows("label_logit", "float32", 1)],
    initializers: [axis, ...constants],
    nodes: [
      op("ReduceMax", ["logits"], "max", { axes: { ints: [-1] }, keepdims: { int: 1 } }),
      op("Sub", ["logits", "max"], "shifted"),
      op("Max", ["shifted", "floor"], "d"),
      op("Mul", ["d", "log2e"], "d_log2e"),
      // k = round(d·log2 e) by adding and removing 1.5·2^23 (ONNX Runtime's WebGPU provider has no Round)
      op("Add", ["d_log2e", "magic"], "k_magic"),
      op("Sub", ["k_magic", "magic"], "k"),
      op("Mul", ["k", "ln2_hi"], "k_ln2_hi"),
      op("Sub", ["d", "k_ln2_hi"], "r_hi"),
      op("Mul", ["k", "ln2_lo"], "k_ln2_lo"),
      op("Sub", ["r_hi", "k_ln2_lo"], "r"),
      ...horner,
      op("Pow", ["two", "k"], "scale"),
      op("Mul", [acc, "scale"], "terms"),
      op("Equal", ["logits", "max"], "is_max"),
      op("Where", ["is_max", "zero", "terms"], "other_terms"),
      op("ReduceSum", ["other_terms", "axis"], "rest", { keepdims: { int: 1 } }),
      op("Cast", ["is_max"], "is_max_float", { to: { int: 1 } }),
      op("ReduceSum", ["is_max_float", "axis"], "ties", { keepdims: { int: 1 } }),
      op("GatherElements", ["logits", "labels"], "label_logit", { axis: { int: -1 } }),
    ],
  };
}

/** The graph, encoded. @internal */
export function rowStatisticsModel(): Uint8Array {
  return encodeModel(rowStatisticsGraph(), 17);
}
