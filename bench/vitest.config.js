// The benchmark suite runs inside workerd, like the tests, with the same local bindings.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler/test.jsonc" } })],
  test: { include: ["bench/**/*.bench.js"], testTimeout: 600_000 },
});
