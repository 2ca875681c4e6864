import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "properties/**/*.prop.test.ts"],
    exclude: ["test/gpu/**", "**/node_modules/**"], // npm run test:gpu (vitest.gpu.config.ts)
    setupFiles: ["test/setup/seed.ts"],
    testTimeout: 60_000,
  },
});
