// The storm test: many concurrent clients through `wrangler dev`, every request small (2 KV
// writes, far under every per-invocation limit), against the free plan's daily quota of
// 1,000 KV writes, which the guard trips at 90%: 900. Run twice on the same Worker:
// - with the real-time meter (live quotas): the last tick's figure (0) plus what the meter
//   counts live;
// - with the usage poll alone, given every advantage: a tick every TICK_MS (the examples'
//   cron runs every 5 minutes) and the simulator fed the exact count before each tick (real
//   analytics lag by minutes).
// Prints, for each, the writes that reached KV (counted there), how far past the line, and the
// seconds from the line being crossed (as the clients saw it) to the first refusal. Fails when a run never refuses, when a refusal is not
// the guard's, or when the meter lets more than the line again through.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startWranglerDev } from "../../scripts/wrangler-dev.mjs";

const port = Number(process.env.EDGEFUSE_STORM_PORT ?? 8796);
const CONCURRENCY = Number(process.env.EDGEFUSE_STORM_CONCURRENCY ?? 32);
const LINE = 900; // 90% of the free plan's 1,000 KV writes a day
const WRITES_PER_REQUEST = 2;
const TICK_MS = 5_000;
const PHASE_LIMIT_MS = 60_000;

function check(condition, failure) {
  if (!condition) throw new Error(failure);
}

async function storm(base, name, { ticks }) {
  const call = (path, init) => fetch(`${base}${path}`, init);
  await call("/__sim/reset", { method: "POST", body: "{}" });
  const first = await (await call(`/tick/${name}`)).json();
  check(first.ok, `the first tick of ${name} failed: ${JSON.stringify(first)}`);
  const started = performance.now();
  let admittedWrites = 0;
  let requests = 0;
  let crossedAt = null;
  let refusedAt = null;
  let refusal = null;
  let stopAt = started + PHASE_LIMIT_MS;
  const lane = async () => {
    while (performance.now() < stopAt) {
      const response = await call(`/write/${name}`, { method: "POST" });
      const body = await response.text();
      requests += 1;
      if (response.status === 200) {
        admittedWrites += WRITES_PER_REQUEST;
        if (crossedAt === null && admittedWrites >= LINE) crossedAt = performance.now();
      } else {
        check(response.status === 503, `${name}: unexpected ${response.status}: ${body.slice(0, 200)}`);
        const answer = JSON.parse(body);
        check(answer.error === "edgefuse-blocked" && answer.code === "tripped", `${name}: a 503 that is not a trip: ${body}`);
        if (refusedAt === null) {
          refusedAt = performance.now();
          refusal = answer.message;
          stopAt = Math.min(stopAt, refusedAt + 1_000); // a second more: anything still let through counts
        }
      }
    }
  };
  // The poll's schedule: the simulator given the exact count, then a tick.
  const ticker = async () => {
    while (ticks && refusedAt === null && performance.now() < stopAt) {
      await sleep(TICK_MS);
      const usage = { resource: "kv-writes", units: admittedWrites, mode: "set" };
      await call("/__sim/usage", { method: "POST", body: JSON.stringify(usage) });
      await call(`/tick/${name}`);
    }
  };
  await Promise.all([...Array.from({ length: CONCURRENCY }, lane), ticker()]);
  const seconds = (performance.now() - started) / 1000;
  check(refusedAt !== null, `${name}: ${admittedWrites} writes admitted in ${seconds.toFixed(1)} s and nothing refused`);
  const meter = await (await call(`/meter/${name}`)).json();
  const { written } = await (await call(`/count/${name}`)).json();
  return {
    admittedWrites: written,
    overshoot: written - LINE,
    toRefusal: crossedAt === null ? 0 : (refusedAt - crossedAt) / 1000,
    requests,
    rps: requests / seconds,
    refusal,
    reports: meter?.reports.answered ?? null,
  };
}

async function main() {
  const { base, stop } = await startWranglerDev({
    config: ["tests/load/storm.jsonc", "wrangler/simulator.jsonc"],
    port,
    readyPath: "/meter/metered",
    persistTo: mkdtempSync(join(tmpdir(), "edgefuse-storm-")),
  });
  try {
    const metered = await storm(base, "metered", { ticks: false });
    const polled = await storm(base, "polled", { ticks: true });
    const row = (label, run) =>
      `${label.padEnd(34)} ${String(run.admittedWrites).padStart(7)}  ${`+${run.overshoot}`.padStart(9)}  ${run.toRefusal.toFixed(2).padStart(8)} s  ${String(Math.round(run.rps)).padStart(6)}`;
    console.log(
      `edgefuse storm: ${CONCURRENCY} clients through wrangler dev, 2 KV writes a request, against the free plan's 900-write trip line\n` +
        `run                                 writes  past line  to refusal     req/s\n` +
        `${row("real-time meter (live quota)", metered)}\n` +
        `${row(`usage poll alone (tick every ${TICK_MS / 1000} s)`, polled)}\n` +
        `meter reports: ${metered.reports} for ${metered.requests} requests (${Math.round((metered.reports / metered.requests) * 10_000)} per 10,000)\n` +
        `first refusal with the meter: ${metered.refusal}`,
    );
    check(metered.refusal.includes("counted live"), `the meter's refusal does not name its live count: ${metered.refusal}`);
    check(metered.overshoot < LINE, `the meter let ${metered.overshoot} writes past the line`);
  } finally {
    stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
