// The usage poll end to end inside workerd: real local KV for the state, the usage-API
// simulator (wrangler/simulator) as the GraphQL endpoint, and the guarded bindings that
// honour what the poll decides.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GuardInputError, SAFETY_NET_KEY, STATE_KEY, createGuard } from "../../js/index.js";
import { deployedEnv, refusedWrite, simulatorAt, simulatorConfig, logText } from "./support.js";

const TODAY = "2026-11-23";
const NOON = Date.parse(`${TODAY}T12:00:00Z`);

// The env a deployed Worker would have: the account id and API token as secrets.
const workerEnv = deployedEnv();

const pollConfig = (config = {}) => ({ plan: "free", ...simulatorConfig, ...config });

/** A guard whose clock the test drives: `clock.now` is ms since the epoch. */
function guardAt(config = {}, now = NOON) {
  const clock = { now };
  return { guard: createGuard(pollConfig(config), { clock: () => clock.now }), clock };
}

async function sim(path, body, method = body === undefined ? "GET" : "POST") {
  const response = await env.USAGE_API.fetch(`http://usage-api${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`simulator ${path}: ${JSON.stringify(answer)}`);
  return answer;
}

const setUsage = (resource, units, extra = {}) => sim("/__sim/usage", { resource, units, date: TODAY, mode: "set", ...extra });
const fault = (spec) => sim("/__sim/faults", spec);

async function storedState() {
  const text = await env.EDGEFUSE_STATE.get(STATE_KEY);
  return text === null ? null : JSON.parse(text);
}

/** env whose state namespace counts (and can break) the guard's KV operations. */
function countingEnv({ failPuts = false } = {}) {
  const ops = { reads: 0, writes: 0, deletes: 0 };
  const kv = env.EDGEFUSE_STATE;
  const state = {
    get: (...args) => (ops.reads++, kv.get(...args)),
    getWithMetadata: (...args) => kv.getWithMetadata(...args),
    put: async (...args) => {
      ops.writes++;
      if (failPuts) throw new Error("KV PUT failed: 500");
      return kv.put(...args);
    },
    delete: (...args) => (ops.deletes++, kv.delete(...args)),
    list: (...args) => kv.list(...args),
  };
  return { env: { ...workerEnv, EDGEFUSE_STATE: state }, ops };
}

let logs;
beforeEach(async () => {
  await sim("/__sim/reset", {});
  await simulatorAt(NOON);
  await env.EDGEFUSE_STATE.delete(STATE_KEY);
  await env.EDGEFUSE_STATE.delete(SAFETY_NET_KEY);
  logs = [];
  for (const method of ["log", "warn", "error"]) {
    vi.spyOn(console, method).mockImplementation((...args) => logs.push(logText(args)));
  }
});
afterEach(() => vi.restoreAllMocks());

describe("trip, hold and recover against the simulated usage API", () => {
  it("trips kv-writes at 90% of the free daily quota; guarded writes are then refused in every isolate", async () => {
    await setUsage("kv-writes", 950);
    const { guard } = guardAt();
    const report = await guard.evaluate(workerEnv);
    expect(report.ok).toBe(true);
    const entry = report.resources.find((resource) => resource.key === "kv-writes");
    expect(entry).toMatchObject({ used: 950, quota: 1000, percent: 95, decision: "trip" });

    const state = await storedState();
    expect(state.breakers["kv-writes"]).toMatchObject({ source: "poll", since: `${TODAY}T12:00:00Z` });
    expect(state.breakers["kv-writes"].reason).toBe("kv-writes at 95.0% of its 1,000 operations per day (trips at 90.0%)");
    expect(JSON.parse(await env.EDGEFUSE_STATE.get(SAFETY_NET_KEY)).breakers).toHaveProperty("kv-writes");

    // This isolate at once, and a fresh one (another isolate) on its first read.
    expect(await refusedWrite(await guard.env(workerEnv))).toMatchObject({ code: "tripped", resource: "kv-writes" });
    const other = guardAt().guard;
    expect(await refusedWrite(await other.env(workerEnv))).toMatchObject({ code: "tripped" });
    const reads = await other.env(workerEnv);
    await reads.KV.get("still-readable"); // reads are another resource
    expect(logs.some((line) => line.includes("trip: kv-writes at 95.0%"))).toBe(true);
  });

  it("does not flap between the lines, and recovers below the recover line", async () => {
    await setUsage("kv-writes", 950);
    const { guard, clock } = guardAt();
    await guard.evaluate(workerEnv);
    await setUsage("kv-writes", 850); // analytics dip between recover (80%) and trip (90%)
    clock.now += 300_000;
    let report = await guard.evaluate(workerEnv);
    expect(report.resources.find((r) => r.key === "kv-writes").decision).toBe("tripped");
    expect((await storedState()).breakers).toHaveProperty("kv-writes");

    // The UTC day turns: today's usage is low, the breaker recovers and the net goes.
    clock.now = Date.parse("2026-11-24T00:05:00Z");
    await sim("/__sim/usage", { resource: "kv-writes", units: 10, date: "2026-11-24" });
    report = await guard.evaluate(workerEnv);
    expect(report.resources.find((r) => r.key === "kv-writes")).toMatchObject({ used: 10, decision: "recover" });
    expect((await storedState()).breakers).toEqual({});
    expect(await env.EDGEFUSE_STATE.get(SAFETY_NET_KEY)).toBeNull();
    await (await guard.env(workerEnv)).KV.put("poll-after-recovery", "x");
  });

  it("a budget trips only the resources that generate overage", async () => {
    await setUsage("kv-writes", 3_000_000); // 2,000,000 over the 1,000,000 inclusion: $10
    await setUsage("kv-reads", 5_000_000); // within its 10,000,000 inclusion
    const { guard } = guardAt({ plan: "paid", budget: { maxUsd: 8 } });
    const report = await guard.evaluate(workerEnv);
    expect(report.budget).toMatchObject({ usedUsd: 10, decision: "trip", contributions: { "kv-writes": 10 } });
    const { breakers } = await storedState();
    expect(Object.keys(breakers)).toEqual(["kv-writes"]);
    expect(breakers["kv-writes"].source).toBe("budget");
    const guarded = await guard.env(workerEnv);
    expect(await refusedWrite(guarded)).toMatchObject({ code: "tripped", reason: expect.stringContaining("budget: $10.00 of $8.00") });
    await guarded.KV.get("reads-still-work");
  });

  it("a per-binding threshold stops only the runaway database", async () => {
    await setUsage("d1-rows-written", 4_000, { binding: "db-runaway" });
    await setUsage("d1-rows-written", 3_000, { binding: "db-quiet" });
    const { guard } = guardAt({
      bindingIds: { DB: "db-runaway" },
      thresholds: { "d1-rows-written:DB": { tripAt: 2_500 } },
    });
    const report = await guard.evaluate(workerEnv);
    expect(report.resources.find((r) => r.key === "d1-rows-written:DB")).toMatchObject({ used: 4000, decision: "trip" });
    expect(report.resources.find((r) => r.key === "d1-rows-written")).toMatchObject({ used: 7000, decision: "ok" });
    expect(Object.keys((await storedState()).breakers)).toEqual(["d1-rows-written:DB"]);
    const guarded = await guard.env(workerEnv);
    await expect(guarded.DB.prepare("SELECT 1").run()).rejects.toMatchObject({ code: "tripped", binding: "DB" });
  });

  it("dry run reports the trip and blocks nothing", async () => {
    await setUsage("kv-writes", 990);
    const { guard } = guardAt({ dryRun: true });
    const report = await guard.evaluate(workerEnv);
    expect(report.dryRun).toBe(true);
    expect(report.resources.find((r) => r.key === "kv-writes").decision).toBe("trip");
    expect(report.events).toEqual(expect.arrayContaining([expect.objectContaining({ level: "trip", key: "kv-writes", dryRun: true })]));
    expect(report.events.every((event) => event.dryRun)).toBe(true);
    expect((await storedState()).breakers).toEqual({});
    await (await guard.env(workerEnv)).KV.put("dry-run-write", "x");
    expect(logs.some((line) => line.includes("[dry run] trip: kv-writes"))).toBe(true);
    // Not even a manual trip blocks in a dry run.
    await guard.trip(workerEnv, ["kv-writes"], "by hand");
    await (await guard.env(workerEnv)).KV.put("dry-run-write-2", "x");
  });
});

describe("period boundaries", () => {
  it("billingDay 31 in February: the billing month starts on the 28th", async () => {
    await sim("/__sim/usage", [
      { resource: "kv-writes", units: 9_000_000, date: "2026-02-27" }, // January's billing month
      { resource: "kv-writes", units: 1_500_000, date: "2026-02-28" },
    ]);
    await simulatorAt(Date.parse("2026-02-28T06:00:00Z"));
    const { guard } = guardAt({ plan: "paid", billingDay: 31, budget: { maxUsd: 100 } }, Date.parse("2026-02-28T06:00:00Z"));
    const report = await guard.evaluate(workerEnv);
    const writes = report.resources.find((r) => r.key === "kv-writes");
    expect(writes.window).toMatchObject({ from: "2026-02-28", to: "2026-02-28", resetsAt: "2026-03-31T00:00:00Z" });
    expect(writes).toMatchObject({ used: 1_500_000, overageUsd: 2.5 });
  });

  it("leap day: billingDay 29 renews on February 29th in a leap year", async () => {
    await sim("/__sim/usage", [
      { resource: "kv-writes", units: 1_000_000, date: "2028-02-28" },
      { resource: "kv-writes", units: 1_200_000, date: "2028-02-29" },
    ]);
    await simulatorAt(Date.parse("2028-02-29T06:00:00Z"));
    const { guard } = guardAt({ plan: "paid", billingDay: 29, budget: { maxUsd: 100 } }, Date.parse("2028-02-29T06:00:00Z"));
    const writes = (await guard.evaluate(workerEnv)).resources.find((r) => r.key === "kv-writes");
    expect(writes.window).toMatchObject({ from: "2028-02-29", resetsAt: "2028-03-29T00:00:00Z" });
    expect(writes).toMatchObject({ used: 1_200_000, overageUsd: 1 });
  });

  it("month end: a monthly allowance starts again on the 1st", async () => {
    await sim("/__sim/usage", [
      { resource: "r2-class-a", units: 999_000, date: "2026-10-31" },
      { resource: "r2-class-a", units: 20, date: "2026-11-01" },
    ]);
    await simulatorAt(Date.parse("2026-11-01T00:10:00Z"));
    const report = await guardAt({}, Date.parse("2026-11-01T00:10:00Z")).guard.evaluate(workerEnv);
    expect(report.resources.find((r) => r.key === "r2-class-a")).toMatchObject({ used: 20, window: { from: "2026-11-01" } });
  });

  it("UTC midnight on the free plan: yesterday's usage no longer counts", async () => {
    await sim("/__sim/usage", [
      { resource: "d1-rows-written", units: 99_000, date: "2026-11-22" },
      { resource: "d1-rows-written", units: 5, date: "2026-11-23" },
    ]);
    await simulatorAt(Date.parse("2026-11-23T00:00:30Z"));
    const report = await guardAt({}, Date.parse("2026-11-23T00:00:30Z")).guard.evaluate(workerEnv);
    expect(report.resources.find((r) => r.key === "d1-rows-written")).toMatchObject({ used: 5, decision: "ok" });
  });
});

describe("state in KV", () => {
  it("a steady tick costs 1 KV read and 0 writes; a trip 2 reads and 2 writes", async () => {
    const { guard, clock } = guardAt();
    const counted = countingEnv();
    await guard.evaluate(counted.env); // first tick: writes the record
    counted.ops.reads = counted.ops.writes = counted.ops.deletes = 0;

    clock.now += 300_000;
    const steady = await guard.evaluate(counted.env);
    expect(steady.wrote).toBe(false);
    expect(counted.ops).toEqual({ reads: 1, writes: 0, deletes: 0 });

    await setUsage("kv-writes", 950);
    clock.now += 300_000;
    const tripping = await guard.evaluate(counted.env);
    expect(tripping.wrote).toBe(true);
    expect(counted.ops).toEqual({ reads: 3, writes: 2, deletes: 0 });
    expect(tripping.kv).toEqual({ reads: 2, writes: 2, deletes: 0 });
  });

  it("records lastCheckAt, lastError and consecutive failures", async () => {
    await fault({ kind: "http-500" });
    const { guard } = guardAt();
    await guard.evaluate(workerEnv);
    const { poll } = await storedState();
    expect(poll.lastCheckAt).toBe(`${TODAY}T12:00:00Z`);
    expect(poll.consecutiveFailures).toBe(1);
    // Every dataset failed the same way: the reason is said once.
    expect(poll.lastError).toMatch(/^all \d+ datasets: HTTP 500$/);
  });

  it("the safety net keeps a trip in force when the state is deleted or corrupt, and the next tick repairs it", async () => {
    await setUsage("kv-writes", 950);
    const { guard, clock } = guardAt();
    await guard.evaluate(workerEnv);

    await env.EDGEFUSE_STATE.delete(STATE_KEY);
    expect(await refusedWrite(await guardAt().guard.env(workerEnv))).toMatchObject({ code: "tripped" });
    await env.EDGEFUSE_STATE.put(STATE_KEY, "{corrupt");
    expect(await refusedWrite(await guardAt().guard.env(workerEnv))).toMatchObject({ code: "tripped" });

    // A tick with the API down cannot confirm recovery: it rewrites the record from the net.
    await fault({ kind: "http-500" });
    clock.now += 300_000;
    const report = await guard.evaluate(workerEnv);
    expect(report.wrote).toBe(true);
    expect((await storedState()).breakers).toHaveProperty("kv-writes");
  });

  it("a cron tick racing a manual trip never erases it", async () => {
    await setUsage("kv-writes", 950);
    const { guard, clock } = guardAt();
    await guard.evaluate(workerEnv); // kv-writes tripped by the poll
    // The next tick reads the state, then waits on a slow usage API; meanwhile a person
    // trips D1 by hand. The tick also recovers kv-writes (a new day).
    clock.now = Date.parse("2026-11-24T00:05:00Z");
    await fault({ kind: "timeout", delayMs: 300 });
    const tick = guard.evaluate(workerEnv);
    await scheduler.wait(100);
    const manual = createGuard(pollConfig(), { clock: () => clock.now });
    await manual.trip(workerEnv, ["d1-rows-written"], "runaway import", { ttlSeconds: 3600 });
    const report = await tick;
    expect(report.resources.find((r) => r.key === "kv-writes").decision).toBe("recover");
    const { breakers } = await storedState();
    expect(Object.keys(breakers)).toEqual(["d1-rows-written"]);
    expect(breakers["d1-rows-written"]).toMatchObject({ source: "manual", reason: "runaway import", until: "2026-11-24T01:05:00Z" });
  });

  it("a manual reset on a corrupt state record keeps the safety net's other trips", async () => {
    await setUsage("kv-writes", 950);
    const { guard } = guardAt();
    await guard.evaluate(workerEnv); // kv-writes tripped, in the state and the net
    await env.EDGEFUSE_STATE.put(STATE_KEY, "{corrupt");
    const breakers = await guard.reset(workerEnv, ["d1-rows-written"]);
    expect(Object.keys(breakers)).toEqual(["kv-writes"]);
    expect(JSON.parse(await env.EDGEFUSE_STATE.get(SAFETY_NET_KEY)).breakers).toHaveProperty("kv-writes");
    expect((await storedState()).breakers).toHaveProperty("kv-writes");
  });

  it("a manual trip with a short TTL still writes a valid safety net", async () => {
    const { guard } = guardAt({}, Date.now());
    await guard.trip(workerEnv, ["kv-writes"], "brief", { ttlSeconds: 30 });
    expect(JSON.parse(await env.EDGEFUSE_STATE.get(SAFETY_NET_KEY)).breakers).toHaveProperty("kv-writes");
    await expect(guard.trip(workerEnv, ["kv-writes"], "forever?", { ttlSeconds: Infinity })).rejects.toThrow(/ttlSeconds/);
  });

  it("manual trips are honoured by the proxies, and a reset holds until the window resets", async () => {
    const { guard } = guardAt();
    await guard.trip(workerEnv, "kv-writes:KV", "maintenance");
    const guarded = await guard.env(workerEnv);
    expect(await refusedWrite(guarded)).toMatchObject({ code: "tripped", reason: "maintenance" });
    await guarded.KV2.put("other-namespace", "x");

    await setUsage("kv-writes", 990);
    await guard.reset(workerEnv, ["kv-writes:KV", "kv-writes"]);
    const report = await guard.evaluate(workerEnv);
    expect(report.resources.find((r) => r.key === "kv-writes").decision).toBe("held");
    expect((await storedState()).holds["kv-writes"]).toBe("2026-11-24T00:00:00Z");
    await (await guard.env(workerEnv)).KV.put("after-reset", "x");

    await expect(guard.trip(workerEnv, ["kv-writez"])).rejects.toThrow(GuardInputError);
    await expect(guard.trip(workerEnv, 42)).rejects.toThrow(/resources: must be a resource id or a list of them/);
  });
});

describe("faults never trip, never recover, and never throw", () => {
  // [name, fault, error recorded, whether every dataset fails (else only KV's)]
  const faults = [
    ["HTTP 500", { kind: "http-500" }, "HTTP 500", true],
    ["HTTP 429", { kind: "http-429", retryAfter: 30 }, "HTTP 429: rate limited", true],
    ["a timeout", { kind: "timeout", delayMs: 2500 }, "no answer within 1 s", true],
    ["malformed JSON", { kind: "malformed-json" }, "the answer is not JSON", true],
    ["errors[]", { kind: "graphql-errors" }, "GraphQL error: simulated failure", true],
    ["the wrong shape", { kind: "wrong-shape" }, "unexpected answer", true],
    ["absurd values", { kind: "absurd-values" }, "implausible value", false], // only datasets with values
    ["one dataset failing", { kind: "partial", dataset: "kvOperationsAdaptiveGroups" }, "kvOperationsAdaptiveGroups: GraphQL error", false],
  ];
  for (const [name, spec, error, everyDataset] of faults) {
    it(`${name}: the trip holds and the error is recorded`, async () => {
      await setUsage("kv-writes", 950);
      const { guard, clock } = guardAt({ pollTimeoutSeconds: 1, failuresUntilBlind: 2 });
      await guard.evaluate(workerEnv);
      await setUsage("kv-writes", 0); // were the fault believed, this would recover
      await setUsage("kv-reads", 99_000); // or this would trip
      await fault(spec);
      for (let tick = 1; tick <= 2; tick += 1) {
        clock.now += 300_000;
        const report = await guard.evaluate(workerEnv);
        expect(report.ok).toBe(true);
        expect(report.health.lastError).toContain(error);
        expect(report.health.consecutiveFailures).toBe(tick);
        expect(report.health.blind).toBe(everyDataset && tick >= 2);
        expect(report.health.blindDatasets.includes("kvOperationsAdaptiveGroups")).toBe(tick >= 2);
      }
      const { breakers, poll } = await storedState();
      expect(Object.keys(breakers)).toEqual(["kv-writes"]);
      expect(poll.consecutiveFailures).toBe(2);
      const blindLine = everyDataset
        ? "blind: the usage API has failed 2 checks in a row"
        : "blind: kvOperationsAdaptiveGroups has failed 2 checks in a row";
      expect(logs.some((line) => line.includes(blindLine))).toBe(true);
    });
  }

  it("one failing dataset does not blind the others", async () => {
    await fault({ kind: "partial", dataset: "kvOperationsAdaptiveGroups" });
    await setUsage("d1-rows-written", 95_000);
    const report = await guardAt().guard.evaluate(workerEnv);
    expect(report.resources.find((r) => r.key === "d1-rows-written").decision).toBe("trip");
    expect(report.resources.find((r) => r.key === "kv-writes").stale).toBe(true);
  });

  it("a KV failure on the cron path is reported, and the next tick retries", async () => {
    await setUsage("kv-writes", 950);
    const { guard, clock } = guardAt();
    const broken = countingEnv({ failPuts: true });
    const report = await guard.evaluate(broken.env);
    expect(report).toMatchObject({ ok: false, error: expect.stringContaining("writing the state to KV: KV PUT failed") });
    expect(await storedState()).toBeNull();
    clock.now += 60_000;
    expect((await guard.evaluate(workerEnv)).ok).toBe(true);
    expect((await storedState()).breakers).toHaveProperty("kv-writes");
  });

  it("missing secrets and a missing state namespace are named, never thrown", async () => {
    const { guard } = guardAt();
    const noSecrets = await guard.evaluate({ ...env });
    expect(noSecrets.health.lastError).toContain(
      "env.CF_ACCOUNT_ID and env.CF_API_TOKEN not set: in local development add them to .dev.vars; deployed, run wrangler secret put for CF_ACCOUNT_ID and CF_API_TOKEN",
    );
    // Logged on the first tick, one line per secret, and not again by this isolate.
    const missing = logs.filter((line) => line.includes(" is not set, so the usage API cannot be asked"));
    expect(missing).toEqual([
      "edgefuse: env.CF_ACCOUNT_ID is not set, so the usage API cannot be asked: in local development add it to .dev.vars; deployed, run wrangler secret put CF_ACCOUNT_ID",
      "edgefuse: env.CF_API_TOKEN is not set, so the usage API cannot be asked: in local development add it to .dev.vars; deployed, run wrangler secret put CF_API_TOKEN",
    ]);
    await guard.evaluate({ ...env });
    expect(logs.filter((line) => line.includes(" is not set, so the usage API cannot be asked"))).toHaveLength(2);
    const noState = await guard.evaluate({ ...workerEnv, EDGEFUSE_STATE: undefined });
    expect(noState).toMatchObject({ ok: false, error: expect.stringContaining("env.EDGEFUSE_STATE is not a KV namespace") });
  });

  it("env.EDGEFUSE_USAGE_API_ENDPOINT replaces the config's endpoint, and is checked", async () => {
    // The config's endpoint is a path the simulator does not serve: only the env's reaches it.
    const { guard } = guardAt({ endpoint: "http://usage-api/not-the-api" });
    const viaConfig = await guard.evaluate(workerEnv);
    expect(viaConfig.health.lastError).toContain("HTTP 404");
    const viaEnv = await guard.evaluate({ ...workerEnv, EDGEFUSE_USAGE_API_ENDPOINT: "http://usage-api/graphql" });
    expect(viaEnv.health.lastError).toBe("");
    const bad = await guard.evaluate({ ...workerEnv, EDGEFUSE_USAGE_API_ENDPOINT: "usage-api/graphql" });
    expect(bad.health.lastError).toContain('env.EDGEFUSE_USAGE_API_ENDPOINT must be an http(s) URL or a service binding, got "usage-api/graphql"');
    const notABinding = await guard.evaluate({ ...workerEnv, EDGEFUSE_USAGE_API_ENDPOINT: { url: "http://usage-api/graphql" } });
    expect(notABinding.health.lastError).toContain('env.EDGEFUSE_USAGE_API_ENDPOINT must be an http(s) URL or a service binding, got "(object)"');
    expect(createGuard({ plan: "free", endpointEnv: "MY_ENDPOINT" }).config.endpointEnv).toBe("MY_ENDPOINT");
  });

  it("each poll event is logged as one object: event, key, and its figures", async () => {
    await setUsage("kv-writes", 950);
    const entries = [];
    vi.spyOn(console, "log").mockImplementation((entry) => entries.push(entry));
    await guardAt().guard.evaluate(workerEnv);
    expect(entries.find((entry) => entry?.event === "edgefuse.trip")).toEqual({
      message: "edgefuse: trip: kv-writes at 95.0% of its 1,000 operations per day (trips at 90.0%)",
      event: "edgefuse.trip",
      key: "kv-writes",
      dryRun: false,
      resource: "kv-writes",
      binding: "",
      used: 950,
      quota: 1000,
      unit: "operations",
      percent: 95,
      overageUsd: 0,
      window: "day",
    });
  });

  it("a service binding in env.EDGEFUSE_USAGE_API_ENDPOINT carries the config's endpoint", async () => {
    // The simulator as a test's auxiliary Worker: Cloudflare's endpoint, reached through it.
    await setUsage("kv-writes", 950);
    const { guard } = guardAt({ endpointBinding: null, endpoint: "https://api.cloudflare.com/client/v4/graphql" });
    const report = await guard.evaluate({ ...workerEnv, EDGEFUSE_USAGE_API_ENDPOINT: env.USAGE_API });
    expect(report.health.lastError).toBe("");
    expect((await storedState()).breakers).toHaveProperty("kv-writes");
    const { requests } = await sim("/__sim/requests");
    expect(requests.filter((request) => request.authorized).length).toBeGreaterThan(0);
  });

  it("a wrong token is an error, and the token appears nowhere the guard writes", async () => {
    const token = "secret-token-that-must-not-leak";
    const report = await guardAt().guard.evaluate({ ...workerEnv, CF_API_TOKEN: token });
    expect(report.health.lastError).toContain("HTTP 401");
    const everything = JSON.stringify(report) + logs.join("\n") + (await env.EDGEFUSE_STATE.get(STATE_KEY));
    expect(everything).not.toContain(token);
    expect(JSON.stringify((await sim("/__sim/requests")).requests)).not.toContain(token);
  });
});

describe("the scheduled handler", () => {
  const controller = (cron) => ({ cron, scheduledTime: NOON, noRetry() {} });

  it("evaluates on the configured cron, then runs the handler's own scheduled work", async () => {
    await setUsage("kv-writes", 950);
    const ran = [];
    const { guard } = guardAt({ evaluateCron: "*/5 * * * *" });
    const worker = guard.wrap({
      async scheduled(event, env) {
        ran.push(event.cron);
        await env.KV.get("cron-read");
      },
    });
    await worker.scheduled(controller("0 0 * * *"), workerEnv, createExecutionContext());
    expect(await storedState()).toBeNull(); // not the evaluation cron
    const ctx = createExecutionContext();
    await worker.scheduled(controller("*/5 * * * *"), workerEnv, ctx);
    await waitOnExecutionContext(ctx);
    expect((await storedState()).breakers).toHaveProperty("kv-writes");
    expect(ran).toEqual(["0 0 * * *", "*/5 * * * *"]);
  });

  it("skips the handler's scheduled work while the budget is tripped, unless told to run it", async () => {
    await setUsage("kv-writes", 3_000_000);
    for (const [mode, expected] of [
      ["skip", []],
      ["run", ["ran"]],
    ]) {
      const ran = [];
      const worker = guardAt({ plan: "paid", budget: { maxUsd: 1 }, scheduledWhenTripped: mode }).guard.wrap({
        async scheduled() {
          ran.push("ran");
        },
      });
      await worker.scheduled(controller("*/5 * * * *"), workerEnv, createExecutionContext());
      expect(ran).toEqual(expected);
    }
    expect(logs.some((line) => line.includes("scheduled work skipped while the guard is tripped: budget"))).toBe(true);

    // A dry run blocks nothing, the handler's scheduled work included.
    const ran = [];
    const dry = guardAt({ plan: "paid", budget: { maxUsd: 1 }, dryRun: true }).guard;
    await dry.trip(workerEnv, ["workers-requests"], "by hand");
    await dry.wrap({ async scheduled() { ran.push("ran"); } }).scheduled(controller("*/5 * * * *"), workerEnv, createExecutionContext());
    expect(ran).toEqual(["ran"]);
  });

  it("nothing escapes the scheduled handler when the usage API and KV both fail", async () => {
    await fault({ kind: "http-500" });
    const worker = guardAt().guard.wrap({});
    await expect(
      worker.scheduled(controller("*/5 * * * *"), countingEnv({ failPuts: true }).env, createExecutionContext()),
    ).resolves.toBeUndefined();
  });
});
