// Compiled with `tsc --noEmit --strict` against the shipped declarations: a consumer's view.
import {
  RESOURCES,
  createGuard,
  estimateCost,
  GuardConfigError,
  type CostEstimate,
  type GuardConfig,
  type Resource,
} from "edgefuse";

const config: GuardConfig = {
  plan: "paid",
  budget: { maxUsd: 50 },
  thresholds: { "kv-writes": { trip: 90, recover: 80 }, "d1-rows-written": { tripAt: 1e6 } },
  bindings: { MY_DB: "d1" },
};

export function check(): number {
  const guard = createGuard(config);
  const refresh: number = guard.config.refreshSeconds;
  const first: Resource | undefined = RESOURCES[0];
  const estimate: CostEstimate = estimateCost({ "kv-reads": 12e6 }, { plan: guard.config.plan });
  try {
    createGuard({ plan: "free" });
  } catch (error) {
    if (error instanceof GuardConfigError) return error.problems.length;
  }
  return refresh + (first ? 1 : 0) + estimate.totalOverageUsd;
}

// @ts-expect-error: an unknown resource id is a type error too.
estimateCost({ "kv-readz": 1 }, { plan: "free" });
