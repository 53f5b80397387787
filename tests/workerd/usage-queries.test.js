// Every request the usage poll can send, checked against Cloudflare's own schema with
// graphql-js and against how far back one query of its dataset may reach: each plan, each
// resource, per-binding splits, each budget and threshold granularity, on the calendar's
// edges. The requests come from the core's tick driver, as a Worker would send them.
import { buildSchema, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { RESOURCES } from "../../js/index.js";
import { callCore, coreDriver } from "../../js/core.js";
import { DATASETS, ROOT } from "../../wrangler/simulator/analytics-schema.js";

const schema = buildSchema(ROOT + DATASETS);
const ACCOUNT = "0123456789abcdef0123456789abcdef";

/** The usage requests a status tick of `config` sends at `iso`. */
function requestsAt(config, iso) {
  const { ok, handle } = callCore("createGuardJson", JSON.stringify(config));
  expect(ok).toBe(true);
  const tick = coreDriver("tick", handle, JSON.stringify({ kind: "status", now: Date.parse(iso), accountId: ACCOUNT, token: "t" }));
  try {
    expect(JSON.parse(tick.next()).do).toBe("read");
    tick.handle(JSON.stringify({ value: null }));
    expect(JSON.parse(tick.next()).do).toBe("read");
    tick.handle(JSON.stringify({ value: null }));
    const fetch = JSON.parse(tick.next());
    expect(fetch.do).toBe("fetch");
    return fetch.requests.map(({ dataset, query, variables }) => ({ dataset, query, variables }));
  } finally {
    tick.delete();
  }
}

// What a variable's value must look like, by the scalar it is declared as.
const SCALAR_VALUES = {
  Date: /^\d{4}-\d{2}-\d{2}$/,
  Time: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/,
  string: /^[0-9A-Za-z._-]+$/,
};

// How far one query may reach (../shared/reference/README.md, as the simulator enforces).
const RANGE_DAYS = { r2OperationsAdaptiveGroups: 32 };
const DAY_MS = 86_400_000;

/** Problems with one request: the schema's validation errors, and ill-formed variables. */
function problemsOf({ dataset, query, variables }) {
  const document = parse(query);
  const problems = validate(schema, document).map((error) => `${dataset}: ${error.message}`);
  for (const definition of document.definitions[0].variableDefinitions) {
    const name = definition.variable.name.value;
    const type = definition.type.kind === "NonNullType" ? definition.type.type.name.value : definition.type.name.value;
    const value = variables[name];
    if (!(type in SCALAR_VALUES)) problems.push(`${dataset}: $${name} is declared as ${type}, which the guard never sends`);
    else if (typeof value !== "string" || !SCALAR_VALUES[type].test(value)) problems.push(`${dataset}: $${name} (${type}) is ${JSON.stringify(value)}`);
  }
  const span = Date.parse(variables.end) - Date.parse(variables.start) + (/^\d{4}-\d{2}-\d{2}$/.test(variables.start) ? DAY_MS : 0);
  const limit = RANGE_DAYS[dataset] ?? 31;
  if (span > limit * DAY_MS) problems.push(`${dataset}: asks ${variables.start} to ${variables.end}, more than ${limit} days`);
  return problems;
}

const BINDING_IDS = { NOTES: "ns-1", DB: "db-1", FILES: "bucket-1", JOBS: "queue-1", VECTORS: "index-1", POSTGRES: "cfg-1" };
const PER_BINDING = {
  "kv-writes:NOTES": { tripAt: 500, granularity: "day" },
  "d1-rows-written:DB": { tripAt: 1e6, granularity: "week" },
  "d1-storage-gb:DB": { tripAt: 2 },
  "r2-class-a:FILES": { tripAt: 1e5 },
  "r2-ia-storage-gb:FILES": { tripAt: 100, granularity: "week" },
  "queues-operations:JOBS": { tripAt: 1e5, granularity: "day" },
  "vectorize-queried-dimensions:VECTORS": { tripAt: 1e7 },
  "vectorize-stored-dimensions:VECTORS": { tripAt: 1e6, granularity: "day" },
  "hyperdrive-queries:POSTGRES": { tripAt: 5e4, granularity: "day" },
};
// Every resource the poll reads and judges on its own (a part billed as another is judged there).
const JUDGED = RESOURCES.filter((resource) => resource.graphql.polled && !resource.billedAs).map((resource) => resource.id);
const CONFIGS = {
  "free plan": { plan: "free" },
  "free plan, per-binding thresholds": { plan: "free", bindingIds: BINDING_IDS, thresholds: PER_BINDING },
  ...Object.fromEntries(
    ["day", "week", "month"].map((granularity) => [
      `paid plan, ${granularity} budget, per-binding thresholds`,
      { plan: "paid", budget: { maxUsd: 20, granularity }, bindingIds: BINDING_IDS, thresholds: PER_BINDING },
    ]),
  ),
  "paid plan, week thresholds on every polled resource": {
    plan: "paid",
    budget: { maxUsd: 20 },
    thresholds: Object.fromEntries(JUDGED.map((id) => [id, { tripAt: 1e9, granularity: "week" }])),
  },
  "free plan, day thresholds on every polled resource": {
    plan: "free",
    thresholds: Object.fromEntries(JUDGED.map((id) => [id, { tripAt: 1e9, granularity: "day" }])),
  },
};
// Renewal days, a week that began in the previous billing month, month and year ends, a leap day.
const EDGES = [
  ["2026-11-23T12:00:00Z", 1],
  ["2026-09-01T00:00:00Z", 1],
  ["2026-09-06T23:59:59Z", 1],
  ["2026-09-15T08:00:00Z", 15],
  ["2026-03-01T00:30:00Z", 29],
  ["2026-02-28T12:00:00Z", 30],
  ["2026-12-31T23:59:00Z", 31],
  ["2027-01-01T00:00:00Z", 31],
  ["2028-02-29T12:00:00Z", 29],
];

// Every dataset a polled resource is read from: with a line on each, every one is asked.
const datasetCount = new Set(RESOURCES.filter((resource) => resource.graphql.polled).map((resource) => resource.graphql.dataset)).size;

describe("every usage request the guard can send is valid against Cloudflare's schema", () => {
  for (const [label, config] of Object.entries(CONFIGS)) {
    it(label, () => {
      const problems = [];
      let requests = 0;
      for (const [iso, billingDay] of EDGES) {
        for (const request of requestsAt({ ...config, billingDay }, iso)) {
          requests += 1;
          problems.push(...problemsOf(request).map((problem) => `${iso} (billingDay ${billingDay}): ${problem}`));
        }
      }
      expect(requests).toBeGreaterThan(EDGES.length);
      expect(problems).toEqual([]);
      if (label.includes("every polled resource")) expect(requests).toBe(EDGES.length * datasetCount);
    });
  }

  it("a request the real API would refuse is caught: the check can fail", () => {
    const [request] = requestsAt({ plan: "free" }, "2026-11-23T12:00:00Z").filter((r) => r.dataset === "d1AnalyticsAdaptiveGroups");
    const wrongFilter = { ...request, query: request.query.replace("date_geq", "datetime_geq") };
    expect(problemsOf(wrongFilter).join("\n")).toMatch(/datetime_geq/);
    const wrongType = { ...request, query: request.query.replace("$start: Date!", "$start: Time!") };
    expect(problemsOf(wrongType).join("\n")).toMatch(/\$start/);
    const wrongField = { ...request, query: request.query.replace("rowsRead", "rowsReadTotal") };
    expect(problemsOf(wrongField).join("\n")).toMatch(/rowsReadTotal/);
  });
});
