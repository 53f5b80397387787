// Loads the WASM core once per isolate, on first use.
//
// The .wasm is imported as a compiled WebAssembly.Module (wrangler's default rule for
// .wasm imports), so instantiation is synchronous: the first caller instantiates it and
// every later or concurrent caller gets the same instance. No async single-flight lock is
// needed because nothing can interleave with a synchronous instantiation.
import createEdgefuseCore from "../dist/edgefuse_core.mjs";
import wasmModule from "../dist/edgefuse_core.wasm";

let core = null;
let instantiations = 0;

function instantiate() {
  const moduleArg = {
    // Workers forbid compiling WASM from bytes at run time; hand over the imported module.
    instantiateWasm(imports, receiveInstance) {
      const instance = new WebAssembly.Instance(wasmModule, imports);
      receiveInstance(instance, wasmModule);
      return instance.exports;
    },
  };
  createEdgefuseCore(moduleArg);
  if (typeof moduleArg.validateConfigJson !== "function") {
    throw new Error("edgefuse: the WASM core did not initialise (is dist/edgefuse_core.wasm intact?)");
  }
  instantiations += 1;
  return moduleArg;
}

/** Calls a JSON-in, JSON-out function of the core and returns its parsed envelope. */
export function callCore(name, ...args) {
  core ??= instantiate();
  return JSON.parse(core[name](...args));
}

/** How often this isolate has instantiated the core (1 once loaded): for tests and benchmarks. */
export function coreInstantiations() {
  return instantiations;
}
