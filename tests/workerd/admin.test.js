// The admin routes: the status JSON, the dashboard page and the manual controls, behind
// the admin token.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { RESOURCES, SAFETY_NET_KEY, STATE_KEY, createGuard } from "../../js/index.js";
import { deployedEnv, simulatorConfig } from "./support.js";

const TOKEN = "admin-token-never-shown";
const adminEnv = deployedEnv({ EDGEFUSE_ADMIN_TOKEN: TOKEN });
const config = { plan: "free", ...simulatorConfig };
const handler = { fetch: () => new Response("the Worker's own answer") };

function worker(overrides = {}) {
  return createGuard({ ...config, ...overrides }).wrap(handler);
}

const bearer = { Authorization: `Bearer ${TOKEN}` };
const basic = { Authorization: `Basic ${btoa(`admin:${TOKEN}`)}` };
const request = (path, init = {}) => new Request(`https://app.example${path}`, init);

beforeEach(async () => {
  await env.USAGE_API.fetch("http://usage-api/__sim/reset", { method: "POST", body: "{}" });
  await env.USAGE_API.fetch("http://usage-api/__sim/usage", {
    method: "POST",
    body: JSON.stringify([
      { resource: "kv-writes", units: 950, mode: "set" },
      { resource: "d1-rows-read", units: 1_000_000, mode: "set" },
    ]),
  });
  await env.EDGEFUSE_STATE.delete(STATE_KEY);
  await env.EDGEFUSE_STATE.delete(SAFETY_NET_KEY);
  vi.spyOn(console, "log").mockImplementation(() => {});
});

describe("access", () => {
  it("is off without a configured token: the Worker answers as usual", async () => {
    const response = await worker().fetch(request("/__edgefuse"), { ...adminEnv, EDGEFUSE_ADMIN_TOKEN: undefined }, {});
    expect(await response.text()).toBe("the Worker's own answer");
  });

  it("needs the token: 401 without it or with a wrong one, Basic challenge for browsers", async () => {
    const app = worker();
    for (const headers of [{}, { Authorization: "Bearer wrong" }, { Authorization: `Basic ${btoa("admin:wrong")}` }, { Authorization: "Basic !!" }]) {
      const response = await app.fetch(request("/__edgefuse/status.json", { headers }), adminEnv, {});
      expect(response.status).toBe(401);
      expect(response.headers.get("WWW-Authenticate")).toBe('Basic realm="edgefuse", charset="UTF-8"');
      expect(await response.text()).not.toContain(TOKEN);
    }
    expect((await app.fetch(request("/__edgefuse/status.json", { headers: bearer }), adminEnv, {})).status).toBe(200);
    expect((await app.fetch(request("/__edgefuse", { headers: basic }), adminEnv, {})).status).toBe(200);
    expect((await app.fetch(request("/__edgefuse/nothing", { headers: bearer }), adminEnv, {})).status).toBe(404);
    expect(await (await app.fetch(request("/elsewhere"), adminEnv, {})).text()).toBe("the Worker's own answer");
  });

  it("serves under a configured path and token variable", async () => {
    const app = worker({ adminPath: "/ops/guard", adminTokenEnv: "OPS_TOKEN" });
    const response = await app.fetch(request("/ops/guard/status.json", { headers: bearer }), { ...adminEnv, OPS_TOKEN: TOKEN }, {});
    expect(response.status).toBe(200);
  });
});

describe("status.json", () => {
  it("has every resource's usage, quota, percent, projection, overage and breaker, plus health and limit hits", async () => {
    const guard = createGuard(config);
    await guard.evaluate(adminEnv); // a cron tick: trips kv-writes
    const guarded = await guard.env(adminEnv);
    await guarded.KV.get("x"); // a guarded call in this isolate
    const status = await (await guard.wrap(handler).fetch(request("/__edgefuse/status.json", { headers: bearer }), adminEnv, {})).json();
    const writes = status.resources.find((row) => row.key === "kv-writes");
    expect(writes).toMatchObject({ used: 950, quota: 1000, percent: 95, overageUsd: 0, decision: "tripped" });
    expect(writes.breaker).toMatchObject({ source: "poll" });
    expect(writes.projection).toMatchObject({ periodEndsAt: expect.stringMatching(/T00:00:00Z$/) });
    expect(typeof writes.projection.endOfPeriod).toBe("number");
    expect(status.breakers).toHaveProperty("kv-writes");
    expect(status.lastCheckAt).toMatch(/Z$/);
    expect(status).toMatchObject({ blind: false, lastError: "", consecutiveFailures: 0 });
    expect(status.limitHits).toMatchObject({ counts: {} });
    expect(JSON.stringify(status)).not.toContain(TOKEN);
    expect(JSON.stringify(status)).not.toContain(env.USAGE_API_TOKEN);
  });

  it("counts per-invocation limit hits in this isolate", async () => {
    const guard = createGuard({ ...config, limits: { "kv-reads": 1 } });
    const guarded = await guard.env(adminEnv);
    await guarded.KV.get("a");
    await expect(guarded.KV.get("b")).rejects.toThrow(/limit/);
    const status = await guard.status(adminEnv);
    expect(status.limitHits.counts).toEqual({ "kv-reads": 1 });
  });
});

describe("the dashboard", () => {
  it("is one self-contained page: no script, no external assets, a strict CSP, and escaped text", async () => {
    const guard = createGuard(config);
    await guard.trip(adminEnv, ["d1-rows-written"], '<script>alert("x")</script> @everyone');
    const response = await guard.wrap(handler).fetch(request("/__edgefuse", { headers: basic }), adminEnv, {});
    expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    const page = await response.text();
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/\b(src|href)=["']?https?:/i);
    expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(page).toMatch(/<svg class="bar"/);
    expect(page).toMatch(/<tr class="" data-key="kv-writes" data-used="950" data-quota="1000" data-percent="95"/);
    expect(page).toContain('name="viewport"');
    expect(page).not.toContain(TOKEN);
  });

  it("shows the budget gauge on the paid plan, and blindness from the cron's record", async () => {
    await env.USAGE_API.fetch("http://usage-api/__sim/usage", { method: "POST", body: JSON.stringify({ resource: "kv-writes", units: 3_000_000, mode: "set" }) });
    const guard = createGuard({ ...config, plan: "paid", budget: { maxUsd: 20 }, failuresUntilBlind: 1 });
    const polledDatasets = new Set(RESOURCES.filter((r) => r.graphql.polled).map((r) => r.graphql.dataset));
    await env.USAGE_API.fetch("http://usage-api/__sim/faults", { method: "POST", body: JSON.stringify({ kind: "http-500", times: polledDatasets.size }) });
    await guard.evaluate(adminEnv); // every dataset fails once: blind at 1
    const page = await (await guard.wrap(handler).fetch(request("/__edgefuse", { headers: basic }), adminEnv, {})).text();
    expect(page).toMatch(/<div class="budget" data-used-usd="10" data-max-usd="20">/);
    expect(page).toContain("$10.00 of $20.00 overage this month");
    expect(page).toContain('data-blind="true"');
  });

  it("copes with odd KV content, and refuses cross-site fetches of its data", async () => {
    await env.EDGEFUSE_STATE.put(STATE_KEY, JSON.stringify({ version: 1, breakers: { "kv-writes": { reason: 5, since: 5 } }, poll: { lastCheckAt: 7 } }));
    const app = worker();
    const page = await app.fetch(request("/__edgefuse", { headers: basic }), adminEnv, {});
    expect(page.status).toBe(200);
    const crossSite = { ...bearer, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors" };
    expect((await app.fetch(request("/__edgefuse/status.json", { headers: crossSite }), adminEnv, {})).status).toBe(403);
    const navigation = { ...basic, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate" };
    expect((await app.fetch(request("/__edgefuse", { headers: navigation }), adminEnv, {})).status).toBe(200);
    const nullBody = await app.fetch(request("/__edgefuse/trip", { method: "POST", headers: { ...bearer, "Content-Type": "application/json" }, body: "null" }), adminEnv, {});
    expect(nullBody.status).toBe(400);
  });

  it("trips and resets through its forms, and refuses cross-site posts", async () => {
    const app = worker();
    const form = (resources) => new URLSearchParams({ resources });
    let response = await app.fetch(
      request("/__edgefuse/trip", { method: "POST", headers: { ...basic, Origin: "https://app.example" }, body: form("r2-class-a") }),
      adminEnv,
      {},
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/__edgefuse");
    expect(JSON.parse(await env.EDGEFUSE_STATE.get(STATE_KEY)).breakers["r2-class-a"]).toMatchObject({ source: "manual" });

    response = await app.fetch(
      request("/__edgefuse/reset", { method: "POST", headers: { ...basic, Origin: "https://evil.example" }, body: form("r2-class-a") }),
      adminEnv,
      {},
    );
    expect(response.status).toBe(403);
    response = await app.fetch(
      request("/__edgefuse/reset", { method: "POST", headers: { ...bearer, "Content-Type": "application/json" }, body: JSON.stringify({ resources: ["r2-class-a"] }) }),
      adminEnv,
      {},
    );
    expect(await response.json()).toEqual({ ok: true, breakers: {} });
    response = await app.fetch(
      request("/__edgefuse/trip", { method: "POST", headers: { ...bearer, "Content-Type": "application/json" }, body: JSON.stringify({ resources: ["nope"] }) }),
      adminEnv,
      {},
    );
    expect(response.status).toBe(400);
    expect((await response.json()).problems[0].path).toBe("resources.nope");
  });
});

describe("hostile input at the admin doors", () => {
  const post = (app, route, body, headers = { "Content-Type": "application/json" }) =>
    app.fetch(request(`/__edgefuse/${route}`, { method: "POST", headers: { ...bearer, ...headers }, body }), adminEnv, {});
  const problemsOf = async (response) => (await response.json()).problems.map((problem) => `${problem.path}: ${problem.message}`);

  it("takes a form or JSON only: 415 for other types, 413 past 16 KiB, 400 for what does not parse", async () => {
    const app = worker();
    for (const headers of [{ "Content-Type": "text/plain" }, {}]) {
      const response = await post(app, "trip", JSON.stringify({ resources: ["kv-writes"] }), headers);
      expect(response.status).toBe(415);
      expect((await problemsOf(response))[0]).toMatch(/^body: send a form .* or JSON \(application\/json\), not "(text\/plain|no Content-Type)"$/);
    }
    expect((await post(app, "trip", JSON.stringify({ resources: ["kv-writes"], reason: "x".repeat(20_000) }))).status).toBe(413);
    expect(await problemsOf(await post(app, "trip", "{not json"))).toEqual(["body: not valid JSON"]);
    expect(await problemsOf(await post(app, "trip", "[1]"))).toEqual(["body: must be a JSON object"]);
    expect(await env.EDGEFUSE_STATE.get(STATE_KEY)).toBeNull(); // nothing was written
  });

  it("a reason is text of at most 500 characters; nothing else is stored as one", async () => {
    const app = worker();
    for (const reason of [{ toString: 1 }, { a: 1 }, 5]) {
      const response = await post(app, "trip", JSON.stringify({ resources: ["kv-writes"], reason }));
      expect(response.status).toBe(400);
      expect((await problemsOf(response))[0]).toMatch(/^reason: must be text, got /);
    }
    expect(await problemsOf(await post(app, "trip", JSON.stringify({ resources: ["kv-writes"], reason: "é".repeat(501) })))).toEqual([
      "reason: at most 500 characters, got 501",
    ]);
    expect(await env.EDGEFUSE_STATE.get(STATE_KEY)).toBeNull();
    expect((await post(app, "trip", JSON.stringify({ resources: ["kv-writes"], reason: "é".repeat(500) }))).status).toBe(200);
  });

  it("seconds are whole, from 1 to 365 days: nothing loose is read as a time or as never", async () => {
    const app = worker();
    for (const ttlSeconds of [true, [60], "0x10", "", null, 0, 0.5, 31_536_001, -5]) {
      const response = await post(app, "trip", JSON.stringify({ resources: ["kv-writes"], ttlSeconds }));
      expect(response.status, JSON.stringify(ttlSeconds)).toBe(400);
      expect((await problemsOf(response))[0]).toMatch(/^ttlSeconds: must be whole seconds from 1 to 31,536,000 \(365 days\), got /);
    }
    const formPost = (fields) =>
      post(app, "reset", new URLSearchParams(fields), { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://app.example" });
    expect((await formPost({ resources: "kv-writes", holdSeconds: "0x10" })).status).toBe(400);
    expect((await formPost({ resources: "kv-writes", holdSeconds: "600" })).status).toBe(303);
    expect((await formPost({ resources: "kv-writes", holdSeconds: "" })).status).toBe(303); // a blank field is left out
    expect((await post(app, "trip", JSON.stringify({ resources: ["kv-writes"], ttlSeconds: 31_536_000 }))).status).toBe(200);
  });

  it("breaker keys: at most 64 at once, and per-binding keys only for bindings the Worker has", async () => {
    const app = worker();
    const invented = Array.from({ length: 65 }, (_, i) => `kv-writes:INVENTED_${i}`);
    expect(await problemsOf(await post(app, "trip", JSON.stringify({ resources: invented })))).toEqual(["resources: at most 64 breaker keys at once, got 65"]);
    expect(await problemsOf(await post(app, "trip", JSON.stringify({ resources: ["kv-writes:INVENTED"] })))).toEqual([
      "resources.kv-writes:INVENTED: no binding INVENTED in this Worker",
    ]);
    expect(await env.EDGEFUSE_STATE.get(STATE_KEY)).toBeNull();
    const response = await post(app, "trip", JSON.stringify({ resources: ["kv-writes:KV"] }));
    expect(response.status).toBe(200);
    expect(Object.keys((await response.json()).breakers)).toEqual(["kv-writes:KV"]);
  });

  it("auth by the standards: any case of the scheme; Basic without a colon refused; a blank token is none", async () => {
    const app = worker();
    const get = (headers, environment = adminEnv) => app.fetch(request("/__edgefuse/status.json", { headers }), environment, {});
    expect((await get({ Authorization: `bearer ${TOKEN}` })).status).toBe(200);
    expect((await get({ Authorization: `BASIC ${btoa(`admin:${TOKEN}`)}` })).status).toBe(200);
    expect((await get({ Authorization: `Basic ${btoa(TOKEN)}` })).status).toBe(401);
    const warnings = [];
    vi.spyOn(console, "warn").mockImplementation((entry) => warnings.push(entry));
    for (let i = 0; i < 2; i += 1) {
      const response = await get({ Authorization: "Bearer    " }, { ...adminEnv, EDGEFUSE_ADMIN_TOKEN: "   " });
      expect(await response.text()).toBe("the Worker's own answer");
    }
    expect(warnings.filter((entry) => entry?.event === "edgefuse.admin-token-blank")).toHaveLength(1);
  });
});
