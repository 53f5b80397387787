// The core's loading steps timed apart, in a fresh node process: compiling the .wasm,
// instantiating it, and the first and second call of what a cold isolate calls first
// (validating a config and making the guard from it, reading the breaker state, guarding a
// call). With --until=<step> it stops after that step (compile, instantiate, guard, read or
// call), for a run under node --trace-wasm-compilation-times to count what the steps up to it
// compiled: V8 prints its trace through a buffer of its own, so markers printed between steps
// would not land in order.
import { readFileSync } from "node:fs";
import { instantiateCore } from "../../js/instantiate.js";

const until = process.argv.find((arg) => arg.startsWith("--until="))?.slice("--until=".length);
const time = (step, name) => {
  const start = performance.now();
  const value = step();
  const elapsed = performance.now() - start;
  if (name === until) process.exit(0);
  return [elapsed, value];
};
const bytes = readFileSync(new URL("../../dist/edgefuse_core.wasm", import.meta.url));
const [compile, module] = time(() => new WebAssembly.Module(bytes), "compile");
const [instantiate, core] = time(() => instantiateCore(module), "instantiate");
const config = JSON.stringify({ plan: "free" });
const [validateFirst, reply] = time(() => core.createGuardJson(config), "guard");
const [validateSecond] = time(() => core.createGuardJson(config), "guard again");
const { handle } = JSON.parse(reply);
const record = new TextEncoder().encode(JSON.stringify({ version: 1, breakers: {} }));
// As js/core.js coreDriver steps it (not imported: js/core.js compiles the .wasm on import).
const readState = () => {
  const view = core.driverStart(handle, "view", JSON.stringify({ now: Date.now() }));
  if (JSON.parse(core.driverNext(view)).do !== "read") throw new Error("a view read starts with a KV read");
  core.driverRead(view, true, record, "");
  if (JSON.parse(core.driverNext(view)).result.view === null) throw new Error("the view read found no breakers");
  core.driverEnd(view);
};
const [stateFirst] = time(readState, "read");
const [stateSecond] = time(readState, "read again");
// What a guarded KV.get asks of the core: its call site once, then an invocation's count.
const guardCall = () => {
  const meter = core.defineMeter(handle, "kv-reads", "KV");
  const invocation = core._edgefuse_begin(handle, 0);
  if (core._edgefuse_admit(handle, invocation, meter, 1) !== 0) throw new Error("a first KV read is allowed");
  core._edgefuse_finish(handle, invocation);
};
const [callFirst] = time(guardCall, "call");
const [callSecond] = time(guardCall, "call again");
console.log(JSON.stringify({ compile, instantiate, validateFirst, validateSecond, stateFirst, stateSecond, callFirst, callSecond }));
