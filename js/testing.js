// edgefuse/testing: the usage-API simulator in your own tests.
//
// - In vitest.config (Node), usageApiSimulator() gives what @cloudflare/vitest-plugin needs to
//   run the simulator as an auxiliary Worker and bind it to your Worker as
//   env.EDGEFUSE_USAGE_API_ENDPOINT, with the simulator's account id and token as secrets.
// - In a test (workerd), simulator(env.EDGEFUSE_USAGE_API_ENDPOINT) scripts its usage, faults
//   and clock. Then guard.evaluate(env), or your Worker's scheduled handler, polls it.
//
// The simulator is the one `npx edgefuse simulator` serves (wrangler/simulator/usage-api.js),
// bundled with graphql-js into dist/simulator.mjs; the core's .wasm sits beside it.

/** The account id and API token the simulator accepts (and the only ones). */
export const SIMULATOR_ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
export const SIMULATOR_TOKEN = "simulator-token";

const SIMULATOR_COMPATIBILITY_DATE = "2026-11-01";

/**
 * Miniflare options for @cloudflare/vitest-plugin's `cloudflareTest({ miniflare })`:
 * `worker` (the simulator, for `miniflare.workers`), `serviceBindings` and `bindings` (for
 * your Worker: the simulator as env.<endpointEnv>, and the two secrets). Pass the env names
 * your guard config uses if you changed them.
 */
export function usageApiSimulator(options = {}) {
  const { name = "edgefuse-usage-api", endpointEnv = "EDGEFUSE_USAGE_API_ENDPOINT", accountIdEnv = "CF_ACCOUNT_ID", apiTokenEnv = "CF_API_TOKEN" } =
    checkedOptions(options);
  const dist = new URL("../dist/", import.meta.url);
  const path = (file) => decodeURIComponent(new URL(file, dist).pathname);
  return {
    worker: {
      name,
      compatibilityDate: SIMULATOR_COMPATIBILITY_DATE,
      modulesRoot: path("."),
      modules: [
        { type: "ESModule", path: path("simulator.mjs") },
        { type: "CompiledWasm", path: path("edgefuse_core.wasm") },
      ],
      bindings: { USAGE_API_TOKEN: SIMULATOR_TOKEN, USAGE_API_ACCOUNT_ID: SIMULATOR_ACCOUNT_ID },
    },
    serviceBindings: { [endpointEnv]: name },
    bindings: { [accountIdEnv]: SIMULATOR_ACCOUNT_ID, [apiTokenEnv]: SIMULATOR_TOKEN },
  };
}

const OPTION_NAMES = ["name", "endpointEnv", "accountIdEnv", "apiTokenEnv"];

function checkedOptions(options) {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`edgefuse/testing: usageApiSimulator(options) takes an object, got ${JSON.stringify(options)}`);
  }
  for (const [key, value] of Object.entries(options)) {
    if (!OPTION_NAMES.includes(key)) {
      throw new TypeError(`edgefuse/testing: usageApiSimulator option ${JSON.stringify(key)} is not one of ${OPTION_NAMES.join(", ")}`);
    }
    if (typeof value !== "string" || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(value)) {
      throw new TypeError(`edgefuse/testing: usageApiSimulator option ${key} must be a name (letters, digits, _ and -), got ${JSON.stringify(value)}`);
    }
  }
  return options;
}

/**
 * A client for the simulator behind `binding` (a service binding, or anything with the
 * fetch of one). Each method resolves to the simulator's answer, or rejects with its reason.
 */
export function simulator(binding) {
  if (typeof binding?.fetch !== "function") {
    throw new TypeError(
      `edgefuse/testing: simulator(binding) takes the simulator's service binding (env.EDGEFUSE_USAGE_API_ENDPOINT), got ${binding === null ? "null" : typeof binding}`,
    );
  }
  const call = async (method, path, body) => {
    const response = await binding.fetch(`http://usage-api${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(`edgefuse simulator: ${method} ${path}: ${answer.error ?? JSON.stringify(answer)}`);
    return answer;
  };
  return {
    /** Sets (or with `mode: "add"`, adds to) a resource's usage on `date` (default: today), per binding id if given. */
    setUsage: (resource, units, { binding: bindingId, date, mode = "set" } = {}) =>
      call("POST", "/__sim/usage", { resource, units, binding: bindingId, date, mode }),
    /** Usage recorded so far. */
    usage: async () => (await call("GET", "/__sim/usage")).usage,
    /** Makes later answers fail: `{ kind: "http-500" | "timeout" | …, dataset?, times? }`. */
    fault: (spec) => call("POST", "/__sim/faults", spec),
    clearFaults: () => call("DELETE", "/__sim/faults"),
    /** The simulator's now (an ISO time, or null for the real clock): what "today" and retention follow. */
    setClock: (now) => call("POST", "/__sim/clock", { now }),
    /** Forgets usage, faults, requests and the clock. */
    reset: () => call("POST", "/__sim/reset", {}),
    /** The GraphQL requests it has answered, newest last. */
    requests: async () => (await call("GET", "/__sim/requests")).requests,
  };
}
