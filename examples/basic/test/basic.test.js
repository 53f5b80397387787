// examples/basic inside workerd, with the bindings its own wrangler config declares.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index.js";

const call = (path, init) => worker.fetch(new Request(`https://links.example${path}`, init), env, createExecutionContext());

describe("examples/basic", () => {
  it("shortens a link and redirects to it", async () => {
    const created = await call("/links", { method: "POST", body: JSON.stringify({ target: "https://example.com/a" }) });
    expect(created.status).toBe(201);
    const { id } = await created.json();
    const redirect = await call(`/${id}`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("Location")).toBe("https://example.com/a");
    expect(await env.DB.prepare("SELECT count(*) AS n FROM links").first("n")).toBeGreaterThan(0);
  });
});
