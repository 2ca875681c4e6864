import { ProtoWriter } from "./protobuf.js";

/** Element types luce's graphs use, with ONNX's TensorProto.DataType codes. @internal */
const ONNX_TYPES = { float32: 1, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11 } as const;
/** An element type. @internal */
export type OnnxType = keyof typeof ONNX_TYPES;

/** A graph input or output: a name, an element type and a shape (a string is a named free dimension). @internal */
export interface ValueSpec {
  readonly name: string;
  readonly type: OnnxType;
  readonly shape: readonly (number | string)[];
}

/** A constant tensor stored in the model. @internal */
export interface InitializerSpec {
  readonly name: string;
  readonly type: "float32" | "int64";
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array;
}

/** An attribute value, tagged with its ONNX kind. @internal */
export type AttributeValue =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly string: string }
  | { readonly tensor: InitializerSpec };

/** One operator. @internal */
export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  readonly domain?: string;
}

/** A whole graph. @internal */
export interface GraphSpec {
  readonly name: string;
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly nodes: readonly NodeSpec[];
  readonly initializers?: readonly InitializerSpec[];
}

/** A TensorProto. @internal */
export function encodeTensor(t: InitializerSpec): ProtoWriter {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength); // little-endian raw data
  return new ProtoWriter().packedInts(1, t.dims).int(2, ONNX_TYPES[t.type]).string(8, t.name).bytes(9, bytes.slice());
}

/** A ValueInfoProto. @internal */
export function encodeValueInfo(v: ValueSpec): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape)
    shape.message(1, typeof d === "number" ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, ONNX_TYPES[v.type]).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

function attribute(name: string, value: AttributeValue): ProtoWriter {
  const a = new ProtoWriter().string(1, name);
  if ("int" in value) return a.int(20, 2).int(3, value.int);
  if ("float" in value) return a.int(20, 1).float(2, value.float);
  if ("ints" in value) return a.int(20, 7).packedInts(8, value.ints);
  if ("floats" in value) {
    a.int(20, 6);
    for (const f of value.floats) a.float(7, f);
    return a;
  }
  if ("string" in value) return a.int(20, 3).string(4, value.string);
  return a.int(20, 4).message(5, encodeTensor(value.tensor));
}

/** A NodeProto named `name`. @internal */
export function encodeNode(node: NodeSpec, name: string): ProtoWriter {
  const n = new ProtoWriter();
  for (const input of node.inputs) n.string(1, input);
  for (const output of node.outputs) n.string(2, output);
  n.string(3, name).string(4, node.op);
  for (const [key, value] of Object.entries(node.attributes ?? {})) n.message(5, attribute(key, value));
  if (node.domain !== undefined) n.string(7, node.domain);
  return n;
}

/**
 * Encodes a graph as an ONNX model (IR version 8, the default opset at `opset`), ready for
 * `InferenceSession.create(bytes)`.
 * @internal
 */
export function encodeModel(graph: GraphSpec, opset = 17): Uint8Array {
  const g = new ProtoWriter();
  graph.nodes.forEach((node, i) => g.message(1, encodeNode(node, `${node.op}_${i}`)));
  g.string(2, graph.name);
  for (const init of graph.initializers ?? []) g.message(5, encodeTensor(init));
  for (const input of graph.inputs) g.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) g.message(12, encodeValueInfo(output));
  return new ProtoWriter()
    .int(1, 8)
    .string(2, "luce")
    .message(7, g)
    .message(8, new ProtoWriter().string(1, "").int(2, opset))
    .finish();
}
