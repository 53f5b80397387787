// Durable Object namespaces: every fetch() or RPC call on a stub is one request.
import { rawForOtherThis } from "./spec-wrapper.js";

// A stub answers a name from itself first (`id`, `name`), then from its prototypes (`fetch`
// and `connect`, which are requests, then Object's `toString`, `constructor`...), and only
// then as an RPC property of the object. Of those only Object's names and its own are not
// calls to the object, nor is `then` (a stub is not a promise); JSON.stringify of a stub is
// its own properties, not an RPC named toJSON.
const OBJECT_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), "then"]);

let isGuardedNamespace;

// A guarded namespace shows what the real one shows (its class name, no fields of the guard's).
export class GuardedNamespace {
  static {
    Object.defineProperty(this, "name", { value: "DurableObjectNamespace" });
  }

  #namespace;
  #invocation;
  #site;

  constructor(namespace, invocation, site) {
    this.#namespace = namespace;
    this.#invocation = invocation;
    this.#site = site;
    seeRawNamespace(namespace);
  }

  static {
    isGuardedNamespace = (value) => value !== null && typeof value === "object" && #namespace in value;
  }

  get(id, options) {
    return guardStub(this.#namespace.get(id, options), this.#invocation, this.#site);
  }

  getByName(name, options) {
    return guardStub(this.#namespace.getByName(name, options), this.#invocation, this.#site);
  }

  jurisdiction(jurisdiction) {
    return new GuardedNamespace(this.#namespace.jurisdiction(jurisdiction), this.#invocation, this.#site);
  }

  idFromName(name) {
    return this.#namespace.idFromName(name);
  }

  idFromString(id) {
    return this.#namespace.idFromString(id);
  }

  newUniqueId(options) {
    return this.#namespace.newUniqueId(options);
  }
}

const seeRawNamespace = rawForOtherThis(GuardedNamespace, (value) => isGuardedNamespace(value));

function guardStub(stub, invocation, site) {
  return new Proxy(stub, {
    get(target, property) {
      if (typeof property === "symbol" || OBJECT_NAMES.has(property) || Object.hasOwn(target, property)) {
        return Reflect.get(target, property);
      }
      if (property === "toJSON") return () => ({ ...target });
      return rpcProperty(() => target, property, invocation, site);
    },
  });
}

// An RPC property of the object, as the raw stub gives it: called, awaited (`await
// stub.info`) or read further (`await stub.info.nested`, pipelined), each one request,
// charged when it is made. Nothing is sent, or charged, for merely reading the name.
function rpcProperty(owner, name, invocation, site) {
  const raw = () => owner()[name];
  const call = (...args) => invocation.admit(site, 1) ?? invocation.send(site, 1, () => owner()[name](...args));
  const read = () => invocation.admit(site, 1) ?? Promise.resolve(raw());
  return new Proxy(call, {
    get(_, key) {
      if (key === "then") return (resolve, reject) => read().then(resolve, reject);
      if (key === "catch") return (reject) => read().catch(reject);
      if (key === "finally") return (settled) => read().finally(settled);
      if (typeof key === "symbol") return Reflect.get(raw(), key);
      return rpcProperty(raw, key, invocation, site);
    },
  });
}
