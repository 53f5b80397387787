// Load test: 20,000+ requests through `wrangler dev` on loopback at high concurrency, bounded
// in time. Measures guarded against unguarded requests per second in the same run, then
// drives a mix of normal, tripped and over-limit traffic and checks that:
// - nothing fails unexpectedly, and every 503 is a guard decision (its JSON body says so);
// - the guard's own KV reads stay at one per isolate per refresh interval;
// - the WASM memory does not grow across the run.
// Exits non-zero when a check fails. Prints figures; asserts nothing about speed.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWranglerDev } from "../../scripts/wrangler-dev.mjs";

const port = Number(process.env.EDGEFUSE_LOAD_PORT ?? 8795);
const CONCURRENCY = Number(process.env.EDGEFUSE_LOAD_CONCURRENCY ?? 64);
const MIXED = Number(process.env.EDGEFUSE_LOAD_REQUESTS ?? 20_000);
const SPEED_SAMPLE = 4_000;
const DEADLINE = Date.now() + 240_000;
const TOKEN = "load-admin-token";

function check(condition, failure) {
  if (!condition) throw new Error(failure);
}

// Runs `count` requests, `CONCURRENCY` at a time; `pick(i)` gives [path, init, expect(response, body)].
async function drive(base, count, pick) {
  const failures = [];
  const statuses = {};
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      if (Date.now() > DEADLINE) throw new Error("the load test ran past its time limit");
      const i = next++;
      const [path, init, expected] = pick(i);
      try {
        const response = await fetch(`${base}${path}`, init);
        const body = await response.text();
        statuses[`${path} ${response.status}`] = (statuses[`${path} ${response.status}`] ?? 0) + 1;
        const problem = expected(response, body);
        if (problem) failures.push(`${path}: ${problem}`);
      } catch (error) {
        failures.push(`${path}: ${error.message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const seconds = (performance.now() - started) / 1000;
  return { failures, statuses, seconds, rps: count / seconds };
}

const ok = (response) => (response.status === 200 ? null : `expected 200, got ${response.status}`);
const guardDecision = (code) => (response, body) => {
  if (response.status !== 503) return `expected 503, got ${response.status}`;
  try {
    const answer = JSON.parse(body);
    if (answer.error !== "edgefuse-blocked" || answer.code !== code) return `a 503 that is not a ${code} guard decision: ${body}`;
  } catch {
    return `a 503 without the guard's JSON body: ${body.slice(0, 100)}`;
  }
  return null;
};

async function main() {
  const { base, stop } = await startWranglerDev({
    config: "tests/load/wrangler.jsonc",
    port,
    persistTo: mkdtempSync(join(tmpdir(), "edgefuse-load-")),
  });
  try {
    const stats = async () => (await fetch(`${base}/stats`)).json();
    // Warm up both paths and the isolate, then trip kv-writes by hand.
    await drive(base, 500, (i) => [i % 2 ? "/read" : "/raw/read", undefined, ok]);
    const trip = await fetch(`${base}/__edgefuse/trip`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ resources: ["kv-writes"], reason: "load test" }),
    });
    check(trip.ok, `the manual trip answered ${trip.status}`);
    const before = await stats();

    console.log(`edgefuse load test: wrangler dev on loopback, ${CONCURRENCY} requests in flight`);
    const raw = await drive(base, SPEED_SAMPLE, () => ["/raw/read", undefined, ok]);
    const guardedReads = await drive(base, SPEED_SAMPLE, () => ["/read", undefined, ok]);
    console.log(`  KV read, unguarded: ${raw.rps.toFixed(0)} requests/s (${SPEED_SAMPLE} in ${raw.seconds.toFixed(1)} s)`);
    console.log(`  KV read, guarded:   ${guardedReads.rps.toFixed(0)} requests/s (${SPEED_SAMPLE} in ${guardedReads.seconds.toFixed(1)} s)`);
    console.log(`  guarded / unguarded: ${(guardedReads.rps / raw.rps).toFixed(2)}`);

    const mixed = await drive(base, MIXED, (i) => {
      const roll = i % 20;
      if (roll < 14) return ["/read", undefined, ok]; // 70% normal
      if (roll < 17) return ["/over", undefined, guardDecision("invocation-limit")]; // 15% over the limit
      return ["/write", { method: "PUT" }, guardDecision("tripped")]; // 15% to a tripped resource
    });
    console.log(`  mixed: ${MIXED} requests in ${mixed.seconds.toFixed(1)} s (${mixed.rps.toFixed(0)}/s):`);
    for (const [key, count] of Object.entries(mixed.statuses).sort()) console.log(`    ${key.padEnd(16)} ${count}`);

    const after = await stats();
    const total = 500 + 2 * SPEED_SAMPLE + MIXED;
    console.log(`  guard KV reads of its state: ${after.stateReads} for ${total} requests`);
    console.log(`  WASM memory: ${before.wasmBytes} bytes before, ${after.wasmBytes} after`);

    const failures = [...raw.failures, ...guardedReads.failures, ...mixed.failures];
    check(failures.length === 0, `${failures.length} unexpected answers, e.g. ${failures.slice(0, 3).join("; ")}`);
    // The run is well under refreshSeconds (60 s) per minute of traffic: 1 read at start, one more per minute.
    const minutes = Math.ceil((raw.seconds + guardedReads.seconds + mixed.seconds) / 60);
    check(after.stateReads <= 2 + minutes * 2, `the guard read its state ${after.stateReads} times`);
    check(after.wasmBytes === before.wasmBytes, "the WASM memory grew during the run");
    console.log("load test passed");
  } finally {
    stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`load test FAILED: ${error.message}`);
    process.exit(1);
  },
);
