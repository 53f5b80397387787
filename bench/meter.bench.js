// The real-time meter's cost, inside workerd with the real EdgefuseMeter object: meter
// requests per 10,000 guarded requests, calm and in a storm (a hand-driven clock, so that
// hours pass in seconds), and what the meter adds to a request. Prints figures; asserts
// nothing about speed.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { it } from "vitest";
import { createGuard } from "../js/index.js";
import { median, memoryKv, table, timeRequests } from "./measure.js";

// Each test starts an hour after the last: the meter's clock never goes back.
let era = Date.parse("2026-12-10T00:00:00Z");

it("meter requests per 10,000 requests, calm and in a storm", async () => {
  const rows = [["scenario", "requests", "span", "writes/min", "meter requests", "per 10,000", "first refusal"]];
  const scenarios = [
    ["calm: 1 request / s", 1000, 1, { "kv-writes": { perMinute: 1_000_000 } }],
    ["busy: 10 requests / s", 100, 1, { "kv-writes": { perMinute: 1_000_000 } }],
    ["storm: 100 requests / s", 10, 5, { "kv-writes": { perMinute: 20_000 } }],
  ];
  for (const [label, stepMs, writes, rates] of scenarios) {
    era += 30 * 86_400_000;
    let now = era;
    const guard = createGuard({ plan: "paid", budget: { maxUsd: 50 }, rates, limits: { "kv-writes": null } }, { clock: () => now });
    const worker = guard.wrap({
      async fetch(request, workerEnv) {
        for (let i = 0; i < writes; i += 1) await workerEnv.KV.put("k", "v");
        return new Response("ok");
      },
    });
    const workerEnv = { ...env, KV: memoryKv(null) };
    const requests = 10_000;
    let refusedAt = null;
    for (let i = 0; i < requests; i += 1) {
      const ctx = createExecutionContext();
      const response = await worker.fetch(new Request("http://bench/"), workerEnv, ctx);
      await waitOnExecutionContext(ctx);
      if (response.status === 503 && refusedAt === null) refusedAt = i;
      now += stepMs;
    }
    const { answered, failed } = guard.meter.reports;
    const sent = answered + failed;
    rows.push([
      label,
      requests,
      `${((requests * stepMs) / 1000).toFixed(0)} s`,
      (60_000 / stepMs) * writes,
      sent,
      Math.round((sent * 10_000) / requests),
      refusedAt === null ? "none" : `request ${refusedAt + 1}`,
    ]);
  }
  console.log(`\nedgefuse meter requests (one isolate, a rate line on kv-writes; each report is one Durable Objects request)\n${table(rows)}`);
});

it("what the meter adds to a request (guard.wrap, a handler that writes one key)", async () => {
  const handler = {
    async fetch(request, workerEnv) {
      await workerEnv.KV.put("k", "v");
      return null;
    },
  };
  const workerEnv = { ...env, KV: memoryKv(null) };
  const request = new Request("http://bench/");
  const guards = {
    "meter off": createGuard({ plan: "paid", budget: { maxUsd: 50 } }).wrap(handler),
    "meter on (calm)": createGuard({ plan: "paid", budget: { maxUsd: 50 }, rates: { "kv-writes": { perMinute: 1e9 } } }).wrap(handler),
  };
  // No execution context: a report, when one is due, runs on without being waited for.
  // The machine's speed drifts between rounds, so each round times both back to back and the
  // figure is the median of the rounds' differences.
  const count = 20_000;
  const rounds = 15;
  for (const worker of Object.values(guards)) await timeRequests(worker.fetch, request, workerEnv, count); // warm-up
  const samples = { off: [], on: [], added: [] };
  for (let round = 0; round < rounds; round += 1) {
    const off = await timeRequests(guards["meter off"].fetch, request, workerEnv, count);
    const on = await timeRequests(guards["meter on (calm)"].fetch, request, workerEnv, count);
    samples.off.push(off);
    samples.on.push(on);
    samples.added.push(on - off);
  }
  console.log(
    `\nedgefuse meter, per request: medians of ${rounds} rounds of ${count.toLocaleString("en-US")} requests each way\n` +
      table([
        ["guard", "ns/request"],
        ["meter off", median(samples.off).toFixed(0)],
        ["meter on (calm)", median(samples.on).toFixed(0)],
        ["added by the meter (median of the rounds' differences)", median(samples.added).toFixed(0)],
      ]),
  );
});

it("the meter object's duration per report (what Durable Objects bill as GB-s)", async () => {
  // Duration is billed while the object runs (https://developers.cloudflare.com/durable-objects/platform/pricing/):
  // at 128 MB, for the wall-clock time of each request. Timed here from the caller's side, a
  // round trip through the stub, so an upper bound on the object's own time.
  const meter = env.EDGEFUSE_METER.get(env.EDGEFUSE_METER.idFromName("edgefuse-meter"));
  era += 30 * 86_400_000;
  const lines = { "kv-writes": { perMinute: 1e9, recoverPerMinute: 1 }, "d1-rows-written": { perMinute: 1e9, recoverPerMinute: 1 } };
  const report = (now) => JSON.stringify({ now, lines, units: { "kv-writes": 3, "d1-rows-written": 7 } });
  let now = era;
  for (let i = 0; i < 200; i += 1) await meter.report(report((now += 250))); // warm-up
  const rounds = [];
  for (let round = 0; round < 5; round += 1) {
    const count = 1000;
    const started = performance.now();
    for (let i = 0; i < count; i += 1) await meter.report(report((now += 250)));
    rounds.push((performance.now() - started) / count);
  }
  const perReport = median(rounds);
  const gbSeconds = (reports) => ((reports * perReport) / 1000) * (128 / 1024);
  console.log(
    `\nedgefuse meter duration: median of 5 rounds of 1,000 reports, each a round trip to the object\n` +
      table([
        ["per report", `${perReport.toFixed(3)} ms`],
        ["10 busy isolates, calm (14,400 reports a day)", `${gbSeconds(14_400).toFixed(2)} GB-s a day`],
        ["a storm, 4 reports a second for a day", `${gbSeconds(4 * 86_400).toFixed(1)} GB-s a day`],
        ["free plan's Durable Objects duration", "13,000 GB-s a day"],
      ]),
  );
});
