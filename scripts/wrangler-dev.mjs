// Starts `wrangler dev` for one config on loopback and waits until it answers: shared by
// the demo and the tests that need a real HTTP server.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Resolves to { base, worker, log, stop } once GET `readyPath` answers (any status).
 * `config` is one wrangler config, or several (the first is served; the others are
 * reachable through its service bindings). `persistTo`: a directory for local KV, D1 and R2
 * (fresh state when new). `args`: more wrangler dev flags; `cwd`: where to run it. `stop()`
 * ends wrangler and workerd.
 */
export async function startWranglerDev({ config, port, readyPath = "/", persistTo, args = [], cwd, timeoutMs = 60_000 }) {
  const base = `http://127.0.0.1:${port}`;
  const configs = (Array.isArray(config) ? config : [config]).flatMap((path) => ["-c", path]);
  const worker = spawn(
    "wrangler",
    ["dev", ...configs, "--port", String(port), "--ip", "127.0.0.1", "--log-level", "warn", ...(persistTo ? ["--persist-to", persistTo] : []), ...args],
    { stdio: ["ignore", "pipe", "pipe"], detached: true, cwd },
  );
  const log = [];
  worker.stdout.on("data", (chunk) => log.push(chunk.toString()));
  worker.stderr.on("data", (chunk) => log.push(chunk.toString()));
  const stop = () => {
    try {
      process.kill(-worker.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  process.on("exit", stop);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (worker.exitCode !== null) throw new Error(`wrangler dev -c ${config} exited early:\n${log.join("")}`);
    try {
      await fetch(`${base}${readyPath}`);
      return { base, worker, log, stop };
    } catch {
      await sleep(250); // not listening yet
    }
  }
  stop();
  throw new Error(`wrangler dev -c ${config} did not answer on ${base} within ${timeoutMs / 1000} s:\n${log.join("")}`);
}
