// Creates the row-statistics session on WebGPU with verbose logging; ONNX Runtime writes each
// node's provider to stderr, which test/gpu/webgpu.test.ts reads.
import * as ort from "onnxruntime-node";
import { rowStatisticsModel } from "../../dist/batch/onnx/row-statistics-graph.js";

await ort.InferenceSession.create(rowStatisticsModel(), {
  executionProviders: ["webgpu"],
  logSeverityLevel: 0,
  logVerbosityLevel: 0,
});
