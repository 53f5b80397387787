// One fresh V8 isolate (a node process) loading the bundle wrangler made of
// bench/cold-start/worker.js, as workerd loads a Worker: evaluate the script (edgefuse's
// modules, compiling the .wasm, createGuard instantiating the core and validating the
// config), then serve a first and a later request with in-memory KV.
import { register } from "node:module";

register("./node-hooks.mjs", import.meta.url);
// Node loads its fetch classes on first use: load them first, so that they are not timed.
await new Response(new Request("https://app.example/").body).text();
const start = performance.now();
const { default: worker } = await import(process.argv[2]);
const loaded = performance.now();
const state = JSON.stringify({ version: 1, breakers: {} });
const kv = (value) => ({ get: async () => value, getWithMetadata: async () => ({ value, metadata: null }), put: async () => {}, delete: async () => {}, list: async () => ({ keys: [] }) });
const env = { EDGEFUSE_STATE: kv(state), KV: kv("v"), GREETING: "hello" };
const request = new Request("https://app.example/");
const firstStart = performance.now();
const first = await worker.fetch(request, env, null);
await first.text();
const firstEnd = performance.now();
await (await worker.fetch(request, env, null)).text();
const secondEnd = performance.now();
console.log(JSON.stringify({ load: loaded - start, first: firstEnd - firstStart, second: secondEnd - firstEnd }));
