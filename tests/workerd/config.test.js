// createGuard validates config in the WASM core, inside workerd.
import { describe, expect, it } from "vitest";
import { createGuard, GuardConfigError } from "edgefuse";

function problemsOf(config) {
  try {
    createGuard(config);
  } catch (error) {
    expect(error).toBeInstanceOf(GuardConfigError);
    return error;
  }
  throw new Error("expected a GuardConfigError");
}

describe("createGuard", () => {
  it("applies every default to a minimal config", () => {
    const guard = createGuard({ plan: "free" });
    expect(guard.config).toMatchObject({
      plan: "free",
      billingDay: 1,
      accountIdEnv: "CF_ACCOUNT_ID",
      apiTokenEnv: "CF_API_TOKEN",
      endpoint: "https://api.cloudflare.com/client/v4/graphql",
      stateBinding: "EDGEFUSE_STATE",
      refreshSeconds: 60,
      onBlocked: "throw",
      dryRun: false,
      bindings: {},
      budget: null,
      bindingIds: {},
      evaluateCron: null,
      scheduledWhenTripped: "skip",
      failuresUntilBlind: 3,
      pollTimeoutSeconds: 10,
      endpointBinding: null,
    });
    expect(guard.config.thresholds["kv-writes"]).toEqual({
      warn: 80,
      trip: 90,
      recover: 80,
      tripAt: null,
      maxOverageUsd: null,
      granularity: null,
    });
    expect(Object.isFrozen(guard.config.thresholds["kv-writes"])).toBe(true);
  });

  it("reports every problem with its path and a fix", () => {
    const error = problemsOf({
      plan: "paid",
      thresholds: { "kv-writez": { trip: 90 }, "kv-writes": { trip: 90, recover: 95 } },
      budget: { maxUsd: "10$" },
    });
    expect(error.problems.map(({ path }) => path).sort()).toEqual(["budget.maxUsd", "thresholds.kv-writes", "thresholds.kv-writez"]);
    expect(error.message).toContain("thresholds.kv-writez: unknown resource (did you mean kv-writes?)");
    expect(error.message).toContain('budget.maxUsd: must be a positive number, got "10$"');
    expect(error.message).toContain("thresholds.kv-writes: recover (95) must be below trip (90)");
  });

  it("never echoes a secret pasted where an env var name belongs", () => {
    const error = problemsOf({ plan: "free", apiTokenEnv: "v1.0-abcdef0123456789-secret" });
    expect(error.message).not.toContain("abcdef0123456789");
    expect(error.problems[0].path).toBe("apiTokenEnv");
  });

  it("refuses what is not plain JSON, and a missing config", () => {
    expect(problemsOf({ plan: "free", refreshSeconds: 10n }).problems[0].message).toMatch(/must be plain JSON/);
    expect(problemsOf(undefined).problems[0]).toMatchObject({ path: "(config)", message: "must be an object, got null" });
  });
});
