// Loads the tiny causal LM with luce's statistics appended (the plain variant, a path-loaded model's first session, and
// the one with the moments' outputs, a bytes-loaded model's one session and a path-loaded model's second),
// on WebGPU with verbose logging; ONNX Runtime writes each node's provider to stderr, which
// test/gpu/causal-lm.test.ts reads.
import * as ort from "onnxruntime-node";
import { withRowStatistics } from "../../dist/batch/onnx/append-statistics.js";
import { readFileSync } from "node:fs";

const model = readFileSync(process.argv[2]);
for (const moments of [false, true])
  await ort.InferenceSession.create(withRowStatistics(model, "logits", moments).model, {
    executionProviders: ["webgpu"],
    logSeverityLevel: 0,
    logVerbosityLevel: 0,
  });
