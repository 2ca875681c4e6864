import { describe, expect, it } from "vitest";
import { mkdtempSync, openSync, closeSync, writeSync, ftruncateSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readTensorFile, tensorFileInfo } from "../../src/batch/index.js";
import { expectLuceRejection, num } from "../helpers/close.js";

const dir = fileURLToPath(new URL("../fixtures/tensors/", import.meta.url));
const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Record<
  string,
  { shape: number[]; values: (number | string)[] }
>;

describe("reading tensors written by numpy and by the safetensors format", () => {
  for (const [key, want] of Object.entries(expected)) {
    it(key, async () => {
      const [file, name] = key.split(":");
      const t = await readTensorFile(join(dir, file), name);
      expect(t.shape).toEqual(want.shape);
      // float16 and bfloat16 widen to float32 exactly; float64 files stay float64
      expect(Array.from(t.data)).toEqual(want.values.map(num));
    });
  }
  it("lists a safetensors file's tensors", async () => {
    const infos = await tensorFileInfo(join(dir, "logits.safetensors"));
    expect(infos.map((t) => [t.name, t.dtype])).toEqual([
      ["logits", "float32"],
      ["half", "float16"],
      ["brain", "bfloat16"],
    ]);
  });
});

describe("hostile and malformed files get an error, never a crash or a huge allocation", () => {
  const tmp = mkdtempSync(join(tmpdir(), "luce-tensors-"));
  const write = (name: string, bytes: Uint8Array) => {
    const path = join(tmp, name);
    writeFileSync(path, bytes);
    return path;
  };
  const safetensors = (header: object, data = new Uint8Array(0)) => {
    let text = new TextEncoder().encode(JSON.stringify(header));
    const size = new Uint8Array(8);
    new DataView(size.buffer).setBigUint64(0, BigInt(text.length), true);
    const out = new Uint8Array(8 + text.length + data.length);
    out.set(size);
    out.set(text, 8);
    out.set(data, 8 + text.length);
    text = out;
    return text;
  };
  const npy = (header: string, data = new Uint8Array(0)) => {
    const h = new TextEncoder().encode(header);
    const out = new Uint8Array(10 + h.length + data.length);
    out.set([0x93, ...new TextEncoder().encode("NUMPY"), 1, 0]);
    new DataView(out.buffer).setUint16(8, h.length, true);
    out.set(h, 10);
    out.set(data, 10 + h.length);
    return out;
  };
  it("safetensors: header size beyond the file", async () => {
    const bytes = safetensors({});
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 60n, true);
    await expectLuceRejection(tensorFileInfo(write("big.safetensors", bytes)), "header size");
  });
  it("safetensors: a shape whose product overflows, offsets outside, overlap, bad dtype, bad JSON", async () => {
    await expectLuceRejection(
      tensorFileInfo(
        write(
          "a.safetensors",
          safetensors({ x: { dtype: "F32", shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, new Uint8Array(8)),
        ),
      ),
      'header["x"].shape',
    );
    await expectLuceRejection(
      tensorFileInfo(
        write(
          "b.safetensors",
          safetensors({ x: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8)),
        ),
      ),
      'header["x"].data_offsets',
    );
    await expectLuceRejection(
      tensorFileInfo(
        write(
          "c.safetensors",
          safetensors(
            {
              x: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
              y: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
            },
            new Uint8Array(12),
          ),
        ),
      ),
      'header["y"].data_offsets',
    );
    await expectLuceRejection(
      tensorFileInfo(
        write(
          "d.safetensors",
          safetensors({ x: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
        ),
      ),
      'header["x"].dtype',
    );
    await expectLuceRejection(
      tensorFileInfo(
        write(
          "e.safetensors",
          safetensors({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)),
        ),
      ),
      'header["x"].shape[0]',
    );
    await expectLuceRejection(
      tensorFileInfo(
        write(
          "f.safetensors",
          safetensors({ x: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
        ),
      ),
      'header["x"].shape',
    );
    const bad = safetensors({ x: 1 });
    bad[8] = 0x7b;
    bad[9] = 0xff;
    await expectLuceRejection(tensorFileInfo(write("g.safetensors", bad)), "header");
    await expectLuceRejection(tensorFileInfo(write("h.safetensors", new Uint8Array(3))), "path");
  });
  it("npy: bad magic, version, dtype, order, shape, size", async () => {
    await expectLuceRejection(tensorFileInfo(write("a.npy", new Uint8Array(20))), "path");
    const v9 = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4));
    v9[6] = 9;
    await expectLuceRejection(tensorFileInfo(write("b.npy", v9)), "path");
    await expectLuceRejection(
      tensorFileInfo(
        write("c.npy", npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4))),
      ),
      "header.descr",
    );
    await expectLuceRejection(
      tensorFileInfo(
        write("d.npy", npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", new Uint8Array(4))),
      ),
      "header.fortran_order",
    );
    await expectLuceRejection(
      tensorFileInfo(
        write(
          "e.npy",
          npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }", new Uint8Array(4)),
        ),
      ),
      "header.shape",
    );
    await expectLuceRejection(
      tensorFileInfo(
        write("f.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(4))),
      ),
      "header.shape",
    );
    await expectLuceRejection(
      tensorFileInfo(write("g.npy", npy("{'descr': '<f4', 'shape': (1,), }", new Uint8Array(4)))),
      "header.fortran_order",
    );
    const long = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }");
    new DataView(long.buffer).setUint16(8, 60000, true);
    await expectLuceRejection(tensorFileInfo(write("h.npy", long)), "path");
  });
  it("names: a missing or ambiguous tensor name", async () => {
    await expectLuceRejection(readTensorFile(join(dir, "logits.safetensors")), "name");
    await expectLuceRejection(readTensorFile(join(dir, "logits.safetensors"), "nope"), "name");
    await expectLuceRejection(tensorFileInfo(join(dir, "expected.json")), "path");
  });
  it("reads a file over 2 GiB in pieces (a sparse .npy of 2.1 GiB)", async () => {
    const path = join(tmp, "huge.npy");
    const elements = 2 ** 29 + 2 ** 24; // 2.06 GiB of float32
    const header = npy(`{'descr': '<f4', 'fortran_order': False, 'shape': (${elements},), }`);
    const fd = openSync(path, "w");
    writeSync(fd, header);
    ftruncateSync(fd, header.length + 4 * elements);
    const last = new Uint8Array(4);
    new DataView(last.buffer).setFloat32(0, 1.5, true);
    writeSync(fd, last, 0, 4, header.length + 4 * (elements - 1));
    closeSync(fd);
    const t = await readTensorFile(path);
    expect(t.shape).toEqual([elements]);
    expect(t.data.length).toBe(elements);
    expect(t.data[elements - 1]).toBe(1.5);
    expect(t.data[0]).toBe(0);
  }, 120_000);
});
