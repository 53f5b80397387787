// One project per Worker: the package's own suite, and each example with its own wrangler
// config, all inside workerd through @cloudflare/vitest-plugin.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const project = (name, configPath, include) => ({
  plugins: [cloudflareTest({ wrangler: { configPath } })],
  test: { name, include },
});

export default defineConfig({
  test: {
    projects: [
      project("edgefuse", "./wrangler/test.jsonc", ["tests/workerd/**/*.test.js"]),
      ...["basic", "free-plan", "hono", "meter"].map((name) =>
        project(`examples/${name}`, `./examples/${name}/wrangler.jsonc`, [`examples/${name}/test/*.test.js`]),
      ),
      // The testing recipe, with its own config as a user's project has it.
      { extends: "./examples/testing/vitest.config.js", root: "./examples/testing", test: { name: "examples/testing" } },
    ],
  },
});
