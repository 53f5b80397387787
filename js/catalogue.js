// The billing catalogue and cost estimates, answered by the C++ core.
import { callCore } from "./core.js";
import { deepFreeze } from "./deep-freeze.js";
import { GuardInputError, toJsonText } from "./errors.js";

// An array that asks the core for its contents on first touch, so that importing edgefuse
// costs nothing until the catalogue is used. Every trap fills the target first, so the
// proxy behaves exactly as the frozen array it becomes.
function lazyFrozenArray(load) {
  let filled = false;
  const handler = {};
  for (const trap of Object.getOwnPropertyNames(Reflect)) {
    handler[trap] = (target, ...args) => {
      if (!filled) {
        target.push(...load());
        deepFreeze(target);
        filled = true;
      }
      return Reflect[trap](target, ...args);
    };
  }
  return new Proxy([], handler);
}

/** Every billable resource edgefuse knows, with quotas, prices and their sources. */
export const RESOURCES = lazyFrozenArray(() => callCore("resourcesJson").resources);

/**
 * What `usage` (resource id -> units used in that resource's period) costs on `plan`.
 * Throws GuardInputError listing every problem with the input.
 */
export function estimateCost(usage, { plan } = {}) {
  const reply = callCore(
    "estimateCostJson",
    toJsonText(usage, "usage", GuardInputError),
    toJsonText({ plan }, "options", GuardInputError),
  );
  if (!reply.ok) throw new GuardInputError(reply.problems);
  return deepFreeze(reply.estimate);
}
