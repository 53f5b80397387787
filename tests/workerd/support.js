// What the workerd suites share: the env a deployed Worker would have, and the simulator.
import { env } from "cloudflare:workers";

/** The test env plus the secrets a deployed Worker would hold (the simulator's account and token). */
export function deployedEnv(extra = {}) {
  return { ...env, CF_ACCOUNT_ID: env.USAGE_API_ACCOUNT_ID, CF_API_TOKEN: env.USAGE_API_TOKEN, ...extra };
}

/** The guard config that polls the simulator through its service binding. */
export const simulatorConfig = { endpoint: "http://usage-api/graphql", endpointBinding: "USAGE_API" };
