// Creates the row-statistics sessions on WebGPU (the plain graph, and the one with the moments' outputs) with verbose
// logging; ONNX Runtime writes each node's provider to stderr, which test/gpu/webgpu.test.ts reads.
import * as ort from "onnxruntime-node";
import { rowStatisticsModel } from "../../dist/batch/onnx/row-statistics-graph.js";

for (const moments of [false, true])
  await ort.InferenceSession.create(rowStatisticsModel(moments), {
    executionProviders: ["webgpu"],
    logSeverityLevel: 0,
    logVerbosityLevel: 0,
  });
