// Trips are never lost to bad data, and the hot path and the cron tick never disagree:
// one test per drift between the two that the issue tracker recorded (issue 14), through
// the public API in workerd, against real local KV and the usage-API simulator.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SAFETY_NET_KEY, STATE_KEY, createGuard } from "../../js/index.js";
import { Enforcement } from "../../js/enforcement.js";
import { callCore } from "../../js/core.js";
import { SPECS } from "../../js/bindings/specs.js";
import { RESOURCES } from "../../js/catalogue.js";
import { cleanPollWorld, deployedEnv, refusedWrite, simulatorConfig } from "./support.js";

const TODAY = "2026-11-23";
const NOON = Date.parse(`${TODAY}T12:00:00Z`);
const workerEnv = deployedEnv();

function guardAt(config = {}, now = NOON) {
  const clock = { now };
  return { guard: createGuard({ plan: "free", ...simulatorConfig, ...config }, { clock: () => clock.now }), clock };
}

async function sim(path, body) {
  const response = await env.USAGE_API.fetch(`http://usage-api${path}`, { method: "POST", body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`simulator ${path}: ${await response.text()}`);
  return response.json();
}
const setUsage = (resource, units) => sim("/__sim/usage", { resource, units, date: TODAY, mode: "set" });

const storedBreakers = async (key = STATE_KEY) => JSON.parse(await env.EDGEFUSE_STATE.get(key)).breakers;

const logs = cleanPollWorld({ at: NOON });

describe("drift 1: a damaged breaker entry never loses its trip", () => {
  it("the safety net's copy is enforced at once, and the next tick writes the record back with it", async () => {
    await setUsage("kv-writes", 950);
    const { guard, clock } = guardAt();
    await guard.evaluate(workerEnv); // kv-writes tripped, in the record and the safety net
    const net = await storedBreakers(SAFETY_NET_KEY);
    await env.EDGEFUSE_STATE.put(STATE_KEY, JSON.stringify({ version: 1, breakers: { "kv-writes": "corrupt" } }));

    const fresh = guardAt().guard;
    expect(await refusedWrite(await fresh.env(workerEnv))).toMatchObject({ code: "tripped", reason: net["kv-writes"].reason });

    clock.now += 300_000;
    const report = await guard.evaluate(workerEnv);
    expect(report.wrote).toBe(true);
    expect((await storedBreakers())["kv-writes"]).toMatchObject({ source: "poll", reason: net["kv-writes"].reason });
    expect(await storedBreakers(SAFETY_NET_KEY)).toHaveProperty("kv-writes");
  });
});

describe("drift 2: a manual trip's until means the same to the hot path and the tick", () => {
  for (const until of ["2099-01-01", "Jan 1 2099"]) {
    it(`until ${JSON.stringify(until)} is enforced by both, and the tick does not clear it`, async () => {
      await env.EDGEFUSE_STATE.put(
        STATE_KEY,
        JSON.stringify({ version: 1, breakers: { "kv-writes": { reason: "by hand", since: `${TODAY}T11:00:00Z`, source: "manual", until } } }),
      );
      const { guard } = guardAt();
      expect(await refusedWrite(await guard.env(workerEnv))).toMatchObject({ code: "tripped", reason: "by hand" });
      await guard.evaluate(workerEnv);
      expect((await storedBreakers())["kv-writes"]).toMatchObject({ source: "manual", reason: "by hand" });
      expect(await refusedWrite(await guardAt().guard.env(workerEnv))).toMatchObject({ code: "tripped" });
      expect(logs.some((line) => line.includes("until: is not an ISO 8601 UTC time"))).toBe(true);
    });
  }
});

describe("drift 3: an answer that cannot be trusted neither trips nor recovers", () => {
  for (const actionType of ["WRITE", "write\u0000"]) {
    it(`KV rows with actionType ${JSON.stringify(actionType)} keep a tripped breaker tripped, and are named`, async () => {
      await setUsage("kv-writes", 950);
      const { guard, clock } = guardAt();
      await guard.evaluate(workerEnv); // tripped at 950 of 1,000
      await sim("/__sim/faults", { kind: "odd-action-type", dataset: "kvOperationsAdaptiveGroups", actionType });
      clock.now += 300_000;
      const report = await guard.evaluate(workerEnv);
      const row = report.resources.find((entry) => entry.key === "kv-writes");
      expect(row).toMatchObject({ stale: true, decision: "tripped" });
      expect(await storedBreakers()).toHaveProperty("kv-writes");
      expect(report.health.lastError).toContain(JSON.stringify(actionType));
    });
  }

  it("an errors member that is not a list makes the answer untrustworthy", async () => {
    await setUsage("kv-writes", 950);
    const { guard, clock } = guardAt();
    await guard.evaluate(workerEnv);
    await setUsage("kv-writes", 10); // would recover, if the answer were trusted
    await sim("/__sim/faults", { kind: "errors-not-a-list" });
    clock.now += 300_000;
    const report = await guard.evaluate(workerEnv);
    expect(report.resources.find((entry) => entry.key === "kv-writes").decision).toBe("tripped");
    expect(report.health.lastError).toContain("errors is not a list");
  });

  it("an R2 operation it does not know is counted as Class A, and named in a warning once", async () => {
    const { guard, clock } = guardAt({ thresholds: { "r2-class-a": { tripAt: 100 } } });
    await sim("/__sim/usage", { resource: "r2-class-a", units: 60, date: TODAY, mode: "set" });
    await sim("/__sim/faults", { kind: "odd-action-type", dataset: "r2OperationsAdaptiveGroups", actionType: "PutBucketShinyNewThing", times: 2 });
    // The renamed rows hold 60 Class A operations: counted, not dropped.
    const report = await guard.evaluate(workerEnv);
    expect(report.resources.find((entry) => entry.key === "r2-class-a").used).toBe(60);
    clock.now += 300_000;
    await guard.evaluate(workerEnv);
    expect(logs.filter((line) => line.includes('"PutBucketShinyNewThing"'))).toHaveLength(1);
  });
});

describe("drift 4: blind means one thing", () => {
  it("the status page's blind is the evaluation's rule: every polled dataset failing long enough", async () => {
    const { guard } = guardAt();
    const first = await guard.evaluate(workerEnv);
    expect(first.health.datasetFailures).toEqual({}); // a clean tick
    // One polled dataset answers; the others fail three times; a dataset no longer polled lingers.
    const polled = [...new Set(RESOURCES.filter((r) => r.graphql.polled).map((r) => r.graphql.dataset))];
    const datasetFailures = Object.fromEntries([...polled.slice(1).map((name) => [name, 3]), ["retiredDataset", 3]]);
    const record = JSON.parse(await env.EDGEFUSE_STATE.get(STATE_KEY));
    record.poll = { ...record.poll, consecutiveFailures: 3, lastError: "x", datasetFailures };
    await env.EDGEFUSE_STATE.put(STATE_KEY, JSON.stringify(record));
    const status = await guard.status(workerEnv);
    expect(status.blind).toBe(false);
  });
});

describe("drift 5: a binding charged to a resource the catalogue lacks fails loudly", () => {
  it("every resource the binding specs charge is in the catalogue", () => {
    const ids = new Set(RESOURCES.map((resource) => resource.id));
    for (const [kind, methods] of Object.entries(SPECS)) {
      for (const [method, { resource }] of Object.entries(methods)) {
        if (resource !== null) expect(ids.has(resource), `${kind}.${method} charges ${resource}`).toBe(true);
      }
    }
  });

  it("a call site charged to an unknown id throws at once instead of letting every call through", () => {
    const { config, handle } = callCore("createGuardJson", JSON.stringify({ plan: "free" }));
    const enforcement = new Enforcement(config, { handle });
    expect(() => enforcement.site("kv-writez", "KV", "put")).toThrow(/kv-writez/);
  });
});

describe("the report is what js/index.d.ts declares", () => {
  it("evaluate() and status() carry exactly the declared members", async () => {
    const { guard } = guardAt();
    const report = await guard.evaluate(workerEnv);
    const usage = ["breakersBefore", "budget", "coverage", "dryRun", "health", "kv", "now", "ok", "plan", "resources"];
    expect(Object.keys(report).sort()).toEqual([...usage, "alerts", "events", "wrote"].sort());
    expect(Object.keys(report.health).sort()).toEqual(
      ["blind", "blindDatasets", "consecutiveFailures", "datasetFailures", "failuresUntilBlind", "inaccessible", "lastCheckAt", "lastError"],
    );
    const status = await guard.status(workerEnv);
    expect(Object.keys(status).sort()).toEqual(
      [...usage, "blind", "breakers", "consecutiveFailures", "lastCheckAt", "lastError", "limitHits", "live", "meter"].sort(),
    );
    const failed = await guard.evaluate({ ...workerEnv, EDGEFUSE_STATE: undefined });
    expect(Object.keys(failed).sort()).toEqual(["error", "kv", "ok"]);
  });
});
