// The package as a user gets it: packed, installed from the tarball into a fresh project
// with no Emscripten at hand, bundled by `wrangler deploy --dry-run`, run in workerd,
// compiled by a strict TypeScript consumer, and its command line run with npx.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { startWranglerDev } from "../../scripts/wrangler-dev.mjs";
import { KV_NAMESPACES, packedWorkspace, repo } from "./fresh-project.mjs";

const port = Number(process.env.EDGEFUSE_CONSUMER_PORT ?? 8796);

test("a fresh project installs the tarball, bundles, runs a guarded call in workerd, and type-checks", async (t) => {
  const { work, tarball, run } = packedWorkspace("edgefuse-consumer-");

  const project = join(work, "app");
  mkdirSync(join(project, "src"), { recursive: true });
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], project);

  writeFileSync(
    join(project, "src/index.js"),
    `import { createGuard, GuardError } from "edgefuse";
const guard = createGuard({ plan: "free", limits: { "kv-writes": 2 } });
export default guard.wrap({
  async fetch(request, env) {
    await env.CACHE.put("a", "1");
    const value = await env.CACHE.get("a");
    let refused = null;
    try { await env.CACHE.put("b", "2"); await env.CACHE.put("c", "3"); } catch (error) { refused = error instanceof GuardError ? error.code : String(error); }
    return Response.json({ value, refused, usage: guard.usage(env) });
  },
});
`,
  );
  writeFileSync(
    join(project, "wrangler.jsonc"),
    JSON.stringify({
      name: "app",
      main: "src/index.js",
      compatibility_date: "2026-11-01",
      kv_namespaces: KV_NAMESPACES,
    }),
  );
  run("wrangler", ["deploy", "--dry-run", "--outdir", "bundle"], project);

  // The bundle as wrangler built it, run without bundling again.
  writeFileSync(
    join(project, "bundle.jsonc"),
    JSON.stringify({
      name: "app-bundle",
      main: "bundle/index.js",
      compatibility_date: "2026-11-01",
      no_bundle: true,
      rules: [{ type: "CompiledWasm", globs: ["**/*.wasm"] }],
      kv_namespaces: KV_NAMESPACES,
    }),
  );
  const server = await startWranglerDev({ config: "bundle.jsonc", port, persistTo: join(work, "state"), cwd: project });
  t.after(server.stop);
  const answer = await (await fetch(`${server.base}/`)).json();
  assert.deepEqual(answer, { value: "1", refused: "invocation-limit", usage: { "kv-reads": 1, "kv-writes": 2 } });

  // A strict TypeScript consumer of the shipped declarations.
  writeFileSync(
    join(project, "src/typed.ts"),
    `import { createGuard, estimateCost, GuardError, type GuardConfig, type EvaluationReport } from "edgefuse";
const config: GuardConfig = { plan: "paid", budget: { maxUsd: 25 }, limits: { "d1-rows-written:DB": 100 } };
export async function check(env: { EDGEFUSE_STATE: unknown }): Promise<number> {
  const guard = createGuard(config);
  const report: EvaluationReport = await guard.evaluate(env);
  const cost = estimateCost({ "kv-reads": 1e7 }, { plan: "paid" }).totalOverageUsd;
  return report.kv.reads + cost + (new Error() instanceof GuardError ? 1 : 0);
}
`,
  );
  // The declarations build on @cloudflare/workers-types, as a typed Worker project has them.
  const workersTypes = JSON.parse(readFileSync(join(repo, "node_modules/@cloudflare/workers-types/package.json"), "utf8")).version;
  run("npm", ["install", "--save-dev", "--no-audit", "--no-fund", "--loglevel=error", `@cloudflare/workers-types@${workersTypes}`], project);
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "es2022",
        module: "nodenext",
        moduleResolution: "nodenext",
        lib: ["es2022"],
        types: ["@cloudflare/workers-types"],
        skipLibCheck: false,
      },
      include: ["src/typed.ts"],
    }),
  );
  run("tsc", ["-p", "tsconfig.json"], project);

  // `wrangler types` output instead of workers-types: the runtime types it writes declare
  // cloudflare:workers too, and its Env names EdgefuseRateLimiter as a Durable Object.
  writeFileSync(
    join(project, "src/typed-worker.ts"),
    `import { createGuard, EdgefuseRateLimiter } from "edgefuse";
export { EdgefuseRateLimiter };
const guard = createGuard({ plan: "free" });
export default guard.wrap({
  async fetch(request, env) {
    await env.CACHE.put("last", request.url);
    return new Response("ok");
  },
} satisfies ExportedHandler<Env>);
`,
  );
  writeFileSync(
    join(project, "typed.wrangler.jsonc"),
    JSON.stringify({
      name: "typed",
      main: "src/typed-worker.ts",
      compatibility_date: "2026-11-01",
      kv_namespaces: KV_NAMESPACES,
      durable_objects: { bindings: [{ name: "EDGEFUSE_RATE_LIMITER", class_name: "EdgefuseRateLimiter" }] },
      migrations: [{ tag: "v1", new_sqlite_classes: ["EdgefuseRateLimiter"] }],
    }),
  );
  run("wrangler", ["types", "-c", "typed.wrangler.jsonc", "worker-configuration.d.ts"], project);
  writeFileSync(
    join(project, "tsconfig.wrangler-types.json"),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "esnext", moduleResolution: "bundler", lib: ["es2022"], types: [], skipLibCheck: false },
      include: ["src/typed-worker.ts", "worker-configuration.d.ts"],
    }),
  );
  run("tsc", ["-p", "tsconfig.wrangler-types.json"], project);

  // The command line the package installs, run as a user runs it.
  writeFileSync(join(project, "edgefuse.json"), JSON.stringify({ plan: "free", limits: { "kv-writes": 50 } }));
  assert.match(run("npx", ["--no-install", "edgefuse", "check", "edgefuse.json"], project), /^ok: a valid config for the free plan/);
  writeFileSync(join(project, "usage.json"), JSON.stringify({ "kv-reads": 12_000_000 }));
  assert.match(run("npx", ["--no-install", "edgefuse", "estimate", "usage.json", "--plan", "paid"], project), /total overage on the paid plan: \$1\.00/);
});
