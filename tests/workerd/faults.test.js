// The fault matrix's remaining rows: state records of other versions, a clock going
// backwards, overlapping cron ticks, and every secret kept out of everything the guard emits.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SAFETY_NET_KEY, STATE_KEY, createGuard } from "../../js/index.js";
import { cleanPollWorld, deployedEnv, simulatorConfig } from "./support.js";

const NOON = Date.parse("2026-11-23T12:00:00Z");
const sim = (path, body) => env.USAGE_API.fetch(`http://usage-api${path}`, { method: "POST", body: JSON.stringify(body) });
const tripRecord = (version) =>
  JSON.stringify({ version, breakers: { "kv-writes": { reason: "held", since: "2026-11-23T11:00:00Z", source: "poll" } } });

const logs = cleanPollWorld({ at: NOON });

describe("state records of other versions", () => {
  for (const version of [0, 2]) {
    it(`a version-${version} record is not trusted; the safety net's trip holds`, async () => {
      await env.EDGEFUSE_STATE.put(STATE_KEY, JSON.stringify({ version, breakers: {} }));
      await env.EDGEFUSE_STATE.put(SAFETY_NET_KEY, tripRecord(1));
      const guarded = await createGuard({ plan: "free" }).env(env);
      await expect(guarded.KV.put("x", "y")).rejects.toMatchObject({ code: "tripped", reason: "held" });
      expect(logs.some((line) => line.includes(`unsupported version ${version}, expected 1`))).toBe(true);
    });
  }

  it("a good record without its safety net is used as it is", async () => {
    await env.EDGEFUSE_STATE.put(STATE_KEY, tripRecord(1));
    const guarded = await createGuard({ plan: "free" }).env(env);
    await expect(guarded.KV.put("x", "y")).rejects.toMatchObject({ code: "tripped" });
  });
});

describe("time", () => {
  it("a clock going backwards between ticks changes nothing it should not", async () => {
    await sim("/__sim/usage", { resource: "kv-writes", units: 950, mode: "set", date: "2026-11-23" });
    const clock = { now: NOON };
    const guard = createGuard({ plan: "free", ...simulatorConfig }, { clock: () => clock.now });
    await guard.evaluate(deployedEnv());
    const tripped = JSON.parse(await env.EDGEFUSE_STATE.get(STATE_KEY));
    clock.now = NOON - 3 * 3_600_000; // three hours back
    const report = await guard.evaluate(deployedEnv());
    expect(report.ok).toBe(true);
    const after = JSON.parse(await env.EDGEFUSE_STATE.get(STATE_KEY));
    expect(after.breakers).toEqual(tripped.breakers);
    clock.now = NOON + 300_000;
    expect((await guard.evaluate(deployedEnv())).resources.find((r) => r.key === "kv-writes").decision).toBe("tripped");
  });
});

describe("concurrency", () => {
  it("two cron ticks overlapping leave one consistent record with the trip", async () => {
    await sim("/__sim/usage", { resource: "kv-writes", units: 950, mode: "set", date: "2026-11-23" });
    await sim("/__sim/faults", { kind: "timeout", delayMs: 200, times: 7 }); // the first tick waits
    const guard = createGuard({ plan: "free", ...simulatorConfig }, { clock: () => NOON });
    const [slow, fast] = await Promise.all([guard.evaluate(deployedEnv()), guard.evaluate(deployedEnv())]);
    expect(slow.ok && fast.ok).toBe(true);
    const { breakers } = JSON.parse(await env.EDGEFUSE_STATE.get(STATE_KEY));
    expect(Object.keys(breakers)).toEqual(["kv-writes"]);
    expect(JSON.parse(await env.EDGEFUSE_STATE.get(SAFETY_NET_KEY)).breakers).toHaveProperty("kv-writes");
  });
});

describe("secrets", () => {
  it("no secret appears in logs, alerts, KV state, errors, status.json or the dashboard", async () => {
    const secrets = {
      CF_API_TOKEN: env.USAGE_API_TOKEN,
      EDGEFUSE_ADMIN_TOKEN: "admin-secret-value",
      DISCORD_WEBHOOK_URL: "https://receiver/discord/webhooks/1/discord-secret-value",
      ALERT_WEBHOOK_URL: "https://receiver/hook/hook-secret-value",
      ALERT_WEBHOOK_SECRET: "signing-secret-value",
    };
    const workerEnv = deployedEnv(secrets);
    await sim("/__sim/usage", { resource: "kv-writes", units: 990, mode: "set", date: "2026-11-23" });
    const config = {
      plan: "free",
      ...simulatorConfig,
      alerts: { channels: [{ type: "discord", binding: "ALERT_RECEIVER" }, { type: "webhook", binding: "ALERT_RECEIVER" }] },
    };
    const clock = { now: NOON };
    const guard = createGuard(config, { clock: () => clock.now });
    const emitted = [];
    emitted.push(JSON.stringify(await guard.evaluate(workerEnv)));
    await sim("/__sim/faults", { kind: "http-500" });
    clock.now += 300_000;
    emitted.push(JSON.stringify(await guard.evaluate({ ...workerEnv, CF_API_TOKEN: `${secrets.CF_API_TOKEN}\n` }))); // a bad token value
    clock.now += 300_000;
    emitted.push(JSON.stringify(await guard.evaluate(workerEnv)));
    const app = guard.wrap({
      async fetch(request, env) {
        await env.KV.put("x", "y");
        return new Response("ok");
      },
    });
    const admin = { Authorization: `Bearer ${secrets.EDGEFUSE_ADMIN_TOKEN}` };
    for (const path of ["/__edgefuse", "/__edgefuse/status.json", "/anything"]) {
      const response = await app.fetch(new Request(`https://app.example${path}`, { headers: admin }), workerEnv, createExecutionContext());
      emitted.push(await response.text());
    }
    const wrong = await app.fetch(new Request("https://app.example/__edgefuse", { headers: { Authorization: "Bearer nope" } }), workerEnv, {});
    emitted.push(await wrong.text(), JSON.stringify([...wrong.headers]));
    emitted.push(await env.EDGEFUSE_STATE.get(STATE_KEY), await env.EDGEFUSE_STATE.get(SAFETY_NET_KEY));
    // What the alerts carried (the receiver itself is addressed by the secret URL, of course).
    const received = await (await env.ALERT_RECEIVER.fetch("http://local/__receiver/received")).json();
    expect(received.length).toBeGreaterThan(0);
    emitted.push(...received.map((message) => `${message.body} ${message.signature}`));
    // The usage API itself is sent the account id (it must be), and the token only as a header.
    expect(JSON.stringify(await (await env.USAGE_API.fetch("http://usage-api/__sim/requests")).json())).not.toContain(secrets.CF_API_TOKEN);
    emitted.push(logs.join("\n"));
    const everything = emitted.join("\n");
    expect(everything).toContain("edgefuse"); // something was captured
    for (const [name, value] of Object.entries({ ...secrets, CF_ACCOUNT_ID: env.USAGE_API_ACCOUNT_ID })) {
      const needle = name.endsWith("_URL") ? value.split("/").pop() : value;
      expect(everything.includes(needle), `${name} leaked`).toBe(false);
    }
  });
});
