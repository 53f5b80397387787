// examples/testing: usage set in the simulator, a cron tick, the breaker it trips, a reset.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, expect, it } from "vitest";
import { simulator } from "edgefuse/testing";
import { guard } from "../src/guard.js";
import worker from "../src/index.js";

const usageApi = simulator(env.EDGEFUSE_USAGE_API_ENDPOINT);
const save = () => worker.fetch(new Request("https://notes.example/", { method: "POST", body: "hi" }), env, createExecutionContext());

async function cronTick() {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
}

beforeEach(() => usageApi.reset());

it("a cron tick trips KV writes at 96% of the free plan's 1,000 a day; a reset lifts it", async () => {
  expect((await save()).status).toBe(201);
  await usageApi.setUsage("kv-writes", 960);
  await cronTick();
  const refused = await save();
  expect(refused.status).toBe(503);
  expect(await refused.json()).toMatchObject({ code: "tripped", resource: "kv-writes", binding: "NOTES" });
  expect((await usageApi.requests()).every((request) => request.authorized)).toBe(true);

  await guard.reset(env, "kv-writes");
  expect((await save()).status).toBe(201);
});

it("usage under the threshold trips nothing", async () => {
  await usageApi.setUsage("kv-writes", 400);
  await cronTick();
  expect((await save()).status).toBe(201);
  expect((await guard.status(env)).breakers ?? {}).not.toHaveProperty("kv-writes");
});

it("an API failure is reported, and trips nothing", async () => {
  await usageApi.fault({ kind: "http-500" });
  const report = await guard.evaluate(env);
  expect(report.health.lastError).toContain("HTTP 500");
  expect((await save()).status).toBe(201);
});
