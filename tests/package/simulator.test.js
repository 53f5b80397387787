// The usage-API simulator as a real HTTP server under `wrangler dev`, as the demo runs it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startWranglerDev } from "../../scripts/wrangler-dev.mjs";

const TOKEN = "simulator-token"; // wrangler/simulator.jsonc
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const port = Number(process.env.EDGEFUSE_SIMULATOR_PORT ?? 8798);

test("the simulator answers GraphQL over HTTP under wrangler dev, with scripted usage and faults", async (t) => {
  const { base, stop } = await startWranglerDev({ config: "wrangler/simulator.jsonc", port, readyPath: "/__sim/usage" });
  t.after(stop);
  const post = (path, body, headers = {}) =>
    fetch(`${base}${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
  const query = {
    query: `query EdgefuseUsage($accountTag: string!, $start: Date!, $end: Date!) {
      viewer { accounts(filter: { accountTag: $accountTag }) {
        kvOperationsAdaptiveGroups(limit: 10000, filter: { date_geq: $start, date_leq: $end }) {
          sum { requests }
          dimensions { actionType namespaceId }
        } } } }`,
    variables: { accountTag: ACCOUNT, start: "2026-11-23", end: "2026-11-23" },
  };

  assert.equal((await post("/__sim/reset", {})).status, 200);
  assert.equal((await post("/__sim/clock", { now: "2026-11-23T12:00:00Z" })).status, 200); // the day asked for is kept
  assert.equal((await post("/__sim/usage", { resource: "kv-writes", units: 1200, binding: "ns-1", date: "2026-11-23" })).status, 200);

  const denied = await post("/graphql", query, { Authorization: "Bearer wrong-token" });
  assert.equal(denied.status, 401);
  assert.doesNotMatch(await denied.text(), /wrong-token/);

  const answer = await post("/client/v4/graphql", query, { Authorization: `Bearer ${TOKEN}` });
  assert.equal(answer.status, 200);
  const rows = (await answer.json()).data.viewer.accounts[0].kvOperationsAdaptiveGroups;
  assert.deepEqual(rows, [{ sum: { requests: 1200 }, dimensions: { actionType: "write", namespaceId: "ns-1" } }]);

  assert.equal((await post("/__sim/faults", { kind: "http-429", retryAfter: 7, times: 1 })).status, 200);
  const limited = await post("/graphql", query, { Authorization: `Bearer ${TOKEN}` });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("Retry-After"), "7");
  assert.equal((await post("/graphql", query, { Authorization: `Bearer ${TOKEN}` })).status, 200);
});
