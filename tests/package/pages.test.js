// Pages Functions with edgefuse/pages, served by `wrangler pages dev` (Pages' own router and
// local KV): each function wrapped with guarded() sees a guarded env and answers a refused
// call with the 503.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import assert from "node:assert/strict";

const project = new URL("../pages/", import.meta.url).pathname;
const port = Number(process.env.EDGEFUSE_PAGES_PORT ?? 8797);

test("a Pages function wrapped with guarded() is held to its limits; a refusal is the 503", async (t) => {
  const state = mkdtempSync(join(tmpdir(), "edgefuse-pages-"));
  const server = spawn(
    "wrangler",
    ["pages", "dev", "public", "--port", String(port), "--ip", "127.0.0.1", "--kv", "KV", "--kv", "EDGEFUSE_STATE", "--compatibility-date", "2026-11-01", "--persist-to", state],
    { cwd: project, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  const log = [];
  server.stdout.on("data", (chunk) => log.push(String(chunk)));
  server.stderr.on("data", (chunk) => log.push(String(chunk)));
  t.after(() => {
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {
      // already gone
    }
  });
  const base = `http://127.0.0.1:${port}`;
  let ready = null;
  for (let attempt = 0; attempt < 240 && !ready; attempt += 1) {
    ready = await fetch(`${base}/index.txt`).catch(() => null);
    if (!ready) await sleep(250);
  }
  assert.ok(ready, `wrangler pages dev did not start:\n${log.join("")}`);

  const within = await fetch(`${base}/writes?n=3`);
  assert.equal(within.status, 200, log.join(""));
  assert.deepEqual(await within.json(), { written: 3, usage: { "kv-writes": 3 } });

  const runaway = await fetch(`${base}/writes?n=10`);
  assert.equal(runaway.status, 503);
  assert.equal(runaway.headers.get("Retry-After"), "60");
  assert.deepEqual(
    { ...(await runaway.json()), message: undefined },
    { error: "edgefuse-blocked", code: "invocation-limit", resource: "kv-writes", binding: "KV", method: "put", message: undefined },
  );
});
