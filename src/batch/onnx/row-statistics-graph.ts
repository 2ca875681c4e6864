import { encodeModel, type GraphSpec, type InitializerSpec, type NodeSpec } from "./model.js";

/**
 * The graph's `total` is Σ x times this power of two, which the host divides out in float64: a plain float32 Σ x
 * overflows on finite logits near the float range, a scaled one cannot while V ≤ 2^32 (every partial sum is below V
 * times the largest float32, times 2^−32), and scaling by a power of two changes no digit of the sum (only entries
 * below 2^−94 in magnitude, whose scaled values leave the normal range, may lose theirs: each then errs by at most
 * 2^−94, against the float32 sum's own rounding of 2^−24 times its partial sums).
 * @internal
 */
export const TOTAL_SCALE = 2 ** -32;

/**
 * The ONNX graph behind the `webgpu` backend: for logits [R, V] (float32) and labels [R, 1] (int64),
 * each row's maximum M, the rest s = Σ_{x≠M} exp(x − M), its ties n = #{x = M} and the label's
 * logit, each [R, 1], the same statistics as the WebAssembly kernel, so that log p =
 * (x_y − M) − log(n + s) is formed in float64 on the host. Keeping M's own terms out of s keeps a
 * peaked row's digits. With `moments`, the same run also gives the kernel's moments of each row (for TRL's metrics
 * and WPO): s₂ = Σ_{x≠M} exp(2(x − M)) (terms below M − 43.3, whose squares lie below float32's normal range, as 0),
 * w = Σ exp(x − M)·(x − M), the first index of M (int64) and Σ x·{@link TOTAL_SCALE}, summed in float32 by ONNX
 * Runtime.
 *
 * exp is the WebAssembly kernel's, spelled in ONNX operators: Cody–Waite reduction r = d − k·ln 2
 * with k = round(d·log2 e) (by the 1.5·2^23 trick), the zero-mean degree-5 polynomial for e^r, times 2^k (Pow of 2 to
 * an
 * integer, exact). WGSL's own exp may err by 3 + 2|x| ULP, which on peaked rows (terms 16 or
 * more below M) costs more than the 1e-7 the float32 path promises; additions and
 * multiplications are correctly rounded. Every operator here runs on ONNX Runtime's WebGPU
 * provider (it has no LogSoftmax kernel: that node would fall back to the CPU with a copy of the
 * logits).
 * @internal
 */
function rowStatisticsGraph(moments: boolean): GraphSpec {
  const rows = (name: string, type: "float32" | "int64", ...rest: number[]) => ({
    name,
    type,
    shape: ["rows", ...rest],
  });
  const parts = rowStatisticsNodes({ logits: "logits", labels: "labels", prefix: "", opset: 17, moments });
  return {
    name: "luce_row_statistics",
    inputs: [{ name: "logits", type: "float32", shape: ["rows", "vocabulary"] }, rows("labels", "int64", 1)],
    outputs: parts.outputs.map((name) => rows(name, name === "argmax" ? "int64" : "float32", 1)),
    initializers: parts.initializers,
    nodes: parts.nodes,
  };
}

/**
 * The graph's nodes and constants on their own, reading logits [R, V] from `logits` and labels
 * [R, 1] from `labels`, every other name prefixed with `prefix`, for the default-domain `opset`
 * (from 18, ReduceMax takes its axes as an input), with `moments` the moments' nodes too: how luce appends the
 * statistics to a causal language model's own graph, so that its logits never leave the device.
 * @internal
 */
export function rowStatisticsNodes({
  logits,
  labels,
  prefix,
  opset,
  moments = false,
}: {
  logits: string;
  labels: string;
  prefix: string;
  opset: number;
  moments?: boolean;
}): { nodes: NodeSpec[]; initializers: InitializerSpec[]; outputs: string[] } {
  const n = (name: string) => prefix + name;
  const scalar = (name: string, value: number) => ({
    name: n(name),
    type: "float32" as const,
    dims: [],
    data: Float32Array.of(value),
  });
  const axis = { name: n("axis"), type: "int64" as const, dims: [1], data: BigInt64Array.of(-1n) };
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
  const op = (type: string, inputs: string[], output: string, attributes?: NodeSpec["attributes"]): NodeSpec => ({
    op: type,
    inputs,
    outputs: [output],
    ...(attributes ? { attributes } : {}),
  });
  // Horner: ((((c5 r + c4) r + c3) r + c2) r + c1) r + 1
  const horner: NodeSpec[] = [];
  let acc = n("c5");
  ["c4", "c3", "c2", "c1", "one"].forEach((c, i) => {
    horner.push(op("Mul", [acc, n("r")], n(`p${i}_times_r`)), op("Add", [n(`p${i}_times_r`), n(c)], n(`p${i + 1}`)));
    acc = n(`p${i + 1}`);
  });
  const reduceMax =
    opset >= 18
      ? op("ReduceMax", [logits, n("axis")], n("max"), { keepdims: { int: 1 } })
      : op("ReduceMax", [logits], n("max"), { axes: { ints: [-1] }, keepdims: { int: 1 } });
  // the moments: s₂ over the same terms as the rest (d is clamped at the floor, where the terms are 0: no 0·∞)
  const momentNodes = [
    op("Mul", [n("other_terms"), n("other_terms")], n("square_terms")),
    op("Less", [n("shifted"), n("square_floor")], n("square_negligible")),
    op("Where", [n("square_negligible"), n("zero"), n("square_terms")], n("kept_squares")),
    op("ReduceSum", [n("kept_squares"), n("axis")], n("squares"), { keepdims: { int: 1 } }),
    op("Mul", [n("other_terms"), n("d")], n("weighted_terms")),
    op("ReduceSum", [n("weighted_terms"), n("axis")], n("weighted"), { keepdims: { int: 1 } }),
    op("ArgMax", [logits], n("argmax"), { axis: { int: -1 }, keepdims: { int: 1 }, select_last_index: { int: 0 } }),
    op("Mul", [logits, n("total_scale")], n("scaled_logits")),
    op("ReduceSum", [n("scaled_logits"), n("axis")], n("total"), { keepdims: { int: 1 } }),
  ];
  return {
    initializers: [
      axis,
      ...constants,
      ...(moments ? [scalar("square_floor", -43.3), scalar("total_scale", TOTAL_SCALE)] : []),
    ],
    outputs: [
      n("max"),
      n("rest"),
      n("ties"),
      n("label_logit"),
      ...(moments ? [n("squares"), n("weighted"), n("argmax"), n("total")] : []),
    ],
    nodes: [
      reduceMax,
      op("Sub", [logits, n("max")], n("shifted")),
      op("Max", [n("shifted"), n("floor")], n("d")),
      op("Mul", [n("d"), n("log2e")], n("d_log2e")),
      // k = round(d·log2 e) by adding and removing 1.5·2^23 (ONNX Runtime's WebGPU provider has no Round)
      op("Add", [n("d_log2e"), n("magic")], n("k_magic")),
      op("Sub", [n("k_magic"), n("magic")], n("k")),
      op("Mul", [n("k"), n("ln2_hi")], n("k_ln2_hi")),
      op("Sub", [n("d"), n("k_ln2_hi")], n("r_hi")),
      op("Mul", [n("k"), n("ln2_lo")], n("k_ln2_lo")),
      op("Sub", [n("r_hi"), n("k_ln2_lo")], n("r")),
      ...horner,
      op("Pow", [n("two"), n("k")], n("scale")),
      op("Mul", [acc, n("scale")], n("scaled_terms")),
      // below float32's normal range (−∞ included): exactly 0, as in the CPU kernel (NaN stays)
      op("Less", [n("shifted"), n("floor")], n("negligible")),
      op("Where", [n("negligible"), n("zero"), n("scaled_terms")], n("terms")),
      op("Equal", [logits, n("max")], n("is_max")),
      op("Where", [n("is_max"), n("zero"), n("terms")], n("other_terms")),
      op("ReduceSum", [n("other_terms"), n("axis")], n("rest"), { keepdims: { int: 1 } }),
      op("Cast", [n("is_max")], n("is_max_float"), { to: { int: 1 } }),
      op("ReduceSum", [n("is_max_float"), n("axis")], n("ties"), { keepdims: { int: 1 } }),
      op("GatherElements", [logits, labels], n("label_logit"), { axis: { int: -1 } }),
      ...(moments ? momentNodes : []),
    ],
  };
}

/** The graph, encoded; with `moments` (see {@link rowStatisticsGraph}) its moments' outputs too. @internal */
export function rowStatisticsModel(moments = false): Uint8Array {
  return encodeModel(rowStatisticsGraph(moments), 17);
}
