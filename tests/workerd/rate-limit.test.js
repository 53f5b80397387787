// Per-client rate limits through the EdgefuseRateLimiter Durable Object.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { GuardInputError, createGuard } from "../../js/index.js";

let run = 0;
const key = () => `client-${++run}-${Date.now()}`;

describe("guard.rateLimit", () => {
  it("admits exactly `capacity` sequential requests, then refuses with a retry time", async () => {
    const guard = createGuard({ plan: "free" }, { clock: () => 1_000_000 });
    const client = key();
    const decisions = [];
    for (let i = 0; i < 6; i += 1) decisions.push(await guard.rateLimit(env, client, { capacity: 5, refillPerSecond: 1 }));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
    expect(decisions[5]).toMatchObject({ retryAfterSeconds: 1, resetSeconds: 5 });
  });

  it("200 parallel requests against a capacity of 50 admit exactly 50", async () => {
    const guard = createGuard({ plan: "free" }, { clock: () => 2_000_000 });
    const client = key();
    const decisions = await Promise.all(
      Array.from({ length: 200 }, () => guard.rateLimit(env, client, { capacity: 50, refillPerSecond: 0.001 })),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
  });

  it("refills over time, with the clock injected, and never mints tokens when time goes back", async () => {
    const clock = { now: 3_000_000 };
    const guard = createGuard({ plan: "free" }, { clock: () => clock.now });
    const client = key();
    const limit = { capacity: 2, refillPerSecond: 0.5 };
    await guard.rateLimit(env, client, limit);
    await guard.rateLimit(env, client, limit);
    expect((await guard.rateLimit(env, client, limit)).allowed).toBe(false);
    clock.now -= 60_000; // backwards
    expect((await guard.rateLimit(env, client, limit)).allowed).toBe(false);
    clock.now += 60_000 + 2_000; // 2 s after the latest time: one token
    expect((await guard.rateLimit(env, client, limit)).allowed).toBe(true);
    expect((await guard.rateLimit(env, client, limit)).allowed).toBe(false);
  });

  it("keys are hashed: the raw key never names the object", async () => {
    const guard = createGuard({ plan: "free" });
    const secretKey = "203.0.113.7";
    await guard.rateLimit(env, secretKey, { capacity: 1, refillPerSecond: 1 });
    const hashed = env.EDGEFUSE_RATE_LIMITER.idFromName(
      Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secretKey))), (b) => b.toString(16).padStart(2, "0")).join(""),
    );
    const decision = await env.EDGEFUSE_RATE_LIMITER.get(hashed).take({ capacity: 1, refillPerSecond: 0.0001 }, Date.now());
    expect(decision.allowed).toBe(false); // the same bucket: it was named by the hash
  });

  it("bad parameters are an error; an unreachable limiter fails open with a warning", async () => {
    const guard = createGuard({ plan: "free" });
    await expect(guard.rateLimit(env, "k", { capacity: 0, refillPerSecond: 1 })).rejects.toThrow(GuardInputError);
    await expect(guard.rateLimit(env, "k", { capacity: 1, refillPerSecond: 1, cost: 2 })).rejects.toThrow(/params.cost/);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const decision = await guard.rateLimit({}, "k", { capacity: 1, refillPerSecond: 1 });
    expect(decision).toMatchObject({ allowed: true, failedOpen: true });
    expect(warn.mock.calls[0][0]).toContain("env.EDGEFUSE_RATE_LIMITER is not a Durable Object namespace");
    warn.mockRestore();
  });
});

describe("route limits in guard.wrap", () => {
  const worker = (headers = false) =>
    createGuard(
      { plan: "free", rateLimit: { headers, routes: [{ path: "/api/", capacity: 2, refillPerSecond: 1, key: "header:X-Api-Key" }] } },
      { clock: () => 5_000_000 },
    ).wrap({ fetch: () => new Response("ok") });

  it("answers 429 with Retry-After and the IETF RateLimit headers", async () => {
    const app = worker();
    const client = key();
    const call = () => app.fetch(new Request("https://app.example/api/items", { headers: { "X-Api-Key": client } }), env, createExecutionContext());
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const limited = await call();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("1");
    expect(limited.headers.get("RateLimit-Policy")).toBe('"edgefuse";q=2;w=2');
    expect(limited.headers.get("RateLimit")).toBe('"edgefuse";r=0;t=2');
    // Other paths are not limited.
    expect((await app.fetch(new Request("https://app.example/health"), env, createExecutionContext())).status).toBe(200);
  });

  it("can put the headers on allowed responses too", async () => {
    const response = await worker(true).fetch(
      new Request("https://app.example/api/x", { headers: { "X-Api-Key": key() } }),
      env,
      createExecutionContext(),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("RateLimit")).toBe('"edgefuse";r=1;t=1');
  });

  it("route config is validated", () => {
    expect(() => createGuard({ plan: "free", rateLimit: { routes: [{ path: "api", capacity: 2, key: "cookie" }] } })).toThrow(
      /rateLimit\.routes\[0\]\.path[\s\S]*rateLimit\.routes\[0\]\.refillPerSecond: is required[\s\S]*rateLimit\.routes\[0\]\.key/,
    );
  });
});

describe("the KV mode", () => {
  const kvConfig = (syncSeconds = 5) => ({ plan: "free", rateLimit: { mode: "kv", syncSeconds } });

  it("answers from the isolate's bucket, syncing with KV at most once per key per interval", async () => {
    const clock = { now: 10_000_000 };
    const guard = createGuard(kvConfig(5), { clock: () => clock.now });
    const client = key();
    const limit = { capacity: 2_000, refillPerSecond: 100 };
    let allowed = 0;
    for (let i = 0; i < 1000; i += 1) {
      const ctx = createExecutionContext();
      if ((await guard.rateLimit(env, client, limit, ctx)).allowed) allowed += 1;
      await waitOnExecutionContext(ctx);
      clock.now += 10; // 1,000 requests over 10 s
    }
    expect(allowed).toBe(1000);
    // A cold read at 0 s, then one sync (a read and a write) 5 s later; the next would be at 10 s.
    expect(guard.rateLimitKvOps).toEqual({ reads: 2, writes: 1 });
    console.log(`KV mode: ${JSON.stringify(guard.rateLimitKvOps)} KV operations for 1,000 requests on one key over 10 s (syncSeconds 5)`);
  });

  it("measures the over-admission across isolates, and converges after a sync", async () => {
    const clock = { now: 20_000_000 };
    const client = key();
    const limit = { capacity: 20, refillPerSecond: 0.001 };
    // Four isolates: four guards, each with its own buckets, sharing one KV namespace.
    const isolates = Array.from({ length: 4 }, () => createGuard(kvConfig(5), { clock: () => clock.now }));
    let admitted = 0;
    for (const guard of isolates) {
      for (let i = 0; i < 25; i += 1) if ((await guard.rateLimit(env, client, limit)).allowed) admitted += 1;
    }
    // Each isolate saw a full bucket of 20 before any sync: 80 admitted for a limit of 20.
    expect(admitted).toBe(80);
    console.log(`KV mode: 4 isolates admitted ${admitted} of a 20-request limit within one sync window (+${admitted - 20})`);
    // After the sync window every isolate spends into the shared bucket, which is empty.
    clock.now += 6_000;
    for (const guard of isolates) {
      const ctx = createExecutionContext();
      await guard.rateLimit(env, client, limit, ctx); // triggers the sync
      await waitOnExecutionContext(ctx);
    }
    clock.now += 6_000;
    const after = [];
    for (const guard of isolates) {
      const ctx = createExecutionContext();
      after.push((await guard.rateLimit(env, client, limit, ctx)).allowed);
      await waitOnExecutionContext(ctx);
    }
    expect(after.filter(Boolean).length).toBeLessThanOrEqual(1);
  });
});
