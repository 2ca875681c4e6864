import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LuceError } from "../../src/errors.js";
import { readTensorFile, tensorFileInfo } from "../../src/batch/index.js";

/** The corpus of test/fixtures/hostile-tensors (made by its generate.py, which also records numpy's verdicts). */
interface HostileCase {
  readonly file: string;
  readonly argument: string;
  readonly problem: string;
  readonly why: string;
  readonly sparse_size?: number;
  readonly numpy?: { reads: boolean; dtype?: string; shape?: number[]; values?: number[]; error?: string };
  readonly numpy_reads_but_luce_refuses?: string;
}

const corpus = fileURLToPath(new URL("../fixtures/hostile-tensors/", import.meta.url));
const cases = JSON.parse(readFileSync(join(corpus, "expected.json"), "utf8")) as HostileCase[];
const tmp = mkdtempSync(join(tmpdir(), "luce-hostile-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The case's file as the reader must see it: a sparse copy extended to its declared size where it has one. */
function materialise(c: HostileCase): string {
  if (c.sparse_size === undefined) return join(corpus, c.file);
  const path = join(tmp, c.file);
  copyFileSync(join(corpus, c.file), path);
  truncateSync(path, c.sparse_size);
  return path;
}

/** The LuceError a promise rejects with (failing the test if it resolves or throws anything else). */
async function rejection(p: Promise<unknown>): Promise<LuceError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, "expected a LuceError").toBeInstanceOf(LuceError);
  return error as LuceError;
}

describe("the hostile tensor corpus: each file gets its error, quickly, without a large allocation", () => {
  for (const c of cases) {
    it(`${c.file}: ${c.why}`, async () => {
      const before = process.memoryUsage().arrayBuffers;
      const error = await rejection(readTensorFile(materialise(c)));
      expect([error.function, error.argument]).toEqual(["readTensorFile", c.argument]);
      expect(error.message).toContain(c.problem);
      expect(error.message.length).toBeLessThan(400);
      // a hostile header must not make the reader allocate anything near its declared size
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 2 ** 20);
    });
  }

  it("numpy refuses every .npy file luce refuses, except the documented cases", () => {
    for (const c of cases.filter((c) => c.numpy !== undefined)) {
      expect(c.numpy?.reads, c.file).toBe(c.numpy_reads_but_luce_refuses !== undefined);
    }
  });

  it("a header of exactly numpy's 10,000-byte limit is read, as numpy reads it", async () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }";
    const text = new TextEncoder().encode(header + " ".repeat(10_000 - header.length - 1) + "\n");
    const bytes = new Uint8Array(12 + text.length + 16);
    bytes.set([0x93, ...new TextEncoder().encode("NUMPY"), 2, 0]);
    new DataView(bytes.buffer).setUint32(8, text.length, true);
    bytes.set(text, 12);
    new DataView(bytes.buffer).setFloat32(12 + text.length + 4, 2.5, true);
    const path = join(tmp, "limit.npy");
    writeFileSync(path, bytes);
    const t = await readTensorFile(path);
    expect(Array.from(t.data)).toEqual([0, 2.5, 0, 0]);
  });

  it("a tensor of 2^32 elements is listed by tensorFileInfo (its header is valid)", async () => {
    const c = cases.find((c) => c.file === "four-billion-elements.npy")!;
    const [info] = await tensorFileInfo(materialise(c));
    expect(info.shape).toEqual([2 ** 32]);
  });

  it("headers that numpy writes with Python 2 long integers (2L) are read in versions 1 and 2", async () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 2L), }\n";
    const text = new TextEncoder().encode(header);
    const bytes = new Uint8Array(10 + text.length + 16);
    bytes.set([0x93, ...new TextEncoder().encode("NUMPY"), 1, 0]);
    new DataView(bytes.buffer).setUint16(8, text.length, true);
    bytes.set(text, 10);
    writeFileSync(join(tmp, "long.npy"), bytes);
    expect((await readTensorFile(join(tmp, "long.npy"))).shape).toEqual([2, 2]);
  });
});

describe("paths that are not regular tensor files", () => {
  it("a missing file, a directory, a FIFO and a device named *.npy are LuceErrors, never a hang", async () => {
    const missing = await rejection(readTensorFile(join(tmp, "missing.npy")));
    expect([missing.function, missing.argument]).toEqual(["readTensorFile", "path"]);
    expect(missing.message).toContain("does not exist");
    const missingTxt = await rejection(tensorFileInfo(join(tmp, "missing.txt")));
    expect(missingTxt.message).toContain("must end in .npy or .safetensors");
    mkdirSync(join(tmp, "folder.npy"));
    expect((await rejection(tensorFileInfo(join(tmp, "folder.npy")))).message).toContain("is a directory");
    symlinkSync("/dev/zero", join(tmp, "zero.npy"));
    expect((await rejection(tensorFileInfo(join(tmp, "zero.npy")))).message).toContain("not a regular file");
    if (process.platform !== "win32") {
      execFileSync("mkfifo", [join(tmp, "fifo.npy")]);
      // before the fix, open() blocked on the FIFO forever and the process could not exit
      expect((await rejection(tensorFileInfo(join(tmp, "fifo.npy")))).message).toContain("not a regular file");
      expect((await rejection(readTensorFile(join(tmp, "fifo.npy")))).function).toBe("readTensorFile");
    }
  });

  it("bad paths and names: non-strings, Symbols, an empty path", async () => {
    const fixture = fileURLToPath(new URL("../fixtures/tensors/logits.safetensors", import.meta.url));
    const symbol = await rejection(readTensorFile(fixture, Symbol("x") as unknown as string));
    expect([symbol.function, symbol.argument]).toEqual(["readTensorFile", "name"]);
    expect((await rejection(readTensorFile(""))).argument).toBe("path");
    expect((await rejection(tensorFileInfo(42 as unknown as string))).message).toContain("got 42");
    const absent = await rejection(readTensorFile(fixture, "nothing"));
    expect(absent.message).toContain('"nothing" is not in the file (it holds "logits", "half", "brain")');
  });

  it("a file of many tensors gives a short message that lists ten names and counts the rest", async () => {
    const entries = Array.from({ length: 500 }, (_, i) => [
      `t${i}`,
      { dtype: "F32", shape: [0], data_offsets: [0, 0] },
    ]);
    const text = new TextEncoder().encode(JSON.stringify(Object.fromEntries(entries)));
    const bytes = new Uint8Array(8 + text.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(text.length), true);
    bytes.set(text, 8);
    writeFileSync(join(tmp, "many.safetensors"), bytes);
    const error = await rejection(readTensorFile(join(tmp, "many.safetensors")));
    expect(error.message).toContain('"t9" and 490 more');
    expect(error.message.length).toBeLessThan(300);
  });

  it("the file descriptor of a refused file is closed", async () => {
    const fd = openSync(join(corpus, "double-comma.npy"), "r");
    closeSync(fd);
    for (let i = 0; i < 5; i++) await rejection(readTensorFile(join(corpus, "double-comma.npy")));
    const next = openSync(join(corpus, "double-comma.npy"), "r");
    closeSync(next);
    expect(next).toBe(fd);
  });
});
