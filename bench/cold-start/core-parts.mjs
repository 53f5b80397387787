// The core's loading steps timed apart, in a fresh node process: compiling the .wasm,
// instantiating it, and the first and second call of what a cold isolate calls first
// (validating a config and making the guard from it, reading the breaker state).
import { readFileSync } from "node:fs";
import { instantiateCore } from "../../js/instantiate.js";

const time = (step) => {
  const start = performance.now();
  const value = step();
  return [performance.now() - start, value];
};
const bytes = readFileSync(new URL("../../dist/edgefuse_core.wasm", import.meta.url));
const [compile, module] = time(() => new WebAssembly.Module(bytes));
const [instantiate, core] = time(() => instantiateCore(module));
const config = JSON.stringify({ plan: "free" });
const [validateFirst, reply] = time(() => core.createGuardJson(config));
const [validateSecond] = time(() => core.createGuardJson(config));
const { handle } = JSON.parse(reply);
const record = new TextEncoder().encode(JSON.stringify({ version: 1, breakers: {} }));
const readState = () => {
  const tick = new core.ViewRead(handle, JSON.stringify({ now: Date.now() }));
  if (JSON.parse(tick.next()).do !== "read") throw new Error("a view read starts with a KV read");
  tick.read(true, record, "");
  if (JSON.parse(tick.next()).result.view === null) throw new Error("the view read found no breakers");
  tick.delete();
};
const [stateFirst] = time(readState);
const [stateSecond] = time(readState);
console.log(JSON.stringify({ compile, instantiate, validateFirst, validateSecond, stateFirst, stateSecond }));
