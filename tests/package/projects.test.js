// Five kinds of project a user starts from, each fresh beside the others, with the packed
// tarball installed and no Emscripten: a typed Worker (wrangler), a Hono app, a Pages
// project, the Cloudflare Vite plugin, and plain esbuild with the README's flags. Each
// compiles under `tsc --strict` against `wrangler types` output, bundles, runs in workerd,
// and answers a runaway with the documented 503; where a cron exists, a tick against the
// shipped simulator (`npx edgefuse simulator`) trips the guard. The CLI runs as a user
// runs it: check, estimate, usage against the simulator, and init on a sample config.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { before, after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KV_NAMESPACES, packedWorkspace, repo, serve } from "./fresh-project.mjs";

// The versions a user would install today, pinned so that the test is repeatable: the
// repository's own wrangler, Hono, Vite and esbuild, and the Vite plugin's latest release.
const version = (name) => JSON.parse(readFileSync(join(repo, `node_modules/${name}/package.json`), "utf8")).version;
const TOOLS = [`wrangler@${version("wrangler")}`, `hono@${version("hono")}`, `vite@${version("vite")}`, `esbuild@${version("esbuild")}`, "@cloudflare/vite-plugin@1.64.0"];
const PORT = Number(process.env.EDGEFUSE_PROJECTS_PORT ?? 8780);
const SIMULATOR_PORT = PORT + 9;
const SIMULATOR = `http://127.0.0.1:${SIMULATOR_PORT}`;

let workspace;
let simulator;
const servers = [];

before(async () => {
  workspace = packedWorkspace("edgefuse-projects-");
  const { work, tarball, run } = workspace;
  // One install for the five projects below it, as in a monorepo: each resolves edgefuse and
  // its tools from here.
  writeFileSync(join(work, "package.json"), JSON.stringify({ name: "projects", private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball, ...TOOLS], work);
  simulator = await serve({
    command: "npx",
    args: ["--no-install", "edgefuse", "simulator", "--port", String(SIMULATOR_PORT)],
    cwd: work,
    env: workspace.env,
    url: `${SIMULATOR}/__sim/usage`,
  });
});
after(() => {
  for (const server of [simulator, ...servers]) server?.stop();
});

/** Writes `files` ({ path: text }) into a new project dir and returns its path. */
function project(name, files) {
  const dir = join(workspace.work, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const json = (value) => JSON.stringify(value, null, 2);
const DEV_VARS = `EDGEFUSE_USAGE_API_ENDPOINT=${SIMULATOR}/graphql\nCF_ACCOUNT_ID=0123456789abcdef0123456789abcdef\nCF_API_TOKEN=simulator-token\n`;
const TSCONFIG = json({
  compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "esnext", moduleResolution: "bundler", lib: ["es2022"], types: [], skipLibCheck: false },
  include: ["src", "functions", "worker-configuration.d.ts"],
});
// The Worker the wrangler, Vite and esbuild projects share: one KV write per request, ten on
// /runaway, against a limit of three per invocation.
const WORKER_TS = `import { createGuard } from "edgefuse";

const guard = createGuard({ plan: "free", limits: { "kv-writes": 3 } });

export default guard.wrap({
  async fetch(request, env) {
    const writes = new URL(request.url).pathname === "/runaway" ? 10 : 1;
    for (let i = 0; i < writes; i += 1) await env.CACHE.put(\`note-\${i}\`, request.url);
    return new Response("saved");
  },
} satisfies ExportedHandler<Env>);
`;
const workerConfig = (name, extra = {}) =>
  json({
    name,
    main: "src/index.ts",
    compatibility_date: "2026-11-01",
    kv_namespaces: KV_NAMESPACES,
    triggers: { crons: ["*/5 * * * *"] },
    ...extra,
  });

/** `wrangler types`, then `tsc --strict` over the project's sources and those types. */
function typeCheck(dir, config = "wrangler.jsonc") {
  workspace.run("npx", ["--no-install", "wrangler", "types", "-c", config, "worker-configuration.d.ts"], dir);
  writeFileSync(join(dir, "tsconfig.json"), TSCONFIG);
  workspace.run("tsc", ["-p", "tsconfig.json"], dir);
}

async function start(dir, command, args, port) {
  const server = await serve({ command, args, cwd: dir, env: workspace.env, url: `http://127.0.0.1:${port}/` });
  servers.push(server);
  return server;
}

/** A runaway request: the 503 with Retry-After and the JSON body the README documents. */
async function assertRunawayRefused(base, path, binding = "CACHE") {
  const response = await fetch(`${base}${path}`);
  assert.equal(response.status, 503);
  assert.equal(response.headers.get("Retry-After"), "60");
  const body = await response.json();
  assert.deepEqual({ ...body, message: undefined }, { error: "edgefuse-blocked", code: "invocation-limit", resource: "kv-writes", binding, method: "put", message: undefined });
}

/** Usage past the free plan's trip line in the simulator, a cron tick, and the next write refused as tripped. */
async function assertTickTrips(base, scheduledPath) {
  const post = (path, body) => fetch(`${SIMULATOR}${path}`, { method: "POST", body: JSON.stringify(body) });
  assert.equal((await post("/__sim/reset", {})).status, 200);
  assert.equal((await fetch(`${base}/`)).status, 200, "one write goes through before the trip");
  assert.equal((await post("/__sim/usage", { resource: "kv-writes", units: 950 })).status, 200);
  const tick = await fetch(`${base}${scheduledPath}?cron=${encodeURIComponent("*/5 * * * *")}`);
  assert.equal(tick.status, 200, await tick.text());
  const refused = await fetch(`${base}/`);
  assert.equal(refused.status, 503);
  assert.match((await refused.json()).message, /kv-writes is tripped \(kv-writes at 95\.0% of its 1,000 operations per day/);
}

describe("fresh projects with the packed package", () => {
  it("a typed Worker: wrangler types, tsc --strict, wrangler bundles, the 503, a cron tick trips", async () => {
    const dir = project("worker", { "src/index.ts": WORKER_TS, "wrangler.jsonc": workerConfig("worker"), ".dev.vars": DEV_VARS });
    typeCheck(dir);
    workspace.run("npx", ["--no-install", "wrangler", "deploy", "--dry-run", "--outdir", "bundle"], dir);
    const port = PORT;
    await start(dir, "npx", ["--no-install", "wrangler", "dev", "--port", String(port), "--ip", "127.0.0.1", "--test-scheduled"], port);
    await assertRunawayRefused(`http://127.0.0.1:${port}`, "/runaway");
    await assertTickTrips(`http://127.0.0.1:${port}`, "/__scheduled");
  });

  it("a Hono app: edgefuse/hono's middleware, tsc --strict, the 503 from inside Hono", async () => {
    const dir = project("hono", {
      "src/index.ts": `import { Hono } from "hono";
import { createGuard } from "edgefuse";
import { guarded } from "edgefuse/hono";

const app = new Hono<{ Bindings: Env }>();
app.use(guarded(createGuard({ plan: "free", limits: { "kv-writes": 3 } })));
app.get("/", (c) => c.text("hello"));
app.get("/runaway", async (c) => {
  for (let i = 0; i < 10; i += 1) await c.env.CACHE.put(\`note-\${i}\`, c.req.url);
  return c.text("saved");
});

export default app;
`,
      "wrangler.jsonc": workerConfig("hono-app", { triggers: undefined }),
    });
    typeCheck(dir);
    workspace.run("npx", ["--no-install", "wrangler", "deploy", "--dry-run", "--outdir", "bundle"], dir);
    const port = PORT + 1;
    await start(dir, "npx", ["--no-install", "wrangler", "dev", "--port", String(port), "--ip", "127.0.0.1"], port);
    await assertRunawayRefused(`http://127.0.0.1:${port}`, "/runaway");
  });

  it("a Pages project: edgefuse/pages per function, tsc --strict, the 503 under pages dev", async () => {
    const dir = project("pages", {
      "functions/runaway.ts": `import { createGuard } from "edgefuse";
import { guarded } from "edgefuse/pages";

const guard = createGuard({ plan: "free", limits: { "kv-writes": 3 } });

export const onRequest: PagesFunction<Env> = guarded(guard, async ({ request, env }) => {
  for (let i = 0; i < 10; i += 1) await env.CACHE.put(\`note-\${i}\`, request.url);
  return new Response("saved");
});
`,
      "public/index.html": "<p>notes</p>\n",
      "wrangler.jsonc": json({
        name: "pages-app",
        pages_build_output_dir: "public",
        compatibility_date: "2026-11-01",
        kv_namespaces: KV_NAMESPACES,
      }),
    });
    typeCheck(dir);
    const port = PORT + 2;
    // This wrangler binds KV under pages dev from its flags only, not from the config.
    await start(dir, "npx", ["--no-install", "wrangler", "pages", "dev", "--port", String(port), "--ip", "127.0.0.1", "--kv", "CACHE", "--kv", "EDGEFUSE_STATE"], port);
    await assertRunawayRefused(`http://127.0.0.1:${port}`, "/runaway");
  });

  it("the Cloudflare Vite plugin: vite build, tsc --strict, the 503 and a cron tick under vite preview", async () => {
    // The plugin's own workerd knows compatibility dates up to its release (2026-10).
    const dir = project("vite", {
      "src/index.ts": WORKER_TS,
      "wrangler.jsonc": workerConfig("vite-app", { compatibility_date: "2026-10-01" }),
      ".dev.vars": DEV_VARS,
      "vite.config.ts": `import { cloudflare } from "@cloudflare/vite-plugin";
import { defineConfig } from "vite";

export default defineConfig({ plugins: [cloudflare()] });
`,
    });
    typeCheck(dir);
    workspace.run("npx", ["--no-install", "vite", "build"], dir);
    const port = PORT + 3;
    await start(dir, "npx", ["--no-install", "vite", "preview", "--port", String(port), "--host", "127.0.0.1", "--strictPort"], port);
    await assertRunawayRefused(`http://127.0.0.1:${port}`, "/runaway");
    await assertTickTrips(`http://127.0.0.1:${port}`, "/cdn-cgi/handler/scheduled");
  });

  it("plain esbuild with the README's flags: the bundle runs unbundled in wrangler dev; the 503 and a cron tick", async () => {
    const dir = project("esbuild", {
      "src/index.ts": WORKER_TS,
      "wrangler.jsonc": workerConfig("esbuild-app", { main: "dist/index.js", no_bundle: true, rules: [{ type: "CompiledWasm", globs: ["**/*.wasm"] }] }),
      ".dev.vars": DEV_VARS,
    });
    typeCheck(dir);
    const readme = readFileSync(join(repo, "README.md"), "utf8");
    const command = /<!-- recipe: esbuild -->\n```sh\n(npx esbuild [^\n]+)\n```/.exec(readme)?.[1];
    assert.ok(command, "README.md shows the esbuild command under <!-- recipe: esbuild -->");
    workspace.run("sh", ["-c", command], dir);
    const port = PORT + 4;
    // --test-scheduled adds /__scheduled while bundling; an unbundled Worker has Miniflare's route.
    await start(dir, "npx", ["--no-install", "wrangler", "dev", "--port", String(port), "--ip", "127.0.0.1"], port);
    await assertRunawayRefused(`http://127.0.0.1:${port}`, "/runaway");
    await assertTickTrips(`http://127.0.0.1:${port}`, "/cdn-cgi/handler/scheduled");
  });

  it("the CLI: check, estimate, usage against the shipped simulator, init on a sample config", async () => {
    const dir = project("cli", {
      "edgefuse.json": json({ plan: "free", limits: { "kv-writes": 50 } }),
      "usage.json": json({ "kv-reads": 12_000_000 }),
      "wrangler.jsonc": `// a sample Worker config\n{\n  "name": "sample",\n  "main": "src/index.js",\n  "compatibility_date": "2026-11-01" // keep this comment\n}\n`,
    });
    const cli = (...args) => workspace.run("npx", ["--no-install", "edgefuse", ...args], dir);
    assert.match(cli("check", "edgefuse.json"), /^ok: a valid config for the free plan/);
    assert.match(cli("estimate", "usage.json", "--plan", "paid"), /total overage on the paid plan: \$1\.00/);
    await fetch(`${SIMULATOR}/__sim/reset`, { method: "POST", body: "{}" });
    await fetch(`${SIMULATOR}/__sim/usage`, { method: "POST", body: JSON.stringify({ resource: "kv-reads", units: 40_000 }) });
    const usage = workspace.run("sh", ["-c", `CF_ACCOUNT_ID=0123456789abcdef0123456789abcdef CF_API_TOKEN=simulator-token npx --no-install edgefuse usage edgefuse.json --endpoint ${SIMULATOR}/graphql`], dir);
    assert.match(usage, /^usage on the free plan at /);
    assert.match(usage, /kv-reads\s.*40,000\s.*100,000\s.*40\.0/);
    cli("init", "--rate-limiter");
    const wired = readFileSync(join(dir, "wrangler.jsonc"), "utf8");
    assert.match(wired, /\/\/ keep this comment/);
    assert.match(wired, /"binding": "EDGEFUSE_STATE"/);
    assert.match(wired, /"\*\/5 \* \* \* \*"/);
    assert.match(wired, /"class_name": "EdgefuseRateLimiter"/);
    cpSync(join(dir, "wrangler.jsonc"), join(dir, "before.jsonc"));
    cli("init", "--rate-limiter");
    assert.equal(readFileSync(join(dir, "wrangler.jsonc"), "utf8"), readFileSync(join(dir, "before.jsonc"), "utf8"), "init twice changes nothing");
  });
});
