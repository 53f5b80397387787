// Instantiates the WASM core from a compiled WebAssembly.Module. Synchronous: Workers
// forbid compiling WASM from bytes at run time, so the module arrives compiled.
import createEdgefuseCore from "../dist/edgefuse_core.mjs";

export function instantiateCore(wasmModule) {
  if (!(wasmModule instanceof WebAssembly.Module)) {
    const got = wasmModule === null ? "null" : typeof wasmModule === "object" ? `a ${wasmModule.constructor?.name ?? "plain object"}` : `a ${typeof wasmModule}`;
    throw new Error(
      `edgefuse: dist/edgefuse_core.wasm reached the Worker as ${got}, not as a compiled WebAssembly.Module. ` +
        "Wrangler imports .wasm files that way by default; another bundler must leave the .wasm import " +
        "to the runtime as a CompiledWasm module (wrangler rules: [{ type: \"CompiledWasm\", globs: [\"**/*.wasm\"] }])",
    );
  }
  const core = {
    instantiateWasm(imports, receiveInstance) {
      const instance = new WebAssembly.Instance(wasmModule, imports);
      receiveInstance(instance, wasmModule);
      return instance.exports;
    },
  };
  // With a synchronous instantiateWasm the runtime initialises before this call returns.
  createEdgefuseCore(core);
  if (typeof core.createGuardJson !== "function") {
    throw new Error("edgefuse: the WASM core did not initialise (is dist/edgefuse_core.wasm intact?)");
  }
  return core;
}
