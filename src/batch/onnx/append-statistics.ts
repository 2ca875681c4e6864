import { encodeNode, encodeTensor, encodeValueInfo } from "./model.js";
import { ProtoWriter } from "./protobuf.js";
import { readFields, stringField } from "./protobuf-reader.js";
import { rowStatisticsNodes } from "./row-statistics-graph.js";

/** Names of what {@link withRowStatistics} adds to a model. @internal */
export const APPENDED = {
  labels: "luce_labels",
  max: "luce_max",
  rest: "luce_rest",
  ties: "luce_ties",
  labelLogit: "luce_label_logit",
  squares: "luce_squares",
  weighted: "luce_weighted",
  argmax: "luce_argmax",
  total: "luce_total",
  logitsShape: "luce_logits_shape",
} as const;

/**
 * A causal language model with the row statistics appended to its graph: its `logits` output
 * [B, T, V] is flattened to [B·T, V] and reduced, on whatever device runs the model, to the four
 * [B·T, 1] outputs of {@link APPENDED}, given labels [B·T, 1] as the new input `luce_labels`; the
 * logits stop being an output, so they never travel to the host. The model's other fields are
 * copied byte for byte (protobuf lets a message's fields come in any order, and repeated fields
 * concatenate), so luce needs no full ONNX decoder.
 * With `moments`, the same run also gives the moments of {@link rowStatisticsNodes} (`luce_squares`, `luce_weighted`,
 * `luce_argmax` (int64), `luce_total` (Σ x times TOTAL_SCALE), each [B·T, 1]) and the flattened logits' shape
 * [B·T, V] (`luce_logits_shape`, int64 [2]: the mean logit divides by V, which the model's declared output may leave
 * symbolic); without, the graph
 * holds only the four statistics, so a plain scoring run costs what it did.
 * Throws a RangeError for bytes that are not a model, a model without that output, or one whose
 * default-domain opset is below 13.
 * @internal
 */
export function withRowStatistics(
  model: Uint8Array,
  logits: string,
  moments = false,
): { readonly model: Uint8Array; readonly vocabulary: number | null } {
  const fields = readFields(model);
  const graph = fields.find((f) => f.field === 7 && f.wireType === 2);
  if (graph === undefined) throw new RangeError("not an ONNX model: it has no graph");
  let opset = 0;
  for (const f of fields.filter((f) => f.field === 8 && f.wireType === 2)) {
    const domain = stringField(f.payload, 1) ?? "";
    const version = readFields(f.payload).find((g) => g.field === 2 && g.wireType === 0)?.value ?? 0n;
    if (domain === "" || domain === "ai.onnx") opset = Number(version);
  }
  if (opset < 13) throw new RangeError(`the model's opset is ${opset}: luce needs 13 or later`);

  const graphFields = readFields(graph.payload);
  const isLogitsOutput = (f: (typeof graphFields)[number]) =>
    f.field === 12 && f.wireType === 2 && stringField(f.payload, 1) === logits;
  if (!graphFields.some(isLogitsOutput)) {
    const names = graphFields.filter((f) => f.field === 12).map((f) => stringField(f.payload, 1));
    throw new RangeError(`the model has no output named '${logits}' (its outputs: ${names.join(", ")})`);
  }
  const vocabulary = lastDimension(graphFields.find(isLogitsOutput)!.payload);
  const flat = "luce_logits_2d";
  const parts = rowStatisticsNodes({ logits: flat, labels: APPENDED.labels, prefix: "luce_", opset, moments });
  const appended = new ProtoWriter();
  appended.message(
    1,
    encodeNode({ op: "Flatten", inputs: [logits], outputs: [flat], attributes: { axis: { int: 2 } } }, "luce_flatten"),
  );
  parts.nodes.forEach((node, i) => appended.message(1, encodeNode(node, `luce_node_${i}`)));
  for (const init of parts.initializers) appended.message(5, encodeTensor(init));
  appended.message(11, encodeValueInfo({ name: APPENDED.labels, type: "int64", shape: ["luce_rows", 1] }));
  for (const name of parts.outputs)
    appended.message(
      12,
      encodeValueInfo({ name, type: name === APPENDED.argmax ? "int64" : "float32", shape: ["luce_rows", 1] }),
    );
  if (moments) {
    appended.message(1, encodeNode({ op: "Shape", inputs: [flat], outputs: [APPENDED.logitsShape] }, "luce_shape"));
    appended.message(12, encodeValueInfo({ name: APPENDED.logitsShape, type: "int64", shape: [2] }));
  }

  const kept = graphFields.filter((f) => !isLogitsOutput(f)).map((f) => f.raw);
  const newGraph = concat([...kept, appended.finish()]);
  const rest = fields.filter((f) => f !== graph).map((f) => f.raw);
  return { model: concat([...rest, new ProtoWriter().bytes(7, newGraph).finish()]), vocabulary };
}

/**
 * The last dimension of a ValueInfoProto's tensor shape when it is a number
 * (ValueInfo.type.tensor_type.shape.dim[-1].dim_value).
 */
function lastDimension(valueInfo: Uint8Array): number | null {
  const sub = (bytes: Uint8Array | undefined, field: number) =>
    bytes === undefined ? undefined : readFields(bytes).find((f) => f.field === field && f.wireType === 2)?.payload;
  const shape = sub(sub(sub(valueInfo, 2), 1), 2);
  if (shape === undefined) return null;
  const dims = readFields(shape).filter((f) => f.field === 1);
  const last =
    dims.length === 0
      ? undefined
      : readFields(dims[dims.length - 1].payload).find((f) => f.field === 1 && f.wireType === 0);
  return last === undefined ? null : Number(last.value);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
