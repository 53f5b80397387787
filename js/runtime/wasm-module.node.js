// The compiled WASM core in Node (the CLI, scripts, tests): read and compiled from the
// package's own file.
import { readFileSync } from "node:fs";

export default new WebAssembly.Module(readFileSync(new URL("../../dist/edgefuse_core.wasm", import.meta.url)));
