import { defineConfig } from "vitest/config";

// `npm run test:gpu`: the WebGPU tests, on whatever adapter exists (lavapipe in CI, see .ci/run).
// The node-placement tests run scripts against dist/, which `npm test` (or `npm run build`) makes.
export default defineConfig({
  test: {
    include: ["test/gpu/**/*.test.ts"],
    setupFiles: ["test/setup/seed.ts"],
    testTimeout: 300_000,
    fileParallelism: false,
  },
});
