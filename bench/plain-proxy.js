// Yardsticks for the hot-path benchmark: plain-JS guards doing the same checks as a
// guarded call (tripped for the resource or for this binding, then charge the call within
// the invocation's limit). Only the benchmark uses them.

const refuse = (resource, why) => Promise.reject(new Error(`${resource} ${why}`));

/** The common JS design: a Proxy that builds a checking closure on every property read. */
export function plainProxy(binding, name, resourceOf, { limit, tripped }) {
  const used = new Map();
  return new Proxy(binding, {
    get(target, method) {
      const resource = resourceOf[method];
      const original = target[method];
      if (!resource) return original;
      return (...args) => {
        if (tripped.has(resource) || tripped.has(`${resource}:${name}`)) return refuse(resource, "tripped");
        const count = (used.get(resource) ?? 0) + 1;
        if (count > limit) return refuse(resource, "over limit");
        used.set(resource, count);
        return original.apply(target, args);
      };
    },
  });
}

/** edgefuse's own structure (a class per binding, flags fixed per site) with the checks in JS. */
export function plainWrapper(binding, name, resourceOf, { limit, tripped }) {
  const sites = {};
  for (const [method, resource] of Object.entries(resourceOf)) {
    sites[method] = { resource, tripped: tripped.has(resource) || tripped.has(`${resource}:${name}`), used: 0 };
  }
  const charge = (site) => {
    if (site.tripped) return refuse(site.resource, "tripped");
    if (site.used + 1 > limit) return refuse(site.resource, "over limit");
    site.used += 1;
    return undefined;
  };
  return {
    get: (...args) => charge(sites.get) ?? binding.get(...args),
    put: (...args) => charge(sites.put) ?? binding.put(...args),
  };
}
