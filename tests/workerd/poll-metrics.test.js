// The largest paid-plan costs, read from the API's own fields (in its schema, not in the
// prose docs) and judged like any other: Workers AI neurons, Workers CPU time and Durable
// Objects duration, against the simulator.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { GuardConfigError, RESOURCES, createGuard } from "../../js/index.js";
import { renderDashboard } from "../../js/dashboard.js";
import { cleanPollWorld, deployedEnv, simulatorConfig } from "./support.js";

const TODAY = "2026-11-23";
const workerEnv = deployedEnv();
cleanPollWorld({ at: Date.parse(`${TODAY}T12:00:00Z`) });

const setUsage = (entries) =>
  env.USAGE_API.fetch("http://usage-api/__sim/usage", { method: "POST", body: JSON.stringify(entries) });
const guardAt = (config) =>
  createGuard({ plan: "paid", budget: { maxUsd: 1000 }, ...simulatorConfig, ...config }, { clock: () => Date.parse(`${TODAY}T12:00:00Z`) });
const row = (report, key) => report.resources.find((entry) => entry.key === key);

describe("costs read from the API's schema", () => {
  it("a daily dollar cap on Workers AI trips on today's neurons", async () => {
    // 10,000 neurons a day are included, then $0.011 per 1,000: 500,000 neurons is $5.39 over.
    await setUsage([{ resource: "ai-neurons", units: 500_000.5, date: TODAY }]);
    const guard = guardAt({ thresholds: { "ai-neurons": { maxOverageUsd: 5, granularity: "day" } } });
    const report = await guard.evaluate(workerEnv);
    expect(row(report, "ai-neurons")).toMatchObject({ used: 500_000.5, decision: "trip", stale: false });
    expect(row(report, "ai-neurons").overageUsd).toBeCloseTo(5.390_005_5, 6);
    expect(report.events.find((event) => event.level === "trip").message).toBe("ai-neurons overage $5.39 today (trips at $5.00)");
  });

  it("the budget trips Workers CPU time and Durable Objects duration by their overage", async () => {
    // CPU: 30M ms included, $0.02 per million after; 1,000M ms is $19.40 over.
    // DO duration: 400,000 GB-s included, $12.50 per million after; 1.4M GB-s is $12.50 over.
    await setUsage([
      { resource: "workers-cpu-ms", units: 1_000_000_000, date: TODAY },
      { resource: "do-duration-gbs", units: 1_400_000, date: TODAY },
    ]);
    const report = await guardAt({ budget: { maxUsd: 30 } }).evaluate(workerEnv);
    expect(report.budget.contributions["workers-cpu-ms"]).toBeCloseTo(19.4, 6);
    expect(report.budget.contributions["do-duration-gbs"]).toBeCloseTo(12.5, 6);
    expect(report.budget).toMatchObject({ decision: "trip", stale: false });
    expect(report.events.filter((event) => event.level === "trip").map((event) => event.key).sort()).toEqual([
      "do-duration-gbs",
      "workers-cpu-ms",
    ]);
  });
});

describe("Durable Objects storage units and Vectorize, from the API's schema", () => {
  it("key-value storage read, write and delete units share Durable Objects duration's request", async () => {
    // 1M of each included; then reads $0.20, writes and deletes $1.00 per million.
    await setUsage([
      { resource: "do-storage-read-units", units: 11_000_000, date: TODAY },
      { resource: "do-storage-write-units", units: 3_000_000, date: TODAY },
      { resource: "do-storage-deletes", units: 2_500_000, date: TODAY },
      { resource: "do-duration-gbs", units: 10, date: TODAY },
    ]);
    const report = await guardAt({ budget: { maxUsd: 5 } }).evaluate(workerEnv);
    expect(report.budget.contributions["do-storage-read-units"]).toBeCloseTo(2, 6);
    expect(report.budget.contributions["do-storage-write-units"]).toBeCloseTo(2, 6);
    expect(report.budget.contributions["do-storage-deletes"]).toBeCloseTo(1.5, 6);
    expect(report.budget).toMatchObject({ decision: "trip", stale: false });
    const requests = (await (await env.USAGE_API.fetch("http://usage-api/__sim/requests")).json()).requests;
    expect(requests.filter((request) => request.datasets.includes("durableObjectsPeriodicGroups"))).toHaveLength(1);
  });

  it("queried Vectorize dimensions trip their own threshold, per index", async () => {
    await setUsage([
      { resource: "vectorize-queried-dimensions", units: 40_000_000, binding: "index-a", date: TODAY },
      { resource: "vectorize-queried-dimensions", units: 5_000_000, binding: "index-b", date: TODAY },
    ]);
    const guard = guardAt({
      bindingIds: { VECTORS: "index-a" },
      thresholds: { "vectorize-queried-dimensions:VECTORS": { tripAt: 30_000_000, granularity: "day" } },
    });
    const report = await guard.evaluate(workerEnv);
    expect(row(report, "vectorize-queried-dimensions:VECTORS")).toMatchObject({ used: 40_000_000, decision: "trip" });
  });
});

describe("stored levels: storage and stored vector dimensions", () => {
  it("the free plan's 5 GB of D1 is a level: today's peaks of every database, added", async () => {
    await setUsage([
      { resource: "d1-storage-gb", units: 1, binding: "db-1", date: "2026-11-20" },
      { resource: "d1-storage-gb", units: 3, binding: "db-1", date: TODAY },
      { resource: "d1-storage-gb", units: 1.7, binding: "db-2", date: TODAY },
    ]);
    const guard = createGuard({ plan: "free", ...simulatorConfig }, { clock: () => Date.parse(`${TODAY}T12:00:00Z`) });
    const report = await guard.evaluate(workerEnv);
    expect(row(report, "d1-storage-gb")).toMatchObject({ used: 4.7, quota: 5, decision: "trip", stale: false });
  });

  it("on the paid plan, Durable Objects storage is billed per GB-month and counts toward the budget", async () => {
    // 65 GB every day of November so far: 23 x 65 / 30 = 49.83 GB-months, $8.97 over 5 included.
    const entries = [];
    for (let day = 1; day <= 23; day += 1) entries.push({ resource: "do-storage-gb", units: 65, date: `2026-11-${String(day).padStart(2, "0")}` });
    await setUsage(entries);
    const report = await guardAt({ budget: { maxUsd: 5 } }).evaluate(workerEnv);
    expect(row(report, "do-storage-gb").used).toBeCloseTo((23 * 65) / 30, 6);
    expect(report.budget.contributions["do-storage-gb"]).toBeCloseTo(((23 * 65) / 30 - 5) * 0.2, 6);
    expect(report.budget.decision).toBe("trip");
  });
});

describe("Durable Objects WebSocket messages, billed as requests at 20:1", () => {
  it("are added to do-requests from their own dataset, at one request per 20 messages", async () => {
    // 60,000 requests and 900,000 incoming messages (45,000 billed requests): 105% of 100,000.
    await setUsage([
      { resource: "do-requests", units: 60_000, date: TODAY },
      { resource: "do-websocket-messages", units: 45_000, date: TODAY },
    ]);
    const dump = await (await env.USAGE_API.fetch("http://usage-api/__sim/usage")).json();
    expect(dump.usage.durableObjectsPeriodicGroups[0].sum.inboundWebsocketMsgCount).toBe(900_000);
    const guard = createGuard({ plan: "free", ...simulatorConfig }, { clock: () => Date.parse(`${TODAY}T12:00:00Z`) });
    const report = await guard.evaluate(workerEnv);
    expect(row(report, "do-requests")).toMatchObject({ used: 105_000, decision: "trip", stale: false });
    expect(RESOURCES.find((resource) => resource.id === "do-websocket-messages").billedAs).toBe("do-requests");
  });
});

describe("R2 Infrequent Access, told apart by storage class", () => {
  it("operations and storage on Infrequent Access have their own prices and no free tier", async () => {
    // Class A on IA: $9.00 a million, rounded up: 1.2M is $18. Standard's 0.5M is within its free million.
    // IA storage: 300 GB all month, 23 x 300 / 30 = 230 GB-months at $0.01: $2.30.
    const entries = [
      { resource: "r2-ia-class-a", units: 1_200_000, binding: "archive", date: TODAY },
      { resource: "r2-class-a", units: 500_000, binding: "assets", date: TODAY },
    ];
    for (let day = 1; day <= 23; day += 1) {
      entries.push({ resource: "r2-ia-storage-gb", units: 300, binding: "archive", date: `2026-11-${String(day).padStart(2, "0")}` });
    }
    await setUsage(entries);
    const report = await guardAt({ budget: { maxUsd: 10 } }).evaluate(workerEnv);
    expect(report.budget.contributions["r2-ia-class-a"]).toBeCloseTo(18, 6);
    expect(report.budget.contributions["r2-ia-storage-gb"]).toBeCloseTo(2.3, 6);
    expect(report.budget.contributions["r2-class-a"]).toBeUndefined();
    expect(row(report, "r2-class-a")).toMatchObject({ used: 500_000, stale: false });
    expect(report.budget.decision).toBe("trip");
  });
});

describe("bare counts and flat rows: Hyperdrive, Images, Analytics Engine", () => {
  it("the free plan's 100,000 Hyperdrive queries a day trip like any quota", async () => {
    await setUsage([{ resource: "hyperdrive-queries", units: 95_000, binding: "cfg-1", date: TODAY }]);
    const guard = createGuard({ plan: "free", ...simulatorConfig }, { clock: () => Date.parse(`${TODAY}T12:00:00Z`) });
    const report = await guard.evaluate(workerEnv);
    expect(row(report, "hyperdrive-queries")).toMatchObject({ used: 95_000, quota: 100_000, decision: "trip", stale: false });
  });

  it("Images' unique transformations, read per day, count toward the budget", async () => {
    // 5,000 a month included, then $0.50 per 1,000: 9,000 this month is $2.00 over.
    await setUsage([
      { resource: "images-unique-transformations", units: 6_000, date: "2026-11-02" },
      { resource: "images-unique-transformations", units: 3_000, date: TODAY },
    ]);
    const report = await guardAt({ budget: { maxUsd: 1.5 } }).evaluate(workerEnv);
    expect(row(report, "images-unique-transformations")).toMatchObject({ used: 9_000, stale: false });
    expect(report.budget.contributions["images-unique-transformations"]).toBeCloseTo(2, 6);
    expect(report.budget.decision).toBe("trip");
  });
});

describe("no silent gaps", () => {
  it("a threshold on a resource the poll cannot read is a GuardConfigError that says why", () => {
    let error = null;
    try {
      createGuard({ plan: "paid", budget: { maxUsd: 10 }, thresholds: { "kv-storage-gb": { tripAt: 100 } } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GuardConfigError);
    expect(error.problems).toEqual([
      expect.objectContaining({
        path: "thresholds.kv-storage-gb",
        message: "the usage poll cannot read kv-storage-gb: its dataset is newer than the schema edgefuse checks its requests against",
      }),
    ]);
  });

  it("a dataset the account may not read is reported once as such, and is not blindness", async () => {
    await env.USAGE_API.fetch("http://usage-api/__sim/faults", {
      method: "POST",
      body: JSON.stringify({ kind: "no-access", dataset: "aiInferenceAdaptiveGroups" }),
    });
    const clock = { now: Date.parse(`${TODAY}T12:00:00Z`) };
    const guard = createGuard({ plan: "free", failuresUntilBlind: 1, ...simulatorConfig }, { clock: () => clock.now });
    const first = await guard.evaluate(workerEnv);
    const said = first.events.filter((event) => event.level === "inaccessible");
    expect(said).toEqual([
      expect.objectContaining({
        key: "aiInferenceAdaptiveGroups",
        message: expect.stringMatching(/^aiInferenceAdaptiveGroups is not available to this account or API token, so ai-neurons go unmeasured/),
      }),
    ]);
    expect(first.health).toMatchObject({ inaccessible: ["aiInferenceAdaptiveGroups"], blind: false, blindDatasets: [], lastError: "" });
    expect(first.coverage.find((entry) => entry.resource === "ai-neurons")).toEqual({
      resource: "ai-neurons",
      polled: false,
      reason: "the account or API token may not read aiInferenceAdaptiveGroups",
    });
    clock.now += 300_000;
    const second = await guard.evaluate(workerEnv);
    expect(second.events.filter((event) => event.level === "inaccessible" || event.level === "blind")).toEqual([]);
    const status = await guard.status(workerEnv);
    expect(status.blind).toBe(false);
    const page = renderDashboard(status, { adminPath: "/__edgefuse" });
    expect(page).toContain('<li data-not-polled="ai-neurons">ai-neurons: the account or API token may not read aiInferenceAdaptiveGroups</li>');
  });

  it("every report and the status page list what is not polled, and why", async () => {
    const guard = guardAt({});
    const report = await guard.evaluate(workerEnv);
    const gaps = report.coverage.filter((entry) => !entry.polled).map((entry) => entry.resource);
    expect(gaps).toEqual(expect.arrayContaining(["stream-minutes-stored", "kv-storage-gb", "do-sqlite-rows-read", "workers-logs-gb", "browser-hours"]));
    for (const polled of ["ai-neurons", "do-storage-write-units", "vectorize-stored-dimensions", "d1-storage-gb", "r2-storage-gb", "r2-ia-class-a", "kv-writes", "hyperdrive-queries"]) expect(gaps).not.toContain(polled);
    expect(report.coverage).toHaveLength(RESOURCES.length);
    const page = renderDashboard(await guard.status(workerEnv), { adminPath: "/__edgefuse" });
    expect(page).toContain('<li data-not-polled="stream-minutes-stored">stream-minutes-stored: it is not in the GraphQL Analytics API</li>');
  });
});
