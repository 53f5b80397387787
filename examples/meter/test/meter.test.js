// examples/meter inside workerd: a storm of small requests, each under every
// per-invocation limit, stopped by the meter's rate line soon after it is crossed.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker, { guard } from "../src/index.js";

async function record(events) {
  const ctx = createExecutionContext();
  const request = new Request("https://app.example/events", { method: "POST", body: JSON.stringify(events) });
  const response = await worker.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx); // the background report to the meter
  return response;
}

beforeAll(async () => {
  await env.DB.exec("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, name TEXT)");
});

describe("examples/meter", () => {
  it("stops a storm of 10-row requests soon after 500 rows in a minute", async () => {
    const batch = Array.from({ length: 10 }, (_, i) => ({ name: `retry-${i}` }));
    let admitted = 0;
    let refused = null;
    for (let i = 0; i < 100 && !refused; i += 1) {
      const response = await record(batch);
      if (response.status === 201) admitted += 1;
      else refused = await response.json();
    }
    expect(refused).toMatchObject({ error: "edgefuse-blocked", code: "tripped", resource: "d1-rows-written" });
    expect(refused.message).toMatch(/rate line of 500 a minute/);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM events").first("n");
    expect(rows).toBe(admitted * 10);
    // The isolate's room is what the meter's last answer left: it stops at the line.
    expect(rows).toBeGreaterThanOrEqual(490);
    expect(rows).toBeLessThanOrEqual(500);
    expect(guard.meter.breakers["d1-rows-written"].source).toBe("meter");
  });
});
