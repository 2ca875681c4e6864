import { create, globals } from "webgpu";

/** The WebGPU adapter Dawn offers here (the one ONNX Runtime's WebGPU provider uses), or null. */
export async function webgpuAdapter(): Promise<{
  description: string;
  architecture: string;
  vendor: string;
  fallback: boolean;
} | null> {
  Object.assign(globalThis, globals);
  const adapter = await create([]).requestAdapter();
  if (adapter === null) return null;
  const info = adapter.info;
  return {
    description: info.description || info.device,
    architecture: info.architecture,
    vendor: info.vendor,
    fallback: info.isFallbackAdapter ?? false,
  };
}
