// vitest.config.js
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { usageApiSimulator } from "edgefuse/testing";
import { defineConfig } from "vitest/config";

const simulator = usageApiSimulator(); // { endpointEnv, accountIdEnv, apiTokenEnv } if you renamed them

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      miniflare: {
        workers: [simulator.worker],
        serviceBindings: simulator.serviceBindings,
        bindings: simulator.bindings,
      },
    }),
  ],
  test: { include: ["test/*.test.js"] },
});
