// Per-invocation counters at scale: an invocation keeps its own however many others begin,
// and the isolate keeps counters only for invocations that can still make calls.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GuardError, SAFETY_NET_KEY, STATE_KEY, createGuard } from "../../js/index.js";
import { coreHeapBytesInUse } from "../../js/core.js";
import { INVOCATION_SLOTS } from "../../dist/constants.js";

beforeEach(async () => {
  await env.EDGEFUSE_STATE.delete(STATE_KEY);
  await env.EDGEFUSE_STATE.delete(SAFETY_NET_KEY);
  // Every invocation here is refused once on purpose: 100,000 logged refusals would be noise.
  vi.spyOn(console, "warn").mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
});

// A stand-in with KV's shape, for the runs of thousands of invocations: what is under test
// is the guard's counting, and real local KV takes 0.5 ms a call here (1.6 ms each with
// 5,000 in flight), which would make these runs minutes long.
const lookalikeKv = () => ({
  calls: 0,
  async get(key) {
    this.calls += 1;
    return `value of ${key}`;
  },
  async getWithMetadata() {},
  async put() {},
  async delete() {},
  async list() {},
});

/** Lets the isolate's other work run, as it does between requests. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * The core's heap in use once what the garbage collector owes is paid: JS garbage is made
 * to prompt collections, and their finalizers (which free the core's side) given tasks to
 * run, until the heap holds at most `limit` bytes more than `baseline` (or 200 rounds pass).
 * workerd exposes no gc(); a freed object's core memory goes only once it is collected.
 */
async function settledHeapBytes(baseline = 0, limit = 0) {
  for (let round = 0; round < 200 && coreHeapBytesInUse() - baseline > limit; round += 1) {
    for (let i = 0; i < 20; i += 1) new Array(100_000).fill(round); // garbage, to prompt a collection
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return coreHeapBytesInUse();
}

async function outcome(promise) {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

describe("an invocation's counters live as long as it does", () => {
  it("an invocation that waits while 2,000 others begin is still held to its limit (real KV)", async () => {
    const guard = createGuard({ plan: "free", limits: { "kv-writes": 50 } });
    const early = await guard.env(env);
    for (let i = 0; i < 10; i += 1) await early.KV.put("invocations:early", String(i));
    const others = [];
    for (let i = 0; i < 2000; i += 1) others.push(await guard.env(env));
    let written = 10;
    let refusal = null;
    while (!refusal && written < 200) {
      const result = await outcome(early.KV.put("invocations:early", String(written)));
      if (result.error) refusal = result.error;
      else written += 1;
    }
    expect(written).toBe(50);
    expect(refusal).toBeInstanceOf(GuardError);
    expect(refusal).toMatchObject({ code: "invocation-limit", resource: "kv-writes", used: 50, limit: 50 });
    expect(guard.usage(early)).toEqual({ "kv-writes": 50 });
    expect(guard.invocations).toEqual({ live: 2001, evicted: 0, evictedRunning: 0 });
    expect(others).toHaveLength(2000);
  });

  it("when the garbage collector lags behind 16,384 invocations, a running one keeps its counters", async () => {
    const guard = createGuard({ plan: "free", limits: { "kv-reads": 10 }, bindings: { COUNTED: "kv" } });
    const workerEnv = { ...env, COUNTED: lookalikeKv() };
    let resume;
    const paused = new Promise((resolve) => {
      resume = resolve;
    });
    let outcomes = null;
    const worker = guard.wrap({
      async fetch(request, guarded) {
        if (new URL(request.url).pathname !== "/slow") {
          await guarded.COUNTED.get("other");
          return new Response("quick");
        }
        for (let i = 0; i < 8; i += 1) await guarded.COUNTED.get(`slow-${i}`);
        await paused;
        outcomes = [];
        for (let i = 0; i < 4; i += 1) outcomes.push(await outcome(guarded.COUNTED.get(`late-${i}`)));
        return new Response("slow");
      },
    });
    const slow = worker.fetch(new Request("https://app.example/slow"), workerEnv, null);
    // No timer runs between these, so no garbage-collector cleanup can free their counters.
    for (let i = 0; i < 20000; i += 1) await worker.fetch(new Request("https://app.example/"), workerEnv, null);
    expect(guard.invocations.evicted).toBeGreaterThan(0);
    expect(guard.invocations.evictedRunning).toBe(0);
    resume();
    expect(await (await slow).text()).toBe("slow");
    expect(outcomes.map((result) => result.error?.code ?? "ran")).toEqual(["ran", "ran", "invocation-limit", "invocation-limit"]);
  }, 60000);

  it("5,000 concurrent invocations each get exactly their own limit", async () => {
    const guard = createGuard({ plan: "free", limits: { "kv-reads": 2 }, bindings: { COUNTED: "kv" } });
    const binding = lookalikeKv();
    const workerEnv = { ...env, COUNTED: binding };
    const envs = await Promise.all(Array.from({ length: 5000 }, () => guard.env(workerEnv)));
    expect(guard.invocations.live).toBeGreaterThanOrEqual(5000);
    const results = await Promise.all(
      envs.map((guarded, i) => Promise.all([1, 2, 3].map((n) => outcome(guarded.COUNTED.get(`k${i}-${n}`))))),
    );
    results.forEach(([first, second, third], i) => {
      expect([first.value, second.value]).toEqual([`value of k${i}-1`, `value of k${i}-2`]);
      expect(third.error).toMatchObject({ code: "invocation-limit", used: 2, limit: 2 });
    });
    expect(binding.calls).toBe(10000);
    expect(guard.invocations.evicted).toBe(0);
  });

  it("100,000 invocations one after another: each held to its limit, counters freed, the core's heap bounded", async () => {
    const guard = createGuard({ plan: "free", limits: { "kv-reads": 1 }, bindings: { COUNTED: "kv" } });
    const binding = lookalikeKv();
    const workerEnv = { ...env, COUNTED: binding };
    const invocation = async (i) => {
      const guarded = await guard.env(workerEnv);
      const first = await outcome(guarded.COUNTED.get(`k${i}`));
      const second = await outcome(guarded.COUNTED.get(`k${i}`));
      return first.value === `value of k${i}` && second.error?.code === "invocation-limit";
    };
    // A real request leaves garbage of its own (a Request, a Response, their headers), which
    // is what prompts the collections that free finished invocations; this loop leaves
    // almost none, so it makes about a kilobyte per invocation in their place.
    let requestGarbage = null;
    const run = async (from, count) => {
      let held = 0;
      let mostLive = 0;
      for (let i = from; i < from + count; i += 1) {
        if (await invocation(i)) held += 1;
        if (i % 100 === 0) {
          mostLive = Math.max(mostLive, guard.invocations.live);
          requestGarbage = new Array(12_500).fill(i);
          await nextTask();
        }
      }
      return { held, mostLive, garbage: requestGarbage.length };
    };
    const warmUp = await run(0, 10000);
    const heldAfterWarmUp = await settledHeapBytes();
    const measured = await run(10000, 100000);
    const after = await settledHeapBytes(heldAfterWarmUp, 0);
    console.log(
      `live invocations at most: ${warmUp.mostLive} warming up, ${measured.mostLive} over 100,000; ` +
        `the core's heap in use ${heldAfterWarmUp} -> ${after} bytes once collected`,
    );
    expect(warmUp.held).toBe(10000);
    expect(measured.held).toBe(100000);
    expect(binding.calls).toBe(110000);
    // Counters not freed would run out of slots: evictions.
    expect(guard.invocations).toMatchObject({ evicted: 0, evictedRunning: 0 });
    // What may stay is the slot table, grown to the most invocations alive at once: under
    // 300 bytes a slot, INVOCATION_SLOTS slots at most (4.9 MB). 50 bytes kept per
    // invocation would pass that bound over 100,000.
    expect(after - heldAfterWarmUp).toBeLessThan(INVOCATION_SLOTS * 300);
  }, 120000);
});

describe("a guard's core lives as long as the guard", () => {
  it("5,000 guards made per request and dropped: each core is freed, the core's heap does not pile up", async () => {
    // No state record (null reads): each new guard's first breaker read finds nothing to hold.
    const workerEnv = { ...env, EDGEFUSE_STATE: { ...lookalikeKv(), get: async () => null }, COUNTED: lookalikeKv() };
    const requests = async (from, count) => {
      let served = 0;
      for (let i = from; i < from + count; i += 1) {
        const guard = createGuard({ plan: "free", limits: { "kv-reads": 1 }, bindings: { COUNTED: "kv" } });
        const guarded = await guard.env(workerEnv);
        if ((await guarded.COUNTED.get(`k${i}`)) === `value of k${i}`) served += 1;
        if (i % 50 === 0) await nextTask();
      }
      return served;
    };
    expect(await requests(0, 1000)).toBe(1000);
    const settled = await settledHeapBytes();
    expect(await requests(1000, 4000)).toBe(4000);
    const unsettled = coreHeapBytesInUse();
    // Kept, 4,000 guard cores hold 139 MB more (about 35 KB each).
    const after = await settledHeapBytes(settled, 1024 * 1024);
    console.log(`the core's heap in use: ${settled} bytes, ${unsettled} after 4,000 guards, ${after} once collected`);
    expect(after - settled).toBeLessThan(1024 * 1024);
  }, 120000);
});

