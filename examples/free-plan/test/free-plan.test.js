// examples/free-plan inside workerd: the Cache API before KV, batched writes, tight limits.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker, { guard } from "../src/index.js";

async function call(path, init) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`https://app.example${path}`, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe("examples/free-plan", () => {
  it("serves a hot setting from the Cache API after the first KV read", async () => {
    await env.SETTINGS.put("theme", "dark");
    const first = await call("/settings/theme");
    expect(first.headers.get("X-Served-From")).toBe("kv");
    expect(await first.text()).toBe("dark");
    const second = await call("/settings/theme");
    expect(second.headers.get("X-Served-From")).toBe("cache");
    expect(await second.text()).toBe("dark");
  });

  it("records a batch of events with one D1 batch", async () => {
    const events = Array.from({ length: 20 }, (_, i) => ({ name: `click-${i}` }));
    const response = await call("/events", { method: "POST", body: JSON.stringify(events) });
    expect(response.status).toBe(201);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM events").first("n")).toBe(20);
  });

  it("once a request has written its 100 rows, its next D1 query is refused before it runs", async () => {
    const guarded = await guard.env(env, createExecutionContext());
    const insert = guarded.DB.prepare("INSERT INTO events (at, name) VALUES ('t', 'bulk')");
    await guarded.DB.batch(Array.from({ length: 100 }, () => insert)); // checked before, charged after
    const before = await env.DB.prepare("SELECT count(*) AS n FROM events").first("n");
    await expect(insert.run()).rejects.toMatchObject({ code: "invocation-limit", resource: "d1-rows-written", used: 100, limit: 100 });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM events").first("n")).toBe(before);
  });

  it("tight KV limits stop a loop at the first request", async () => {
    const guarded = await guard.env(env, createExecutionContext());
    for (let i = 0; i < 5; i += 1) await guarded.SETTINGS.get(`k${i}`);
    await expect(guarded.SETTINGS.get("one-too-many")).rejects.toMatchObject({ code: "invocation-limit", limit: 5 });
  });
});
