// test/readme.test.js (the guard is exported from src/guard.js, so the test can reset it)
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { simulator } from "edgefuse/testing";
import { guard } from "../src/guard.js";
import worker from "../src/index.js";

it("a cron tick trips KV writes at 96% of the free plan's 1,000 a day", async () => {
  await simulator(env.EDGEFUSE_USAGE_API_ENDPOINT).setUsage("kv-writes", 960);
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/5 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
  const post = new Request("https://notes.example/", { method: "POST", body: "hi" });
  expect((await worker.fetch(post, env, createExecutionContext())).status).toBe(503);
  await guard.reset(env, "kv-writes");
});
