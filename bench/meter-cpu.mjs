// The real-time meter's own CPU per report: MeterBook.report (src/live_meter.h), the one core
// call an EdgefuseMeter object makes per report, timed in node (the same V8 as workerd, whose
// clock stands still while a Worker computes). The state is a busy meter's: three rate lines
// and a live quota per resource of the free plan, a minute of reports behind it. Prints
// figures; asserts nothing about speed.
import { readFileSync } from "node:fs";
import { instantiateCore } from "../js/instantiate.js";

const core = instantiateCore(new WebAssembly.Module(readFileSync(new URL("../dist/edgefuse_core.wasm", import.meta.url))));
const t0 = Date.parse("2026-12-01T12:00:00Z");
const lines = {
  "kv-writes": { perMinute: 5000, recoverPerMinute: 2500 },
  "d1-rows-written": { perMinute: 20000, recoverPerMinute: 10000 },
  "kv-writes@import": { perMinute: 1000, recoverPerMinute: 500 },
};
const resources = ["kv-reads", "kv-writes", "kv-deletes", "kv-lists", "d1-rows-read", "d1-rows-written", "r2-class-a", "r2-class-b"];
const report = (now) =>
  JSON.stringify({ now, lines, units: Object.fromEntries([...resources, "kv-writes@import"].map((key) => [key, 7])) });
const quotas = Object.fromEntries(
  resources.map((id) => [id, { used: 100, trip: 90_000, recover: 80_000, windowStartMs: t0 - 12 * 3_600_000, windowEndMs: t0 + 12 * 3_600_000 }]),
);
const id = core.bookOpen("");
const book = Object.fromEntries(["report", "baseline"].map((method) => [method, (text) => core.bookCall(id, method, text)]));
book.state = () => core.bookState(id);
book.baseline(JSON.stringify({ asOfMs: t0, quotas }));
let now = t0;
for (let i = 0; i < 240; i += 1) book.report(report((now += 250))); // a minute of reports

const rounds = [];
for (let round = 0; round < 7; round += 1) {
  const count = 5_000;
  const start = performance.now();
  for (let i = 0; i < count; i += 1) JSON.parse(book.report(report((now += 12))));
  rounds.push(((performance.now() - start) * 1000) / count);
}
rounds.sort((a, b) => a - b);
const stateStart = performance.now();
let stateText = "";
for (let i = 0; i < 1_000; i += 1) stateText = book.state();
const stateMs = ((performance.now() - stateStart) * 1000) / 1_000;
const stateBytes = stateText.length;
console.log(
  `edgefuse meter CPU per report (node ${process.version}, median of 7 rounds of 5,000 reports)\n` +
    `  a busy meter: 3 rate lines (one a feature's), 8 live quotas, a minute of 5 s buckets\n` +
    `  MeterBook.report: ${rounds[3].toFixed(1)} µs a report, its answer parsed (what the object does per report)\n` +
    `  MeterBook.state:  ${stateMs.toFixed(1)} µs, ${stateBytes.toLocaleString("en-US")} bytes (written to storage at most every 10 s)`,
);
