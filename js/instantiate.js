// Instantiates the WASM core from a compiled WebAssembly.Module. Synchronous: Workers
// forbid compiling WASM from bytes at run time, so the module arrives compiled.
import createEdgefuseCore from "../dist/edgefuse_core.mjs";

export function instantiateCore(wasmModule) {
  const core = {
    instantiateWasm(imports, receiveInstance) {
      const instance = new WebAssembly.Instance(wasmModule, imports);
      receiveInstance(instance, wasmModule);
      return instance.exports;
    },
  };
  // With a synchronous instantiateWasm the runtime initialises before this call returns.
  createEdgefuseCore(core);
  if (typeof core.validateConfigJson !== "function") {
    throw new Error("edgefuse: the WASM core did not initialise (is dist/edgefuse_core.wasm intact?)");
  }
  return core;
}
