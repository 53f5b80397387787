// Builds the wrapper class for a binding kind from its spec (see specs.js), once per kind
// and binding prototype. Charged methods ask the invocation first; every other method of
// the binding passes straight through, so the wrapper never hides part of the API.


/**
 * Makes every method of a guarded class (its own and inherited) do what the raw method does
 * when called with a `this` that is not a guarded instance (`guarded.DB.prepare.call(env.DB,
 * sql)`, or destructured and called bare). `isGuarded(value)` tells instances apart. Returns
 * `seeRaw(real)`, for the constructor: the first raw object seen gives the raw methods and
 * the class its String() tag (see mirrorStringTag).
 */
export function rawForOtherThis(Class, isGuarded) {
  let rawPrototype = null;
  const names = new Set();
  for (let proto = Class.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== "constructor" && typeof Object.getOwnPropertyDescriptor(proto, name).value === "function") names.add(name);
    }
  }
  for (const name of names) {
    const guardedMethod = Class.prototype[name];
    const method = function (...args) {
      if (isGuarded(this)) return Reflect.apply(guardedMethod, this, args);
      return Reflect.apply(rawPrototype[name], this, args);
    };
    Object.defineProperty(method, "name", { value: name });
    Object.defineProperty(Class.prototype, name, { value: method, writable: true, configurable: true });
  }
  return (real) => {
    if (rawPrototype) return;
    rawPrototype = Object.getPrototypeOf(real);
    mirrorStringTag(Class.prototype, real);
  };
}

/**
 * Gives a guarded class's prototype the raw object's Symbol.toStringTag, once, so that
 * String(guarded) reads as String(raw) ("[object KvNamespace]").
 */
function mirrorStringTag(prototype, raw) {
  const tag = raw?.[Symbol.toStringTag];
  if (typeof tag === "string" && !Object.hasOwn(prototype, Symbol.toStringTag)) {
    Object.defineProperty(prototype, Symbol.toStringTag, { value: tag });
  }
}

/**
 * The binding's API along its prototype chain (except Object's own): `methods`, and
 * `properties` (getters and own data, e.g. a multipart upload's uploadId).
 */
export function bindingApi(target) {
  const methods = new Set();
  const properties = new Set();
  for (let proto = Object.getPrototypeOf(target); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === "constructor") continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (typeof descriptor.value === "function") methods.add(name);
      else if (descriptor.get) properties.add(name);
    }
  }
  for (const name of Object.keys(target)) (typeof target[name] === "function" ? methods : properties).add(name);
  return { methods, properties };
}

/**
 * A class whose instances wrap one binding for one invocation:
 * new Wrapper({ binding, invocation, sites, wrapResult }). `sites` maps method -> call site;
 * `wrapResult(kind, value, invocation)` wraps what a `wraps` method returns.
 */
export function specWrapperClass(spec, target) {
  const { methods, properties } = bindingApi(target);
  // The binding's own data (a multipart upload's uploadId and key) is the wrapper's own too.
  const ownData = Object.keys(target).filter((name) => typeof target[name] !== "function");
  // What a wrapper keeps, { binding, invocation, sites, wrapResult }, is in a private field:
  // out of sight of Object.keys, for...in, spread, JSON.stringify and symbol listings.
  // stateOf(value): the state of a wrapper, or undefined for anything else (a raw binding).
  let stateOf;
  class Wrapper {
    #state;
    constructor(state) {
      this.#state = state;
      for (const name of ownData) this[name] = state.binding[name];
    }

    static {
      stateOf = (value) => (value !== null && typeof value === "object" && #state in value ? value.#state : undefined);
    }
  }
  // `guarded.constructor.name` and String(guarded) are the raw binding's: KvNamespace...
  Object.defineProperty(Wrapper, "name", { value: target.constructor?.name ?? "Object" });
  mirrorStringTag(Wrapper.prototype, target);
  // An RPC stub (a service binding named as a kind in `bindings`) lists no methods, yet
  // answers every name with a callable: the kind's charged methods must still be charged.
  for (const name of Object.keys(spec)) {
    if (spec[name].resource && !methods.has(name) && typeof target[name] === "function") methods.add(name);
  }
  for (const name of methods) {
    const rule = spec[name];
    const method = rule ? chargedMethod(name, rule, target[name], stateOf) : passThrough(name, target[name], stateOf);
    Object.defineProperty(method, "name", { value: name });
    Wrapper.prototype[name] = method;
  }
  for (const name of properties) {
    if (name in Wrapper.prototype || ownData.includes(name)) continue;
    Object.defineProperty(Wrapper.prototype, name, {
      get() {
        return stateOf(this).binding[name];
      },
    });
  }
  return Wrapper;
}

// A method called on something other than a wrapper (`guarded.get.call(env.KV, key)`, or
// destructured and called bare) does what the raw method does with that `this`: runs on the
// raw binding it was given, or fails with the raw binding's own error.
function passThrough(name, rawMethod, stateOf) {
  return function (...args) {
    const guarded = stateOf(this);
    if (!guarded) return Reflect.apply(rawMethod, this, args);
    return guarded.binding[name](...args);
  };
}

function chargedMethod(name, rule, rawMethod, stateOf) {
  const units = rule.units ?? (() => 1);
  if (rule.prepare) {
    const charged = chargedMethod(name, { ...rule, prepare: undefined }, rawMethod, stateOf);
    return function (first, ...rest) {
      return charged.call(this, rule.prepare(first), ...rest);
    };
  }
  if (!rule.resource) {
    return function (...args) {
      const guarded = stateOf(this);
      if (!guarded) return Reflect.apply(rawMethod, this, args);
      return guarded.wrapResult(rule.wraps, guarded.binding[name](...args), guarded.invocation);
    };
  }
  if (rule.wraps) {
    return function (...args) {
      const guarded = stateOf(this);
      if (!guarded) return Reflect.apply(rawMethod, this, args);
      const site = guarded.sites[name];
      const charged = units(args[0], args[1]);
      return (
        guarded.invocation.admit(site, charged, args[0]) ??
        guarded.invocation.send(site, charged, () => guarded.binding[name](...args)).then((value) => guarded.wrapResult(rule.wraps, value, guarded.invocation))
      );
    };
  }
  return function (...args) {
    const guarded = stateOf(this);
    if (!guarded) return Reflect.apply(rawMethod, this, args);
    const site = guarded.sites[name];
    const charged = units(args[0], args[1]);
    return guarded.invocation.admit(site, charged, args[0]) ?? guarded.invocation.send(site, charged, () => guarded.binding[name](...args));
  };
}
