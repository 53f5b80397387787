// Builds each invocation's guarded env: every recognised binding wrapped for that
// invocation, everything else (vars, secrets, service bindings, the guard's own state
// namespace) passed through untouched.
import { GuardConfigError } from "../errors.js";
import { GuardedD1, d1Sites } from "./d1.js";
import { detectKind, hasShape, requiredMethods } from "./detect.js";
import { GuardedNamespace } from "./durable-object.js";
import { SPECS } from "./specs.js";
import { CHARGES } from "../../dist/constants.js";
import { specWrapperClass } from "./spec-wrapper.js";

// The invocation a guarded env belongs to, for guard.usage(env).
export const INVOCATION = Symbol("edgefuse.invocation");
// The env a guarded env was made from, for the guard's own calls (the rate limiter's).
export const UNGUARDED_ENV = Symbol("edgefuse.unguardedEnv");

export class EnvGuard {
  #enforcement;
  #config;
  #kinds = new WeakMap(); // binding object -> kind, or null to leave alone
  #sites = new Map(); // "kind:name" -> sites, fixed per isolate
  #classes = new Map(); // kind -> WeakMap(binding prototype -> wrapper class)

  constructor(enforcement, config) {
    this.#enforcement = enforcement;
    this.#config = config;
  }

  /** `env` with its bindings guarded for `invocation`. */
  guard(env, invocation) {
    const guarded = {};
    for (const name of Object.keys(env)) {
      const value = env[name];
      const kind = this.#kindOf(name, value);
      guarded[name] = kind ? this.wrap(kind, name, value, invocation) : value;
    }
    guarded[INVOCATION] = invocation; // symbols: invisible to Object.keys and JSON
    guarded[UNGUARDED_ENV] = env;
    return guarded;
  }

  /** Wraps one binding (or an object a binding returned, such as a multipart upload). */
  wrap(kind, name, binding, invocation) {
    const sites = this.#sitesFor(kind, name);
    if (kind === "d1") return new GuardedD1(binding, invocation, sites);
    if (kind === "durable-object") return new GuardedNamespace(binding, invocation, sites);
    const Wrapper = this.#classFor(kind, binding);
    return new Wrapper(binding, invocation, sites, (resultKind, value) => this.wrap(resultKind, name, value, invocation));
  }

  #kindOf(name, value) {
    if (name === this.#config.stateBinding) return null;
    const explicit = this.#config.bindings[name];
    if (explicit === "ignore") return null;
    if (explicit) {
      if (!hasShape(explicit, value)) {
        throw new GuardConfigError([
          {
            path: `bindings.${name}`,
            message: `is configured as "${explicit}" but env.${name} has no ${requiredMethods(explicit).join("/")} methods`,
            fix: `it looks like ${detectKind(value) ?? "no binding edgefuse guards"}; fix the kind or use "ignore"`,
          },
        ]);
      }
      return explicit;
    }
    if (value === null || typeof value !== "object") return null;
    let kind = this.#kinds.get(value);
    if (kind === undefined) {
      kind = detectKind(value);
      this.#kinds.set(value, kind);
    }
    return kind;
  }

  #sitesFor(kind, name) {
    const key = `${kind}:${name}`;
    let sites = this.#sites.get(key);
    if (!sites) {
      sites = this.#buildSites(kind, name);
      this.#sites.set(key, sites);
    }
    return sites;
  }

  #buildSites(kind, name) {
    if (kind === "d1") return d1Sites(this.#enforcement, name);
    if (kind === "durable-object") return this.#enforcement.site(CHARGES["durable-object"].request, name, "request");
    const sites = {};
    for (const [method, rule] of Object.entries(SPECS[kind])) {
      if (rule.resource) sites[method] = this.#enforcement.site(rule.resource, name, method, rule.neutral ?? null);
    }
    return sites;
  }

  #classFor(kind, binding) {
    let byPrototype = this.#classes.get(kind);
    if (!byPrototype) {
      byPrototype = new WeakMap();
      this.#classes.set(kind, byPrototype);
    }
    // Real bindings share a prototype per kind; a plain object's methods are its own.
    const prototype = Object.getPrototypeOf(binding);
    const key = prototype === Object.prototype || prototype === null ? binding : prototype;
    let Wrapper = byPrototype.get(key);
    if (!Wrapper) {
      Wrapper = specWrapperClass(SPECS[kind], binding);
      byPrototype.set(key, Wrapper);
    }
    return Wrapper;
  }
}
