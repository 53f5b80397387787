// The demo: a runaway being stopped. Starts `wrangler dev` with the demo Worker
// (examples/demo, guarded by edgefuse, with real local KV, D1 and R2) and the usage-API
// simulator beside it, then plays a scripted incident and prints what happened:
//   1. normal traffic, and what the guard itself costs in KV;
//   2. a buggy import loops D1 writes: the per-invocation limit stops it;
//   3. a KV write storm: usage climbs, a cron tick trips kv-writes, writes get 503 while
//      reads work, and an alert is delivered;
//   4. one client hammers the search: its rate limit answers 429 while others carry on;
//   5. the status page;
//   6. a reset, and writes work again;
//   7. on a paid account, a daily cost cap on Workers AI trips and AI calls are refused;
//   8. a retry storm of small webhook deliveries, each under its limits, stopped within
//      moments by the real-time meter;
//   9. on the paid account, a request flood trips the budget: operator actions take the
//      Worker off workers.dev and its routes through the (simulated) REST API, and a reset
//      puts them back, each API call shown.
// Exits 0 when the whole story held, non-zero with the step that failed. `--serve` keeps
// the Worker running afterwards so you can look at the status page.
import { createHmac } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWranglerDev } from "./wrangler-dev.mjs";

const port = Number(process.env.EDGEFUSE_DEMO_PORT ?? 8787);
const serve = process.argv.includes("--serve");
const TOKEN = "demo-admin-token"; // examples/demo/wrangler.jsonc
const CRON = "*/5 * * * *";
const SIGNING_SECRET = "demo-signing-secret"; // examples/demo/wrangler.jsonc

const step = (text) => console.log(`\n== ${text}`);
const say = (text) => console.log(`   ${text}`);
function expect(condition, failure) {
  if (!condition) throw new Error(failure);
}

async function main() {
  step(`Starting wrangler dev: the demo Worker and the usage-API simulator on http://127.0.0.1:${port}`);
  const { base, worker, stop } = await startWranglerDev({
    config: ["examples/demo/wrangler.jsonc", "wrangler/simulator.jsonc"],
    port,
    persistTo: mkdtempSync(join(tmpdir(), "edgefuse-demo-")), // a fresh local KV and D1 each run
    args: ["--test-scheduled"],
  });
  process.on("SIGINT", () => {
    stop();
    process.exit(130);
  });
  const call = (path, init) => fetch(`${base}${path}`, init);
  const admin = { Authorization: `Bearer ${TOKEN}` };
  await call("/__sim/reset", { method: "POST", body: "{}" });
  say("ready");

  step("1. Normal traffic: 20 notes written and read back (KV), a file stored and fetched (R2)");
  const ids = [];
  for (let i = 0; i < 20; i += 1) {
    const put = await call("/note", { method: "PUT", body: `note ${i}` });
    expect(put.ok, `PUT /note answered ${put.status}`);
    ids.push((await put.json()).id);
  }
  for (const id of ids) expect((await call(`/note?id=${id}`)).ok, "a note could not be read back");
  expect((await call("/file/report.txt", { method: "PUT", body: "quarterly numbers" })).status === 201, "the R2 upload failed");
  expect((await (await call("/file/report.txt")).text()) === "quarterly numbers", "the R2 download failed");
  const { stateReads } = await (await call("/__demo/guard")).json();
  say(`40 guarded KV calls served. The guard's own KV cost: 0 per request; ${stateReads} reads in all,`);
  say(`of its state and safety net when this isolate started (then one per refreshSeconds at most).`);
  expect(stateReads <= 2, `the guard read its state ${stateReads} times`);

  step("2. A buggy import loops D1 inserts (POST /import)");
  const runaway = await call("/import", { method: "POST" });
  const refused = await runaway.json();
  say(`${runaway.status}: ${refused.message}`);
  expect(runaway.status === 503 && refused.code === "invocation-limit", "the import was not stopped by the per-invocation limit");
  const { rows } = await (await call("/rows")).json();
  say(`Rows actually written: ${rows} (limit d1-rows-written: 50 per invocation). The loop had no end.`);
  expect(rows === 50, `expected 50 rows, found ${rows}`);

  step("3. A KV write storm");
  let stormWrites = 0;
  for (let i = 0; i < 200; i += 1) {
    if ((await call("/note", { method: "PUT", body: `storm ${i}` })).ok) stormWrites += 1;
  }
  // The simulator plays Cloudflare's analytics: this isolate's writes plus those of the
  // Worker's other isolates around the world.
  const accountWide = 20 + stormWrites + 700;
  await call("/__sim/usage", { method: "POST", body: JSON.stringify({ resource: "kv-writes", units: accountWide, mode: "set" }) });
  say(`${stormWrites} writes in a burst; the usage API now reports ${accountWide} of the free plan's 1,000 KV writes today.`);
  const tick = await call(`/__scheduled?cron=${encodeURIComponent(CRON)}`);
  expect(tick.ok, `the cron tick answered ${tick.status}`);
  say(`Cron tick (${CRON}) fired through wrangler dev --test-scheduled.`);
  const blocked = await call("/note", { method: "PUT", body: "one more" });
  const blockedBody = await blocked.json().catch(() => ({}));
  say(`PUT /note -> ${blocked.status} (Retry-After ${blocked.headers.get("Retry-After")}): ${blockedBody.message}`);
  expect(blocked.status === 503 && blockedBody.code === "tripped", "writes were not stopped after the trip");
  const read = await call(`/note?id=${ids[0]}`);
  say(`GET /note -> ${read.status}: reads still work`);
  expect(read.ok, "reads were blocked too");
  const { alerts } = await (await call("/__sim/alerts")).json();
  const delivered = alerts.find((alert) => {
    const body = JSON.parse(alert.body);
    return body.level === "trip" && body.key === "kv-writes";
  });
  expect(delivered, "no trip alert reached the receiver");
  const signature = `sha256=${createHmac("sha256", SIGNING_SECRET).update(delivered.body).digest("hex")}`;
  expect(delivered.signature === signature, "the alert's signature does not verify");
  const tripAlert = JSON.parse(delivered.body);
  say("Alert delivered to the local webhook receiver (HMAC-SHA256 signature verified):");
  for (const line of tripAlert.text.split("\n")) say(`  | ${line}`);

  step("4. One API key hammers the search (GET /search: 10 per key at once, then one every 2 s)");
  // One request first, from another key, so that the limiter is running before the burst.
  expect((await call("/search?q=2026", { headers: { "X-Api-Key": "warm-up" } })).ok, "the search failed");
  const started = Date.now();
  const hammer = await Promise.all(
    Array.from({ length: 30 }, () => call("/search?q=2026", { headers: { "X-Api-Key": "noisy-client" } })),
  );
  const seconds = (Date.now() - started) / 1000;
  const admitted = hammer.filter((response) => response.status === 200).length;
  const tooMany = hammer.filter((response) => response.status === 429);
  say(`30 requests at once: ${admitted} reached D1, ${tooMany.length} got 429 (in ${seconds.toFixed(2)} s)`);
  expect(admitted + tooMany.length === 30, `answers other than 200 and 429: ${hammer.map((r) => r.status).join(" ")}`);
  // The bucket holds 10 and refills one every 2 s, so only the time the burst took adds any.
  expect(admitted >= 10 && admitted <= 10 + Math.floor(seconds / 2), `the limit admitted ${admitted} of 30`);
  const limited = tooMany[0];
  expect(limited?.headers.get("Retry-After"), "the 429 has no Retry-After");
  say(`429 headers: Retry-After ${limited.headers.get("Retry-After")}, RateLimit-Policy ${limited.headers.get("RateLimit-Policy")}, RateLimit ${limited.headers.get("RateLimit")}`);
  const quiet = await call("/search?q=2026", { headers: { "X-Api-Key": "quiet-client" } });
  say(`Another API key meanwhile: GET /search -> ${quiet.status}`);
  expect(quiet.ok, `another client got ${quiet.status}`);

  step("5. The status page");
  const status = await (await call("/__edgefuse/status.json", { headers: admin })).json();
  const writes = status.resources.find((row) => row.key === "kv-writes");
  say(`${base}/__edgefuse   (user: anything, password: ${TOKEN})`);
  say(`status.json: kv-writes ${writes.used} of ${writes.quota} (${writes.percent.toFixed(1)}%), breaker: ${writes.breaker?.source ?? "none"}`);
  expect(writes.breaker, "status.json does not show the breaker");

  step("6. Reset by hand, and writes work again");
  const reset = await call("/__edgefuse/reset", {
    method: "POST",
    headers: { ...admin, "Content-Type": "application/json" },
    body: JSON.stringify({ resources: ["kv-writes"] }),
  });
  expect(reset.ok, `the reset answered ${reset.status}`);
  const again = await call("/note", { method: "PUT", body: "after the reset" });
  say(`POST /__edgefuse/reset kv-writes -> ${reset.status}; PUT /note -> ${again.status}`);
  expect(again.ok, "writes did not resume after the reset");
  await call(`/__scheduled?cron=${encodeURIComponent(CRON)}`);
  const held = (await (await call("/__edgefuse/status.json", { headers: admin })).json()).resources.find((row) => row.key === "kv-writes");
  say(`The next cron tick leaves it alone: decision "${held.decision}" until the UTC day ends.`);
  expect(held.decision === "held", `expected the reset to hold, got ${held.decision}`);

  step("7. A paid account: Workers AI capped at $1 of overage a day (POST /summarize)");
  for (let i = 0; i < 10; i += 1) {
    const summary = await call("/summarize", { method: "POST", body: `report ${i}` });
    expect(summary.ok, `POST /summarize answered ${summary.status}`);
  }
  // 10 calls of 2,500 neurons here, and 100,000 from the Worker's other isolates.
  await call("/__sim/usage", { method: "POST", body: JSON.stringify({ resource: "ai-neurons", units: 100_000 }) });
  say("10 summaries here (2,500 neurons each); with the other isolates the usage API reports 125,000 neurons today.");
  expect((await call(`/__scheduled?cron=${encodeURIComponent(CRON)}`)).ok, "the cron tick failed");
  const capped = await call("/summarize", { method: "POST", body: "one more" });
  const cappedBody = await capped.json().catch(() => ({}));
  say(`Cron tick; POST /summarize -> ${capped.status}: ${cappedBody.message}`);
  expect(capped.status === 503 && cappedBody.code === "tripped" && cappedBody.resource === "ai-neurons", "AI calls were not stopped by the cap");
  const aiAlert = (await (await call("/__sim/alerts")).json()).alerts
    .map((alert) => JSON.parse(alert.body))
    .find((body) => body.level === "trip" && body.key === "ai-neurons" && /today/.test(body.text));
  expect(aiAlert, "no Workers AI trip alert reached the receiver");
  say(`Alert: ${aiAlert.text.split("\n").slice(0, 2).join(" / ")}`);
  const digest = (await (await call("/__sim/alerts")).json()).alerts.map((alert) => JSON.parse(alert.body)).find((body) => body.level === "digest");
  expect(digest?.digest?.period === "day", "no daily digest reached the receiver");
  say("The paid guard's first cron tick (in step 3) sent yesterday's digest at once (alerts.digest); the receiver got:");
  for (const line of digest.text.split("\n")) say(`  | ${line}`);

  step("8. A retry storm: 16 senders redeliver a webhook at once, 5 D1 rows each (POST /webhook)");
  // Each delivery is far under every per-invocation limit: only the deliveries together are
  // too many. The real-time meter judges all of them against 300 rows a minute.
  const LINE = 300;
  let admittedRows = 0;
  let crossedAt = null;
  let refusedAt = null;
  let refusal = null;
  const stormStarted = performance.now();
  const sender = async () => {
    while (refusedAt === null && performance.now() - stormStarted < 20_000) {
      const delivery = await call("/webhook", { method: "POST" });
      if (delivery.status === 204) {
        admittedRows += 5;
        if (crossedAt === null && admittedRows >= LINE) crossedAt = performance.now();
      } else {
        const body = await delivery.json().catch(() => ({}));
        expect(delivery.status === 503 && body.code === "tripped", `a delivery answered ${delivery.status}: ${JSON.stringify(body)}`);
        if (refusedAt === null) [refusedAt, refusal] = [performance.now(), body.message];
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, sender));
  expect(refusedAt !== null, `the storm wrote ${admittedRows} rows and was never refused`);
  const { rows: stored } = await (await call("/webhook")).json();
  say(`${stored} rows written in ${((refusedAt - stormStarted) / 1000).toFixed(2)} s; the line is ${LINE} a minute.`);
  say(`Stopped by the meter ${((refusedAt - (crossedAt ?? refusedAt)) / 1000).toFixed(2)} s after the line was crossed, ${stored - LINE} rows past it:`);
  say(`503: ${refusal}`);
  say("No cron tick, no analytics: every isolate reports to the EdgefuseMeter Durable Object, which answers with the trip.");
  expect(stored - LINE < LINE, `the meter let ${stored - LINE} rows past the line`);

  step("9. A request flood on the paid account: the budget trips, and the Worker is taken off workers.dev and its routes");
  const ACCOUNT = "0123456789abcdef0123456789abcdef";
  const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
  await call("/__sim/rest/scripts", { method: "POST", body: JSON.stringify({ account: ACCOUNT, name: "edgefuse-demo" }) });
  await call("/__sim/rest/routes", { method: "POST", body: JSON.stringify({ zone: ZONE, pattern: "demo.example.com/*", script: "edgefuse-demo" }) });
  await call("/__sim/rest/routes", { method: "POST", body: JSON.stringify({ zone: ZONE, pattern: "blog.example.com/*", script: "blog" }) });
  const platform = async () => {
    const { scripts, zones, calls } = await (await call("/__sim/rest")).json();
    const routes = zones[ZONE].map((route) => `${route.pattern} -> ${route.script}`).join(", ");
    return { text: `workers.dev ${scripts[ACCOUNT]["edgefuse-demo"].subdomain.enabled ? "on" : "off"}; routes: ${routes}`, calls };
  };
  say(`The simulated account: ${(await platform()).text}`);
  // Billed whether the Worker answers 200 or 503: 400 million requests this month, 10 million included.
  await call("/__sim/usage", { method: "POST", body: JSON.stringify({ resource: "workers-requests", units: 400_000_000 }) });
  say("The usage API now reports 400,000,000 Workers requests this billing month (10,000,000 included, then $0.30 a million).");
  expect((await call(`/__scheduled?cron=${encodeURIComponent(CRON)}`)).ok, "the cron tick failed");
  const tripped = await platform();
  say("Cron tick: the $100 budget trips, and the actions call Cloudflare's REST API:");
  for (const { method, path, status } of tripped.calls) say(`  ${method} ${path} -> ${status}`);
  say(`Now: ${tripped.text}`);
  expect(/workers\.dev off; routes: blog\.example\.com\/\* -> blog$/.test(tripped.text), "the actions did not take the Worker off workers.dev and its routes");
  const actionAlert = (await (await call("/__sim/alerts")).json()).alerts.map((alert) => JSON.parse(alert.body)).find((body) => body.level === "action" && body.key === "detach-routes");
  expect(actionAlert, "no action alert reached the receiver");
  say(`Alert: ${actionAlert.text.split("\n").slice(0, 2).join(" / ")}`);
  const paidReset = await call("/__edgefuse-paid/reset", {
    method: "POST",
    headers: { ...admin, "Content-Type": "application/json" },
    body: JSON.stringify({ resources: ["workers-requests", "ai-neurons"] }),
  });
  expect(paidReset.ok, `the paid guard's reset answered ${paidReset.status}`);
  const restored = await platform();
  say("POST /__edgefuse-paid/reset -> 200, and the undo:");
  for (const { method, path, status } of restored.calls.slice(tripped.calls.length)) say(`  ${method} ${path} -> ${status}`);
  say(`Now: ${restored.text}`);
  expect(/workers\.dev on; routes: blog\.example\.com\/\* -> blog, demo\.example\.com\/\* -> edgefuse-demo$/.test(restored.text), "the reset did not put the Worker back");

  if (serve) {
    step(`Serving on ${base}: press Ctrl-C to stop`);
    await new Promise((resolve) => worker.on("exit", resolve));
    return;
  }
  step("Demo complete: the runaway import, the write storm, the noisy client, the AI bill, the retry storm and the request flood were stopped, and writes recovered");
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`\ndemo FAILED: ${error.message}`);
    process.exit(1);
  },
);
