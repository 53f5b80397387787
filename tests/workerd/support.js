// What the workerd suites share: the env a deployed Worker would have, and the simulator.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, vi } from "vitest";
import { SAFETY_NET_KEY, STATE_KEY } from "../../js/index.js";

/** The test env plus the secrets a deployed Worker would hold (the simulator's account and token). */
export function deployedEnv(extra = {}) {
  return { ...env, CF_ACCOUNT_ID: env.USAGE_API_ACCOUNT_ID, CF_API_TOKEN: env.USAGE_API_TOKEN, ...extra };
}

/** The guard config that polls the simulator through its service binding. */
export const simulatorConfig = { endpoint: "http://usage-api/graphql", endpointBinding: "USAGE_API" };

/**
 * Sets the simulator's clock to `ms` (it measures data retention from it, as the real API
 * does from the real now), so that a test whose guard runs on another day is answered.
 */
export async function simulatorAt(ms) {
  const response = await env.USAGE_API.fetch("http://usage-api/__sim/clock", {
    method: "POST",
    body: JSON.stringify({ now: new Date(ms).toISOString() }),
  });
  if (!response.ok) throw new Error(`simulator clock: ${await response.text()}`);
}

/** A console call as one line of text: a structured entry ({ message, event, … }) by its message. */
export const logText = (args) => args.map((arg) => (typeof arg?.message === "string" ? arg.message : String(arg))).join(" ");

/**
 * Before each test of the calling file: a reset simulator (its clock at `at`, ms, when
 * given), no state record or safety net, and console output collected into the array
 * returned (in place of printing it).
 */
export function cleanPollWorld({ at } = {}) {
  const logs = [];
  beforeEach(async () => {
    await env.USAGE_API.fetch("http://usage-api/__sim/reset", { method: "POST", body: "{}" });
    if (at !== undefined) await simulatorAt(at);
    await env.EDGEFUSE_STATE.delete(STATE_KEY);
    await env.EDGEFUSE_STATE.delete(SAFETY_NET_KEY);
    logs.length = 0;
    for (const method of ["log", "warn", "error"]) vi.spyOn(console, method).mockImplementation((...args) => logs.push(logText(args)));
  });
  afterEach(() => vi.restoreAllMocks());
  return logs;
}

/** The GuardError a KV write through `guardedEnv.KV` is refused with, or null when it ran. */
export async function refusedWrite(guardedEnv) {
  try {
    await guardedEnv.KV.put(`refused-${Math.random()}`, "x");
    return null;
  } catch (error) {
    return error;
  }
}
