// CPU time of one full usage evaluation in the WASM core, and the guard's KV operations
// per cron tick. Prints figures; asserts nothing about speed.
import { env } from "cloudflare:workers";
import { it } from "vitest";
import { SAFETY_NET_KEY, STATE_KEY, createGuard } from "../js/index.js";
import { callCore } from "../js/core.js";

const NOW = Date.parse("2026-11-23T12:00:00Z");
const DAYS = 23; // November 1st to the 23rd
const BINDINGS = 5; // ids per binding dimension

// A realistic answer for every dataset the poll reads: a row per day, action type and binding.
function answersFor(config) {
  const requests = callCore("pollRequestsJson", JSON.stringify(config), NOW, "0123456789abcdef0123456789abcdef");
  const resources = callCore("resourcesJson").resources;
  return requests.requests.map(({ dataset, body }) => {
    // Answer exactly the dimensions asked for, as the API would.
    const asked = (JSON.parse(body).query.match(/dimensions \{([^}]*)\}/)?.[1] ?? "").trim().split(/\s+/);
    const byDay = asked.includes("date");
    const rows = [];
    const mine = resources.filter((resource) => resource.graphql.dataset === dataset);
    const actionTypes = [...new Set(mine.map((resource) => resource.graphql.actionTypes.split(",")[0]).filter(Boolean))];
    const dimension = asked.includes(mine[0].graphql.bindingDimension) ? mine[0].graphql.bindingDimension : "";
    for (let day = byDay ? 1 : DAYS; day <= DAYS; day += 1) {
      for (const actionType of actionTypes.length && asked.includes("actionType") ? actionTypes : [null]) {
        for (let binding = 0; binding < (dimension ? BINDINGS : 1); binding += 1) {
          const dimensions = byDay ? { date: `2026-11-${String(day).padStart(2, "0")}` } : {};
          if (actionType) dimensions.actionType = actionType;
          if (dimension) dimensions[dimension] = `id-${binding}`;
          const sum = {};
          for (const resource of mine) sum[resource.graphql.field.split(".")[1]] = 1000 + day * binding;
          rows.push({ sum, dimensions });
        }
      }
    }
    return { dataset, status: 200, body: JSON.stringify({ data: { viewer: { accounts: [{ [dataset]: rows }] } }, errors: null }) };
  });
}

it("CPU time of one full evaluation in the WASM core", () => {
  const rows = [];
  for (const [label, plan] of [
    ["free", { plan: "free" }],
    ["paid", { plan: "paid", budget: { maxUsd: 50 }, bindingIds: { DB: "id-1" }, thresholds: { "d1-rows-written:DB": { tripAt: 5000 } } }],
    ["paid, daily budget", { plan: "paid", budget: { maxUsd: 50, granularity: "day" } }],
    [
      "paid, daily, 5 DBs",
      {
        plan: "paid",
        budget: { maxUsd: 50, granularity: "day" },
        bindingIds: { DB: "id-1" },
        thresholds: { "d1-rows-written:DB": { tripAt: 5000 }, "kv-writes": { tripAt: 1e6, granularity: "day" } },
      },
    ],
  ]) {
    const config = createGuard(plan).config;
    const configText = JSON.stringify(config);
    const answerList = answersFor(config);
    const answers = JSON.stringify(answerList.map(({ dataset, status }) => ({ dataset, status })));
    const bodies = answerList.map((answer) => answer.body).join("\x1e");
    const state = JSON.stringify({ version: 1, breakers: {} });
    const evaluateOnce = () => callCore("evaluateJson", configText, true, state, false, "", answers, bodies, NOW);
    for (let i = 0; i < 20; i += 1) evaluateOnce(); // warm-up
    const runs = 200;
    const start = performance.now();
    let events = 0;
    for (let i = 0; i < runs; i += 1) events += evaluateOnce().events.length;
    const ms = (performance.now() - start) / runs;
    const rowCount = answerList.reduce((n, answer) => n + JSON.parse(answer.body).data.viewer.accounts[0][answer.dataset].length, 0);
    rows.push([label, answerList.length, rowCount, ms.toFixed(3), events / runs]);
  }
  console.log(
    "\nedgefuse evaluation in the WASM core (parse answers, evaluate every resource and the budget), mean of 200\n" +
      [
        `config              datasets  rows   ms/evaluation  events   (${BINDINGS} bindings where split by binding, ${DAYS} days)`,
        ...rows.map((r) => `${r[0].padEnd(20)}${String(r[1]).padEnd(10)}${String(r[2]).padEnd(7)}${r[3].padEnd(15)}${r[4]}`),
      ].join("\n"),
  );
});

it("the guard's KV operations per cron tick", async () => {
  const ops = { reads: 0, writes: 0, deletes: 0 };
  const kv = env.EDGEFUSE_STATE;
  const counted = {
    ...env,
    CF_ACCOUNT_ID: env.USAGE_API_ACCOUNT_ID,
    CF_API_TOKEN: env.USAGE_API_TOKEN,
    EDGEFUSE_STATE: {
      get: (...args) => (ops.reads++, kv.get(...args)),
      put: (...args) => (ops.writes++, kv.put(...args)),
      delete: (...args) => (ops.deletes++, kv.delete(...args)),
    },
  };
  await kv.delete(STATE_KEY);
  await kv.delete(SAFETY_NET_KEY);
  const sim = (path, body) =>
    env.USAGE_API.fetch(`http://usage-api${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  await sim("/__sim/reset", {});
  let now = NOW;
  const guard = createGuard(
    { plan: "free", endpoint: "http://usage-api/graphql", endpointBinding: "USAGE_API" },
    { clock: () => now },
  );
  const rows = [["tick", "KV reads", "KV writes", "KV deletes", "wrote"]];
  const tick = async (label) => {
    Object.assign(ops, { reads: 0, writes: 0, deletes: 0 });
    const report = await guard.evaluate(counted);
    rows.push([label, ops.reads, ops.writes, ops.deletes, report.wrote]);
    now += 300_000;
  };
  await tick("first (creates the record)");
  for (let i = 0; i < 3; i += 1) await tick("steady, nothing changed");
  await sim("/__sim/usage", { resource: "kv-writes", units: 950, date: "2026-11-23" });
  await tick("a trip");
  await tick("steady while tripped");
  await sim("/__sim/faults", { kind: "http-500" });
  await tick("usage API down");
  console.log(`\nedgefuse KV operations per cron tick (free plan, 5-minute ticks)\n${rows.map((r) => r.map((c) => String(c).padEnd(28)).join("")).join("\n")}`);
});
