// What the package tests share: the tarball packed into a temp dir, a PATH on which
// Emscripten fails loudly, and servers started the way a user starts them.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startServer } from "../../scripts/wrangler-dev.mjs";

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

/** A server started as a user starts it: startServer (scripts/wrangler-dev.mjs), with more time. */
export function serve(options) {
  return startServer({ timeoutMs: 90_000, ...options });
}
