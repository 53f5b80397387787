// What loading edgefuse costs: the gzipped size of a minimal guarded Worker as wrangler
// bundles it, and the time from nothing to a first and a second guarded request in fresh
// isolates. (workerd's clock stands still while a Worker computes, so isolates are node
// processes here: the same V8.) Prints figures; asserts nothing about speed.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const here = new URL("./cold-start/", import.meta.url).pathname;
const config = join(here, "wrangler.jsonc");
const ISOLATES = 5;

const out = mkdtempSync(join(tmpdir(), "edgefuse-bundle-"));
execFileSync("wrangler", ["deploy", "--dry-run", "--outdir", out, "-c", config], { stdio: "ignore" });
const gz = (name) => gzipSync(readFileSync(join(out, name)), { level: 9 }).length;
const files = readdirSync(out);
const wasm = files.find((name) => name.endsWith(".wasm"));
const script = files.find((name) => name.endsWith(".js"));
const sizes = { wasm: gz(wasm), script: gz(script) };
rmSync(out, { recursive: true, force: true });

// Fresh isolates: one node process each (V8, as in workerd), timed from inside.
const runs = [];
for (let i = 0; i < ISOLATES; i += 1) {
  const output = execFileSync(process.execPath, [join(here, "isolate.mjs")], { encoding: "utf8" });
  runs.push(JSON.parse(output.trim().split("\n").pop()));
}
const column = (key) => runs.map((run) => run[key]);
const ms = (key) => `${median(column(key)).toFixed(2)} ms (${column(key).map((value) => value.toFixed(2)).join(", ")})`;

function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB (${bytes.toLocaleString("en-US")} B)`;
console.log(
  `edgefuse loading: a minimal guarded Worker (bench/cold-start/worker.js), bundled by wrangler\n` +
    `  gzipped .wasm    ${kib(sizes.wasm)}\n` +
    `  gzipped script   ${kib(sizes.script)}: the shim, the Emscripten glue, the status page\n` +
    `  total            ${kib(sizes.wasm + sizes.script)}\n` +
    `fresh isolates (${ISOLATES} node processes; medians, then each run):\n` +
    `  import edgefuse  ${ms("load")}: modules evaluated, the .wasm compiled\n` +
    `  createGuard      ${ms("create")}: the core instantiated, the config validated\n` +
    `  first request    ${ms("first")}: guard.wrap, breaker state read (in-memory KV), one KV call\n` +
    `  second request   ${ms("second")}`,
);
