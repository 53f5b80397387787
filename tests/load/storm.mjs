// The storm test: many concurrent clients through `wrangler dev`, every request small (2 KV
// writes, far under every per-invocation limit), against the free plan's daily quota of
// 1,000 KV writes, which the guard trips at 90%: 900. Three runs:
// - with the real-time meter (live quotas): the last tick's figure (0) plus what the meter
//   counts live;
// - with the usage poll alone, given every advantage: a tick every TICK_MS (the examples'
//   cron runs every 5 minutes) and the simulator fed the exact count before each tick (real
//   analytics lag by minutes);
// - with the meter again, the clients spread over three workerd processes (separate wrangler
//   dev sessions), two of them reporting to the first's meter through a service binding.
// Prints, for each, the writes that reached KV (counted there), how far past the line, the
// seconds from the line being crossed (as the clients saw it) to the first refusal, how long
// reports took, and how soon every process refused. Fails when a run never refuses, when a
// refusal is not the guard's, or when the meter lets more than the line again through.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
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

// One storm against the guard `name`, its clients spread over `bases` (workerd processes;
// the first also serves the simulator and the ticks).
async function storm(bases, name, { ticks }) {
  const [base] = bases;
  const call = (path, init, at = base) => fetch(`${at}${path}`, init);
  await call("/__sim/reset", { method: "POST", body: "{}" });
  const first = await (await call(`/tick/${name}`)).json();
  check(first.ok, `the first tick of ${name} failed: ${JSON.stringify(first)}`);
  const started = performance.now();
  let admittedWrites = 0;
  let requests = 0;
  let crossedAt = null;
  let refusedAt = null;
  let refusal = null;
  const refusedIn = bases.map(() => null); // each process's first refusal
  let stopAt = started + PHASE_LIMIT_MS;
  const lane = async (index) => {
    const process = index % bases.length;
    while (performance.now() < stopAt) {
      const response = await call(`/write/${name}`, { method: "POST" }, bases[process]);
      const body = await response.text();
      requests += 1;
      if (response.status === 200) {
        admittedWrites += WRITES_PER_REQUEST;
        if (crossedAt === null && admittedWrites >= LINE) crossedAt = performance.now();
      } else {
        check(response.status === 503, `${name}: unexpected ${response.status}: ${body.slice(0, 200)}`);
        const answer = JSON.parse(body);
        check(answer.error === "edgefuse-blocked" && answer.code === "tripped", `${name}: a 503 that is not a trip: ${body}`);
        refusedIn[process] ??= performance.now();
        if (refusedAt === null) {
          refusedAt = performance.now();
          refusal = answer.message;
        }
        // Once every process refuses, a second more: anything still let through counts.
        // (Near the line a process may refuse while its share is spent, before the trip.)
        if (refusedIn.every((at) => at !== null)) stopAt = Math.min(stopAt, performance.now() + 1_000);
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
  await Promise.all([...Array.from({ length: CONCURRENCY }, (_, index) => lane(index)), ticker()]);
  const seconds = (performance.now() - started) / 1000;
  check(refusedAt !== null, `${name}: ${admittedWrites} writes admitted in ${seconds.toFixed(1)} s and nothing refused`);
  let written = 0;
  let reports = 0;
  const roundTrips = [];
  for (const at of bases) {
    written += (await (await call(`/count/${name}`, undefined, at)).json()).written;
    const meter = await (await call(`/meter/${name}`, undefined, at)).json();
    reports += meter?.reports.answered ?? 0;
    if (meter) roundTrips.push(meter.reports.roundTripMs);
  }
  return {
    admittedWrites: written,
    overshoot: written - LINE,
    toRefusal: crossedAt === null ? null : (refusedAt - crossedAt) / 1000,  // null: refused before the line
    // From the first refusal anywhere to the last process's first: how far the trip spread.
    spread: refusedIn.every((at) => at !== null) ? (Math.max(...refusedIn) - refusedAt) / 1000 : null,
    requests,
    rps: requests / seconds,
    refusal,
    reports,
    roundTripMs: roundTrips.length ? Math.max(...roundTrips) : null,
  };
}

// The storm Worker as a separate workerd process (a wrangler dev of its own) named `name`,
// reporting to the first process's meter through a service binding.
function remoteConfig(directory, name) {
  const path = join(directory, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      name,
      main: resolve("tests/load/storm-worker.js"),
      compatibility_date: "2026-11-01",
      kv_namespaces: [
        { binding: "METERED_STATE", id: "edgefuse-storm-metered" },
        { binding: "POLLED_STATE", id: "edgefuse-storm-polled" },
        { binding: "KV", id: "edgefuse-storm-kv" },
      ],
      services: [{ binding: "METER_HOST", service: "edgefuse-storm", entrypoint: "MeterHost" }],
    }),
  );
  return path;
}

const signed = (n) => (n < 0 ? `${n}` : `+${n}`);
const row = (label, run) =>
  `${label.padEnd(34)} ${String(run.admittedWrites).padStart(7)}  ${signed(run.overshoot).padStart(9)}  ${
    run.toRefusal === null ? "  before the line" : `${run.toRefusal.toFixed(2).padStart(8)} s`
  }  ${String(Math.round(run.rps)).padStart(6)}`;

// Whether a run's overshoot is within 2% of the line plus one report's worth.
function goal(label, run) {
  const reportWorth = Math.round(run.rps * WRITES_PER_REQUEST * (run.roundTripMs / 1000));
  const allowed = Math.round(LINE * 0.02) + reportWorth;
  return `${label}: ${signed(run.overshoot)} against ${Math.round(LINE * 0.02)} + ${reportWorth} = ${allowed}: ${run.overshoot <= allowed ? "met" : "not met"}`;
}

async function main() {
  const scratch = mkdtempSync(join(tmpdir(), "edgefuse-storm-"));
  // The dev registry, through which separate wrangler dev sessions find each other: this run's own.
  const env = { ...process.env, WRANGLER_REGISTRY_PATH: join(scratch, "registry") };
  const single = await startWranglerDev({
    config: ["tests/load/storm.jsonc", "wrangler/simulator.jsonc"],
    port,
    readyPath: "/meter/metered",
    persistTo: join(scratch, "one"),
    env,
  });
  let metered;
  let polled;
  try {
    metered = await storm([single.base], "metered", { ticks: false });
    polled = await storm([single.base], "polled", { ticks: true });
  } finally {
    single.stop();
  }
  // The same storm spread over three workerd processes, with a fresh meter: one process holds
  // it, the other two report to it from their own isolates.
  const processes = [];
  let spread;
  try {
    processes.push(
      await startWranglerDev({
        config: ["tests/load/storm.jsonc", "wrangler/simulator.jsonc"],
        port: port + 1,
        readyPath: "/meter/metered",
        persistTo: join(scratch, "host"),
        env,
      }),
    );
    for (const [index, name] of ["edgefuse-storm-2", "edgefuse-storm-3"].entries()) {
      processes.push(
        await startWranglerDev({ config: remoteConfig(scratch, name), port: port + 2 + index, readyPath: "/meter/metered", persistTo: join(scratch, name), env }),
      );
    }
    spread = await storm(
      processes.map(({ base }) => base),
      "metered",
      { ticks: false },
    );
  } finally {
    for (const { stop } of processes) stop();
  }
  console.log(
    `edgefuse storm: ${CONCURRENCY} clients through wrangler dev, 2 KV writes a request, against the free plan's 900-write trip line\n` +
      `run                                 writes  past line  to refusal     req/s\n` +
      `${row("real-time meter (live quota)", metered)}\n` +
      `${row(`usage poll alone (tick every ${TICK_MS / 1000} s)`, polled)}\n` +
      `${row("meter, 3 workerd processes", spread)}\n` +
      `meter reports: ${metered.reports} for ${metered.requests} requests (${Math.round((metered.reports / metered.requests) * 10_000)} per 10,000)\n` +
      `meter report round trip (mean, slowest process): ${metered.roundTripMs.toFixed(0)} ms in one process, ${spread.roundTripMs.toFixed(0)} ms across 3\n` +
      `the issue's goal, 2% of the line plus one report's worth (the writes admitted in one round trip at the run's rate):\n` +
      `${goal("  one process", metered)}\n${goal("  3 processes", spread)}\n` +
      `3 processes: every process refusing ${spread.spread === null ? "(not every process refused)" : `${spread.spread.toFixed(2)} s`} after the first refusal; ${spread.reports} meter reports\n` +
      `first refusal with the meter: ${metered.refusal}`,
  );
  // Refused by the meter's answer (its live count), or by an isolate that spent alone what the last answer left.
  check(/counted live|this isolate alone has used them/.test(metered.refusal), `the first refusal is not the meter's: ${metered.refusal}`);
  check(metered.overshoot < LINE, `the meter let ${metered.overshoot} writes past the line`);
  check(spread.spread !== null, "with 3 processes, a process never refused");
  check(spread.overshoot < LINE, `with 3 processes, the meter let ${spread.overshoot} writes past the line`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
