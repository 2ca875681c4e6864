import { defineConfig } from "vitest/config";

/**
 * The float32 kernel's tests, run a second time with relaxed SIMD on so that its fused build is
 * tested too. Node 20 needs the flag; Node 22 and later have relaxed SIMD on, so there both
 * projects run the fused build (CI runs Node 20, which tests both).
 */
const kernelTests = ["test/batch/wasm-kernel.test.ts", "test/batch/sequence-log-probs.test.ts"];
const relaxedSimdFlag = process.versions.node.startsWith("20.") ? ["--experimental-wasm-relaxed-simd"] : [];

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
        test: { name: "fused kernel", include: kernelTests, execArgv: relaxedSimdFlag },
      },
    ],
  },
});
