import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "properties/**/*.prop.test.ts"],
    setupFiles: ["test/setup/seed.ts"],
    testTimeout: 60_000,
  },
});
