// What the package tests share: the tarball packed into a temp dir, a PATH on which
// Emscripten fails loudly, and servers started the way a user starts them.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const repo = resolve(new URL("../..", import.meta.url).pathname);
/** The KV namespaces of the test projects' wrangler configs: the app's and the guard's state. */
export const KV_NAMESPACES = [
  { binding: "CACHE", id: "cache" },
  { binding: "EDGEFUSE_STATE", id: "state" },
];
const bin = join(repo, "node_modules/.bin");

/**
 * A temp dir with the packed tarball in it: { work, tarball, env, run }. `env` puts the
 * repository's Node 22 and tools on PATH after stand-ins for emcc, em++ and emcmake that fail;
 * `run(command, args, cwd)` runs a command with it and returns its output.
 */
export function packedWorkspace(prefix) {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const noEmscripten = join(work, "no-emscripten");
  mkdirSync(noEmscripten);
  for (const tool of ["emcc", "em++", "emcmake"]) {
    writeFileSync(join(noEmscripten, tool), "#!/bin/sh\necho 'emscripten must not be needed' >&2\nexit 1\n");
    chmodSync(join(noEmscripten, tool), 0o755);
  }
  const env = { ...process.env, PATH: `${noEmscripten}:${bin}:${process.env.PATH}` };
  const run = (command, args, cwd) => execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const [pack] = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], repo));
  console.log(`tarball: ${pack.filename}, ${pack.size} bytes`);
  return { work, tarball: join(work, pack.filename), env, run };
}

/**
 * Starts `command args` in `cwd` (its own process group) and resolves to { log, stop } once
 * `url` answers. Rejects with the output if it exits or stays silent for `timeoutMs`.
 */
export async function serve({ command, args, cwd, env, url, timeoutMs = 90_000 }) {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const log = [];
  child.stdout.on("data", (chunk) => log.push(String(chunk)));
  child.stderr.on("data", (chunk) => log.push(String(chunk)));
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  process.on("exit", stop);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(" ")} exited early:\n${log.join("")}`);
    if (await fetch(url).then(() => true, () => false)) return { log, stop };
    await sleep(250);
  }
  stop();
  throw new Error(`${command} ${args.join(" ")} did not answer on ${url} within ${timeoutMs / 1000} s:\n${log.join("")}`);
}
