// The README's getting-started path, followed literally: the files it shows
// (src/index.js, wrangler.jsonc, .dev.vars) written as they are into a fresh project that
// installs the packed tarball and wrangler, then its local-development commands run one by
// one, as a user would type them, with what they print checked.
import { execFileSync, execSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import assert from "node:assert/strict";

const repo = resolve(new URL("../..", import.meta.url).pathname);
const readme = readFileSync(join(repo, "README.md"), "utf8");

/** The fenced block after `<!-- getting-started: name -->` in the README. */
function block(name) {
  const marker = readme.indexOf(`<!-- getting-started: ${name} -->`);
  assert.notEqual(marker, -1, `README.md has no getting-started block "${name}"`);
  const match = /```[^\n]*\n([\s\S]*?)```/.exec(readme.slice(marker));
  return match[1];
}

test("the README's getting-started path works in a fresh project, as written", async (t) => {
  const work = mkdtempSync(join(tmpdir(), "edgefuse-getting-started-"));
  const run = (command, cwd) => execSync(command, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const [pack] = JSON.parse(run(`npm pack --json --ignore-scripts --pack-destination ${JSON.stringify(work)}`, repo));
  const project = join(work, "my-worker");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "my-worker", private: true, type: "module" }));
  const wranglerVersion = JSON.parse(readFileSync(join(repo, "node_modules/wrangler/package.json"), "utf8")).version;
  run(`npm install --no-audit --no-fund --loglevel=error ${JSON.stringify(join(work, pack.filename))}`, project);
  run(`npm install --save-dev --no-audit --no-fund --loglevel=error wrangler@${wranglerVersion}`, project);
  for (const file of ["src/index.js", "wrangler.jsonc", ".dev.vars"]) {
    mkdirSync(dirname(join(project, file)), { recursive: true });
    writeFileSync(join(project, file), block(file));
  }

  const servers = [];
  t.after(() => {
    for (const server of servers) {
      try {
        process.kill(-server.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  });
  const outputs = [];
  for (const line of block("commands").trim().split("\n")) {
    const [command, comment = ""] = line.split(/\s{2,}#\s*/);
    if (command.endsWith("&")) {
      const server = spawn("sh", ["-c", command.slice(0, -1).trim()], { cwd: project, detached: true, stdio: "ignore" });
      servers.push(server);
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(comment)?.[0];
      assert.ok(url, `a background command should say where it listens: ${line}`);
      let up = false;
      for (let attempt = 0; attempt < 240 && !up; attempt += 1) {
        up = await fetch(url).then(() => true, () => false);
        if (!up) await sleep(250);
      }
      assert.ok(up, `${command} did not answer on ${url}`);
    } else {
      outputs.push({ command, output: execFileSync("sh", ["-c", command], { cwd: project, encoding: "utf8" }) });
    }
  }
  const [first, usage, tick, refused, status] = outputs.map(({ output }) => output);
  assert.equal(first, "ok");
  assert.match(usage, /"ok":true/);
  assert.match(tick, /Ran scheduled event/);
  assert.match(refused, /^HTTP\/1\.1 503/);
  assert.match(refused, /kv-writes is tripped \(kv-writes at 95\.0% of its 1,000 operations per day/);
  const breakers = JSON.parse(status).breakers;
  assert.equal(breakers["kv-writes"].source, "poll");
});
