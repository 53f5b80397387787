// The edgefuse command (bin/edgefuse.js), as a user runs it: exit codes, what it prints for
// good and bad input, and the usage-API simulator it starts with the project's wrangler.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse as parseJsonc } from "jsonc-parser";

const cli = new URL("../../bin/edgefuse.js", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "edgefuse-cli-"));

/** { code, out, err } of `edgefuse ...args`, with `input` on standard input. */
function edgefuse(args, input = "", env = process.env) {
  try {
    const out = execFileSync(process.execPath, [cli, ...args], { input, env, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
    return { code: 0, out, err: "" };
  } catch (error) {
    return { code: error.status, out: error.stdout, err: error.stderr };
  }
}

test("check: a valid config prints it normalised and exits 0; an invalid one lists every problem and exits 1", () => {
  const good = join(work, "good.json");
  writeFileSync(good, JSON.stringify({ plan: "free", limits: { "kv-writes": 50 } }));
  const ok = edgefuse(["check", good]);
  assert.equal(ok.code, 0);
  assert.match(ok.out, /^ok: a valid config for the free plan/);
  assert.equal(JSON.parse(ok.out.slice(ok.out.indexOf("{"))).limits["kv-writes"], 50);

  const bad = edgefuse(["check", "-"], JSON.stringify({ plan: "gold", limits: { "kv-readz": 3 } }));
  assert.equal(bad.code, 1);
  assert.match(bad.out, /invalid: 2 problem\(s\)/);
  assert.match(bad.out, /limits\.kv-readz: unknown resource\n {4}fix: did you mean kv-reads\?/);
  assert.match(bad.out, /plan: /);
});

test("check and estimate: unreadable or non-JSON input is one line naming it, exit 2", () => {
  const missing = edgefuse(["check", join(work, "missing.json")]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /^edgefuse: check: cannot read .*missing\.json \(ENOENT\)\n$/);
  const notJson = edgefuse(["estimate", "-", "--plan", "free"], "{ nope");
  assert.equal(notJson.code, 2);
  assert.match(notJson.err, /^edgefuse: estimate: - is not JSON/);
  // V8 quotes the text's start in its message: a newline in it stays on one line.
  const multiline = edgefuse(["check", "-"], "nope\n{\n");
  assert.equal(multiline.code, 2);
  assert.match(multiline.err, /^edgefuse: check: - is not JSON \([^\n]*\)\n$/);
  const unknown = edgefuse(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command "frobnicate"\nusage: edgefuse <command>/);
});

test("estimate: the cost of usage per resource, from the same core as the Worker", () => {
  const paid = edgefuse(["estimate", "-", "--plan", "paid"], JSON.stringify({ "kv-reads": 12_000_000, "d1-rows-written": 60_000_000 }));
  assert.equal(paid.code, 0);
  assert.match(paid.out, /^kv-reads +12,000,000 +10,000,000 +120 +2,000,000 +1\.00 +month +overage$/m);
  assert.match(paid.out, /total overage on the paid plan: \$11\.00/);
  const invalid = edgefuse(["estimate", "-", "--plan", "free"], JSON.stringify({ "kv-reads": -1 }));
  assert.equal(invalid.code, 1);
  assert.match(invalid.out, /usage\.kv-reads: must be a finite number/);
});

test("simulator and usage: the shipped simulator answers as the real API does; usage reads it and judges it", async (t) => {
  const port = Number(process.env.EDGEFUSE_CLI_SIMULATOR_PORT ?? 8812);
  const child = spawn(process.execPath, [cli, "simulator", "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  const log = [];
  child.stdout.on("data", (chunk) => log.push(String(chunk)));
  child.stderr.on("data", (chunk) => log.push(String(chunk)));
  t.after(() => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  let answer = null;
  for (let attempt = 0; attempt < 120 && !answer; attempt += 1) {
    try {
      answer = await fetch(url, { method: "POST", headers: { authorization: "Bearer wrong-token" }, body: "{}" });
    } catch {
      await sleep(500);
    }
  }
  assert.ok(answer, `the simulator did not answer on ${url}:\n${log.join("")}`);
  assert.equal(answer.status, 401);
  const query = await fetch(url, {
    method: "POST",
    headers: { authorization: "Bearer simulator-token", "content-type": "application/json" },
    body: JSON.stringify({ query: "{ viewer { nonsense } }" }),
  });
  const body = await query.json();
  assert.equal(body.data, null);
  assert.match(body.errors[0].message, /nonsense/);
  assert.match(log.join(""), /usage-API simulator on http:\/\/127\.0\.0\.1:\d+\/graphql/);

  // 850 of the free plan's 1,000 daily KV writes: over the default warn line, under the trip.
  await fetch(`http://127.0.0.1:${port}/__sim/usage`, { method: "POST", body: JSON.stringify({ resource: "kv-writes", units: 850 }) });
  const config = join(work, "usage-config.json");
  writeFileSync(config, JSON.stringify({ plan: "free" }));
  const credentials = { ...process.env, CF_ACCOUNT_ID: "0123456789abcdef0123456789abcdef", CF_API_TOKEN: "simulator-token" };
  const read = edgefuse(["usage", config, "--endpoint", url], "", credentials);
  assert.equal(read.code, 0, read.out + read.err);
  assert.match(read.out, /^usage on the free plan at /);
  assert.match(read.out, /^kv-writes +850 +1,000 +85\.0 +0\.00 +warn +day from \d{4}-\d{2}-\d{2}$/m);
  const { CF_ACCOUNT_ID, CF_API_TOKEN, ...noCredentials } = credentials;
  const blind = edgefuse(["usage", config, "--endpoint", url], "", noCredentials);
  assert.equal(blind.code, 1);
  assert.match(blind.out, /not read: .*env\.CF_ACCOUNT_ID and env\.CF_API_TOKEN not set/);
});

test("init: adds the state namespace, a cron and the rate limiter to wrangler.jsonc, keeping its comments, named as the guard config names them; twice is once", () => {
  const project = mkdtempSync(join(tmpdir(), "edgefuse-init-"));
  const path = join(project, "wrangler.jsonc");
  writeFileSync(
    path,
    `// My Worker
{
  "name": "my-worker", // the name
  "main": "src/index.js",
  "compatibility_date": "2026-11-01",
  /* caches */
  "kv_namespaces": [{ "binding": "CACHE", "id": "abc" }],
  "triggers": { "crons": ["0 * * * *"] },
}
`,
  );
  const first = edgefuse(["init", "--config", path, "--rate-limiter"]);
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /added\n {2}kv_namespaces: EDGEFUSE_STATE\n {2}durable_objects: EDGEFUSE_RATE_LIMITER\n {2}migrations: EdgefuseRateLimiter/);
  assert.match(first.out, /npx wrangler kv namespace create EDGEFUSE_STATE/);
  assert.match(first.out, /export \{ EdgefuseRateLimiter \} from "edgefuse"/);
  const written = readFileSync(path, "utf8");
  for (const comment of ["// My Worker", "// the name", "/* caches */"]) assert.ok(written.includes(comment), `kept ${comment}`);
  const config = parseJsonc(written);
  assert.deepEqual(config.kv_namespaces.map((entry) => entry.binding), ["CACHE", "EDGEFUSE_STATE"]);
  assert.deepEqual(config.triggers.crons, ["0 * * * *"]); // a cron already there is enough
  assert.deepEqual(config.durable_objects.bindings, [{ name: "EDGEFUSE_RATE_LIMITER", class_name: "EdgefuseRateLimiter" }]);
  assert.deepEqual(config.migrations, [{ tag: "edgefuse-rate-limiter", new_sqlite_classes: ["EdgefuseRateLimiter"] }]);

  const second = edgefuse(["init", "--config", path, "--rate-limiter"]);
  assert.match(second.out, /already has what the guard needs/);
  assert.equal(readFileSync(path, "utf8"), written);

  // The real-time meter's object and migration beside the rate limiter's; again: no change.
  const meter = edgefuse(["init", "--config", path, "--rate-limiter", "--meter"]);
  assert.equal(meter.code, 0, meter.err);
  assert.match(meter.out, /added\n {2}durable_objects: EDGEFUSE_METER\n {2}migrations: EdgefuseMeter \(SQLite\)\n\n/);
  assert.match(meter.out, /export \{ EdgefuseRateLimiter, EdgefuseMeter \} from "edgefuse"/);
  const withMeter = parseJsonc(readFileSync(path, "utf8"));
  assert.deepEqual(withMeter.durable_objects.bindings.map((entry) => entry.class_name), ["EdgefuseRateLimiter", "EdgefuseMeter"]);
  assert.deepEqual(withMeter.migrations.at(-1), { tag: "edgefuse-meter", new_sqlite_classes: ["EdgefuseMeter"] });
  const meterAgain = edgefuse(["init", "--config", path, "--meter"]);
  assert.match(meterAgain.out, /already has what the guard needs/);

  // Named as the guard's own config names them: its state namespace and both objects.
  const renamed = join(project, "renamed.jsonc");
  writeFileSync(renamed, '{ "name": "renamed", "main": "src/index.js" }\n');
  const guardConfig = join(project, "edgefuse.json");
  writeFileSync(guardConfig, JSON.stringify({ plan: "free", stateBinding: "GUARD_STATE", rateLimit: { binding: "LIMITER" }, meter: { binding: "METER" } }));
  const named = edgefuse(["init", "--config", renamed, "--guard", guardConfig, "--rate-limiter", "--meter"]);
  assert.equal(named.code, 0, named.err);
  assert.match(named.out, /npx wrangler kv namespace create GUARD_STATE/);
  const renamedConfig = parseJsonc(readFileSync(renamed, "utf8"));
  assert.deepEqual(renamedConfig.kv_namespaces.map((entry) => entry.binding), ["GUARD_STATE"]);
  assert.deepEqual(renamedConfig.durable_objects.bindings.map((entry) => entry.name), ["LIMITER", "METER"]);
  writeFileSync(guardConfig, JSON.stringify({ plan: "free", stateBinding: 3 }));
  const before = readFileSync(renamed, "utf8");
  const invalidGuard = edgefuse(["init", "--config", renamed, "--guard", guardConfig, "--meter"]);
  assert.equal(invalidGuard.code, 1);
  assert.match(invalidGuard.out, /has 1 problem\(s\); nothing changed\n {2}stateBinding: must be the name of a KV namespace binding/);
  assert.equal(readFileSync(renamed, "utf8"), before);

  writeFileSync(join(project, "broken.jsonc"), '{ "name": "x"');
  const broken = edgefuse(["init", "--config", join(project, "broken.jsonc")]);
  assert.equal(broken.code, 2);
  assert.match(broken.err, /broken\.jsonc is not a JSON object \(CloseBraceExpected at offset \d+\)/);
});
