// Decisions per second through the EdgefuseRateLimiter Durable Object, and the latency a
// rate-limited route adds to a request. Prints figures; asserts nothing about speed.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { it } from "vitest";
import { createGuard } from "../js/index.js";
import { median } from "./measure.js";

it("rate-limit decisions through the Durable Object", async () => {
  const guard = createGuard({ plan: "free" });
  const limit = { capacity: 1e9, refillPerSecond: 1e6 };
  for (let i = 0; i < 50; i += 1) await guard.rateLimit(env, "warm-up", limit);

  const sequential = 1000;
  let started = performance.now();
  for (let i = 0; i < sequential; i += 1) await guard.rateLimit(env, "one-key", limit);
  const sequentialMs = performance.now() - started;

  const parallel = 2000;
  started = performance.now();
  await Promise.all(Array.from({ length: parallel }, (_, i) => guard.rateLimit(env, `key-${i % 50}`, limit)));
  const parallelMs = performance.now() - started;

  // A client over its limit: after the object's first refusal the isolate answers itself.
  const flood = 1000;
  const tight = { capacity: 1, refillPerSecond: 0.001 };
  await guard.rateLimit(env, "flooding", tight);
  started = performance.now();
  for (let i = 0; i < flood; i += 1) await guard.rateLimit(env, "flooding", tight);
  const floodMs = performance.now() - started;

  // Added latency per request: a route with a limit against the same route without one.
  const plain = createGuard({ plan: "free" }).wrap({ fetch: () => new Response("ok") });
  const limited = createGuard({ plan: "free", rateLimit: { routes: [{ path: "/", ...limit }] } }).wrap({ fetch: () => new Response("ok") });
  const time = async (worker) => {
    const samples = [];
    for (let round = 0; round < 5; round += 1) {
      const start = performance.now();
      for (let i = 0; i < 200; i += 1) await worker.fetch(new Request("https://b.example/x", { headers: { "CF-Connecting-IP": "198.51.100.1" } }), env, createExecutionContext());
      samples.push(((performance.now() - start) * 1000) / 200);
    }
    return median(samples);
  };
  const plainUs = await time(plain);
  const limitedUs = await time(limited);
  console.log(
    `\nedgefuse rate limits (EdgefuseRateLimiter, local workerd)\n` +
      `  one key, sequential:  ${(sequential / (sequentialMs / 1000)).toFixed(0)} decisions/s (${(sequentialMs / sequential).toFixed(3)} ms each)\n` +
      `  50 keys, 2,000 at once: ${(parallel / (parallelMs / 1000)).toFixed(0)} decisions/s\n` +
      `  one key over its limit: ${(flood / (floodMs / 1000)).toFixed(0)} refusals/s (the isolate answers after the first)\n` +
      `  request through guard.wrap: ${plainUs.toFixed(0)} us without a route limit, ${limitedUs.toFixed(0)} us with one (+${(limitedUs - plainUs).toFixed(0)} us)`,
  );
});

it("KV operations per 1,000 requests in the KV mode", async () => {
  const rows = [];
  const run = async (label, syncSeconds, keyOf, limit) => {
    let now = Date.parse("2026-11-23T12:00:00Z");
    const guard = createGuard({ plan: "free", rateLimit: { mode: "kv", syncSeconds } }, { clock: () => now });
    for (let i = 0; i < 1000; i += 1) {
      const ctx = createExecutionContext();
      await guard.rateLimit(env, keyOf(i), limit, ctx);
      await waitOnExecutionContext(ctx);
      now += 60; // 1,000 requests over 60 s, one isolate
    }
    rows.push(`  ${label.padEnd(44)} syncSeconds ${String(syncSeconds).padEnd(3)} ${guard.rateLimitKvOps.reads} reads, ${guard.rateLimitKvOps.writes} writes`);
  };
  const bench = `kv-bench-${Date.now()}`;
  for (const syncSeconds of [1, 10, 60]) {
    await run("one key, capacity 100, 20/s (joins KV at 50)", syncSeconds, () => `${bench}-${syncSeconds}`, { capacity: 100, refillPerSecond: 20 });
  }
  await run("one key, capacity 1,000,000 (never half spent)", 1, () => `${bench}-big`, { capacity: 1e6, refillPerSecond: 1e3 });
  await run("1,000 keys, one request each", 1, (i) => `${bench}-rotating-${i}`, { capacity: 5, refillPerSecond: 1 });
  console.log(`\nedgefuse rate limits, KV mode: KV operations for 1,000 requests over 60 s in one isolate\n${rows.join("\n")}`);
});
