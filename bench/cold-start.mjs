// What loading edgefuse costs: the gzipped size of a minimal guarded Worker as wrangler
// bundles it, and the time from nothing to a first and a second guarded request in fresh
// isolates, each loading that bundle. (workerd's clock stands still while a Worker computes,
// so isolates are node processes here: the same V8.) Prints figures; asserts nothing about speed.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const here = new URL("./cold-start/", import.meta.url).pathname;
const config = join(here, "wrangler.jsonc");
const ISOLATES = 5;

/** Bundles `main` with the bench's wrangler config: { dir, script, wasm } in a temp dir. */
function bundle(main) {
  const dir = mkdtempSync(join(tmpdir(), "edgefuse-bundle-"));
  execFileSync("wrangler", ["deploy", "--dry-run", "--outdir", dir, "-c", config, "--name", "edgefuse-cold-start", join(here, main)], { stdio: "ignore" });
  const files = readdirSync(dir);
  return { dir, script: files.find((name) => name.endsWith(".js")), wasm: files.find((name) => name.endsWith(".wasm")) };
}
const guarded = bundle("worker.js");
const plain = bundle("plain.js");
const gz = ({ dir }, name) => gzipSync(readFileSync(join(dir, name)), { level: 9 }).length;
const sizes = { wasm: gz(guarded, guarded.wasm), script: gz(guarded, guarded.script) };

// Fresh isolates: one node process each (V8, as in workerd), timed from inside, taking the
// guarded Worker and the plain one in turn.
const runs = { guarded: [], plain: [] };
for (let i = 0; i < ISOLATES; i += 1) {
  for (const [name, { dir, script }] of Object.entries({ guarded, plain })) {
    const output = execFileSync(process.execPath, ["--experimental-vm-modules", "--no-warnings", join(here, "isolate.mjs"), join(dir, script)], { encoding: "utf8" });
    const run = JSON.parse(output.trim().split("\n").pop());
    runs[name].push({ ...run, total: run.compile + run.parse + run.evaluate + run.first });
  }
}
for (const { dir } of [guarded, plain]) rmSync(dir, { recursive: true, force: true });
const parts = [];
for (let i = 0; i < ISOLATES; i += 1) {
  parts.push(JSON.parse(execFileSync(process.execPath, [join(here, "core-parts.mjs")], { encoding: "utf8" })));
}
// The function bodies each step has V8 compile (Liftoff, on their first call): one traced run
// that stops after each step, background threads off so that only first calls compile.
const STEPS = ["instantiate", "guard", "read", "call"];
const compiledUpTo = (step) => {
  const trace = execFileSync(process.execPath, ["--trace-wasm-compilation-times", "--single-threaded", join(here, "core-parts.mjs"), `--until=${step}`], { encoding: "utf8" });
  const bodies = [...trace.matchAll(/ using Liftoff.* bodysize (\d+)/g)].map((match) => Number(match[1]));
  return { functions: bodies.length, bytes: bodies.reduce((sum, bytes) => sum + bytes, 0) };
};
const upTo = STEPS.map(compiledUpTo);
const compiled = Object.fromEntries(
  STEPS.map((step, i) => [step, { functions: upTo[i].functions - (upTo[i - 1]?.functions ?? 0), bytes: upTo[i].bytes - (upTo[i - 1]?.bytes ?? 0) }]),
);
const coreBytes = codeSectionBytes(readFileSync(new URL("../dist/edgefuse_core.wasm", import.meta.url)));
const compiledRow = (label, name) => {
  const { functions = 0, bytes = 0 } = compiled[name] ?? {};
  return `  ${label.padEnd(18)} ${(bytes / 1024).toFixed(1).padStart(6)} KiB in ${String(functions).padStart(3)} functions`;
};
const firstRequestBytes = upTo[STEPS.length - 1].bytes;

/** The size of a .wasm's code section: every function body. */
function codeSectionBytes(bytes) {
  let at = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return value;
    }
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    if (id === 10) return size;
    at += size;
  }
  throw new Error("the .wasm has no code section");
}
const column = (name, key) => runs[name].map((run) => run[key]);
const row = (label, key) => {
  const [mine, base] = [median(column("guarded", key)), median(column("plain", key))];
  return `  ${label.padEnd(17)} ${mine.toFixed(2).padStart(7)} ms  ${base.toFixed(2).padStart(7)} ms  ${(mine - base).toFixed(2).padStart(7)} ms`;
};

function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB (${bytes.toLocaleString("en-US")} B)`;
console.log(
  `edgefuse loading: a minimal guarded Worker (bench/cold-start/worker.js), bundled by wrangler\n` +
    `  gzipped .wasm    ${kib(sizes.wasm)}\n` +
    `  gzipped script   ${kib(sizes.script)}: the shim, the Emscripten glue, the status page\n` +
    `  total            ${kib(sizes.wasm + sizes.script)}\n` +
    `fresh isolates (node processes), median of ${ISOLATES}: guarded, the same Worker without edgefuse, the difference\n` +
    row("compile the .wasm", "compile") + "\n" +
    row("parse the script", "parse") + "\n" +
    row("evaluate it", "evaluate") + "  (createGuard: instantiate the core, validate the config)\n" +
    row("first request", "first") + "  (breaker state read from in-memory KV, one KV call)\n" +
    row("second request", "second") + "\n" +
    row("nothing to first", "total") +
    `\nthe core's steps apart (fresh node processes, median of ${ISOLATES}):\n` +
    [
      ["compile the .wasm", "compile"],
      ["instantiate it", "instantiate"],
      ["make the guard", "validateFirst", "validateSecond"],
      ["read the breakers", "stateFirst", "stateSecond"],
      ["guard a call", "callFirst", "callSecond"],
    ]
      .map(([label, first, second]) => {
        const at = (key) => median(parts.map((part) => part[key])).toFixed(2).padStart(6);
        return `  ${label.padEnd(18)} ${at(first)} ms${second ? ` first, ${at(second)} ms second` : ""}`;
      })
      .join("\n") +
    `\nfunction bodies V8 compiled on their first call (Liftoff), by step:\n` +
    [
      ["instantiate it", "instantiate"],
      ["make the guard", "guard"],
      ["read the breakers", "read"],
      ["guard a call", "call"],
    ]
      .map(([label, name]) => compiledRow(label, name))
      .join("\n") +
    `\n  before a first request: ${(firstRequestBytes / 1024).toFixed(1)} KiB of the module's ${(coreBytes / 1024).toFixed(1)} KiB of code`,
);
