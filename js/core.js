// The WASM core, loaded once per isolate on first use.
//
// The .wasm arrives as a compiled WebAssembly.Module (in a Worker, wrangler's default rule
// for .wasm imports; in Node, compiled from the package's file: see package.json
// "imports"), so instantiation is synchronous: the first caller instantiates it and every
// later or concurrent caller gets the same instance. No async single-flight lock is needed
// because nothing can interleave with a synchronous instantiation.
import wasmModule from "#wasm-module";
import { instantiateCore } from "./instantiate.js";

let core = null;
let instantiations = 0;

/** The core's exports: embind functions and the raw `_edgefuse_*` hot-path exports. */
export function coreExports() {
  if (!core) {
    core = instantiateCore(wasmModule);
    instantiations += 1;
  }
  return core;
}

// Frees what the core holds for a JS object once nothing can reach that object: a guard made
// and dropped (per request, say), or a tick abandoned mid-await when its waitUntil ran out.
const releases = typeof FinalizationRegistry === "function" ? new FinalizationRegistry((release) => release()) : null;

/** Frees the core's part of `owner` (`release` must not hold `owner`) once `owner` is unreachable. */
export function releaseWith(owner, release) {
  releases?.register(owner, release, owner);
}

/**
 * One of the core's multi-step drivers, stepped by `next()` and fed by `handle`, `read` and
 * `answer`; `delete()` frees it. Kind "view" reads the breakers an isolate enforces; any
 * other is a poll tick of the kind its `start` names.
 */
export function coreDriver(kind, handle, start) {
  const core = coreExports();
  const id = core.driverStart(handle, kind, start);
  if (id < 0) throw new Error(`edgefuse: the WASM core has no guard ${handle}`);
  const driver = {
    next: () => core.driverNext(id),
    handle: (result) => core.driverHandle(id, result),
    read: (found, value, error) => core.driverRead(id, found, value, error),
    answer: (index, status, body, error) => core.driverAnswer(id, index, status, body, error),
    delete: () => {
      releases?.unregister(driver);
      core.driverEnd(id);
    },
  };
  releaseWith(driver, () => core.driverEnd(id));
  return driver;
}

/** Calls a JSON-in, JSON-out function of the core and returns its parsed envelope. */
export function callCore(name, ...args) {
  return JSON.parse(coreExports()[name](...args));
}

/** How often this isolate has instantiated the core (1 once loaded): for tests and benchmarks. */
export function coreInstantiations() {
  return instantiations;
}

/** Bytes of WASM memory the core holds: for the load test's leak check. */
export function coreMemoryBytes() {
  return core ? core.HEAPU8.length : 0;
}

/** Bytes the core's heap holds in allocations now: for tests that check what is freed. */
export function coreHeapBytesInUse() {
  return core ? core._edgefuse_heap_in_use() : 0;
}
