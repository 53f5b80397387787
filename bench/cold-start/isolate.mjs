// One fresh V8 isolate (a node process) loading edgefuse as a Worker does: evaluate its
// modules (compiling the .wasm), create a guard (instantiating the core), then serve a first
// and a later request through guard.wrap with a do-nothing handler and in-memory KV.
import { register } from "node:module";

register("./node-hooks.mjs", import.meta.url);
const start = performance.now();
const { createGuard } = await import("../../js/index.js");
const loaded = performance.now();
const guard = createGuard({ plan: "free" });
const created = performance.now();
const state = JSON.stringify({ version: 1, breakers: {} });
const kv = (value) => ({ get: async () => value, getWithMetadata: async () => ({ value, metadata: null }), put: async () => {}, delete: async () => {}, list: async () => ({ keys: [] }) });
const env = { EDGEFUSE_STATE: kv(state), KV: kv("v"), GREETING: "hello" };
const worker = guard.wrap({ fetch: async (request, guarded) => new Response(await guarded.KV.get("k")) });
const request = new Request("https://app.example/");
const firstStart = performance.now();
await worker.fetch(request, env, null);
const firstEnd = performance.now();
await worker.fetch(request, env, null);
const secondEnd = performance.now();
console.log(JSON.stringify({ load: loaded - start, create: created - loaded, first: firstEnd - firstStart, second: secondEnd - firstEnd }));
