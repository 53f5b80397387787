// The examples, run inside workerd exactly as wrangler would serve them.
import { describe, expect, it } from "vitest";
import catalogueWorker from "../../examples/catalogue/src/index.js";

const get = (path) => catalogueWorker.fetch(new Request(`http://example.test${path}`));

describe("examples/catalogue", () => {
  it("prints the catalogue with its sources", async () => {
    const response = await get("/");
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^edgefuse billing catalogue \(40 resources\)/);
    expect(text).toMatch(/d1-rows-written +rows +100,000\/day, then refused +50,000,000\/month, then \$1\.00 per 1,000,000/);
    expect(text).toMatch(/ai-neurons +neurons +10,000\/day, then refused +10,000\/day, then \$0\.011 per 1,000/);
    expect(text).toMatch(/d1-storage-gb +GB +5 GB stored, then refused +5 GB, then \$0\.75 per 1 GB-month/);
    expect(text).toMatch(/do-websocket-messages +requests +billed as do-requests +billed as do-requests/);
    expect(text).toContain("https://developers.cloudflare.com/d1/platform/pricing/");
  });

  it("prices a usage given in the query string", async () => {
    const response = await get("/estimate?plan=paid&kv-reads=12000000&kv-writes=3000000");
    expect(response.status).toBe(200);
    expect((await response.json()).totalOverageUsd).toBeCloseTo(11, 9);
  });

  it("answers bad usage with 400 and the problems", async () => {
    const response = await get("/estimate?plan=paid&kv-readz=1");
    expect(response.status).toBe(400);
    expect((await response.json()).problems).toEqual([
      { path: "usage.kv-readz", message: "unknown resource", fix: "did you mean kv-reads?" },
    ]);
  });
});
