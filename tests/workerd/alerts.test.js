// Alert delivery to each channel against a local receiver: payloads, signatures,
// failures, timeouts and retries, and secrets kept out of everything the guard writes.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SAFETY_NET_KEY, STATE_KEY, createGuard } from "../../js/index.js";
import { deployedEnv, simulatorAt, simulatorConfig, logText } from "./support.js";

const NOON = Date.parse("2026-11-23T12:00:00Z");
const DISCORD_URL = "https://receiver/discord/webhooks/123/discord-secret-path";
const SLACK_URL = "https://receiver/slack/services/T0/B0/slack-secret-path";
const HOOK_URL = "https://receiver/hook/webhook-secret-path";
const HOOK_SECRET = "hmac-signing-secret";

const alertEnv = deployedEnv({
  DISCORD_WEBHOOK_URL: DISCORD_URL,
  SLACK_WEBHOOK_URL: SLACK_URL,
  ALERT_WEBHOOK_URL: HOOK_URL,
  ALERT_WEBHOOK_SECRET: HOOK_SECRET,
});

const channels = [
  { type: "discord", binding: "ALERT_RECEIVER" },
  { type: "slack", binding: "ALERT_RECEIVER" },
  { type: "webhook", binding: "ALERT_RECEIVER" },
];

function guardAt(config = {}) {
  const clock = { now: NOON };
  const guard = createGuard(
    { plan: "free", ...simulatorConfig, alerts: { channels }, ...config },
    { clock: () => clock.now },
  );
  return { guard, clock };
}

const call = async (binding, path, body) => {
  const response = await env[binding].fetch(`http://local${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
  return response.json();
};
const received = () => call("ALERT_RECEIVER", "/__receiver/received");
const misbehave = (behaviour) => call("ALERT_RECEIVER", "/__receiver/behaviour", behaviour);
const setUsage = (resource, units) =>
  env.USAGE_API.fetch("http://usage-api/__sim/usage", {
    method: "POST",
    body: JSON.stringify({ resource, units, date: "2026-11-23", mode: "set" }),
  });

async function hmacHex(secret, body) {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify", "sign"]);
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
  return Array.from(signature, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

let logs;
beforeEach(async () => {
  await env.USAGE_API.fetch("http://usage-api/__sim/reset", { method: "POST", body: "{}" });
  await simulatorAt(NOON);
  await call("ALERT_RECEIVER", "/__receiver/reset", {});
  await env.EDGEFUSE_STATE.delete(STATE_KEY);
  await env.EDGEFUSE_STATE.delete(SAFETY_NET_KEY);
  logs = [];
  for (const method of ["log", "warn", "error"]) vi.spyOn(console, method).mockImplementation((...args) => logs.push(logText(args)));
});
afterEach(() => vi.restoreAllMocks());

describe("alert channels", () => {
  it("a trip reaches Discord, Slack and the webhook, each in its own shape; the webhook is signed", async () => {
    await setUsage("kv-writes", 950);
    const report = await guardAt({ alerts: { channels, levels: ["trip"] } }).guard.evaluate(alertEnv);
    expect(report.alerts).toEqual({ sent: 3, pending: 0 });
    const messages = await received();
    expect(messages.map((m) => m.path)).toEqual(["/discord/webhooks/123/discord-secret-path", "/slack/services/T0/B0/slack-secret-path", "/hook/webhook-secret-path"]);

    const discord = JSON.parse(messages[0].body);
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    expect(discord.content).toContain("[edgefuse] TRIP: kv-writes");
    expect(discord.content).toContain("Usage: 950 operations of 1,000 included per day. Estimated overage: $0.00.");
    expect(discord.content).toContain("Calls charged to kv-writes are refused until it recovers.");
    expect(discord.content).toContain("Account 0123…cdef");
    expect(JSON.parse(messages[1].body).text).toContain("[edgefuse] TRIP: kv-writes");

    const hook = messages[2];
    expect(JSON.parse(hook.body)).toMatchObject({ source: "edgefuse", level: "trip", key: "kv-writes", account: "0123…cdef" });
    expect(hook.signature).toBe(`sha256=${await hmacHex(HOOK_SECRET, hook.body)}`);
    expect(messages[0].signature).toBeNull();
  });

  it("alerts once per level, resource and period; a recovery then a new trip alerts again", async () => {
    await setUsage("kv-writes", 950);
    const { guard, clock } = guardAt({ alerts: { channels: [channels[2]] } });
    await guard.evaluate(alertEnv);
    const first = (await received()).map((m) => JSON.parse(m.body).level);
    expect(first).toContain("trip");
    clock.now += 300_000;
    await guard.evaluate(alertEnv);
    expect((await received()).length).toBe(first.length); // nothing new

    await setUsage("kv-writes", 100); // analytics correct downwards: recovery
    clock.now += 300_000;
    await guard.evaluate(alertEnv);
    await setUsage("kv-writes", 960); // and up again the same day
    clock.now += 300_000;
    await guard.evaluate(alertEnv);
    const levels = (await received()).map((m) => `${JSON.parse(m.body).level}:${JSON.parse(m.body).key}`);
    expect(levels.filter((level) => level === "trip:kv-writes")).toHaveLength(2);
    expect(levels).toContain("recover:kv-writes");
  });

  it("a failing channel does not stop the others, and its alert is retried on the next tick", async () => {
    await setUsage("kv-writes", 950);
    await misbehave({ status: 500, times: 1 }); // the first delivery (Discord) fails once
    const { guard, clock } = guardAt({ alerts: { channels, levels: ["trip"] } });
    const report = await guard.evaluate(alertEnv);
    expect(report.alerts).toEqual({ sent: 2, pending: 1 });
    expect((await env.EDGEFUSE_STATE.get(STATE_KEY)).includes("pendingAlerts")).toBe(true);
    expect(logs.some((line) => line.includes("trip alert for kv-writes to discord (env.DISCORD_WEBHOOK_URL) failed (HTTP 500)"))).toBe(true);

    clock.now += 300_000;
    const retry = await guard.evaluate(alertEnv);
    expect(retry.alerts).toEqual({ sent: 1, pending: 0 });
    const discord = (await received()).filter((m) => m.path.startsWith("/discord"));
    expect(discord.map((m) => m.answered)).toEqual([500, 200]);
    expect(JSON.parse(await env.EDGEFUSE_STATE.get(STATE_KEY)).pendingAlerts).toEqual([]);
  });

  it("a channel that does not answer within 5 s times out without holding up the others", async () => {
    await setUsage("kv-writes", 950);
    await misbehave({ status: 200, delayMs: 6000, times: 1 });
    const started = Date.now();
    const report = await guardAt({ alerts: { channels, levels: ["trip"] } }).guard.evaluate(alertEnv);
    expect(Date.now() - started).toBeLessThan(5900);
    expect(report.alerts).toEqual({ sent: 2, pending: 1 });
    expect(logs.some((line) => line.includes("failed (no answer within 5 s)"))).toBe(true);
  }, 15_000);

  it("missing URLs or signing secrets are named, and the deliveries wait for them", async () => {
    await setUsage("kv-writes", 950);
    const { guard, clock } = guardAt({ alerts: { channels: [channels[2]], levels: ["trip"] } });
    const report = await guard.evaluate({ ...alertEnv, ALERT_WEBHOOK_SECRET: undefined });
    expect(report.alerts).toEqual({ sent: 0, pending: 1 });
    expect(logs.some((line) => line.includes("env.ALERT_WEBHOOK_SECRET (the signing secret) is not set"))).toBe(true);
    clock.now += 300_000;
    expect((await guard.evaluate(alertEnv)).alerts).toEqual({ sent: 1, pending: 0 });
  });

  it("nothing is announced when the state cannot be written; the next tick tries both again", async () => {
    await setUsage("kv-writes", 950);
    const kv = env.EDGEFUSE_STATE;
    const failingPuts = { get: (...a) => kv.get(...a), put: async () => { throw new Error("KV PUT failed: 429"); }, delete: (...a) => kv.delete(...a) };
    const { guard, clock } = guardAt({ alerts: { channels, levels: ["trip"] } });
    const report = await guard.evaluate({ ...alertEnv, EDGEFUSE_STATE: failingPuts });
    expect(report.ok).toBe(false);
    expect(await received()).toEqual([]);
    clock.now += 300_000;
    expect((await guard.evaluate(alertEnv)).alerts).toEqual({ sent: 3, pending: 0 });
  });

  it("malformed retries from KV are dropped, never sent or signed as stored", async () => {
    await env.EDGEFUSE_STATE.put(
      STATE_KEY,
      JSON.stringify({
        version: 1,
        breakers: {},
        pendingAlerts: [
          { channel: 2, body: '{"evil":true}', attempts: "x" },
          { channel: 2, event: { level: "trip", key: "kv-writes", message: "@everyone", details: { used: 1, secret: "x" } }, attempts: 1 },
        ],
      }),
    );
    const report = await guardAt({ alerts: { channels, levels: ["trip"] } }).guard.evaluate(alertEnv);
    expect(report.alerts).toEqual({ sent: 1, pending: 0 });
    const [message] = await received();
    expect(message.body).not.toContain("evil");
    const body = JSON.parse(message.body);
    expect(body.details).toEqual({ used: 1 });
    expect(body.message).not.toContain("@everyone");
  });

  it("webhook URLs, the signing secret and the API token appear nowhere the guard writes", async () => {
    await setUsage("kv-writes", 950);
    await misbehave({ status: 503, times: 3 });
    const report = await guardAt().guard.evaluate(alertEnv);
    const everything = [
      JSON.stringify(report),
      logs.join("\n"),
      await env.EDGEFUSE_STATE.get(STATE_KEY),
      await env.EDGEFUSE_STATE.get(SAFETY_NET_KEY),
      ...(await received()).map((m) => m.body),
    ].join("\n");
    for (const secret of ["discord-secret-path", "slack-secret-path", "webhook-secret-path", HOOK_SECRET, env.USAGE_API_TOKEN, env.USAGE_API_ACCOUNT_ID]) {
      expect(everything).not.toContain(secret);
    }
  });
});

describe("the digest", () => {
  const digestsIn = (messages) =>
    messages.map((m) => ({ path: m.path, body: JSON.parse(m.body) })).filter(({ body }) => /digest/.test(body.content ?? body.text ?? ""));

  it("reaches Discord, Slack and the webhook once a day, in each one's markdown, with the day's tally", async () => {
    const { guard, clock } = guardAt({ alerts: { channels, levels: ["trip"], digest: { hourUtc: 9 } } });
    // Monday 23rd at noon: the first evaluation sends the last day's at once.
    let report = await guard.evaluate(alertEnv);
    expect(report.events.map((event) => event.key)).toEqual(["daily-digest"]);
    expect(digestsIn(await received()).map((m) => m.path)).toEqual([
      "/discord/webhooks/123/discord-secret-path",
      "/slack/services/T0/B0/slack-secret-path",
      "/hook/webhook-secret-path",
    ]);
    expect(JSON.parse(await env.EDGEFUSE_STATE.get(STATE_KEY)).digest.sentDay).toBe("2026-11-22");

    // The rest of the 23rd, ticking every hour: a write storm trips kv-writes at 17:00.
    await call("ALERT_RECEIVER", "/__receiver/reset", {});
    for (let hour = 13; hour <= 23; hour += 1) {
      clock.now = Date.parse(`2026-11-23T${hour}:05:00Z`);
      await setUsage("kv-writes", hour < 17 ? 20 * (hour - 12) : 950);
      report = await guard.evaluate(alertEnv);
      expect(report.events.filter((event) => event.level === "digest")).toEqual([]);
    }
    clock.now = Date.parse("2026-11-24T09:00:00Z");
    await simulatorAt(clock.now);
    report = await guard.evaluate(alertEnv);
    expect(report.events.map((event) => event.level)).toContain("digest");
    const [discord, slack, webhook] = digestsIn(await received()).map((m) => m.body);
    expect(discord.content.length).toBeLessThanOrEqual(2000);
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    // As the README shows it.
    expect(discord.content).toBe(
      [
        "**edgefuse daily digest**: 2026-11-23 (UTC)",
        "Account 0123…cdef, free plan",
        "**Usage** (in the period, then now against each quota or inclusion and on course for by its end)",
        "• kv-writes: 950 operations on the day (11 of 24 hours measured); now 0 of 1,000 per day (0.0%), on course for 0.0%",
        "• 20 other resources unused",
        "**Spend**: no budget set (the free plan bills nothing: past a quota, calls fail)",
        "**Breakers**: 1 trip, 0 recoveries, 0 warnings, 1 spike alert",
        "• 17:05 trip kv-writes",
        "• 17:05 projection kv-writes",
        "• 17:05 spike kv-writes",
        "Standing now: none",
        "**Biggest spike**: kv-writes, the hour from 11-23 16:00 UTC: 870 operations, 43.5x the hours before it",
        "**Blind spots**: every check answered",
      ].join("\n"),
    );
    expect(discord.content).toContain("**Breakers**: 1 trip, 0 recoveries");
    expect(discord.content).toContain("• 17:05 trip kv-writes");
    expect(discord.content).toContain("• kv-writes: 950 operations on the day (11 of 24 hours measured); now 0 of 1,000 per day");
    expect(discord.content).toContain("Standing now: none"); // the 24th's first evaluation recovered it
    expect(discord.content).toMatch(/\*\*Biggest spike\*\*: kv-writes, the hour from 11-23 16:00 UTC: 870 operations/);
    expect(slack.text).toMatch(/^\*edgefuse daily digest\*: 2026-11-23 \(UTC\)/);
    expect(slack.text).toContain("*Blind spots*: every check answered");
    expect(webhook).toMatchObject({ source: "edgefuse", level: "digest", key: "daily-digest" });
    expect(webhook.digest).toMatchObject({ period: "day", from: "2026-11-23", to: "2026-11-23", events: { trip: 1 }, breakers: [] });
    expect(webhook.digest.resources.find((row) => row.resource === "kv-writes")).toMatchObject({ inPeriod: 950, hoursMeasured: 11 });
    const [signed] = (await received()).filter((m) => m.path === "/hook/webhook-secret-path");
    expect(signed.signature).toBe(`sha256=${await hmacHex(HOOK_SECRET, signed.body)}`);

    // Once: a later evaluation the same day sends none, and the record says so.
    await call("ALERT_RECEIVER", "/__receiver/reset", {});
    clock.now = Date.parse("2026-11-24T10:00:00Z");
    await guard.evaluate(alertEnv);
    expect(digestsIn(await received())).toEqual([]);
    expect(JSON.parse(await env.EDGEFUSE_STATE.get(STATE_KEY)).digest.sentDay).toBe("2026-11-23");
  });

  it("is not sent without alerts.digest, and a digest with nowhere to go is a config error", async () => {
    await guardAt().guard.evaluate(alertEnv);
    expect(digestsIn(await received())).toEqual([]);
    expect(() => createGuard({ plan: "free", alerts: { digest: { hourUtc: 9 } } })).toThrow(/alerts\.digest: has no channel to go to/);
    expect(() => createGuard({ plan: "free", alerts: { channels, digest: { hourUtc: 25 } } })).toThrow(/alerts\.digest\.hourUtc: must be a whole number from 0 to 23, got 25/);
  });
});
