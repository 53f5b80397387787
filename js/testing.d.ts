// edgefuse/testing: the usage-API simulator in your own tests (see js/testing.js).
import type { ResourceId } from "./index.js";

export declare const SIMULATOR_ACCOUNT_ID: "0123456789abcdef0123456789abcdef";
export declare const SIMULATOR_TOKEN: "simulator-token";

export interface UsageApiSimulatorOptions {
  /** The auxiliary Worker's name. Default "edgefuse-usage-api". */
  name?: string;
  /** The guard config's endpointEnv, accountIdEnv and apiTokenEnv, if you changed them. */
  endpointEnv?: string;
  accountIdEnv?: string;
  apiTokenEnv?: string;
}

/** Miniflare options for @cloudflare/vitest-plugin's `cloudflareTest({ miniflare })`. */
export interface UsageApiSimulator {
  /** The simulator Worker: put it in `miniflare.workers`. */
  worker: {
    name: string;
    compatibilityDate: string;
    modulesRoot: string;
    modules: { type: "ESModule" | "CompiledWasm"; path: string }[];
    bindings: Record<string, string>;
  };
  /** `miniflare.serviceBindings`: the simulator as env.<endpointEnv>. */
  serviceBindings: Record<string, string>;
  /** `miniflare.bindings`: the simulator's account id and token as env.<accountIdEnv> and env.<apiTokenEnv>. */
  bindings: Record<string, string>;
}

export declare function usageApiSimulator(options?: UsageApiSimulatorOptions): UsageApiSimulator;

export interface SimulatorFault {
  kind:
    | "http-500"
    | "http-429"
    | "timeout"
    | "malformed-json"
    | "graphql-errors"
    | "wrong-shape"
    | "absurd-values"
    | "partial"
    | "odd-action-type"
    | "errors-not-a-list"
    | "no-access";
  /** A GraphQL dataset name; every dataset when absent. */
  dataset?: string;
  /** How many answers it affects; every one when absent. */
  times?: number;
  retryAfter?: number;
  delayMs?: number;
  actionType?: string;
}

export interface SimulatorClient {
  setUsage(resource: ResourceId, units: number, options?: { binding?: string; date?: string; mode?: "set" | "add" }): Promise<unknown>;
  usage(): Promise<Record<string, unknown>>;
  fault(spec: SimulatorFault): Promise<unknown>;
  clearFaults(): Promise<unknown>;
  setClock(now: string | null): Promise<unknown>;
  reset(): Promise<unknown>;
  requests(): Promise<{ at: string; datasets: string[]; variables: Record<string, unknown>; authorized: boolean; status: number }[]>;
}

/** A client for the simulator behind a service binding (env.EDGEFUSE_USAGE_API_ENDPOINT). */
export declare function simulator(binding: { fetch(input: string, init?: object): Promise<unknown> }): SimulatorClient;
