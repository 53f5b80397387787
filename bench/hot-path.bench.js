// Per-call overhead of a guarded binding call, and the guard's own KV reads per request.
// Prints figures; asserts nothing about speed (a slow CI machine is not a failure).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { it } from "vitest";
import { STATE_KEY, createGuard } from "../js/index.js";
import { median, memoryKv, table, timeRequests } from "./measure.js";
import { plainProxy, plainWrapper } from "./plain-proxy.js";

const CALLS = 2_000_000; // per round: performance.now() in workerd ticks in whole ms
// Calls made back to back before the round awaits: the microtasks a call queues (the guard's
// watch for a binding's early refusal) run, and are timed, within the round.
const BURST = 1_000;
const ROUNDS = 7;
const config = { plan: "paid", budget: { maxUsd: 50 }, limits: { "kv-reads": null } };

/** ns per call of `callOnce`, as the median of ROUNDS rounds of CALLS calls. */
async function timeRounds(callOnce) {
  const samples = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = performance.now();
    for (let burst = 0; burst < CALLS; burst += BURST) {
      for (let i = 0; i < BURST; i += 1) callOnce();
      await null;
    }
    samples.push(((performance.now() - start) * 1e6) / CALLS);
  }
  return median(samples);
}

it("per-call overhead: guarded vs raw vs a plain-JS counting proxy", async () => {
  const raw = memoryKv();
  await env.EDGEFUSE_STATE.put(STATE_KEY, JSON.stringify({ version: 1, breakers: { "kv-writes:OTHER": { reason: "x", since: "", source: "bench" } } }));
  const guard = createGuard(config);
  const guardedEnv = await guard.env({ ...env, KV: raw });
  const guarded = guardedEnv.KV;
  const checks = { limit: Infinity, tripped: new Set(["kv-writes:OTHER"]) };
  const resourceOf = { get: "kv-reads", put: "kv-writes" };
  const paths = {
    raw,
    guarded,
    proxy: plainProxy(raw, "KV", resourceOf, checks),
    wrapper: plainWrapper(raw, "KV", resourceOf, checks),
  };

  // Warm up every path (JIT tiers), then time them interleaved so that drift hits all.
  for (const binding of Object.values(paths)) {
    for (let burst = 0; burst < CALLS; burst += BURST) {
      for (let i = 0; i < BURST; i += 1) binding.get("k");
      await null;
    }
  }
  const samples = Object.fromEntries(Object.keys(paths).map((name) => [name, []]));
  for (let repeat = 0; repeat < 3; repeat += 1) {
    for (const [name, binding] of Object.entries(paths)) samples[name].push(await timeRounds(() => binding.get("k")));
  }
  const ns = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
  const overhead = (name) => `${(ns[name] - ns.raw).toFixed(1)} ns`;
  const counted = guard.usage(guardedEnv)["kv-reads"];
  const callsMade = CALLS * (1 + 3 * ROUNDS);
  if (counted !== callsMade) throw new Error(`the guard counted ${counted} of ${callsMade} calls`);

  console.log(
    `\nedgefuse hot path: KV.get on an in-memory namespace, median of ${3 * ROUNDS} rounds of ${CALLS.toLocaleString("en-US")} calls\n` +
      table([
        ["path", "ns/call", "overhead vs raw"],
        ["raw binding", ns.raw.toFixed(1), "-"],
        ["edgefuse (checks in the WASM core)", ns.guarded.toFixed(1), overhead("guarded")],
        ["plain-JS Proxy, same checks", ns.proxy.toFixed(1), overhead("proxy")],
        ["plain-JS wrapper, same checks", ns.wrapper.toFixed(1), overhead("wrapper")],
      ]) +
      `\nedgefuse per call: ${(ns.guarded / ns.proxy).toFixed(2)}× the Proxy, ${(ns.guarded / ns.wrapper).toFixed(2)}× the wrapper` +
      `\nthe guard counted all ${callsMade.toLocaleString("en-US")} calls`,
  );
});

it("per-call overhead when each call is awaited, as a handler usually does", async () => {
  const raw = memoryKv();
  const guard = createGuard(config);
  const guarded = (await guard.env({ ...env, KV: raw })).KV;
  const calls = 200_000;
  const timeAwaited = async (binding) => {
    const start = performance.now();
    for (let i = 0; i < calls; i += 1) await binding.get("k");
    return ((performance.now() - start) * 1e6) / calls;
  };
  for (const binding of [raw, guarded]) await timeAwaited(binding); // warm-up
  const samples = { raw: [], guarded: [] };
  for (let round = 0; round < 7; round += 1) {
    samples.raw.push(await timeAwaited(raw));
    samples.guarded.push(await timeAwaited(guarded));
  }
  const [rawNs, guardedNs] = [median(samples.raw), median(samples.guarded)];
  console.log(
    `\nedgefuse awaited calls: KV.get awaited one at a time, median of 7 rounds of ${calls.toLocaleString("en-US")} calls\n` +
      table([
        ["path", "ns/call", "overhead vs raw"],
        ["raw binding", rawNs.toFixed(1), "-"],
        ["edgefuse", guardedNs.toFixed(1), `${(guardedNs - rawNs).toFixed(1)} ns`],
      ]),
  );
});

it("per-request cost of a guarded env (guard.wrap around a handler that does nothing)", async () => {
  await env.EDGEFUSE_STATE.put(STATE_KEY, JSON.stringify({ version: 1, breakers: {} }));
  const handler = { fetch: async () => null };
  const worker = createGuard(config).wrap(handler);
  // The same, reading one binding: its wrapper is made on that first read.
  const reading = { fetch: async (request, env) => env.KV && null };
  const readingWorker = createGuard(config).wrap(reading);
  const request = new Request("http://bench/");
  // A plain copy, as a fetch handler receives it: the test pool's own env is a slower proxy.
  const handlerEnv = { ...env };
  const entries = Object.keys(handlerEnv).length;
  const sample = await createGuard(config).env(handlerEnv);
  const guardedCount = Object.keys(handlerEnv).filter((name) => sample[name] !== handlerEnv[name]).length;
  const count = 100_000;
  await timeRequests(worker.fetch, request, handlerEnv, count); // warm-up
  await timeRequests(readingWorker.fetch, request, handlerEnv, count);
  const samples = { raw: [], guarded: [], rawReading: [], guardedReading: [] };
  for (let round = 0; round < 5; round += 1) {
    samples.raw.push(await timeRequests(handler.fetch, request, handlerEnv, count));
    samples.guarded.push(await timeRequests(worker.fetch, request, handlerEnv, count));
    samples.rawReading.push(await timeRequests(reading.fetch, request, handlerEnv, count));
    samples.guardedReading.push(await timeRequests(readingWorker.fetch, request, handlerEnv, count));
  }
  const raw = median(samples.raw);
  const guarded = median(samples.guarded);
  const rawReading = median(samples.rawReading);
  const guardedReading = median(samples.guardedReading);
  console.log(
    `\nedgefuse per request: env of ${entries} entries (${guardedCount} guarded bindings), median of 5 rounds of ${count.toLocaleString("en-US")} requests, ns/request\n` +
      table([
        ["handler", "does nothing", "reads env.KV"],
        ["raw", raw.toFixed(0), rawReading.toFixed(0)],
        ["guard.wrap", guarded.toFixed(0), guardedReading.toFixed(0)],
        ["added by the guard", (guarded - raw).toFixed(0), (guardedReading - rawReading).toFixed(0)],
      ]),
  );
  // A binding read again from the env, once its wrapper is made: through the env's proxy.
  const reads = 1_000_000;
  const timeReads = (from) => {
    const start = performance.now();
    let found = 0;
    for (let i = 0; i < reads; i += 1) if (from.KV) found += 1;
    if (found !== reads) throw new Error("env.KV went missing");
    return ((performance.now() - start) * 1e6) / reads;
  };
  const readSamples = { raw: [], guarded: [] };
  for (let round = 0; round < 7; round += 1) {
    readSamples.raw.push(timeReads(handlerEnv));
    readSamples.guarded.push(timeReads(sample));
  }
  const [rawRead, guardedRead] = [median(readSamples.raw), median(readSamples.guarded)];
  console.log(`env.KV read again, median of 7 rounds of ${reads.toLocaleString("en-US")}: raw ${rawRead.toFixed(1)} ns, guarded ${guardedRead.toFixed(1)} ns (+${(guardedRead - rawRead).toFixed(1)} ns)`);
});

it("the guard's own KV reads per 10,000 guarded requests", async () => {
  await env.EDGEFUSE_STATE.put(STATE_KEY, JSON.stringify({ version: 1, breakers: {} }));
  const counting = { reads: 0 };
  const state = {
    ...memoryKv(),
    get: (...args) => {
      counting.reads += 1;
      return env.EDGEFUSE_STATE.get(...args);
    },
  };
  const handler = {
    async fetch(request, env) {
      await env.KV.get("a");
      await env.KV.put("b", "1");
      return new Response("ok");
    },
  };
  const requests = 10_000;
  const rows = [["scenario", "requests", "span", "guard KV reads", "per 10,000"]];
  for (const [label, stepMs] of [
    ["wall clock (one burst)", null],
    ["1 request / 10 ms (100 s)", 10],
    ["1 request / s (2.8 h)", 1000],
  ]) {
    counting.reads = 0;
    let now = Date.parse("2026-11-23T00:00:00Z");
    const worker = createGuard(config, stepMs === null ? {} : { clock: () => now }).wrap(handler);
    const began = Date.now();
    for (let i = 0; i < requests; i += 1) {
      const ctx = createExecutionContext();
      await worker.fetch(new Request("http://bench/"), { ...env, KV: memoryKv(), EDGEFUSE_STATE: state }, ctx);
      await waitOnExecutionContext(ctx);
      if (stepMs !== null) now += stepMs;
    }
    const spanSeconds = stepMs === null ? (Date.now() - began) / 1000 : (requests * stepMs) / 1000;
    rows.push([label, requests, `${spanSeconds.toFixed(1)} s`, counting.reads, counting.reads * (10_000 / requests)]);
  }
  console.log(`\nedgefuse state reads (refreshSeconds 60; each request makes 1 KV get + 1 KV put)\n${table(rows)}`);
});
