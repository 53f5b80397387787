// Windows that reach back further than a query may (a week budget that began in the previous
// billing month): against the simulator, which refuses a range wider than the real API gives,
// the guard asks only for what a dataset gives and fills the rest from the days it stored.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createGuard } from "../../js/index.js";
import { cleanPollWorld, deployedEnv, simulatorAt, simulatorConfig } from "./support.js";

const DAY_MS = 86_400_000;
const workerEnv = deployedEnv();
cleanPollWorld();

const sim = (path, body) =>
  env.USAGE_API.fetch(`http://usage-api${path}`, { method: "POST", body: JSON.stringify(body) }).then((response) => response.json());
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

describe("a week budget the day after a renewal", () => {
  it("evaluates KV, D1 and R2 with none stale, and never asks for more than a dataset gives", async () => {
    const first = Date.parse("2026-08-01T12:00:00Z");
    const last = Date.parse("2026-09-02T12:00:00Z"); // Wednesday; the week began Monday Aug 31
    const entries = [];
    for (let at = first; at <= last; at += DAY_MS) {
      const date = isoDay(at);
      entries.push(
        { resource: "kv-writes", units: 100_000, date },
        { resource: "d1-rows-written", units: 2_000_000, date },
        { resource: "r2-class-a", units: 50_000, date },
      );
    }
    await sim("/__sim/usage", entries);
    const clock = { now: first };
    const guard = createGuard({ plan: "paid", budget: { maxUsd: 1000, granularity: "week" }, ...simulatorConfig }, { clock: () => clock.now });
    let report;
    for (; clock.now <= last; clock.now += DAY_MS) {
      await simulatorAt(clock.now); // it keeps only the last 31 days, as the real API does
      report = await guard.evaluate(workerEnv);
      expect(report.ok).toBe(true);
      expect(report.health.lastError).toBe("");
    }
    for (const key of ["kv-writes", "d1-rows-written", "r2-class-a"]) {
      expect(report.resources.find((row) => row.key === key).stale).toBe(false);
    }
    expect(report.budget).toMatchObject({ stale: false, unmeasuredDays: 0 });
    // August: KV 3.1M writes ($10.50 over 1M), D1 62M rows ($12 over 50M), R2 1.55M Class A
    // ($4.50 for the million begun over 1M). Of that, Aug 31 and Sep 1-2 fall in this week:
    // KV's last 0.1M of August ($0.50), D1's last 2M ($2); R2 rounds up to whole millions, so
    // its last day of August added nothing; September stays within every inclusion.
    expect(report.budget.usedUsd).toBeCloseTo(2.5, 6);
  });
});
