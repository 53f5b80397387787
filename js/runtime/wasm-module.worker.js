// The compiled WASM core in a Worker: wrangler's default rule imports a .wasm as a
// WebAssembly.Module, compiled when the isolate starts.
import wasmModule from "../../dist/edgefuse_core.wasm";

export default wasmModule;
