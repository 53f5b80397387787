// Bundles the usage-API simulator (wrangler/simulator/usage-api.js, with graphql-js and the
// shim that reads the catalogue from the core) into dist/simulator.mjs: one module that
// edgefuse/testing hands to Miniflare as an auxiliary Worker, beside the core's .wasm,
// which stays a separate CompiledWasm module imported as "./edgefuse_core.wasm".
import { build } from "esbuild";

const repo = new URL("..", import.meta.url).pathname;
await build({
  entryPoints: [`${repo}wrangler/simulator/usage-api.js`],
  outfile: `${repo}dist/simulator.mjs`,
  bundle: true,
  format: "esm",
  platform: "neutral",
  conditions: ["workerd", "worker"],
  mainFields: ["module", "main"],
  external: ["cloudflare:*"],
  logLevel: "warning",
  banner: { js: "// Built by scripts/bundle-simulator.mjs from wrangler/simulator/usage-api.js: do not edit." },
  plugins: [
    {
      name: "core-wasm-beside",
      setup(bundler) {
        bundler.onResolve({ filter: /edgefuse_core\.wasm$/ }, () => ({ path: "./edgefuse_core.wasm", external: true }));
      },
    },
  ],
});
