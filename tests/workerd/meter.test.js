// The real-time meter in workerd: guards standing for separate isolates report their counts
// to the real EdgefuseMeter Durable Object (local SQLite storage), which trips a rate line
// crossed by all of them together; each guard refuses from its next answer on.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { SAFETY_NET_KEY, STATE_KEY, createGuard } from "../../js/index.js";
import { renderDashboard } from "../../js/dashboard.js";
import { deployedEnv, simulatorAt, simulatorConfig } from "./support.js";

// The meter's time never goes back: each test runs an hour after the last.
let era = Date.parse("2026-12-01T00:00:00Z");
function clockForTest() {
  era += 3_600_000;
  return { now: era };
}

const LINE = { "kv-writes": { perMinute: 100, recoverPerMinute: 40 } };
const config = (extra = {}) => ({ plan: "paid", budget: { maxUsd: 50 }, rates: LINE, ...extra });

// A Worker whose every request writes `writes` KV keys: each far under every per-invocation limit.
function worker(guard, writes) {
  return guard.wrap({
    async fetch(request, workerEnv) {
      for (let i = 0; i < writes; i += 1) await workerEnv.KV.put(`meter-${i}`, "x");
      return new Response("ok");
    },
  });
}

// One request, its background report included.
async function request(handler, workerEnv = env) {
  const ctx = createExecutionContext();
  const response = await handler.fetch(new Request("http://w/"), workerEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

// The meter's rate for kv-writes, asked as an isolate with nothing to report would.
async function meterRate(now) {
  const meter = env.EDGEFUSE_METER.get(env.EDGEFUSE_METER.idFromName("edgefuse-meter"));
  const lines = { "kv-writes": LINE["kv-writes"] };
  return (await meter.report(JSON.stringify({ now, lines, units: {} }))).rates["kv-writes"];
}

describe("the real-time meter", () => {
  it("trips a rate line crossed by several isolates together; each refuses from its next answer", async () => {
    const clock = clockForTest();
    const isolates = [0, 1, 2].map(() => {
      const guard = createGuard(config(), { clock: () => clock.now });
      return { guard, handler: worker(guard, 5) };
    });
    // Each isolate alone stays far under the line: 3 isolates x 6 requests x 5 writes = 90.
    for (let round = 0; round < 6; round += 1) {
      for (const { handler } of isolates) {
        clock.now += 100;
        expect((await request(handler)).status).toBe(200);
      }
    }
    expect(isolates.every(({ guard }) => Object.keys(guard.meter.breakers).length === 0)).toBe(true);
    // Together they cross it: the report that carries the units past 100 trips it.
    let admitted = 90;
    let refusedAt = null;
    for (let round = 0; round < 10 && refusedAt === null; round += 1) {
      for (const { handler } of isolates) {
        clock.now += 300;
        const response = await request(handler);
        if (response.status === 503) {
          refusedAt = admitted;
          const body = await response.json();
          expect(body.resource).toBe("kv-writes");
          // The meter's trip, or (near the line, where the three share what is left) this
          // isolate's share spent.
          expect(body.message).toMatch(/in the last minute across isolates, at or past the rate line of 100 a minute|this isolate alone has used them/);
          break;
        }
        admitted += 5;
      }
    }
    expect(refusedAt).not.toBeNull();
    // Each report is due at 5% of what is left under the line, and near it each isolate may
    // spend only its share: little passes it, and refusals start at most a request early.
    expect(refusedAt).toBeGreaterThanOrEqual(100 - 3 * 5);
    expect(refusedAt).toBeLessThanOrEqual(100 + 3 * 5 * 2);
    expect(await meterRate(clock.now)).toBeLessThanOrEqual(100 + 3 * 5);
    // The storm goes on: its last units reach the line in shares, and the meter trips it.
    for (let round = 0; round < 10 && !isolates.every(({ guard }) => guard.meter.breakers["kv-writes"]?.reason.includes("rate line")); round += 1) {
      for (const { handler } of isolates) {
        clock.now += 300;
        await request(handler);
      }
    }
    expect(await meterRate(clock.now)).toBeLessThanOrEqual(100 + 3 * 5);
    // Every isolate refuses, with the meter's trip.
    for (const { guard, handler } of isolates) {
      expect(guard.meter.breakers["kv-writes"].source).toBe("meter");
      clock.now += 300;
      expect((await request(handler)).status).toBe(503);
    }
  });

  it("recovers at its recover line, not its trip line, and only then", async () => {
    const clock = clockForTest();
    const guard = createGuard(config(), { clock: () => clock.now });
    const handler = worker(guard, 30);
    for (let i = 0; i < 4; i += 1) {
      clock.now += 1000;
      await request(handler);
    }
    expect(guard.meter.breakers["kv-writes"]).toBeDefined();
    const trippedAt = clock.now;
    // 30 s on: under the trip line's 100 once older buckets age out, not under 40 yet.
    clock.now = trippedAt + 30_000;
    await request(handler);
    expect((await request(handler)).status).toBe(503);
    // With no writes admitted since, the rate falls to 0 a minute (and a bucket) after the trip.
    clock.now = trippedAt + 66_000;
    await request(handler); // refused, and its report finds the line recovered
    expect(guard.meter.breakers).toEqual({});
    expect(await meterRate(clock.now)).toBe(0);
    expect((await request(handler)).status).toBe(200);
  });

  it("a manual reset wins over the meter: its trip ends at once and is held off", async () => {
    const clock = clockForTest();
    const guard = createGuard(config(), { clock: () => clock.now });
    const other = createGuard(config(), { clock: () => clock.now });
    const handler = worker(guard, 30);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      for (let i = 0; i < 4; i += 1) {
        clock.now += 1000;
        await request(handler);
      }
      expect((await request(handler)).status).toBe(503);
      await guard.reset(env, ["kv-writes"], { holdSeconds: 120 });
      expect(guard.meter.breakers).toEqual({});
      // The storm goes on, far over the line, and is let through while the reset holds...
      for (let i = 0; i < 4; i += 1) {
        clock.now += 1000;
        expect((await request(handler)).status).toBe(200);
      }
      // ...by every isolate, whose reports the meter answers without the trip.
      await request(worker(other, 1));
      expect(other.meter.breakers).toEqual({});
      // Once the hold is over, the line trips again.
      clock.now += 121_000;
      for (let i = 0; i < 5; i += 1) {
        clock.now += 1000;
        await request(handler);
      }
      expect(guard.meter.breakers["kv-writes"]).toBeDefined();
    } finally {
      log.mockRestore();
    }
  });

  it("a per-feature line trips that feature's requests only; the rest of the Worker carries on", async () => {
    const clock = clockForTest();
    const guard = createGuard(
      config({ features: { import: { route: "/import/" } }, rates: { "kv-writes@import": { perMinute: 50 } } }),
      { clock: () => clock.now },
    );
    const handler = worker(guard, 10);
    const at = async (path) => {
      const ctx = createExecutionContext();
      const response = await handler.fetch(new Request(`http://w${path}`), env, ctx);
      await waitOnExecutionContext(ctx);
      return response;
    };
    // Other routes write far more than the import's line, and are never refused.
    for (let i = 0; i < 10; i += 1) {
      clock.now += 300;
      expect((await at("/api/items")).status).toBe(200);
    }
    let importsAdmitted = 0;
    let refused = null;
    for (let i = 0; i < 20 && !refused; i += 1) {
      clock.now += 300;
      const response = await at("/import/csv");
      if (response.status === 200) importsAdmitted += 1;
      else refused = await response.json();
    }
    expect(refused?.message).toMatch(/kv-writes@import: \d+ in the last minute across isolates, at or past the rate line of 50 a minute/);
    expect(importsAdmitted).toBeGreaterThanOrEqual(5);
    expect(importsAdmitted).toBeLessThanOrEqual(6);
    expect(Object.keys(guard.meter.breakers)).toEqual(["kv-writes@import"]);
    // The status report and page show the meter's trip as this isolate holds it.
    const status = await guard.status(env);
    expect(Object.keys(status.meter.breakers)).toEqual(["kv-writes@import"]);
    const page = renderDashboard(status, { adminPath: "/__edgefuse" });
    expect(page).toMatch(/<h2>Real-time meter<\/h2>\s*<ul class="breakers" data-meter="true"><li><strong>kv-writes@import<\/strong>: kv-writes@import: \d+ in the last minute/);
    clock.now += 300;
    expect((await at("/api/items")).status).toBe(200);
    expect((await at("/imports")).status).toBe(200); // not below /import/
    // The operator resets the feature's line by its key: the import runs again, held off
    // for the minute, while a whole-resource key still clears as before.
    await expect(guard.trip(env, "kv-writes@import")).rejects.toThrow(/only the real-time meter trips those/);
    await guard.reset(env, ["kv-writes@import", "kv-writes"]);
    expect(guard.meter.breakers).toEqual({});
    clock.now += 300;
    expect((await at("/import/csv")).status).toBe(200);
  });

  it("cron and queue invocations are labelled with their features too", async () => {
    const clock = clockForTest();
    const guard = createGuard(
      config({
        features: { nightly: { cron: "0 3 * * *" }, ingest: { queue: "events" } },
        rates: { "kv-writes@nightly": { perMinute: 20 }, "kv-writes@ingest": { perMinute: 1000 } },
      }),
      { clock: () => clock.now },
    );
    const handler = guard.wrap({
      async scheduled(controller, workerEnv) {
        for (let i = 0; i < 10; i += 1) await workerEnv.KV.put(`nightly-${i}`, "x");
      },
      async queue(batch, workerEnv) {
        for (let i = 0; i < 10; i += 1) await workerEnv.KV.put(`ingest-${i}`, "x");
      },
    });
    const run = async (entry, event) => {
      const ctx = createExecutionContext();
      try {
        await handler[entry](event, env, ctx);
        return "ran";
      } catch (error) {
        return error?.details?.code ?? error?.code ?? String(error);
      } finally {
        await waitOnExecutionContext(ctx);
      }
    };
    const nightly = [];
    for (let i = 0; i < 4; i += 1) {
      clock.now += 300;
      nightly.push(await run("scheduled", { cron: "0 3 * * *", scheduledTime: clock.now }));
    }
    expect(nightly.slice(0, 2)).toEqual(["ran", "ran"]);
    expect(nightly.at(-1)).toBe("tripped");
    expect(guard.meter.breakers["kv-writes@nightly"]).toBeDefined();
    // The queue's feature has its own line, far off: its batches run.
    clock.now += 300;
    expect(await run("queue", { queue: "events", messages: [] })).toBe("ran");
  });

  it("a meter that fails leaves requests unharmed and loses no counts", async () => {
    const clock = clockForTest();
    const guard = createGuard(config(), { clock: () => clock.now });
    const handler = worker(guard, 5);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      // No meter bound: every request runs; the first failure is logged, once.
      const { EDGEFUSE_METER, ...withoutMeter } = env;
      for (let i = 0; i < 4; i += 1) {
        clock.now += 2000;
        expect((await request(handler, withoutMeter)).status).toBe(200);
      }
      expect(guard.meter.reports.answered).toBe(0);
      expect(guard.meter.reports.failed).toBeGreaterThanOrEqual(2);
      const logged = warn.mock.calls.filter(([line]) => line?.event === "edgefuse.meter-unreachable");
      expect(logged).toHaveLength(1);
      expect(logged[0][0].message).toMatch(/env\.EDGEFUSE_METER is not a Durable Object namespace.*its counts are kept/);
      // Bound again: the next report (as the next request begins) carries every unit the
      // failed ones held, 4 requests' 20.
      clock.now += 60_000;
      await request(handler, { ...withoutMeter, EDGEFUSE_METER });
      expect(guard.meter.reports.answered).toBe(1);
      expect(await meterRate(clock.now)).toBe(20);
    } finally {
      warn.mockRestore();
    }
  });

  it("a meter that throws is a failed report, not a failed request", async () => {
    const clock = clockForTest();
    const guard = createGuard(config({ meter: { binding: "BROKEN_METER" } }), { clock: () => clock.now });
    const handler = worker(guard, 5);
    const broken = {
      idFromName: (name) => env.EDGEFUSE_METER.idFromName(name),
      get: () => ({ report: async () => Promise.reject(new Error("meter overloaded")) }),
    };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect((await request(handler, { ...env, BROKEN_METER: broken })).status).toBe(200);
      expect(guard.meter.reports.failed).toBe(1);
      expect(warn.mock.calls.some(([line]) => /meter overloaded/.test(line?.message))).toBe(true);
    } finally {
      warn.mockRestore();
    }
  });

  it("the meter's binding is the guard's own: passed through, never charged", async () => {
    const guard = createGuard(config());
    const guarded = await guard.env(env);
    expect(guarded.EDGEFUSE_METER).toBe(env.EDGEFUSE_METER);
    expect(createGuard({ plan: "free" }).meter).toBeNull();
  });

  it("the meter refuses a report that is not one, naming what is wrong", async () => {
    const meter = env.EDGEFUSE_METER.get(env.EDGEFUSE_METER.idFromName("edgefuse-meter"));
    expect(await meter.report(JSON.stringify({ now: Date.now(), lines: {}, units: { "kv-writes": -5 } }))).toEqual({
      problems: [{ path: "report.units.kv-writes", message: "must be a number of units, 0 or more", fix: "" }],
    });
    expect((await meter.report({ now: 1 })).problems[0].message).toBe("must be the text of a report, got object");
  });

  it("live quotas: the poll's figure plus the live count trips a free-plan quota as it is crossed", async () => {
    const clock = clockForTest();
    const day = new Date(clock.now).toISOString().slice(0, 10);
    await env.USAGE_API.fetch("http://usage-api/__sim/reset", { method: "POST", body: "{}" });
    await simulatorAt(clock.now);
    // The poll reads 850 of the free plan's 1,000 KV writes today: under its 90% line.
    const usage = { resource: "kv-writes", units: 850, date: day, mode: "set" };
    await env.USAGE_API.fetch("http://usage-api/__sim/usage", { method: "POST", body: JSON.stringify(usage) });
    const guard = createGuard({ plan: "free", ...simulatorConfig, meter: {} }, { clock: () => clock.now });
    const handler = worker(guard, 5);
    const meter = env.EDGEFUSE_METER.get(env.EDGEFUSE_METER.idFromName("edgefuse-meter"));
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const report = await guard.evaluate(deployedEnv());
      expect(report.resources.find((entry) => entry.key === "kv-writes")).toMatchObject({ used: 850, decision: "warn" });
      // Requests of 5 writes each: the 900th write is crossed within the 10th or 11th.
      let admitted = 0;
      let refused = null;
      for (let i = 0; i < 30 && !refused; i += 1) {
        clock.now += 300;
        const response = await request(handler);
        if (response.status === 200) admitted += 5;
        else refused = await response.json();
      }
      expect(refused?.message).toMatch(/kv-writes: \d+ used this window \(the usage poll's 850 and \d+ counted live since\), at or past its trip line of 900/);
      expect(admitted).toBeGreaterThanOrEqual(50);
      expect(admitted).toBeLessThanOrEqual(55);
    } finally {
      // Leave the meter without quota lines for whatever runs next.
      await meter.baseline(JSON.stringify({ asOfMs: clock.now, quotas: {} }));
      log.mockRestore();
      warn.mockRestore();
    }
  });

  it("records its trips in the KV state record: one write per change, alerted once, seen by isolates that never report", async () => {
    const clock = clockForTest();
    await env.EDGEFUSE_STATE.delete(STATE_KEY);
    await env.EDGEFUSE_STATE.delete(SAFETY_NET_KEY);
    await env.ALERT_RECEIVER.fetch("http://local/__receiver/reset", { method: "POST", body: "{}" });
    // What earlier tests left at the meter ends here: its trips reset, its changes recorded.
    const meter = env.EDGEFUSE_METER.get(env.EDGEFUSE_METER.idFromName("edgefuse-meter"));
    await meter.reset(JSON.stringify({ now: clock.now, keys: ["kv-writes"], holdSeconds: 1 }));
    await meter.recorded(JSON.stringify({ now: clock.now, version: 9e13 }));
    clock.now += 2000;
    // The state namespace, counting the writes to the record.
    const recordWrites = [];
    const state = {
      get: (...args) => env.EDGEFUSE_STATE.get(...args),
      delete: (...args) => env.EDGEFUSE_STATE.delete(...args),
      put: (key, ...rest) => {
        if (key === STATE_KEY) recordWrites.push(clock.now);
        return env.EDGEFUSE_STATE.put(key, ...rest);
      },
    };
    const reporting = { ...env, EDGEFUSE_STATE: state, SLACK_WEBHOOK_URL: "https://receiver/slack/services/T0/B0/x" };
    // An isolate whose meter binding is missing: it never hears the meter, only the record.
    const { EDGEFUSE_METER, ...silent } = reporting;
    const alerting = config({ alerts: { channels: [{ type: "slack", binding: "ALERT_RECEIVER" }] } });
    const guard = createGuard(alerting, { clock: () => clock.now });
    const deaf = createGuard(alerting, { clock: () => clock.now });
    const storm = worker(guard, 30);
    const quiet = worker(deaf, 1);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      expect((await request(quiet, silent)).status).toBe(200); // its view: nothing tripped
      for (let i = 0; i < 5 && !guard.meter.breakers["kv-writes"]; i += 1) {
        clock.now += 1000;
        await request(storm, reporting);
      }
      expect(guard.meter.breakers["kv-writes"]).toBeDefined();
      const record = JSON.parse(await env.EDGEFUSE_STATE.get(STATE_KEY));
      expect(record.breakers["kv-writes"]).toMatchObject({ source: "meter", until: new Date(clock.now + 600_000).toISOString().replace(/\.\d+Z$/, "Z") });
      expect(recordWrites).toHaveLength(1);
      const alerts = async () => (await (await env.ALERT_RECEIVER.fetch("http://local/__receiver/received")).json()).map((m) => JSON.parse(m.body));
      const tripAlerts = await alerts();
      expect(tripAlerts).toHaveLength(1);
      expect(tripAlerts[0].text).toMatch(/kv-writes: \d+ in the last minute across isolates.*\(the real-time meter\)/);
      // The storm goes on against the trip: the meter is asked again, the record is not written.
      for (let i = 0; i < 5; i += 1) {
        clock.now += 1000;
        expect((await request(storm, reporting)).status).toBe(503);
      }
      expect(recordWrites).toHaveLength(1);
      // The isolate that cannot report refuses once its view is refreshed (refreshSeconds).
      clock.now += alerting.refreshSeconds ?? 60_000;
      await request(quiet, silent); // refreshes in the background
      expect((await request(quiet, silent)).status).toBe(503);
      // The rate falls back: the next report recovers the line, and the record with it.
      clock.now += 70_000;
      await request(storm, reporting);
      expect(guard.meter.breakers).toEqual({});
      expect(JSON.parse(await env.EDGEFUSE_STATE.get(STATE_KEY)).breakers).toEqual({});
      expect(await env.EDGEFUSE_STATE.get(SAFETY_NET_KEY)).toBeNull();
      expect(recordWrites).toHaveLength(2);
      const texts = (await alerts()).map((alert) => alert.text);
      expect(texts).toHaveLength(2);
      expect(texts[1]).toMatch(/kv-writes is back under its recover lines/);
      clock.now += 61_000;
      await request(quiet, silent);
      expect((await request(quiet, silent)).status).toBe(200);
    } finally {
      warn.mockRestore();
      log.mockRestore();
    }
  });

  it("Hono, Pages and guard.env label their invocations with features too", async () => {
    const clock = clockForTest();
    const { Hono } = await import("hono");
    const hono = await import("../../js/hono.js");
    const pages = await import("../../js/pages.js");
    const features = { features: { import: { route: "/import" } }, rates: { "kv-writes@import": { perMinute: 20 } } };
    const writeTen = async (guardedEnv) => {
      for (let i = 0; i < 10; i += 1) await guardedEnv.KV.put(`feature-${i}`, "x");
    };
    const statusOf = async (run) => {
      const ctx = createExecutionContext();
      const response = await run(ctx);
      await waitOnExecutionContext(ctx);
      return response.status;
    };
    // Hono: the middleware labels each request by its path.
    const honoGuard = createGuard(config(features), { clock: () => clock.now });
    const app = new Hono();
    app.use(hono.guarded(honoGuard));
    app.all("*", async (c) => {
      await writeTen(c.env);
      return c.text("ok");
    });
    const viaHono = (path) => statusOf((ctx) => app.fetch(new Request(`http://w${path}`), env, ctx));
    const honoImports = [];
    for (let i = 0; i < 5; i += 1) {
      clock.now += 300;
      honoImports.push(await viaHono("/import/csv"));
    }
    expect(honoImports.slice(0, 2)).toEqual([200, 200]);
    expect(honoImports.at(-1)).toBe(503);
    expect(await viaHono("/api/items")).toBe(200);
    // Pages: each function, labelled by its request.
    clock.now += 120_000;
    const pagesGuard = createGuard(config(features), { clock: () => clock.now });
    const fn = pages.guarded(pagesGuard, async ({ env: guardedEnv }) => {
      await writeTen(guardedEnv);
      return new Response("ok");
    });
    const viaPages = (path) => statusOf((ctx) => fn({ request: new Request(`http://w${path}`), env, waitUntil: (p) => ctx.waitUntil(p), next: () => {} }));
    const pagesImports = [];
    for (let i = 0; i < 5; i += 1) {
      clock.now += 300;
      pagesImports.push(await viaPages("/import"));
    }
    expect(pagesImports.at(-1)).toBe(503);
    expect(await viaPages("/")).toBe(200);
    // guard.env: by name, by request, by cron or queue; a name the config lacks is an error.
    const ctx = createExecutionContext();
    const byName = await pagesGuard.env(env, ctx, { feature: "import" });
    await expect(byName.KV.put("feature-x", "x")).rejects.toThrow(/kv-writes@import/);
    const byRequest = await pagesGuard.env(env, ctx, { request: "http://w/import/x" });
    await expect(byRequest.KV.put("feature-x", "x")).rejects.toThrow(/kv-writes@import/);
    const unlabelled = await pagesGuard.env(env, ctx, { cron: "*/5 * * * *" });
    await unlabelled.KV.put("feature-x", "x");
    await waitOnExecutionContext(ctx);
    await expect(pagesGuard.env(env, ctx, { feature: "imports" })).rejects.toThrow(/invocation: names no configured feature \(got "imports"\).*one of: import/);
    await expect(pagesGuard.env(env, ctx, { request: 5 })).rejects.toThrow(/invocation: request must be a Request or an absolute URL/);
    await expect(pagesGuard.env(env, ctx, { cron: "x", queue: "y" })).rejects.toThrow(/invocation: must name the invocation by one of/);
  });

  it("an isolate that alone uses what the meter left refuses at once, naming why, until the meter answers", async () => {
    const clock = clockForTest();
    const guard = createGuard(config(), { clock: () => clock.now });
    // 90 of the line's 100 in one request: the answer leaves 10.
    expect((await request(worker(guard, 90))).status).toBe(200);
    // One request of 15 writes: the eleventh is refused inside the request, before any report.
    const writes = [];
    const handler = guard.wrap({
      async fetch(request, workerEnv) {
        for (let i = 0; i < 15; i += 1) {
          try {
            await workerEnv.KV.put(`room-${i}`, "x");
            writes.push("ok");
          } catch (error) {
            writes.push(error.message);
            throw error;
          }
        }
        return new Response("ok");
      },
    });
    clock.now += 100;
    const ctx = createExecutionContext();
    const response = await handler.fetch(new Request("http://w/"), env, ctx);
    expect(writes.filter((w) => w === "ok")).toHaveLength(10);
    expect(response.status).toBe(503);
    expect((await response.json()).message).toMatch(/the meter's last answer left 10 under its line, and this isolate alone has used them since/);
    // Its report crosses the line at the meter, whose answer now stands.
    await waitOnExecutionContext(ctx);
    expect(guard.meter.breakers["kv-writes"].reason).toMatch(/100 in the last minute across isolates/);
  });
});
