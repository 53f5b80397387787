// The WASM core loaded inside workerd answers billing questions correctly.
import { describe, expect, it } from "vitest";
import { RESOURCES, estimateCost, GuardInputError } from "edgefuse";
import { coreInstantiations } from "../../js/core.js";

const byId = (id) => RESOURCES.find((resource) => resource.id === id);

it("runs inside workerd, not Node", () => {
  expect(navigator.userAgent).toBe("Cloudflare-Workers");
});

describe("RESOURCES", () => {
  it("loads the WASM core once, lazily", () => {
    expect(coreInstantiations()).toBe(0);
    expect(RESOURCES.length).toBeGreaterThanOrEqual(19);
    RESOURCES.map((resource) => resource.id);
    expect(coreInstantiations()).toBe(1);
  });

  it("is a frozen array that cites an official page for every resource", () => {
    expect(Array.isArray(RESOURCES)).toBe(true);
    expect(Object.isFrozen(RESOURCES)).toBe(true);
    expect(() => {
      RESOURCES[0].id = "changed";
    }).toThrow(TypeError);
    for (const resource of RESOURCES) {
      expect(resource.source).toMatch(/^https:\/\/developers\.cloudflare\.com\//);
    }
    expect(JSON.parse(JSON.stringify(RESOURCES)).length).toBe(RESOURCES.length);
  });

  it("pins the billing facts other guards get wrong", () => {
    // D1 is billed on rows, not queries.
    expect(byId("d1-rows-read")).toMatchObject({
      unit: "rows",
      graphql: { dataset: "d1AnalyticsAdaptiveGroups", field: "sum.rowsRead", bindingDimension: "databaseId" },
      free: { billing: "hard-limit", period: "day", included: 5_000_000 },
      paid: { billing: "overage", period: "month", included: 25e9, priceUsd: 0.001, priceUnit: 1e6 },
    });
    expect(byId("d1-rows-written").paid).toMatchObject({ included: 50e6, priceUsd: 1 });
    // CPU overage is per million CPU milliseconds.
    expect(byId("workers-cpu-ms")).toMatchObject({
      unit: "CPU milliseconds",
      free: { billing: "not-metered" },
      paid: { included: 30e6, priceUsd: 0.02, priceUnit: 1e6 },
    });
    // Workers AI is priced per 1,000 neurons, with a daily inclusion on both plans.
    expect(byId("ai-neurons").paid).toMatchObject({ period: "day", included: 10_000, priceUsd: 0.011, priceUnit: 1000 });
    // R2: list is Class A, head and get are Class B, deletes are free.
    expect(byId("r2-class-a").graphql.actionTypes.split(",")).toContain("ListObjects");
    expect(byId("r2-class-b").graphql.actionTypes.split(",")).toEqual(expect.arrayContaining(["GetObject", "HeadObject"]));
    expect(byId("r2-class-b").graphql.actionTypes.split(",")).not.toContain("ListObjects");
    expect(byId("r2-deletes").paid).toEqual({ billing: "not-metered" });
    // Vectorize is billed on queried and stored dimensions.
    expect(byId("vectorize-queried-dimensions").unit).toBe("dimensions");
    expect(byId("vectorize-stored-dimensions").paid).toMatchObject({ priceUsd: 0.05, priceUnit: 100e6 });
    // Pages Functions bill as Workers requests.
    expect(byId("workers-requests").note).toContain("Pages Functions");
    // Free-plan limits are daily with no overage.
    for (const id of ["workers-requests", "kv-reads", "kv-writes", "d1-rows-written", "queues-operations", "do-requests"]) {
      expect(byId(id).free.billing, id).toBe("hard-limit");
      expect(byId(id).free.period, id).toBe("day");
    }
    expect(byId("kv-reads").free.included).toBe(100_000);
  });
});

describe("estimateCost", () => {
  it("prices paid-plan overage per unit, with the total", () => {
    const estimate = estimateCost({ "workers-requests": 15e6, "workers-cpu-ms": 105e6, "ai-neurons": 1_010_000 }, { plan: "paid" });
    expect(estimate.resources.map((row) => [row.id, row.over, Number(row.overageUsd.toFixed(6))])).toEqual([
      ["workers-requests", 5e6, 1.5],
      ["workers-cpu-ms", 75e6, 1.5],
      ["ai-neurons", 1e6, 11],
    ]);
    expect(estimate.totalOverageUsd).toBeCloseTo(14, 9);
    expect(estimate.resources[0].percentOfQuota).toBeCloseTo(150, 9);
  });

  it("reports percent of the daily quota and zero dollars on the free plan", () => {
    const { resources, totalOverageUsd } = estimateCost({ "kv-reads": 25_000, "kv-writes": 1_500 }, { plan: "free" });
    expect(resources).toEqual([
      { id: "kv-reads", used: 25_000, included: 100_000, over: 0, overageUsd: 0, percentOfQuota: 25, period: "day", billing: "hard-limit" },
      { id: "kv-writes", used: 1_500, included: 1_000, over: 500, overageUsd: 0, percentOfQuota: 150, period: "day", billing: "hard-limit" },
    ]);
    expect(totalOverageUsd).toBe(0);
  });

  it("rounds R2 overage up to the million", () => {
    expect(estimateCost({ "r2-class-a": 1_000_001 }, { plan: "free" }).totalOverageUsd).toBeCloseTo(4.5, 9);
  });

  it("names every problem with bad input", () => {
    let error;
    try {
      estimateCost({ "kv-readz": 1, "d1-rows-read": -1 }, { plan: "gold" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GuardInputError);
    expect(error.problems).toEqual([{ path: "options.plan", message: 'must be "free" or "paid"', fix: "" }]);
    expect(() => estimateCost({ "kv-readz": 1, "d1-rows-read": -1 }, { plan: "paid" })).toThrow(
      /usage\.d1-rows-read: must be a finite number of units, 0 or more\n  usage\.kv-readz: unknown resource \(did you mean kv-reads\?\)/,
    );
    expect(() => estimateCost({ "kv-reads": 10n }, { plan: "paid" })).toThrow(/usage: must be plain JSON/);
  });
});
