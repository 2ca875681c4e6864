import { describe, expect, it, vi } from "vitest";
import fixtures from "../fixtures/batch.json" with { type: "json" };
import synthetic from "../fixtures/batch_synthetic.json" with { type: "json" };
import { ProtoWriter } from "../../src/batch/onnx/protobuf.js";
import { scoreOnnx } from "../../src/batch/onnx-scoring.js";
import { readScoring } from "../../src/batch/scoring.js";
import type { SequenceLogProbsOptions } from "../../src/batch/sequence-log-probs.js";
import { expectClose, expectLuceRejection } from "../helpers/close.js";
import { syntheticBatch } from "../helpers/synthetic-logits.js";

describe("the protobuf writer", () => {
  it("encodes varints, negative int64, floats and strings as the protobuf specification's examples", () => {
    expect(Array.from(new ProtoWriter().int(1, 150).finish())).toEqual([0x08, 0x96, 0x01]);
    expect(Array.from(new ProtoWriter().int(1, 300).finish())).toEqual([0x08, 0xac, 0x02]);
    expect(Array.from(new ProtoWriter().int(3, -1).finish())).toEqual([
      0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ]);
    expect(Array.from(new ProtoWriter().float(2, 1.5).finish())).toEqual([0x15, 0x00, 0x00, 0xc0, 0x3f]);
    expect(Array.from(new ProtoWriter().string(2, "testing").finish())).toEqual([
      0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67,
    ]);
    expect(Array.from(new ProtoWriter().packedInts(4, [3, 270, 86942]).finish())).toEqual([
      0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05,
    ]);
  });
});

// The WebGPU backend's graph, run here on ONNX Runtime's CPU provider (no adapter needed); test/gpu
// runs the same graph on WebGPU.
describe("the row-statistics graph on ONNX Runtime's CPU provider", () => {
  const onCpu = async (logits: unknown, labels: unknown, options: SequenceLogProbsOptions = {}) =>
    (await scoreOnnx("test", readScoring("test", logits, labels, options), "cpu")).logps;
  for (const c of fixtures) {
    it(`${c.name}: 1e-7 relative of the 50-digit reference`, async () => {
      const want = (c as unknown as Record<string, string[]>)["shift=True,average=False"].map(Number);
      const got = await onCpu({ data: Float32Array.from(c.logits.map(Number)), shape: c.shape }, c.labels, {
        mask: c.mask,
      });
      got.forEach((v, b) => expectClose(v, want[b], { rel: 1e-7 }, `sequence ${b}`));
    });
  }
  for (const c of synthetic) {
    it(`${c.name} ${c.shape.join("×")}: 1e-7 relative of float64`, async () => {
      const { logits, labels } = syntheticBatch(c.seed, c.shape, c.peak);
      const got = await onCpu(logits, labels, { shift: false });
      got.forEach((v, b) => expectClose(v, Number(c.logps[b]), { rel: 1e-7 }, `sequence ${b}`));
    });
  }
  it("flags NaN rows, which the float64 scan then names", async () => {
    const nan = { data: new Float32Array(12), shape: [2, 2, 3] };
    nan.data[7] = Number.NaN;
    await expectLuceRejection(
      onCpu(
        nan,
        [
          [0, 0],
          [0, 0],
        ],
        { shift: false },
      ),
      "logits[1][0][1]",
    );
  });
});

describe("without onnxruntime-node", () => {
  it("backend webgpu is a LuceError naming the option and the package", async () => {
    vi.resetModules();
    vi.doMock("onnxruntime-node", () => {
      throw new Error("Cannot find package 'onnxruntime-node'");
    });
    const { sequenceLogProbs } = await import("../../src/batch/index.js");
    await expectLuceRejection(
      sequenceLogProbs({ data: new Float32Array(3), shape: [1, 1, 3] }, [[0]], { shift: false, backend: "webgpu" }),
      "options.backend",
    );
    await expect(
      sequenceLogProbs({ data: new Float32Array(3), shape: [1, 1, 3] }, [[0]], { shift: false, backend: "webgpu" }),
    ).rejects.toThrow(/npm install onnxruntime-node/);
    vi.doUnmock("onnxruntime-node");
    vi.resetModules();
  });
});
