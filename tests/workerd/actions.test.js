// Operator actions against the simulator's REST API: each action and its exact undo, the
// dry run, a failure and its retry (an undo's too), a reset restoring everything, a script
// name that does not match, and a token the API refuses.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SAFETY_NET_KEY, STATE_KEY, createGuard } from "../../js/index.js";
import { deployedEnv, logText, simulatorAt, simulatorConfig } from "./support.js";

const NOON = Date.parse("2026-11-23T12:00:00Z");
const ACCOUNT = env.USAGE_API_ACCOUNT_ID;
const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
const GUARD_CRON = "*/5 * * * *";
const SCRIPT_PATH = `/client/v4/accounts/${ACCOUNT}/workers/scripts/my-worker`;

const actionEnv = (extra = {}) =>
  deployedEnv({
    CF_ACTIONS_API_TOKEN: env.REST_API_TOKEN,
    EDGEFUSE_SCRIPT_NAME: "my-worker",
    EDGEFUSE_REST_API_ENDPOINT: env.USAGE_API,
    ALERT_WEBHOOK_URL: "https://receiver/hook/secret-path",
    ALERT_WEBHOOK_SECRET: "hook-signing-secret",
    ...extra,
  });

function guardWith(actions = {}) {
  const clock = { now: NOON };
  const guard = createGuard(
    {
      plan: "free",
      ...simulatorConfig,
      evaluateCron: GUARD_CRON,
      alerts: { channels: [{ type: "webhook", binding: "ALERT_RECEIVER" }], levels: ["trip", "recover"] },
      actions: { script: "my-worker", zones: [ZONE], on: { "kv-writes": ["disable-workers-dev", "detach-routes", "pause-crons"] }, ...actions },
    },
    { clock: () => clock.now },
  );
  return { guard, clock };
}

const sim = async (path, body) => (await env.USAGE_API.fetch(`http://sim${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) })).json();
const setUsage = (units) => sim("/__sim/usage", { resource: "kv-writes", units, date: "2026-11-23", mode: "set" });
const receiver = async (path, body) => (await env.ALERT_RECEIVER.fetch(`http://local${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) })).json();
const actionAlerts = async () => (await receiver("/__receiver/received")).map((m) => JSON.parse(m.body)).filter((body) => body.level === "action");

// The Worker as Cloudflare has it: workers.dev, its routes (and another Worker's), its crons.
async function platform() {
  const { scripts, zones } = await sim("/__sim/rest");
  const script = scripts[ACCOUNT]["my-worker"];
  return {
    subdomain: script.subdomain,
    routes: zones[ZONE].map((route) => `${route.pattern} -> ${route.script}`).sort(),
    crons: script.schedules.map((item) => item.cron),
  };
}
const restCalls = async () => (await sim("/__sim/rest")).calls.map((call) => `${call.method} ${call.path.replace(`/client/v4/accounts/${ACCOUNT}`, "").replace(`/client/v4/zones/${ZONE}`, "")} ${call.status}`);

const BEFORE = {
  subdomain: { enabled: true, previews_enabled: false },
  routes: ["example.com/api/* -> my-worker", "example.com/other/* -> other-worker", "shop.example.com/* -> my-worker"],
  crons: [GUARD_CRON, "0 3 * * *", "30 * * * *"],
};

let logs;
beforeEach(async () => {
  await sim("/__sim/reset", {});
  await simulatorAt(NOON);
  await receiver("/__receiver/reset", {});
  await env.EDGEFUSE_STATE.delete(STATE_KEY);
  await env.EDGEFUSE_STATE.delete(SAFETY_NET_KEY);
  await sim("/__sim/rest/scripts", { account: ACCOUNT, name: "my-worker", subdomain: BEFORE.subdomain, schedules: BEFORE.crons });
  for (const route of BEFORE.routes) {
    const [pattern, script] = route.split(" -> ");
    await sim("/__sim/rest/routes", { zone: ZONE, pattern, script });
  }
  logs = [];
  for (const method of ["log", "warn", "error"]) vi.spyOn(console, method).mockImplementation((...args) => logs.push(logText(args)));
});
afterEach(() => vi.restoreAllMocks());

describe("operator actions", () => {
  it("a trip takes the Worker off workers.dev and its routes and pauses its crons; recovery puts back exactly what was", async () => {
    const { guard, clock } = guardWith();
    await setUsage(950);
    const report = await guard.evaluate(actionEnv());
    expect(report.events.filter((event) => event.level === "action").map((event) => event.key).sort()).toEqual(["detach-routes", "disable-workers-dev", "pause-crons"]);
    expect(await platform()).toEqual({
      subdomain: { enabled: false, previews_enabled: false },
      routes: ["example.com/other/* -> other-worker"],
      crons: [GUARD_CRON], // the guard's own stays: it is what puts the rest back
    });
    const recorded = JSON.parse(await env.EDGEFUSE_STATE.get(STATE_KEY)).actions;
    expect(recorded["pause-crons"]).toMatchObject({ phase: "applied", undo: { schedules: BEFORE.crons } });
    expect(recorded["detach-routes"].undo.routes.map((route) => route.pattern).sort()).toEqual(["example.com/api/*", "shop.example.com/*"]);
    const alerts = await actionAlerts();
    expect(alerts.map((alert) => alert.key).sort()).toEqual(["detach-routes", "disable-workers-dev", "pause-crons"]);
    expect(alerts.find((alert) => alert.key === "detach-routes").message).toBe("detached 2 routes of my-worker (example.com/api/*, shop.example.com/*)");

    // A later tick with the line still over changes nothing and calls nothing.
    await sim("/__sim/rest/faults", { method: "GET", pathPrefix: "/client/v4", status: 500, times: 100 });
    clock.now += 5 * 60_000;
    await guard.evaluate(actionEnv());
    expect((await restCalls()).filter((call) => call.endsWith(" 500"))).toEqual([]);
    await sim("/__sim/reset", {}); // clears the faults, and the simulated platform: set it as the action left it
    await simulatorAt(clock.now);
    await sim("/__sim/rest/scripts", { account: ACCOUNT, name: "my-worker", subdomain: { enabled: false, previews_enabled: false }, schedules: [GUARD_CRON] });
    await sim("/__sim/rest/routes", { zone: ZONE, pattern: "example.com/other/*", script: "other-worker" });

    await setUsage(100);
    clock.now += 5 * 60_000;
    const recovered = await guard.evaluate(actionEnv());
    expect(recovered.events.filter((event) => event.level === "action").map((event) => event.message).sort()).toEqual([
      "put my-worker back on workers.dev as it was (on, previews off)",
      "re-attached 2 routes of my-worker (example.com/api/*, shop.example.com/*)",
      "restored my-worker's cron triggers (*/5 * * * *, 0 3 * * *, 30 * * * *)",
    ]);
    expect(await platform()).toEqual(BEFORE);
    expect(JSON.parse(await env.EDGEFUSE_STATE.get(STATE_KEY)).actions).toEqual({});
  });

  it("a reset puts everything back at once, each call shown in the logs", async () => {
    const { guard } = guardWith();
    await setUsage(950);
    await guard.evaluate(actionEnv());
    expect((await platform()).subdomain.enabled).toBe(false);
    await guard.reset(actionEnv(), ["kv-writes"]);
    expect(await platform()).toEqual(BEFORE);
    expect(logs.join("\n")).toContain(`edgefuse: POST https://api.cloudflare.com/client/v4/accounts/${ACCOUNT}/workers/scripts/my-worker/subdomain`);
    expect((await actionAlerts()).map((alert) => alert.message)).toContain("put my-worker back on workers.dev as it was (on, previews off)");
  });

  it("a dry run reads and says what it would do, once, and changes nothing", async () => {
    const { guard, clock } = guardWith({ dryRun: true });
    await setUsage(950);
    const report = await guard.evaluate(actionEnv());
    const said = report.events.filter((event) => event.level === "action");
    expect(said.every((event) => event.dryRun)).toBe(true);
    expect(said.map((event) => event.message).sort()).toEqual([
      "would detach 2 routes of my-worker (example.com/api/*, shop.example.com/*)",
      "would pause my-worker's cron triggers but the guard's own (*/5 * * * *, 0 3 * * *, 30 * * * *)",
      "would take my-worker off workers.dev (it is on)",
    ]);
    expect(await platform()).toEqual(BEFORE);
    expect((await restCalls()).every((call) => call.startsWith("GET"))).toBe(true);
    clock.now += 5 * 60_000;
    const again = await guard.evaluate(actionEnv());
    expect(again.events.filter((event) => event.level === "action")).toEqual([]);
  });

  it("a failed call is retried on the next tick, an undo's too, and nothing is left half-done without a record", async () => {
    const { guard, clock } = guardWith();
    await setUsage(950);
    await sim("/__sim/rest/faults", { method: "DELETE", pathPrefix: `/client/v4/zones/${ZONE}/workers/routes`, status: 503, times: 1 });
    const first = await guard.evaluate(actionEnv());
    expect(first.events.find((event) => event.key === "detach-routes").message).toMatch(/^detach-routes on my-worker failed: DELETE \/zones\/.+: HTTP 503: simulated failure \(code 10013\); retried on the next tick$/);
    // The undo was recorded before the first change: a reset now could put it all back.
    const recorded = JSON.parse(await env.EDGEFUSE_STATE.get(STATE_KEY)).actions["detach-routes"];
    expect(recorded).toMatchObject({ phase: "applying", attempts: 1 });
    expect(recorded.undo.routes).toHaveLength(2);
    clock.now += 5 * 60_000;
    const second = await guard.evaluate(actionEnv());
    // The first tick's other DELETE went through: what is left is detached now, and the undo
    // still holds both routes, read before either was touched.
    expect(second.events.find((event) => event.key === "detach-routes").message).toBe("detached 1 route of my-worker (example.com/api/*)");
    expect(JSON.parse(await env.EDGEFUSE_STATE.get(STATE_KEY)).actions["detach-routes"].undo.routes).toHaveLength(2);
    expect((await platform()).routes).toEqual(["example.com/other/* -> other-worker"]);

    await sim("/__sim/rest/faults", { method: "PUT", pathPrefix: `${SCRIPT_PATH}/schedules`, status: 500, times: 1 });
    await setUsage(100);
    clock.now += 5 * 60_000;
    const undoFailed = await guard.evaluate(actionEnv());
    expect(undoFailed.events.find((event) => event.key === "pause-crons").message).toMatch(/failed: PUT .*schedules: HTTP 500/);
    expect((await platform()).crons).toEqual([GUARD_CRON]);
    clock.now += 5 * 60_000;
    await guard.evaluate(actionEnv());
    expect(await platform()).toEqual(BEFORE);
  });

  it("a script name that does not match refuses every action, said once, and no call is made", async () => {
    const { guard, clock } = guardWith();
    await setUsage(950);
    const report = await guard.evaluate(actionEnv({ EDGEFUSE_SCRIPT_NAME: "another-worker" }));
    expect(report.events.filter((event) => event.level === "action").map((event) => event.message)).toEqual([
      'operator actions refused: env.EDGEFUSE_SCRIPT_NAME names the script "another-worker" but actions.script names "my-worker": no action is taken on a Worker the config does not name',
    ]);
    clock.now += 5 * 60_000;
    expect((await guard.evaluate(actionEnv({ EDGEFUSE_SCRIPT_NAME: "another-worker" }))).events.filter((event) => event.level === "action")).toEqual([]);
    expect(await restCalls()).toEqual([]);
    expect(await platform()).toEqual(BEFORE);
    expect(() => createGuard({ plan: "free", actions: { script: "My Worker", on: { "kv-writes": ["detach-routes"] } } })).toThrow(/actions\.script: must be a Worker's script name/);
    expect(() => createGuard({ plan: "free", actions: { script: "my-worker", on: { "kv-writes": ["pause-crons"] } } })).toThrow(/pause-crons needs evaluateCron/);
  });

  it("an expired or under-scoped token fails with the API's error, and the token appears nowhere", async () => {
    await sim("/__sim/rest/tokens", { token: "routes-only-token", scopes: ["workers-routes:write"] });
    const { guard } = guardWith();
    await setUsage(950);
    const report = await guard.evaluate(actionEnv({ CF_ACTIONS_API_TOKEN: "routes-only-token" }));
    const messages = report.events.filter((event) => event.level === "action").map((event) => event.message);
    // The account id masked, as in every alert.
    expect(messages).toContain("disable-workers-dev on my-worker failed: reading /accounts/0123…cdef/workers/scripts/my-worker/subdomain: HTTP 403: Authentication error (code 10000); retried on the next tick");
    expect(messages).toContain("detached 2 routes of my-worker (example.com/api/*, shop.example.com/*)");
    // An expired token: every call refused, each action said to have failed, nothing changed.
    await sim("/__sim/rest/tokens", { token: "expired-token", expired: true });
    await guard.reset(actionEnv(), ["kv-writes"]); // the routes go back with the env's good token
    await env.EDGEFUSE_STATE.delete(STATE_KEY); // and the guard starts afresh: the trip again
    await env.EDGEFUSE_STATE.delete(SAFETY_NET_KEY);
    expect((await platform()).routes).toEqual(BEFORE.routes);
    const expired = await guardWith().guard.evaluate(actionEnv({ CF_ACTIONS_API_TOKEN: "expired-token" }));
    const failures = expired.events.filter((event) => event.level === "action").map((event) => event.message);
    expect(failures).toHaveLength(3);
    expect(failures.every((message) => / failed: reading .*: HTTP 403: Authentication error \(code 10000\); retried on the next tick$/.test(message))).toBe(true);
    const everything = [JSON.stringify(report), JSON.stringify(expired), logs.join("\n"), await env.EDGEFUSE_STATE.get(STATE_KEY), ...(await receiver("/__receiver/received")).map((m) => m.body)].join("\n");
    expect(everything).not.toContain("routes-only-token");
    expect(everything).not.toContain("expired-token");
    expect(everything).not.toContain(env.REST_API_TOKEN);
  });

  it("a meter trip takes the actions within the requests that crossed its line, not at the next tick", async () => {
    const clock = { now: Date.parse("2027-01-01T00:00:00Z") }; // the meter's time never goes back
    const guard = createGuard(
      {
        plan: "paid",
        budget: { maxUsd: 50 },
        rates: { "kv-writes": { perMinute: 100, recoverPerMinute: 40 } },
        actions: { script: "my-worker", on: { "kv-writes": ["disable-workers-dev"] } },
      },
      { clock: () => clock.now },
    );
    const storm = guard.wrap({
      async fetch(request, workerEnv) {
        for (let i = 0; i < 30; i += 1) await workerEnv.KV.put(`storm-${i}`, "x");
        return new Response("ok");
      },
    });
    for (let i = 0; i < 6 && !guard.meter.breakers["kv-writes"]; i += 1) {
      clock.now += 1000;
      const ctx = createExecutionContext();
      await storm.fetch(new Request("http://w/"), actionEnv(), ctx);
      await waitOnExecutionContext(ctx); // the report, and the record it may have the duty to write
    }
    expect(guard.meter.breakers["kv-writes"]).toBeDefined();
    expect((await platform()).subdomain).toEqual({ enabled: false, previews_enabled: false });
    expect(JSON.parse(await env.EDGEFUSE_STATE.get(STATE_KEY)).actions["disable-workers-dev"]).toMatchObject({ phase: "applied", undo: BEFORE.subdomain });
  });
});
