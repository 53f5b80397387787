// The simulator's part of Cloudflare's REST API that operator actions use (workers.dev,
// routes, cron triggers): answers in the API's envelope, token scopes, errors and faults.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
const SCRIPT = `/client/v4/accounts/${ACCOUNT}/workers/scripts/my-worker`;
const ROUTES = `/client/v4/zones/${ZONE}/workers/routes`;

async function api(path, { method = "GET", body, token = env.REST_API_TOKEN } = {}) {
  const response = await env.USAGE_API.fetch(`http://api${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, ...(await response.json()) };
}
const control = async (path, body) => (await env.USAGE_API.fetch(`http://api${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) })).json();

beforeEach(async () => {
  await env.USAGE_API.fetch("http://api/__sim/reset", { method: "POST", body: "{}" });
  await control("/__sim/rest/scripts", { account: ACCOUNT, name: "my-worker", schedules: ["*/5 * * * *", "0 3 * * *"] });
  await control("/__sim/rest/routes", { zone: ZONE, pattern: "example.com/api/*", script: "my-worker" });
  await control("/__sim/rest/routes", { zone: ZONE, pattern: "example.com/other/*", script: "other-worker" });
});

describe("the REST API simulator", () => {
  it("turns workers.dev off and back on, in Cloudflare's envelope", async () => {
    expect(await api(`${SCRIPT}/subdomain`)).toEqual({ status: 200, success: true, errors: [], messages: [], result: { enabled: true, previews_enabled: true } });
    const off = await api(`${SCRIPT}/subdomain`, { method: "POST", body: { enabled: false, previews_enabled: false } });
    expect(off.result).toEqual({ enabled: false, previews_enabled: false });
    expect((await api(`${SCRIPT}/subdomain`)).result).toEqual({ enabled: false, previews_enabled: false });
    expect((await api(`${SCRIPT}/subdomain`, { method: "POST", body: { enabled: "no" } })).status).toBe(400);
  });

  it("lists a zone's routes, deletes one and re-creates it with a new id", async () => {
    const { result: listed } = await api(ROUTES);
    expect(listed.map((route) => [route.pattern, route.script])).toEqual([["example.com/api/*", "my-worker"], ["example.com/other/*", "other-worker"]]);
    const mine = listed.find((route) => route.script === "my-worker");
    expect((await api(`${ROUTES}/${mine.id}`, { method: "DELETE" })).result).toEqual({ id: mine.id });
    const gone = await api(`${ROUTES}/${mine.id}`, { method: "DELETE" });
    expect(gone.status).toBe(404);
    expect(gone.errors[0].code).toBe(7003);
    const back = await api(ROUTES, { method: "POST", body: { pattern: "example.com/api/*", script: "my-worker" } });
    expect(back.result.id).not.toBe(mine.id);
    expect((await api(ROUTES, { method: "POST", body: { pattern: "example.com/api/*", script: "my-worker" } })).errors[0].code).toBe(10020);
  });

  it("replaces a script's cron triggers as a whole, an empty list pausing them all", async () => {
    expect((await api(`${SCRIPT}/schedules`)).result.schedules.map((item) => item.cron)).toEqual(["*/5 * * * *", "0 3 * * *"]);
    expect((await api(`${SCRIPT}/schedules`, { method: "PUT", body: [{ cron: "*/5 * * * *" }] })).result.schedules.map((item) => item.cron)).toEqual(["*/5 * * * *"]);
    expect((await api(`${SCRIPT}/schedules`, { method: "PUT", body: [] })).result.schedules).toEqual([]);
    expect((await api(`${SCRIPT}/schedules`, { method: "PUT", body: { cron: "x" } })).status).toBe(400);
  });

  it("refuses an unknown, expired or under-scoped token with 403 and code 10000, and a missing script with 10007", async () => {
    for (const token of ["not-a-token", "expired-token", "routes-only"]) {
      await control("/__sim/rest/tokens", { token: "expired-token", expired: true });
      await control("/__sim/rest/tokens", { token: "routes-only", scopes: ["workers-routes:write"] });
      const refused = await api(`${SCRIPT}/subdomain`, { method: "POST", body: { enabled: false }, token });
      expect([refused.status, refused.success, refused.errors[0].code]).toEqual([403, false, 10000]);
    }
    expect((await api(ROUTES, { token: "routes-only" })).status).toBe(200);
    const missing = await api(`/client/v4/accounts/${ACCOUNT}/workers/scripts/nobody/subdomain`);
    expect([missing.status, missing.errors[0].code]).toEqual([404, 10007]);
    expect((await api(`${SCRIPT}/subdomain`)).result.enabled).toBe(true); // nothing changed
  });

  it("fails calls on demand, and logs each call for the demo to show", async () => {
    await control("/__sim/rest/faults", { method: "PUT", pathPrefix: `${SCRIPT}/schedules`, status: 503, times: 1 });
    expect((await api(`${SCRIPT}/schedules`, { method: "PUT", body: [] })).status).toBe(503);
    expect((await api(`${SCRIPT}/schedules`, { method: "PUT", body: [] })).status).toBe(200);
    const { calls } = await control("/__sim/rest");
    expect(calls.map((call) => `${call.method} ${call.status}`)).toEqual(["PUT 503", "PUT 200"]);
    expect(JSON.stringify(calls)).not.toContain(env.REST_API_TOKEN);
  });
});
