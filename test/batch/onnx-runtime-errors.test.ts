import { describe, expect, it, vi } from "vitest";
import type { LuceError } from "../../src/errors.js";

/** ONNX Runtime's message when Dawn finds no adapter (onnxruntime-node 1.2x on a machine without a GPU driver). */
const NO_ADAPTER_MESSAGE =
  "/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::" +
  "Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == " +
  "wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters";

/** The LuceError a promise rejects with; fails the test on anything else. */
async function rejection(p: Promise<unknown>): Promise<LuceError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  // by name: a test below re-imports the modules, so LuceError may be another instance of the class
  expect((error as Error | null)?.name, "expected a LuceError").toBe("LuceError");
  return error as LuceError;
}

describe("ONNX Runtime's failures as LuceErrors", () => {
  it('backend "webgpu" without an adapter: names options.backend, says what was missing and how to get one', async () => {
    vi.resetModules();
    const runtime = {
      InferenceSession: { create: () => Promise.reject(new Error(NO_ADAPTER_MESSAGE)) },
      Tensor: function Tensor() {},
    };
    vi.doMock("onnxruntime-node", () => ({ default: runtime, ...runtime }));
    try {
      const { sequenceLogProbs } = await import("../../src/batch/index.js");
      const logits = { data: new Float32Array(6), shape: [1, 2, 3] };
      const {
        function: fn,
        argument,
        message,
      } = await rejection(sequenceLogProbs(logits, [[0, 1]], { backend: "webgpu" }));
      expect([fn, argument]).toEqual(["sequenceLogProbs", "options.backend"]);
      expect(message).toContain("no WebGPU adapter was found");
      expect(message).toContain("docs/batches.md");
      expect(message).toContain("lavapipe");
      expect(message).toContain("Failed to get a WebGPU adapter: No supported adapters");
      expect(message).not.toContain("webgpu_context.cc");
    } finally {
      vi.doUnmock("onnxruntime-node");
      vi.resetModules();
    }
  });

  it("onnxruntime-node that cannot be loaded: names the package and the offline install", async () => {
    vi.resetModules();
    vi.doMock("onnxruntime-node", () => {
      throw new Error("Cannot find module 'onnxruntime-node'");
    });
    try {
      const { sequenceLogProbs } = await import("../../src/batch/index.js");
      const logits = { data: new Float32Array(6), shape: [1, 2, 3] };
      const error = await rejection(sequenceLogProbs(logits, [[0, 1]], { backend: "webgpu" }));
      expect(error.message).toContain("npm install onnxruntime-node --onnxruntime-node-install=skip");
      expect(error.message).toContain('"allowScripts": { "onnxruntime-node": false }');
    } finally {
      vi.doUnmock("onnxruntime-node");
      vi.resetModules();
    }
  });

  it("on this machine, webgpu either works or fails with the adapter LuceError, never ONNX Runtime's raw Error", async () => {
    const { sequenceLogProbs } = await import("../../src/batch/index.js");
    const logits = { data: new Float32Array([0, 0, 0, 0, Math.log(3), 0]), shape: [1, 2, 3] };
    const result = await sequenceLogProbs(logits, [[0, 1]], { backend: "webgpu" }).then(
      (r) => r,
      (e: unknown) => e,
    );
    if (result instanceof Float64Array) expect(result[0]).toBeCloseTo(-Math.log(3), 6);
    else {
      expect((result as Error).name).toBe("LuceError");
      expect((result as LuceError).argument).toBe("options.backend");
    }
  });

  it("model functions refuse unknown option keys and truthy stand-ins", async () => {
    const { CausalLanguageModel, dpoModelBatch } = await import("../../src/batch/index.js");
    const load = await rejection(CausalLanguageModel.load(new Uint8Array(4), { backnd: "cpu" } as never));
    expect([load.function, load.argument]).toEqual(["CausalLanguageModel.load", "options.backnd"]);
    const batch = await rejection(
      dpoModelBatch({ policy: {} as never, reference: {} as never, inputIds: [[0]] }, { beta: 1, mask: [] } as never),
    );
    expect([batch.function, batch.argument]).toEqual(["dpoModelBatch", "options.mask"]);
  });
});
