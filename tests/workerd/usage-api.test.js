// The usage-API simulator (wrangler/simulator/usage-api.js), through its service binding:
// the GraphQL shapes edgefuse reads, scripted usage, and every fault it can inject.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { RESOURCES } from "../../js/index.js";

const TOKEN = "simulator-token";
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const BASE = "http://usage-api";

const call = (path, init) => env.USAGE_API.fetch(`${BASE}${path}`, init);
const post = (path, body) =>
  call(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function setUsage(entries) {
  const response = await post("/__sim/usage", entries);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

async function addFault(fault) {
  const response = await post("/__sim/faults", fault);
  expect(response.status, await response.clone().text()).toBe(200);
}

/** A query shaped like the one edgefuse sends, for one or more dataset blocks. */
function usageQuery(blocks, { startType = "Date!", range = "date" } = {}) {
  const body = blocks
    .map(
      ({ dataset, sum = [], max = [], dims = ["date"], limit = 10000 }) => `
      ${dataset}(limit: ${limit}, filter: { ${range}_geq: $start, ${range}_leq: $end }) {
        ${sum.length ? `sum { ${sum.join(" ")} }` : ""}
        ${max.length ? `max { ${max.join(" ")} }` : ""}
        dimensions { ${dims.join(" ")} }
      }`,
    )
    .join("\n");
  return `query EdgefuseUsage($accountTag: string!, $start: ${startType}, $end: ${startType}) {
  viewer {
    accounts(filter: { accountTag: $accountTag }) {${body}
    }
  }
}`;
}

const KV = { dataset: "kvOperationsAdaptiveGroups", sum: ["requests"], dims: ["date", "actionType", "namespaceId"] };
const D1 = { dataset: "d1AnalyticsAdaptiveGroups", sum: ["rowsRead", "rowsWritten"], dims: ["date", "databaseId"] };
const WORKERS = { dataset: "workersInvocationsAdaptive", sum: ["requests", "cpuTimeUs"], dims: ["date", "scriptName"] };

function graphql(body, { token = TOKEN, path = "/graphql" } = {}) {
  const headers = { "content-type": "application/json" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return call(path, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
}

/** Posts `blocks` as a query over [start, end] and returns { response, body }. */
async function ask(blocks, { start = "2026-11-01", end = "2026-11-30", accountTag = ACCOUNT, ...options } = {}) {
  const response = await graphql({ query: usageQuery(blocks, options), variables: { accountTag, start, end } });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { response, text, body };
}

const rowsOf = (body, dataset) => body.data.viewer.accounts[0][dataset];

// The simulator's clock: every date these tests ask for is within what the API keeps.
const NOW = "2026-11-30T12:00:00.000Z";

beforeEach(async () => {
  const response = await post("/__sim/reset", {});
  expect(response.status).toBe(200);
  expect((await post("/__sim/clock", { now: NOW })).status).toBe(200);
});

describe("authentication", () => {
  it("answers 401 without a token, with a wrong one, and never echoes the token", async () => {
    for (const token of [null, "wrong-secret-token-value", ""]) {
      const response = await graphql({ query: usageQuery([KV]), variables: { accountTag: ACCOUNT, start: "2026-11-01", end: "2026-11-02" } }, { token });
      expect(response.status).toBe(401);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ data: null, errors: [{ message: "authentication error: missing or invalid API token" }] });
      if (token) expect(text).not.toContain(token);
    }
    const log = await (await call("/__sim/requests")).json();
    expect(log.requests.map((entry) => [entry.authorized, entry.status])).toEqual([
      [false, 401],
      [false, 401],
      [false, 401],
    ]);
    expect(JSON.stringify(log)).not.toContain("wrong-secret-token-value");
    expect(JSON.stringify(log)).not.toContain("Bearer");
  });

  it("accepts the right token on /graphql and /client/v4/graphql", async () => {
    const request = { query: usageQuery([KV]), variables: { accountTag: ACCOUNT, start: "2026-11-01", end: "2026-11-02" } };
    for (const path of ["/graphql", "/client/v4/graphql"]) {
      const response = await graphql(request, { path });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { viewer: { accounts: [{ kvOperationsAdaptiveGroups: [] }] } }, errors: null });
    }
  });
});

describe("request checks", () => {
  it("answers 400 for a body that is not JSON or has no query", async () => {
    for (const body of ["{not json", JSON.stringify({ variables: {} }), JSON.stringify({ query: "  " }), "[1]"]) {
      const response = await graphql(body);
      expect(response.status).toBe(400);
      const json = await response.json();
      expect(json.data).toBeNull();
      expect(json.errors[0].message).toMatch(/JSON|query/);
    }
  });

  it("needs the account tag, and only knows its own account (errors[] on HTTP 200)", async () => {
    const other = await ask([KV], { accountTag: "ffffffffffffffffffffffffffffffff" });
    expect(other.response.status).toBe(200);
    expect(other.body.data).toBeNull();
    expect(other.body.errors[0].message).toMatch(/account not found or not authorized/);

    const missing = await graphql({ query: usageQuery([KV]), variables: { start: "2026-11-01", end: "2026-11-02" } });
    expect(missing.status).toBe(200);
    const body = await missing.json();
    expect(body.data).toBeNull();
    expect(body.errors[0].message).toMatch(/accountTag/);
  });

  it("answers a GraphQL syntax error with errors[], and an inline literal filter like a variable", async () => {
    const broken = await graphql({ query: "query { viewer { accounts(filter: {accountTag: $a}) { ", variables: {} });
    expect(broken.status).toBe(200);
    expect((await broken.json()).errors[0].message).toMatch(/^Syntax Error/);

    await setUsage([
      { resource: "kv-reads", units: 5, date: "2026-11-03" },
      { resource: "kv-reads", units: 7, date: "2026-11-09" },
    ]);
    const inline = `{ viewer { accounts(filter: {accountTag: "${ACCOUNT}"}) {
      kvOperationsAdaptiveGroups(limit: 5, filter: {date_gt: "2026-11-03", date_lt: "2026-11-10"}) {
        sum { requests } dimensions { date } } } } }`;
    const response = await graphql({ query: inline });
    expect((await response.json()).data.viewer.accounts[0].kvOperationsAdaptiveGroups).toEqual([
      { sum: { requests: 7 }, dimensions: { date: "2026-11-09" } },
    ]);
  });
});

describe("scripted usage, answered per date, actionType and binding", () => {
  it("adds and sets KV usage per resource, binding and day", async () => {
    await setUsage([
      { resource: "kv-writes", units: 1200, binding: "ns-1", date: "2026-11-23" },
      { resource: "kv-writes", units: 300, binding: "ns-1", date: "2026-11-23" }, // adds
      { resource: "kv-writes", units: 50, binding: "ns-2", date: "2026-11-23" },
      { resource: "kv-reads", units: 90000, binding: "ns-1", date: "2026-11-22" },
      { resource: "kv-reads", units: 100, binding: "ns-1", date: "2026-11-22", mode: "set" }, // replaces
      { resource: "kv-lists", units: 4, date: "2026-11-23" }, // no binding
    ]);
    const { response, body } = await ask([KV]);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(body.errors).toBeNull();
    expect(rowsOf(body, "kvOperationsAdaptiveGroups")).toEqual([
      { sum: { requests: 100 }, dimensions: { date: "2026-11-22", actionType: "read", namespaceId: "ns-1" } },
      { sum: { requests: 4 }, dimensions: { date: "2026-11-23", actionType: "list", namespaceId: "" } },
      { sum: { requests: 1500 }, dimensions: { date: "2026-11-23", actionType: "write", namespaceId: "ns-1" } },
      { sum: { requests: 50 }, dimensions: { date: "2026-11-23", actionType: "write", namespaceId: "ns-2" } },
    ]);
  });

  it("groups only by the dimensions asked for, and returns only the fields asked for", async () => {
    await setUsage([
      { resource: "kv-writes", units: 10, binding: "ns-1", date: "2026-11-23" },
      { resource: "kv-writes", units: 20, binding: "ns-2", date: "2026-11-23" },
      { resource: "kv-deletes", units: 3, binding: "ns-2", date: "2026-11-23" },
    ]);
    const byType = await ask([{ ...KV, dims: ["actionType"] }]);
    expect(rowsOf(byType.body, "kvOperationsAdaptiveGroups")).toEqual([
      { sum: { requests: 3 }, dimensions: { actionType: "delete" } },
      { sum: { requests: 30 }, dimensions: { actionType: "write" } },
    ]);
    const byDay = await ask([{ ...KV, dims: ["date"] }]);
    expect(rowsOf(byDay.body, "kvOperationsAdaptiveGroups")).toEqual([{ sum: { requests: 33 }, dimensions: { date: "2026-11-23" } }]);
  });

  it("stores units in the API's own units: CPU ms as cpuTimeUs, GB-s as duration (GB-s already)", async () => {
    await setUsage([
      { resource: "workers-cpu-ms", units: 1200, binding: "api", date: "2026-11-05" },
      { resource: "workers-requests", units: 40, binding: "api", date: "2026-11-05" },
      { resource: "do-duration-gbs", units: 1, date: "2026-11-05" },
    ]);
    const { body } = await ask([WORKERS, { dataset: "durableObjectsPeriodicGroups", sum: ["duration"], dims: ["date"] }]);
    expect(body.errors).toBeNull();
    expect(rowsOf(body, "workersInvocationsAdaptive")).toEqual([
      { sum: { requests: 40, cpuTimeUs: 1_200_000 }, dimensions: { date: "2026-11-05", scriptName: "api" } },
    ]);
    expect(rowsOf(body, "durableObjectsPeriodicGroups")).toEqual([
      { sum: { duration: 1 }, dimensions: { date: "2026-11-05" } },
    ]);
  });

  it("answers D1 rows read and written in one row, 0 for a field with no data", async () => {
    await setUsage([
      { resource: "d1-rows-read", units: 5000, binding: "db-1", date: "2026-11-10" },
      { resource: "d1-rows-written", units: 70, binding: "db-1", date: "2026-11-10" },
      { resource: "d1-rows-read", units: 9, binding: "db-2", date: "2026-11-10" },
    ]);
    const { body } = await ask([D1]);
    expect(rowsOf(body, "d1AnalyticsAdaptiveGroups")).toEqual([
      { sum: { rowsRead: 5000, rowsWritten: 70 }, dimensions: { date: "2026-11-10", databaseId: "db-1" } },
      { sum: { rowsRead: 9, rowsWritten: 0 }, dimensions: { date: "2026-11-10", databaseId: "db-2" } },
    ]);
  });

  it("spreads an R2 class over every operation name in it, and only R2 has several", async () => {
    const recorded = await setUsage([
      { resource: "r2-class-a", units: 1_000, binding: "bucket", date: "2026-11-02" },
      { resource: "r2-class-b", units: 9, binding: "bucket", date: "2026-11-02" },
    ]);
    expect(recorded.recorded.map((row) => row.value)).toEqual([1_000, 9]);
    const { body } = await ask(
      [{ dataset: "r2OperationsAdaptiveGroups", sum: ["requests"], dims: ["actionType", "bucketName"] }],
      { range: "datetime", startType: "Time!", start: "2026-11-01T00:00:00Z", end: "2026-11-30T00:00:00Z" },
    );
    const rows = rowsOf(body, "r2OperationsAdaptiveGroups");
    const byName = Object.fromEntries(rows.map((row) => [row.dimensions.actionType, row.sum.requests]));
    const classA = RESOURCES.find((resource) => resource.id === "r2-class-a").graphql.actionTypes.split(",");
    const classB = RESOURCES.find((resource) => resource.id === "r2-class-b").graphql.actionTypes.split(",");
    // Class A: 15 names share 1,000 (66 each, the first ten one more); Class B: 8 names share
    // 9, so one has 2 and the rest 1. Whole operations only: no row of nothing.
    expect(classA.map((name) => byName[name])).toEqual(classA.map((_, index) => (index < 10 ? 67 : 66)));
    expect(classB.map((name) => byName[name])).toEqual(classB.map((_, index) => (index < 1 ? 2 : 1)));
    expect(rows).toHaveLength(classA.length + classB.length);
    expect(rows.every((row) => Number.isInteger(row.sum.requests))).toBe(true);
  });

  it("answers a bare count beside the groups' dimensions, and a flat dataset's rows as days", async () => {
    await setUsage([
      { resource: "hyperdrive-queries", units: 70, binding: "cfg-1", date: "2026-11-04" },
      { resource: "hyperdrive-queries", units: 5, binding: "cfg-1", date: "2026-11-05" },
      { resource: "images-unique-transformations", units: 12, date: "2026-11-05" },
      { resource: "images-unique-transformations", units: 3, date: "2026-11-04" },
    ]);
    const hyperdrive = await graphql({
      query: `query { viewer { accounts(filter: {accountTag: "${ACCOUNT}"}) {
        hyperdriveQueriesAdaptiveGroups(limit: 10, filter: {date_geq: "2026-11-01", date_leq: "2026-11-30"}) { count dimensions { configId } }
        imagesUniqueTransformations(limit: 10, filter: {date_geq: "2026-11-01", date_leq: "2026-11-30"}) { date transformations } } } }`,
    });
    const account = (await hyperdrive.json()).data.viewer.accounts[0];
    expect(account.hyperdriveQueriesAdaptiveGroups).toEqual([{ count: 75, dimensions: { configId: "cfg-1" } }]);
    expect(account.imagesUniqueTransformations).toEqual([
      { date: "2026-11-04", transformations: 3 },
      { date: "2026-11-05", transformations: 12 },
    ]);
  });

  it("refuses fractions of a whole-number field, and keeps floats where the schema has them", async () => {
    const response = await post("/__sim/usage", { resource: "kv-writes", units: 1.5 });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/units: sum.requests of kvOperationsAdaptiveGroups is a whole number/);
    await setUsage({ resource: "ai-neurons", units: 12.375, date: "2026-11-03" });
    const { body } = await ask([{ dataset: "aiInferenceAdaptiveGroups", sum: ["totalNeurons"], dims: ["date"] }]);
    expect(rowsOf(body, "aiInferenceAdaptiveGroups")).toEqual([{ sum: { totalNeurons: 12.375 }, dimensions: { date: "2026-11-03" } }]);
  });

  it("refuses a dataset Cloudflare's schema does not have (the dump predates Vectorize's V2 datasets)", async () => {
    const { body } = await ask([{ dataset: "vectorizeV2StorageAdaptiveGroups", max: ["storedVectorDimensions"], dims: ["date"] }]);
    expect(body.data).toBeNull();
    expect(body.errors[0].message).toContain("vectorizeV2StorageAdaptiveGroups");
  });

  it("defaults the date to today (UTC, on the simulator's clock) and applies limit", async () => {
    await setUsage({ resource: "queues-operations", units: 3, binding: "q-1" });
    await setUsage({ resource: "queues-operations", units: 4, binding: "q-2" });
    const today = NOW.slice(0, 10);
    const queues = { dataset: "queueMessageOperationsAdaptiveGroups", sum: ["billableOperations"], dims: ["date", "queueId"] };
    const all = await ask([queues], { start: today, end: today });
    expect(rowsOf(all.body, "queueMessageOperationsAdaptiveGroups")).toEqual([
      { sum: { billableOperations: 3 }, dimensions: { date: today, queueId: "q-1" } },
      { sum: { billableOperations: 4 }, dimensions: { date: today, queueId: "q-2" } },
    ]);
    const limited = await ask([{ ...queues, limit: 1 }], { start: today, end: today });
    expect(rowsOf(limited.body, "queueMessageOperationsAdaptiveGroups")).toHaveLength(1);
  });

  it("dumps stored usage in the API's row shape", async () => {
    await setUsage({ resource: "workers-cpu-ms", units: 2, binding: "api", date: "2026-11-05" });
    const dump = await (await call("/__sim/usage")).json();
    expect(dump.usage).toEqual({
      workersInvocationsAdaptive: [{ dimensions: { date: "2026-11-05", scriptName: "api" }, sum: { cpuTimeUs: 2000 } }],
    });
  });
});

describe("date filters", () => {
  beforeEach(async () => {
    await setUsage(
      ["2026-10-31", "2026-11-01", "2026-11-15", "2026-11-23", "2026-11-24"].map((date, index) => ({
        resource: "kv-reads",
        units: index + 1,
        binding: "ns-1",
        date,
      })),
    );
  });
  const days = (body) => rowsOf(body, "kvOperationsAdaptiveGroups").map((row) => [row.dimensions.date, row.sum.requests]);

  it("date_geq / date_leq keep [start, end] and leave out the days outside", async () => {
    const { body } = await ask([KV], { start: "2026-11-01", end: "2026-11-23" });
    expect(days(body)).toEqual([
      ["2026-11-01", 2],
      ["2026-11-15", 3],
      ["2026-11-23", 4],
    ]);
  });

  it("datetime_geq / datetime_leq take ISO timestamps and keep the days they touch, where the schema has them", async () => {
    await setUsage(
      ["2026-10-31", "2026-11-01", "2026-11-15", "2026-11-23"].map((date, index) => ({ resource: "r2-class-b", units: index + 1, binding: "b", date })),
    );
    const R2 = { dataset: "r2OperationsAdaptiveGroups", sum: ["requests"], dims: ["date"] };
    const r2Days = (body) => rowsOf(body, "r2OperationsAdaptiveGroups").map((row) => [row.dimensions.date, row.sum.requests]);
    const window = { range: "datetime", startType: "Time!" };
    const { body } = await ask([R2], { ...window, start: "2026-11-01T00:00:00Z", end: "2026-11-23T00:00:00Z" });
    expect(body.errors).toBeNull();
    expect(r2Days(body)).toEqual([
      ["2026-11-01", 2],
      ["2026-11-15", 3],
      ["2026-11-23", 4],
    ]);
    const narrow = await ask([R2], { ...window, start: "2026-11-15T13:00:00Z", end: "2026-11-22T23:59:59Z" });
    expect(r2Days(narrow.body)).toEqual([["2026-11-15", 3]]);
    // KV has only date_* filters: datetime_* is refused, as D1's is by the real API.
    const kv = await ask([KV], { ...window, start: "2026-11-01T00:00:00Z", end: "2026-11-23T00:00:00Z" });
    expect(kv.body.data).toBeNull();
    expect(kv.body.errors[0].message).toMatch(/unknown field "datetime_geq"/);
  });

  it("rejects a variable value that is not of its declared type", async () => {
    const { body } = await ask([KV], { start: "yesterday" });
    expect(body.data).toBeNull();
    expect(body.errors[0].message).toMatch(/\$start.*not a Date/);
  });

  it("refuses a range wider than the dataset gives, as the real API does", async () => {
    await post("/__sim/clock", { now: "2026-11-01T12:00:00Z" }); // Oct 2 is the oldest day KV keeps
    const kv = await ask([KV], { start: "2026-10-01", end: "2026-11-01" }); // 32 days
    // As the documented example of a limit: data null, the message, the path to the dataset.
    expect(kv.body).toEqual({
      data: null,
      errors: [
        {
          message: "cannot request a time range wider than 4w3d",
          path: ["viewer", "accounts", 0, "kvOperationsAdaptiveGroups"],
          extensions: { timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) },
        },
      ],
    });
    expect((await ask([KV], { start: "2026-10-02", end: "2026-11-01" })).body.errors).toBeNull(); // 31 days
    // Exclusive bounds leave their own day out: Oct 2 to Nov 1 again.
    const exclusive = `{ viewer { accounts(filter: {accountTag: "${ACCOUNT}"}) {
      kvOperationsAdaptiveGroups(limit: 5, filter: {date_gt: "2026-10-01", date_lt: "2026-11-02"}) { sum { requests } } } } }`;
    expect((await (await graphql({ query: exclusive })).json()).errors).toBeNull();
    const R2 = { dataset: "r2OperationsAdaptiveGroups", sum: ["requests"], dims: ["date"] };
    const r2 = await ask([R2], { range: "datetime", startType: "Time!", start: "2026-10-01T00:00:00Z", end: "2026-11-02T00:00:01Z" });
    expect(r2.body.errors[0].message).toMatch(/cannot request a time range wider than 4w4d/);
  });
});

describe("retention and the simulator's clock", () => {
  it("refuses data older than the dataset keeps, measured from the simulator's now", async () => {
    // KV keeps 31 days: on Nov 30, Oct 31 is the oldest day kept.
    expect((await ask([KV], { start: "2026-10-31", end: "2026-11-01" })).body.errors).toBeNull();
    const old = await ask([KV], { start: "2026-10-30", end: "2026-10-31" });
    expect(old.response.status).toBe(200);
    expect(old.body.data).toBeNull();
    expect(old.body.errors[0]).toMatchObject({
      message: "cannot request data older than 4w3d",
      path: ["viewer", "accounts", 0, "kvOperationsAdaptiveGroups"],
    });
    // R2 keeps 12w6d (recorded from the live API): a narrow range 80 days back is answered, 100 is not.
    const R2 = { dataset: "r2OperationsAdaptiveGroups", sum: ["requests"], dims: ["date"] };
    const window = { range: "datetime", startType: "Time!" };
    expect((await ask([R2], { ...window, start: "2026-09-11T00:00:00Z", end: "2026-09-12T00:00:00Z" })).body.errors).toBeNull();
    const r2 = await ask([R2], { ...window, start: "2026-08-22T00:00:00Z", end: "2026-08-23T00:00:00Z" });
    expect(r2.body.errors[0].message).toBe("cannot request data older than 12w6d");
    // Moving the clock back makes the same range answerable.
    await post("/__sim/clock", { now: "2026-11-15T00:00:00Z" });
    expect((await ask([KV], { start: "2026-10-16", end: "2026-10-17" })).body.errors).toBeNull();
  });

  it("measures a range with no upper bound up to now", async () => {
    const open = (start) => `{ viewer { accounts(filter: {accountTag: "${ACCOUNT}"}) {
      kvOperationsAdaptiveGroups(limit: 5, filter: {date_geq: "${start}"}) { sum { requests } } } } }`;
    expect((await (await graphql({ query: open("2026-10-31") })).json()).errors).toBeNull();
    const body = await (await graphql({ query: open("2026-10-30") })).json();
    expect(body.errors[0].message).toMatch(/wider than 4w3d/); // Oct 30 to Nov 30: 32 days
  });

  it("takes a clock of an ISO timestamp or null, and names anything else", async () => {
    for (const bad of [{ now: "tomorrow" }, { now: 5 }, {}, { now: null, extra: 1 }]) {
      const response = await post("/__sim/clock", bad);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toMatch(/now|body/);
    }
    expect(await (await call("/__sim/clock")).json()).toEqual({ now: NOW, set: true });
    const real = await (await post("/__sim/clock", { now: null })).json();
    expect(real.set).toBe(false);
    expect(Math.abs(Date.parse(real.now) - Date.now())).toBeLessThan(60_000);
    await post("/__sim/reset", {});
    expect((await (await call("/__sim/clock")).json()).set).toBe(false);
  });
});

describe("unknown datasets and fields", () => {
  it("refuses the whole query over an unknown dataset, as the real API does (HTTP 200, errors[])", async () => {
    await setUsage({ resource: "kv-writes", units: 8, binding: "ns-1", date: "2026-11-23" });
    const { response, body } = await ask([
      { dataset: "bogusAdaptiveGroups", sum: ["requests"], dims: ["date"] },
      KV,
    ]);
    expect(response.status).toBe(200);
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].message).toContain("bogusAdaptiveGroups");
  });

  it("refuses a field or dimension a dataset does not have, naming each", async () => {
    const { body } = await ask([{ ...KV, sum: ["rowsRead"] }, { ...D1, dims: ["date", "namespaceId"] }]);
    expect(body.data).toBeNull();
    expect(body.errors.map((error) => error.message)).toEqual([
      expect.stringContaining("rowsRead"),
      expect.stringContaining("namespaceId"),
    ]);
  });
});

describe("faults", () => {
  beforeEach(async () => {
    await setUsage({ resource: "kv-writes", units: 10, binding: "ns-1", date: "2026-11-23" });
  });

  it("http-500", async () => {
    await addFault({ kind: "http-500" });
    const { response, body } = await ask([KV]);
    expect(response.status).toBe(500);
    expect(body).toEqual({ errors: [{ message: "internal error" }] });
  });

  it("http-429 with Retry-After (30 s by default)", async () => {
    await addFault({ kind: "http-429", retryAfter: 120, times: 1 });
    await addFault({ kind: "http-429", times: 1 });
    const first = await ask([KV]);
    expect(first.response.status).toBe(429);
    expect(first.response.headers.get("retry-after")).toBe("120");
    const second = await ask([KV]);
    expect(second.response.status).toBe(429);
    expect(second.response.headers.get("retry-after")).toBe("30");
    expect((await ask([KV])).response.status).toBe(200);
  });

  it("timeout: waits delayMs, then answers normally", async () => {
    await addFault({ kind: "timeout", delayMs: 50, times: 1 });
    const started = Date.now();
    const { response, body } = await ask([KV]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(response.status).toBe(200);
    expect(rowsOf(body, "kvOperationsAdaptiveGroups")[0].sum.requests).toBe(10);
  });

  it("malformed-json: HTTP 200 with a truncated body", async () => {
    await addFault({ kind: "malformed-json" });
    const { response, text, body } = await ask([KV]);
    expect(response.status).toBe(200);
    expect(body).toBeUndefined();
    expect(text.startsWith('{"data":')).toBe(true);
  });

  it("graphql-errors and wrong-shape", async () => {
    await addFault({ kind: "graphql-errors", times: 1 });
    await addFault({ kind: "wrong-shape", times: 1 });
    const errors = await ask([KV]);
    expect(errors.response.status).toBe(200);
    expect(errors.body).toEqual({ data: null, errors: [{ message: "simulated failure" }] });
    const shape = await ask([KV]);
    expect(shape.response.status).toBe(200);
    expect(shape.body).toEqual({ data: { viewer: { accounts: "nope" } }, errors: null });
  });

  it("absurd-values: normal shape, values negative, 1e308 and not numbers", async () => {
    await setUsage([
      { resource: "d1-rows-read", units: 1, binding: "db", date: "2026-11-23" },
      { resource: "d1-rows-written", units: 1, binding: "db", date: "2026-11-23" },
      { resource: "kv-reads", units: 10, binding: "ns-1", date: "2026-11-23" },
    ]);
    await addFault({ kind: "absurd-values" });
    const { response, body } = await ask([D1, KV]);
    expect(response.status).toBe(200);
    expect(body.errors).toBeNull();
    const values = [
      ...rowsOf(body, "d1AnalyticsAdaptiveGroups").flatMap((row) => Object.values(row.sum)),
      ...rowsOf(body, "kvOperationsAdaptiveGroups").flatMap((row) => Object.values(row.sum)),
    ];
    expect(values).toEqual([-5, 1e308, "NaN", -5]);
    expect(rowsOf(body, "kvOperationsAdaptiveGroups")[0].dimensions).toEqual({ date: "2026-11-23", actionType: "read", namespaceId: "ns-1" });
  });

  it("partial: the named dataset errors with null data, the others answer", async () => {
    await setUsage({ resource: "d1-rows-read", units: 6, binding: "db", date: "2026-11-23" });
    await addFault({ kind: "partial", dataset: "d1AnalyticsAdaptiveGroups" });
    const { response, body } = await ask([D1, KV]);
    expect(response.status).toBe(200);
    expect(rowsOf(body, "d1AnalyticsAdaptiveGroups")).toBeNull();
    expect(rowsOf(body, "kvOperationsAdaptiveGroups")[0].sum.requests).toBe(10);
    expect(body.errors).toEqual([
      {
        message: expect.stringContaining("d1AnalyticsAdaptiveGroups"),
        path: ["viewer", "accounts", 0, "d1AnalyticsAdaptiveGroups"],
        extensions: { timestamp: expect.any(String) },
      },
    ]);
  });

  it("no-access: the named dataset is refused to the account, with data null, as the real API refuses it", async () => {
    await addFault({ kind: "no-access", dataset: "kvOperationsAdaptiveGroups" });
    const refused = await ask([KV]);
    expect(refused.response.status).toBe(200);
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        message: `account '${ACCOUNT}' does not have access to the path`,
        path: ["viewer", "accounts", 0, "kvOperationsAdaptiveGroups"],
      }),
    ]);
    expect((await ask([D1])).body.errors).toBeNull(); // the others answer
    const response = await post("/__sim/faults", { kind: "no-access" });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/dataset: a "no-access" fault needs the dataset/);
  });

  it("counts `times` down, then answers normally again", async () => {
    await addFault({ kind: "http-500", times: 2 });
    expect((await ask([KV])).response.status).toBe(500);
    expect((await (await call("/__sim/faults")).json()).faults[0].remaining).toBe(1);
    expect((await ask([KV])).response.status).toBe(500);
    expect((await ask([KV])).response.status).toBe(200);
    expect((await (await call("/__sim/faults")).json()).faults).toEqual([]);
  });

  it("scopes a fault to requests touching its dataset", async () => {
    await addFault({ kind: "http-500", dataset: "d1AnalyticsAdaptiveGroups", times: 1 });
    expect((await ask([KV])).response.status).toBe(200); // not consumed
    expect((await ask([D1])).response.status).toBe(500);
    expect((await ask([D1])).response.status).toBe(200);
  });

  it("lasts until cleared, by DELETE /__sim/faults or by reset", async () => {
    await addFault({ kind: "graphql-errors" });
    for (let i = 0; i < 3; i += 1) expect((await ask([KV])).body.errors[0].message).toBe("simulated failure");
    expect((await call("/__sim/faults", { method: "DELETE" })).status).toBe(200);
    expect((await ask([KV])).body.errors).toBeNull();

    await addFault({ kind: "graphql-errors" });
    await post("/__sim/reset", {});
    const after = await ask([KV]);
    expect(after.body.errors).toBeNull();
    expect(rowsOf(after.body, "kvOperationsAdaptiveGroups")).toEqual([]); // usage cleared too
  });

  it("does not spend faults on unauthorized requests", async () => {
    await addFault({ kind: "http-500", times: 1 });
    const unauthorized = await graphql({ query: usageQuery([KV]), variables: {} }, { token: "nope" });
    expect(unauthorized.status).toBe(401);
    expect((await ask([KV])).response.status).toBe(500);
  });
});

describe("request log", () => {
  it("records datasets, variables, authorization and status, and is cleared by reset", async () => {
    await addFault({ kind: "http-429", times: 1 });
    await ask([KV, D1], { start: "2026-11-01", end: "2026-11-23" });
    await ask([KV], { start: "2026-11-02", end: "2026-11-23" });
    const { requests } = await (await call("/__sim/requests")).json();
    expect(requests).toEqual([
      {
        at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        datasets: ["kvOperationsAdaptiveGroups", "d1AnalyticsAdaptiveGroups"],
        variables: { accountTag: ACCOUNT, start: "2026-11-01", end: "2026-11-23" },
        authorized: true,
        status: 429,
        faults: ["http-429"],
      },
      expect.objectContaining({ datasets: ["kvOperationsAdaptiveGroups"], authorized: true, status: 200 }),
    ]);
    await post("/__sim/reset", {});
    expect((await (await call("/__sim/requests")).json()).requests).toEqual([]);
  });
});

describe("control input is checked", () => {
  const rejected = async (path, body, pattern) => {
    const response = await post(path, body);
    expect(response.status).toBe(400);
    const json = await response.json();
    expect(json.error).toMatch(pattern);
    return json;
  };

  it("names the usage field that is wrong, and stores nothing from a bad batch", async () => {
    await rejected("/__sim/usage", { resource: "kv-writs", units: 1 }, /resource: unknown resource "kv-writs"/);
    await rejected("/__sim/usage", { resource: "stream-minutes-stored", units: 1 }, /resource: "stream-minutes-stored" is not polled \(it is not in the GraphQL Analytics API\)/);
    await rejected("/__sim/usage", { resource: "kv-writes", units: -1 }, /^units: /);
    await rejected("/__sim/usage", { resource: "kv-writes", units: "12" }, /^units: /);
    await rejected("/__sim/usage", { resource: "kv-writes", units: 1, date: "2026-02-30" }, /^date: /);
    await rejected("/__sim/usage", { resource: "kv-writes", units: 1, mode: "replace" }, /^mode: /);
    await rejected("/__sim/usage", { resource: "kv-writes", units: 1, binding: 7 }, /^binding: /);
    await rejected("/__sim/usage", { resource: "do-requests", units: 1, binding: "x" }, /^binding: .*no per-binding/);
    await rejected("/__sim/usage", { resource: "kv-writes", units: 1, unit: 3 }, /^unit: unknown field/);
    await rejected(
      "/__sim/usage",
      [{ resource: "kv-writes", units: 1 }, { resource: "kv-reads" }],
      /^\[1\]\.units: /,
    );
    await rejected("/__sim/usage", [], /body/);
    const notJson = await call("/__sim/usage", { method: "POST", body: "{" });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error).toMatch(/^body: not valid JSON/);
    expect((await (await call("/__sim/usage")).json()).usage).toEqual({});
  });

  it("names the fault field that is wrong", async () => {
    await rejected("/__sim/faults", { kind: "http-503" }, /^kind: /);
    await rejected("/__sim/faults", { kind: "partial" }, /^dataset: .*partial/);
    await rejected("/__sim/faults", { kind: "http-500", dataset: "kvOps" }, /^dataset: /);
    await rejected("/__sim/faults", { kind: "http-500", times: 0 }, /^times: /);
    await rejected("/__sim/faults", { kind: "http-429", retryAfter: -1 }, /^retryAfter: /);
    await rejected("/__sim/faults", { kind: "timeout", delayMs: "soon" }, /^delayMs: /);
    await rejected("/__sim/faults", { kind: "http-500", delayMs: 5 }, /^delayMs: only applies/);
    expect((await (await call("/__sim/faults")).json()).faults).toEqual([]);
  });

  it("answers 404 JSON for anything else, and 405 for GET /graphql", async () => {
    const missing = await call("/nowhere");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatch(/GET \/nowhere/);
    expect((await call("/graphql")).status).toBe(405);
  });
});
