// The package in Node (scripts, CI jobs, the CLI): it imports without workerd, with the same
// WASM core, and a .wasm that reaches the core as anything but a compiled module is named.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GuardConfigError, RESOURCES, createGuard, estimateCost } from "../../js/index.js";
import { instantiateCore } from "../../js/instantiate.js";

test("the package imports in Node: configs validate and costs estimate with the same core", () => {
  assert.ok(RESOURCES.some((resource) => resource.id === "kv-reads"));
  assert.equal(createGuard({ plan: "free" }).config.plan, "free");
  assert.throws(() => createGuard({ plan: "gold" }), (error) => error instanceof GuardConfigError && error.problems[0].path === "plan");
  assert.equal(estimateCost({ "kv-reads": 20_000_000 }, { plan: "paid" }).totalOverageUsd, 5);
});

test("a .wasm bundled as something other than a compiled module is named, with the rule that fixes it", () => {
  for (const [value, got] of [
    ["./edgefuse_core.wasm", "a string"],
    [new Uint8Array(8), "a Uint8Array"],
    [null, "null"],
  ]) {
    assert.throws(() => instantiateCore(value), {
      message: new RegExp(`reached the Worker as ${got}, not as a compiled WebAssembly\\.Module.*CompiledWasm`),
    });
  }
});

test("edgefuse/testing: the simulator's Miniflare options point at shipped files; misuse is named", async () => {
  const { existsSync } = await import("node:fs");
  const { SIMULATOR_TOKEN, simulator, usageApiSimulator } = await import("edgefuse/testing");
  const options = usageApiSimulator({ accountIdEnv: "ACCOUNT", apiTokenEnv: "TOKEN" });
  for (const { path } of options.worker.modules) assert.ok(existsSync(path), `${path} exists`);
  assert.deepEqual(options.serviceBindings, { EDGEFUSE_USAGE_API_ENDPOINT: "edgefuse-usage-api" });
  assert.deepEqual(options.bindings, { ACCOUNT: "0123456789abcdef0123456789abcdef", TOKEN: SIMULATOR_TOKEN });
  assert.equal(options.worker.bindings.USAGE_API_TOKEN, SIMULATOR_TOKEN);
  assert.throws(() => usageApiSimulator({ endpoint: "x" }), /option "endpoint" is not one of name, endpointEnv/);
  assert.throws(() => usageApiSimulator({ endpointEnv: "" }), /option endpointEnv must be a name/);
  assert.throws(() => usageApiSimulator("x"), /takes an object, got "x"/);
  assert.throws(() => simulator(undefined), /simulator\(binding\) takes the simulator's service binding .* got undefined/);
});
