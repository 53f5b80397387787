// Property tests for the doors that face the internet, with seeded random input: the route
// limits (no path an app's router sends to a limited handler gets past its limit) and the
// admin POSTs (never a 500, never an unbounded write).
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { SAFETY_NET_KEY, STATE_KEY, createGuard } from "../../js/index.js";

// mulberry32: a small seeded generator, so that a failure can be replayed.
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (next, list) => list[Math.floor(next() * list.length)];

// Whether a router like Hono's sends `pathname` (as the URL parser leaves it) to "/api/*":
// it decodes percent-escapes where it can, and matches segments as written.
function routerSendsToApi(pathname, ignoreCase) {
  let path = pathname;
  try {
    path = decodeURI(pathname);
  } catch {
    // left as it came
  }
  return (ignoreCase ? /^\/api(\/|$)/i : /^\/api(\/|$)/).test(path);
}

describe("route limits under random paths", () => {
  for (const ignoreCase of [false, true]) {
    it(`no path routed to /api/ passes its limit (ignoreCase ${ignoreCase})`, async () => {
      const next = random(ignoreCase ? 2 : 1);
      const app = createGuard(
        { plan: "free", rateLimit: { ignoreCase, routes: [{ path: "/api/", capacity: 1, refillPerSecond: 0.001, key: "header:X-Client" }] } },
        { clock: () => 9_000_000 },
      ).wrap({ fetch: () => new Response("ok") });
      const segments = ["api", "API", "Api", "%61pi", "ap%69", "%41PI", "api.", "api;", "api%2F", ".", "..", "", "x", "%", "%zz", "items", "é", "%C3%A9"];
      let routed = 0;
      for (let i = 0; i < 400; i += 1) {
        const parts = Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(next, segments));
        const url = new URL(`https://app.example/${parts.join(pick(next, ["/", "/", "//"]))}`);
        const client = `client-${ignoreCase}-${i}`;
        const send = () => app.fetch(new Request(url, { headers: { "X-Client": client } }), env, createExecutionContext());
        const first = await send();
        const second = await send();
        if (!routerSendsToApi(url.pathname, ignoreCase)) continue;
        routed += 1;
        expect([first.status, second.status], `${url.pathname} reached /api/ unlimited`).toEqual([200, 429]);
      }
      expect(routed).toBeGreaterThan(40); // the generator reaches the route often enough to mean something
    });
  }
});

describe("admin POSTs under random input", () => {
  const TOKEN = "door-token";
  beforeEach(async () => {
    await env.EDGEFUSE_STATE.delete(STATE_KEY);
    await env.EDGEFUSE_STATE.delete(SAFETY_NET_KEY);
    vi.spyOn(console, "log").mockImplementation(() => {});
    vi.spyOn(console, "warn").mockImplementation(() => {});
  });

  it("answer 2xx, 303 or 4xx, never a 500, and keep the state record bounded", async () => {
    const next = random(7);
    const app = createGuard({ plan: "free" }).wrap({ fetch: () => new Response("app") });
    const adminEnv = { ...env, EDGEFUSE_ADMIN_TOKEN: TOKEN };
    const values = [
      () => "kv-writes",
      () => ["kv-writes", "d1-rows-read:DB"],
      () => `kv-writes:${"X".repeat(Math.floor(next() * 300))}`,
      () => Array.from({ length: Math.floor(next() * 100) }, (_, i) => `kv-writes:B${i}`),
      () => Math.floor(next() * 1e9) - 5e8,
      () => next(),
      () => null,
      () => true,
      () => [60],
      () => ({ toString: 1 }),
      () => "x".repeat(Math.floor(next() * 20_000)),
      () => "0x10",
      () => "",
    ];
    const fields = ["resources", "reason", "ttlSeconds", "holdSeconds", "constructor", "other"];
    const text = (value) => (value !== null && typeof value === "object" ? JSON.stringify(value) : String(value));
    const statuses = new Set();
    for (let i = 0; i < 300; i += 1) {
      const body = {};
      for (const name of fields) if (next() < 0.6) body[name] = pick(next, values)();
      const type = pick(next, ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", "", "application/json; charset=utf-8"]);
      let payload = JSON.stringify(body);
      if (next() < 0.1) payload = `{"__proto__":{"resources":["kv-writes"],"ttlSeconds":5},${payload.slice(1)}`;
      if (type.startsWith("application/x-www-form")) payload = new URLSearchParams(Object.entries(body).map(([k, v]) => [k, text(v)])).toString();
      if (next() < 0.1) payload = payload.slice(0, Math.floor(next() * payload.length)); // cut short
      const headers = { Authorization: `Bearer ${TOKEN}`, Origin: "https://app.example" };
      if (type) headers["Content-Type"] = type;
      const route = pick(next, ["trip", "reset"]);
      const response = await app.fetch(new Request(`https://app.example/__edgefuse/${route}`, { method: "POST", headers, body: payload }), adminEnv, {});
      statuses.add(response.status);
      expect([200, 303, 400, 413, 415], `${route} ${type} ${payload.slice(0, 200)}`).toContain(response.status);
    }
    const record = (await env.EDGEFUSE_STATE.get(STATE_KEY)) ?? "";
    // At most the catalogue's resources plus the per-binding keys of the env's and config's
    // bindings can stand, each with a reason of at most 500 characters.
    expect(record.length).toBeLessThan(100_000);
    expect([...statuses].some((status) => status >= 400)).toBe(true);
  }, 60_000);
});
