// Builds each invocation's guarded env: every recognised binding wrapped for that
// invocation, everything else (vars, secrets, service bindings, the guard's own state
// namespace) passed through untouched. What to wrap, and how, is worked out once per env
// object (workerd hands every request of an isolate the same one) and checked per request.
// A binding's wrapper is made on its first read in a request: one the request never touches
// costs nothing.
import { GuardConfigError } from "../errors.js";
import { GuardedD1, d1Sites } from "./d1.js";
import { detectKind, hasShape, requiredMethods } from "./detect.js";
import { GuardedNamespace } from "./durable-object.js";
import { SPECS } from "./specs.js";
import { CHARGES } from "../../dist/constants.js";
import { specWrapperClass } from "./spec-wrapper.js";

// The invocation a guarded env belongs to, for guard.usage(env), and the env it was made
// from, for the guard's own calls (the rate limiter's). Only the guarded env's proxy answers
// them: they are not properties of it, so reflection shows the raw env's entries and no more.
export const INVOCATION = Symbol("edgefuse.invocation");
export const UNGUARDED_ENV = Symbol("edgefuse.unguardedEnv");
// What a binding's entry holds in a guarded env until its wrapper is made. Only the env's
// proxy ever sees it: every read goes through the proxy, which makes the wrapper first.
const UNMADE = Object.freeze({});

export class EnvGuard {
  #enforcement;
  #config;
  #kinds = new WeakMap(); // binding object -> kind, or null to leave alone
  #sites = new Map(); // "kind:name" -> sites, fixed per isolate
  #classes = new Map(); // kind -> WeakMap(binding prototype -> wrapper class)
  #plans = new WeakMap(); // env -> { names, values, template, makers }

  #ownBindings; // the guard's own namespaces: its calls on them are not the Worker's

  constructor(enforcement, config) {
    this.#enforcement = enforcement;
    this.#config = config;
    this.#ownBindings = new Set([config.stateBinding, config.meter?.binding, config.rateLimit?.mode === "durable-object" ? config.rateLimit.binding : null]);
  }

  /** `env` with its bindings guarded for `invocation`. */
  guard(env, invocation) {
    const plan = this.#planFor(env);
    // A copy of the plan's template, not of env: workerd's env is slow to copy (3.4 µs for
    // 20 entries, where a plain object of them takes 40 ns).
    if (plan.makers.size > 0) return new Proxy({ ...plan.template }, new GuardedEnvTraps(plan.makers, invocation, env));
    // Nothing to wrap: a plain copy, which structuredClone and RPC take as they take env, with
    // the guard's symbols out of sight of spread, Object.keys and JSON.
    return Object.defineProperties({ ...plan.template }, { [INVOCATION]: { value: invocation }, [UNGUARDED_ENV]: { value: env } });
  }

  /** Wraps one binding (or an object a binding returned, such as a multipart upload). */
  wrap(kind, name, binding, invocation) {
    return this.#maker(kind, name, binding)(binding, invocation);
  }

  // The plan made for this env, if its entries are still the ones it was made from.
  #planFor(env) {
    const plan = this.#plans.get(env);
    if (plan && sameEntries(env, plan)) return plan;
    const names = Object.keys(env);
    const values = names.map((name) => env[name]);
    const template = { ...env };
    const makers = new Map(); // binding name -> (invocation) -> its wrapper
    names.forEach((name, index) => {
      const kind = this.#kindOf(name, values[index]);
      if (!kind) return;
      // Its call sites and wrapper class too are made on the isolate's first read of it.
      const raw = values[index];
      let make = null;
      makers.set(name, (invocation) => (make ??= this.#maker(kind, name, raw))(raw, invocation));
      template[name] = UNMADE;
    });
    const made = { names, values, template, makers };
    this.#plans.set(env, made);
    return made;
  }

  // (binding, invocation) -> the binding guarded for that invocation.
  #maker(kind, name, binding) {
    const sites = this.#sitesFor(kind, name);
    if (kind === "d1") return (database, invocation) => new GuardedD1(database, invocation, sites);
    if (kind === "durable-object") return (namespace, invocation) => new GuardedNamespace(namespace, invocation, sites);
    const Wrapper = this.#classFor(kind, binding);
    const wrapResult = (resultKind, value, invocation) => this.wrap(resultKind, name, value, invocation);
    return (target, invocation) => new Wrapper({ binding: target, invocation, sites, wrapResult });
  }

  #kindOf(name, value) {
    if (this.#ownBindings.has(name)) return null;
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

// The traps of a guarded env's proxy, one set per invocation. A binding's entry is made
// into its wrapper the first time anything reads it (a get, or its descriptor, which
// Object.keys, for...in, spread and JSON.stringify all read) or redefines it.
// Every other trap is the plain object's, so the env reflects as a plain object of its entries.
class GuardedEnvTraps {
  #makers;
  #invocation;
  #unguarded;

  constructor(makers, invocation, unguarded) {
    this.#makers = makers;
    this.#invocation = invocation;
    this.#unguarded = unguarded;
  }

  get(env, name, receiver) {
    if (name === INVOCATION) return this.#invocation;
    if (name === UNGUARDED_ENV) return this.#unguarded;
    const value = Reflect.get(env, name, receiver);
    return value === UNMADE ? this.#made(env, name) : value;
  }

  // These look at the entry itself, never through [[Get]]: a getter the Worker defined on
  // the env runs only when the Worker reads it, as on a plain object.
  getOwnPropertyDescriptor(env, name) {
    const descriptor = Reflect.getOwnPropertyDescriptor(env, name);
    if (descriptor?.value !== UNMADE) return descriptor;
    return { ...descriptor, value: this.#made(env, name) };
  }

  defineProperty(env, name, descriptor) {
    if (Reflect.getOwnPropertyDescriptor(env, name)?.value === UNMADE) this.#made(env, name);
    return Reflect.defineProperty(env, name, descriptor);
  }

  #made(env, name) {
    const wrapper = this.#makers.get(name)(this.#invocation);
    env[name] = wrapper;
    return wrapper;
  }
}

// Whether env still has exactly the entries a plan was made from: an entry added, removed
// or changed since is planned afresh, so a new binding is never passed through unguarded
// and a changed var never goes stale. (A removed entry reads as undefined.)
// Object.keys and Object.values are one pass each; a lookup per name cost twice as much
// (about 500 ns for 21 entries, measured in workerd).
function sameEntries(env, { names, values }) {
  const nowNames = Object.keys(env);
  if (nowNames.length !== names.length) return false;
  const nowValues = Object.values(env);
  for (let i = 0; i < names.length; i += 1) if (nowNames[i] !== names[i] || nowValues[i] !== values[i]) return false;
  return true;
}
