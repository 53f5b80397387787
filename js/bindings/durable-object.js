// Durable Object namespaces: every fetch() or RPC call on a stub is one request.

// Stub properties that are not calls to the object.
const STUB_PROPERTIES = new Set(["id", "name", "then"]);

export class GuardedNamespace {
  constructor(namespace, invocation, site) {
    this.namespace = namespace;
    this.invocation = invocation;
    this.site = site;
  }

  get(id, options) {
    return guardStub(this.namespace.get(id, options), this.invocation, this.site);
  }

  getByName(name, options) {
    return guardStub(this.namespace.getByName(name, options), this.invocation, this.site);
  }

  jurisdiction(jurisdiction) {
    return new GuardedNamespace(this.namespace.jurisdiction(jurisdiction), this.invocation, this.site);
  }

  idFromName(name) {
    return this.namespace.idFromName(name);
  }

  idFromString(id) {
    return this.namespace.idFromString(id);
  }

  newUniqueId(options) {
    return this.namespace.newUniqueId(options);
  }
}

function guardStub(stub, invocation, site) {
  return new Proxy(stub, {
    get(target, property) {
      if (typeof property === "symbol" || STUB_PROPERTIES.has(property)) return Reflect.get(target, property);
      const call = (...args) => invocation.admit(site, 1) ?? target[property](...args);
      // `await stub.someProperty` reads an RPC property: also a request.
      call.then = (resolve, reject) => (invocation.admit(site, 1) ?? target[property]).then(resolve, reject);
      return call;
    },
  });
}
