import { defineConfig } from "vitest/config";

/**
 * The float32 kernel's tests, run a second time on its portable build (LUCE_KERNEL=portable): the
 * first run uses the fused build, which luce picks wherever relaxed SIMD can be had (Node 20
 * included, see src/batch/cpu/worker-pool.ts).
 */
const kernelTests = [
  "test/batch/wasm-kernel.test.ts",
  "test/batch/sequence-log-probs.test.ts",
  "test/batch/logit-metrics.test.ts",
];

export default defineConfig({
  test: {
    setupFiles: ["test/setup/seed.ts"],
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "luce",
          include: ["test/**/*.test.ts", "properties/**/*.prop.test.ts"],
          exclude: ["test/gpu/**", "**/node_modules/**"], // npm run test:gpu (vitest.gpu.config.ts)
        },
      },
      {
        extends: true,
        test: { name: "portable kernel", include: kernelTests, env: { LUCE_KERNEL: "portable" } },
      },
    ],
  },
});
