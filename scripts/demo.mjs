// The demo: starts `wrangler dev` on the catalogue example, asks it for the catalogue and a
// cost estimate, and prints both. Exits 0 when every step worked. `--serve` keeps the
// Worker running afterwards so you can look for yourself.
import { startWranglerDev } from "./wrangler-dev.mjs";

const port = Number(process.env.EDGEFUSE_DEMO_PORT ?? 8787);
const base = `http://127.0.0.1:${port}`;
const serve = process.argv.includes("--serve");

function step(text) {
  console.log(`\n== ${text}`);
}

async function main() {
  step(`Starting wrangler dev with the catalogue example on ${base}`);
  const { worker, stop } = await startWranglerDev({ config: "examples/catalogue/wrangler.jsonc", port });
  process.on("SIGINT", () => {
    stop();
    process.exit(130);
  });
  console.log("ready: the WASM core is loaded in workerd");

  step("The billing catalogue (GET /)");
  const catalogue = await fetch(`${base}/`);
  if (!catalogue.ok) throw new Error(`GET / answered ${catalogue.status}`);
  console.log(await catalogue.text());

  const usage = { "workers-requests": 15e6, "kv-reads": 12e6, "kv-writes": 3e6, "d1-rows-written": 80e6, "ai-neurons": 60_000 };
  const query = new URLSearchParams({ plan: "paid", ...usage });
  step(`Paid-plan usage priced, each over its own period (GET /estimate?${query})`);
  const reply = await fetch(`${base}/estimate?${query}`);
  if (!reply.ok) throw new Error(`GET /estimate answered ${reply.status}: ${await reply.text()}`);
  const estimate = await reply.json();
  for (const row of estimate.resources) {
    const percent = row.percentOfQuota === null ? "" : `${row.percentOfQuota.toFixed(0)}% of inclusion`;
    console.log(`${row.id.padEnd(18)} ${row.used.toLocaleString("en-US").padStart(14)} used  ${percent.padEnd(19)} $${row.overageUsd.toFixed(2)}`);
  }
  console.log(`${"total overage".padEnd(18)} ${"".padStart(14)}       ${"".padEnd(19)} $${estimate.totalOverageUsd.toFixed(2)}`);
  if (estimate.totalOverageUsd <= 0) throw new Error("the estimate priced no overage");

  step("A bad request is explained (GET /estimate?plan=paid&kv-readz=1)");
  const bad = await fetch(`${base}/estimate?plan=paid&kv-readz=1`);
  console.log(`${bad.status}: ${(await bad.json()).error}`);
  if (bad.status !== 400) throw new Error(`expected 400, got ${bad.status}`);

  if (serve) {
    step(`Serving on ${base}: press Ctrl-C to stop`);
    await new Promise((resolve) => worker.on("exit", resolve));
    return;
  }
  step("Demo complete");
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`\ndemo FAILED: ${error.message}`);
    process.exit(1);
  },
);
