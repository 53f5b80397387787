// examples/hono inside workerd: guard.env through a middleware, a tighter guard on /search.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import app from "../src/index.js";

const call = (path, init) => app.fetch(new Request(`https://api.example${path}`, init), env, createExecutionContext());

beforeAll(async () => {
  await env.DB.exec("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT)");
});

describe("examples/hono", () => {
  it("serves routes through the guarded env", async () => {
    const created = await call("/items", { method: "POST", body: JSON.stringify({ name: "widget" }) });
    expect(created.status).toBe(201);
    const { id } = await created.json();
    expect(await (await call(`/items/${id}`)).json()).toMatchObject({ name: "widget" });
    const search = await call("/search?q=widg");
    expect(await search.json()).toMatchObject({ total: 1, results: [{ name: "widget" }] });
  });

  it("on a big table, /search's own 2,000-row limit stops its second scan; other routes carry on", async () => {
    const insert = env.DB.prepare("INSERT INTO items (name) VALUES (?)");
    await env.DB.batch(Array.from({ length: 2500 }, (_, i) => insert.bind(`item ${i}`)));
    const search = await call("/search?q=item");
    expect(search.status).toBe(503);
    expect(search.headers.get("Retry-After")).toBe("60");
    expect(await search.json()).toMatchObject({ code: "invocation-limit", resource: "d1-rows-read" });
    const item = await call("/items/1");
    expect(item.status).toBe(200);
  });
});
