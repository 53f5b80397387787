// The storm test's Worker (tests/load/storm.mjs): the same small write behind two guards on
// the free plan, one with the real-time meter and one with the usage poll alone, each with a
// state namespace of its own. Each request writes 2 KV keys: far under every per-invocation
// limit. `/tick/<guard>` runs that guard's usage evaluation (the cron's work) on demand.
import { WorkerEntrypoint } from "cloudflare:workers";
import { createGuard } from "../../js/index.js";

export { EdgefuseMeter } from "../../js/index.js";

// The meter, served to the storm's other workerd processes. `wrangler dev` reaches a Durable
// Object across separate dev sessions only through a service binding (deployed, a Durable
// Object binding with script_name does it), so they call this entrypoint, which calls the
// one meter object here.
export class MeterHost extends WorkerEntrypoint {
  #meter() {
    return this.env.EDGEFUSE_METER.get(this.env.EDGEFUSE_METER.idFromName("edgefuse-meter"));
  }
  report(text) {
    return this.#meter().report(text);
  }
  baseline(text) {
    return this.#meter().baseline(text);
  }
  reset(text) {
    return this.#meter().reset(text);
  }
  recorded(text) {
    return this.#meter().recorded(text);
  }
}

// In another process: the meter namespace, as the guard uses it, reached through MeterHost.
const meterThrough = (host) => ({ idFromName: (name) => name, get: () => host });

const common = { plan: "free", endpoint: "http://usage-api/graphql", endpointBinding: "USAGE_API" };
const guards = {
  metered: createGuard({ ...common, stateBinding: "METERED_STATE", meter: {} }),
  polled: createGuard({ ...common, stateBinding: "POLLED_STATE" }),
};

// Keys are prefixed with the guard's name, so that /count/<guard> can tell what each let through.
const writer = (name) => ({
  async fetch(request, env) {
    const key = crypto.randomUUID();
    await env.KV.put(`${name}/a-${key}`, "x");
    await env.KV.put(`${name}/b-${key}`, "x");
    return new Response("written");
  },
});
const handlers = Object.fromEntries(Object.entries(guards).map(([name, guard]) => [name, guard.wrap(writer(name))]));

// The keys a guard's requests actually wrote (a refused request may have written its first).
async function written(env, name) {
  let count = 0;
  let cursor;
  do {
    const page = await env.KV.list({ prefix: `${name}/`, cursor });
    count += page.keys.length;
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return count;
}

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/__sim/")) return env.USAGE_API.fetch(request); // the simulator's script
    const [, action, name] = pathname.split("/");
    const guard = guards[name];
    if (!guard) return new Response("not found", { status: 404 });
    if (!env.EDGEFUSE_METER && env.METER_HOST) env = { ...env, EDGEFUSE_METER: meterThrough(env.METER_HOST) };
    if (action === "write") return handlers[name].fetch(request, env, ctx);
    if (action === "tick") return Response.json(await guard.evaluate(env));
    if (action === "meter") return Response.json(guard.meter);
    if (action === "count") return Response.json({ written: await written(env, name) });
    return new Response("not found", { status: 404 });
  },
};
