// Node module hooks for the cold-start bench: the .wasm import becomes a compiled
// WebAssembly.Module (as wrangler's rule makes it), and `cloudflare:workers` a stand-in
// (the runtime's base classes, unused here).
import { readFileSync } from "node:fs";

export async function resolve(specifier, context, next) {
  if (specifier === "cloudflare:workers") return { url: "bench:cloudflare-workers", shortCircuit: true };
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url === "bench:cloudflare-workers") return { format: "module", source: "export class DurableObject {}\nexport class WorkerEntrypoint {}", shortCircuit: true };
  if (url.endsWith(".wasm")) {
    const path = JSON.stringify(new URL(url).pathname);
    return { format: "module", source: `import { readFileSync } from "node:fs";\nexport default new WebAssembly.Module(readFileSync(${path}));`, shortCircuit: true };
  }
  return next(url, context);
}
