// examples/basic while a breaker is tripped: its own file, so the guard's first state read
// (once per isolate per refreshSeconds) sees the trip.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import { STATE_KEY } from "edgefuse";
import worker from "../src/index.js";

const call = (path, init) => worker.fetch(new Request(`https://links.example${path}`, init), env, createExecutionContext());

beforeAll(async () => {
  await env.DB.exec("CREATE TABLE IF NOT EXISTS links (id TEXT PRIMARY KEY, target TEXT NOT NULL)");
  await env.DB.prepare("INSERT INTO links (id, target) VALUES ('known', 'https://example.com/known')").run();
  const breaker = { reason: "KV writes at 93% of the daily quota", since: "2026-11-23T00:00:00Z", source: "poll" };
  await env.EDGEFUSE_STATE.put(STATE_KEY, JSON.stringify({ version: 1, breakers: { "kv-writes": breaker } }));
});

it("answers 503 with Retry-After to new links while KV writes are tripped", async () => {
  const refused = await call("/links", { method: "POST", body: JSON.stringify({ target: "https://example.com/c" }) });
  expect(refused.status).toBe(503);
  expect(refused.headers.get("Retry-After")).toBe("60");
  expect(await refused.json()).toMatchObject({ code: "tripped", resource: "kv-writes", binding: "LINKS" });
});

it("still redirects: reads are not tripped", async () => {
  const redirect = await call("/known");
  expect(redirect.status).toBe(302);
  expect(redirect.headers.get("Location")).toBe("https://example.com/known");
});
