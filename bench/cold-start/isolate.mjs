// One fresh V8 isolate (a node process, run with --experimental-vm-modules) loading the
// bundle wrangler made of bench/cold-start/worker.js as workerd loads a Worker: its .wasm
// compiled first, then the script parsed, linked to it and evaluated (edgefuse's modules, createGuard
// instantiating the core and validating the config), then a first and a later request served
// with in-memory KV. The bundle is linked here with node:vm, not imported through node's
// module hooks, whose loader thread would add milliseconds of its own to each module.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { SourceTextModule, SyntheticModule } from "node:vm";

const scriptPath = process.argv[2];
// Node loads its fetch classes on first use: load them first, so that they are not timed.
await new Response(new Request("https://app.example/").body).text();
const source = readFileSync(scriptPath, "utf8");
const wasmName = source.match(/from\s*["']\.\/([^"']+\.wasm)["']/)?.[1];

const compileStart = performance.now();
const wasmModule = wasmName ? new WebAssembly.Module(readFileSync(join(dirname(scriptPath), wasmName))) : null;
const parseStart = performance.now();
const script = new SourceTextModule(source, { identifier: scriptPath });
const evaluateStart = performance.now();
await script.link((specifier) => {
  if (specifier === `./${wasmName}`) return synthetic({ default: wasmModule });
  // The runtime's base classes, unused by this Worker.
  if (specifier === "cloudflare:workers") return synthetic({ DurableObject: class {}, WorkerEntrypoint: class {} });
  throw new Error(`the bundle imports ${specifier}, which this bench does not provide`);
});
await script.evaluate();
const loaded = performance.now();
const worker = script.namespace.default;

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
console.log(JSON.stringify({ compile: parseStart - compileStart, parse: evaluateStart - parseStart, evaluate: loaded - evaluateStart, first: firstEnd - firstStart, second: secondEnd - firstEnd }));

function synthetic(exports) {
  const names = Object.keys(exports);
  return new SyntheticModule(names, function () {
    for (const name of names) this.setExport(name, exports[name]);
  });
}
