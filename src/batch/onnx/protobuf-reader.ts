/** One top-level field of a protobuf message: its number, wire type and encoded bytes (tag included). @internal */
export interface ProtoField {
  readonly field: number;
  readonly wireType: number;
  /** The whole field as encoded, tag and all, for copying it unchanged. */
  readonly raw: Uint8Array;
  /** For a length-delimited field, its payload; else empty. */
  readonly payload: Uint8Array;
  /** For a varint field, its value. */
  readonly value: bigint;
}

function readVarint(bytes: Uint8Array, at: number): [bigint, number] {
  let value = 0n;
  for (let shift = 0n; at < bytes.length && shift < 70n; shift += 7n) {
    const byte = bytes[at++];
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, at];
  }
  throw new RangeError("malformed protobuf: a varint runs past its message");
}

/**
 * The top-level fields of a protobuf message, in order, without decoding their contents: enough to
 * copy a model's fields unchanged while appending to its graph. Throws a RangeError on bytes that
 * are not a well-formed message (a length past the end, an unknown wire type).
 * @internal
 */
export function readFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let at = 0;
  while (at < bytes.length) {
    const start = at;
    const [tag, afterTag] = readVarint(bytes, at);
    const field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    at = afterTag;
    let payload: Uint8Array = new Uint8Array(0);
    let value = 0n;
    if (wireType === 0) [value, at] = readVarint(bytes, at);
    else if (wireType === 1) at += 8;
    else if (wireType === 5) at += 4;
    else if (wireType === 2) {
      const [length, afterLength] = readVarint(bytes, at);
      if (afterLength + Number(length) > bytes.length)
        throw new RangeError("malformed protobuf: a field's length runs past its message");
      payload = bytes.subarray(afterLength, afterLength + Number(length));
      at = afterLength + Number(length);
    } else throw new RangeError(`malformed protobuf: wire type ${wireType}`);
    if (at > bytes.length || field === 0) throw new RangeError("malformed protobuf: a field runs past its message");
    fields.push({ field, wireType, raw: bytes.subarray(start, at), payload, value });
  }
  return fields;
}

/** The UTF-8 string in field `number` of a message, or undefined. @internal */
export function stringField(message: Uint8Array, number: number): string | undefined {
  const found = readFields(message).find((f) => f.field === number && f.wireType === 2);
  return found === undefined ? undefined : new TextDecoder().decode(found.payload);
}
