// Starts a local server (wrangler dev, or any command that serves HTTP) and waits until it
// answers: shared by the demo and the tests that need a real HTTP server.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Starts `command args` in `cwd` (its own process group) and resolves to { child, log, stop }
 * once GET `url` answers (any status). Rejects with the output if it exits first or stays
 * silent for `timeoutMs`. `stop()` ends it and everything it started.
 */
export async function startServer({ command, args, cwd, env, url, timeoutMs = 60_000 }) {
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
    if (await fetch(url).then(() => true, () => false)) return { child, log, stop };
    await sleep(250); // not listening yet
  }
  stop();
  throw new Error(`${command} ${args.join(" ")} did not answer on ${url} within ${timeoutMs / 1000} s:\n${log.join("")}`);
}

/**
 * `wrangler dev` on loopback: resolves to { base, worker, log, stop } once GET `readyPath`
 * answers. `config` is one wrangler config, or several (the first is served; the others are
 * reachable through its service bindings). `persistTo`: a directory for local KV, D1 and R2
 * (fresh state when new). `args`: more wrangler dev flags; `cwd`: where to run it; `env`: its
 * environment (default: this process's).
 */
export async function startWranglerDev({ config, port, readyPath = "/", persistTo, args = [], cwd, env, timeoutMs = 60_000 }) {
  const base = `http://127.0.0.1:${port}`;
  const configs = (Array.isArray(config) ? config : [config]).flatMap((path) => ["-c", path]);
  const { child, log, stop } = await startServer({
    command: "wrangler",
    args: ["dev", ...configs, "--port", String(port), "--ip", "127.0.0.1", "--log-level", "warn", ...(persistTo ? ["--persist-to", persistTo] : []), ...args],
    cwd,
    env,
    url: `${base}${readyPath}`,
    timeoutMs,
  });
  return { base, worker: child, log, stop };
}
