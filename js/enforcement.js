// The hot path of one guard in one isolate. A guarded binding call makes one direct WASM
// export call (admit or check): no KV, no fetch, and no allocation in the core.
import { INVOCATION_SLOTS, VERDICTS } from "../dist/constants.js";
import { coreExports } from "./core.js";
import { GuardError } from "./errors.js";
import { logEvent } from "./log.js";
import { MeterLink } from "./meter/meter-link.js";

// Whether a binding's rejection came before it could have sent anything. Workerd's argument
// checks reject within 2 microtasks of the call; a reply from I/O can arrive only when the
// microtask queue is empty. `quietTurns` counts the times REFUSAL_MICROTASKS microtasks have
// passed with no guarded call: a rejection seen in the same turn as its call was never sent.
// One countdown serves every call of a turn, so a call costs one counter reset.
// Each step is a reaction to a settled promise, not queueMicrotask: the same microtask queue,
// but workerd's queueMicrotask costs about 2.5 µs a call, and a promise reaction 50 ns.
const REFUSAL_MICROTASKS = 8;
const SETTLED = Promise.resolve();
let quietTurns = 0;
let microtasksLeft = 0;

function countDown() {
  if (--microtasksLeft > 0) SETTLED.then(countDown);
  else quietTurns += 1;
}

function sendingTurn() {
  if (microtasksLeft === 0) SETTLED.then(countDown);
  microtasksLeft = REFUSAL_MICROTASKS;
  return quietTurns;
}

const { allow: ALLOW, tripped: TRIPPED, overBindingLimit: OVER_BINDING_LIMIT } = VERDICTS;

/**
 * What one method of one binding is charged to, fixed per isolate:
 * { meter, resource, binding, method, neutral }. `neutral(firstArg)` makes the result a
 * refused call returns when onBlocked is "skip"; null when the method has none.
 */
export class Enforcement {
  #core;
  #guardCore;
  #handle;
  #skip;
  #sites = new Map();
  #resourceIds = null;
  // Frees an invocation's counters once nothing can reach it: no guarded env, binding,
  // statement or stub of it is left, so it can make no more calls. Null where the runtime
  // has no FinalizationRegistry (compatibility dates before 2025-05-05:
  // https://developers.cloudflare.com/workers/configuration/compatibility-flags/#enable-finalizationregistry-and-weakref).
  #endings = null;
  #warnedOfEvictions = false;
  /** Breaker key -> { resource, binding, reason, since, source }, for refusal messages. */
  breakers = {};
  /** Why the Worker's own scheduled work is skipped (a budget or requests trip), or null. */
  stopsScheduledWork = null;
  /** Per-invocation limit refusals in this isolate, by limit key, since `limitHitsSince`. */
  limitHits = {};
  // Kept as a number: an isolate's first toISOString() costs about 1 ms (measured in node),
  // which a cold isolate's first request would pay for a figure only the status page reads.
  #limitHitsSinceMs = Date.now();

  /** The link to the real-time meter, or null when it is off. */
  meter = null;
  #featureNames; // by feature id - 1, in the normalised config's order (the core's)

  /**
   * `guardCore`: { handle } of the core's guard made from `config` (createGuardJson), kept
   * here so that the core's guard lives as long as this does.
   */
  constructor(config, guardCore, clock = Date.now) {
    this.#core = coreExports();
    this.#guardCore = guardCore;
    this.#handle = guardCore.handle;
    this.#featureNames = Object.keys(config.features ?? {});
    if (config.meter !== null) this.meter = new MeterLink(this.#core, this.#handle, config, clock, (view) => this.applyView(view));
    this.#skip = config.onBlocked === "skip";
    if (typeof FinalizationRegistry === "function") {
      this.#endings = new FinalizationRegistry((id) => this.#core._edgefuse_end(this.#handle, id));
    } else {
      logEvent(
        "warn",
        "no-finalization-registry",
        "edgefuse: this runtime has no FinalizationRegistry (compatibility_date before 2025-05-05), so " +
          `counters are freed only when ${INVOCATION_SLOTS.toLocaleString("en-US")} invocations have begun, ` +
          "those of finished invocations first; set compatibility_date to 2025-05-05 or later",
      );
    }
  }

  /** When this isolate began counting `limitHits`, as an ISO timestamp. */
  get limitHitsSince() {
    return new Date(this.#limitHitsSinceMs).toISOString();
  }

  /** The call site for `binding.method()`, charged to `resource`. Defined once per isolate. */
  site(resource, binding, method, neutral = null) {
    const key = `${resource}:${binding}.${method}`;
    let site = this.#sites.get(key);
    if (!site) {
      const meter = this.#core.defineMeter(this.#handle, resource, binding);
      // An id the catalogue lacks would leave the binding unguarded: refuse to start instead.
      if (meter < 0) throw new Error(`edgefuse: ${binding}.${method}() is charged to ${JSON.stringify(resource)}, which is not in the catalogue`);
      site = Object.freeze({ meter, resource, binding, method, neutral });
      this.#sites.set(key, site);
    }
    return site;
  }

  /** This guard's handle in the core: its config and enforcer. */
  get handle() {
    return this.#handle;
  }

  /** Takes in a view the core has put in force: the breakers, for refusal messages. */
  applyView({ breakers, stopsScheduledWork }) {
    this.breakers = breakers;
    this.stopsScheduledWork = stopsScheduledWork;
  }

  /** Units this invocation has used, per resource id (only those it used). */
  usage(id) {
    const usage = {};
    this.#resourceIds ??= JSON.parse(this.#core.resourcesJson()).resources.map((resource) => resource.id);
    this.#resourceIds.forEach((resource, index) => {
      const used = this.#core._edgefuse_used_resource(this.#handle, id, index);
      if (used > 0) usage[resource] = used;
    });
    return usage;
  }

  /** Begins counting an invocation that runs with the Worker's `env` and `ctx`, of a feature (0: none). */
  begin(env, ctx, feature = 0) {
    const invocation = new Invocation(this, this.#core._edgefuse_begin(this.#handle, feature), env, ctx, feature);
    this.meter?.poke(env, ctx);
    this.#endings?.register(invocation, invocation.id);
    if (!this.#warnedOfEvictions && this.#core._edgefuse_evictions(this.#handle, 1) > 0) {
      this.#warnedOfEvictions = true;
      logEvent(
        "warn",
        "counters-evicted",
        `edgefuse: ${INVOCATION_SLOTS.toLocaleString("en-US")} invocations were alive in this isolate at once, ` +
          "with handlers still running: the counters of those idle longest were dropped, and their later calls pass uncounted",
      );
    }
    return invocation;
  }

  /**
   * Invocations counted in this isolate now; counters taken back from invocations not yet
   * garbage, and of those, from invocations whose handler was still running.
   */
  get invocations() {
    return {
      live: this.#core._edgefuse_live(this.#handle),
      evicted: this.#core._edgefuse_evictions(this.#handle, 0),
      evictedRunning: this.#core._edgefuse_evictions(this.#handle, 1),
    };
  }

  finish(invocation) {
    this.#core._edgefuse_finish(this.#handle, invocation.id);
    this.meter?.poke(invocation.env, invocation.ctx);
  }

  admitVerdict(id, site, units) {
    return this.#core._edgefuse_admit(this.#handle, id, site.meter, units);
  }

  checkVerdict(id, site) {
    return this.#core._edgefuse_check(this.#handle, id, site.meter);
  }

  record(id, site, units) {
    this.#core._edgefuse_record(this.#handle, id, site.meter, units);
  }

  refund(id, site, units) {
    this.#core._edgefuse_refund(this.#handle, id, site.meter, units);
  }

  /**
   * What a refused call returns: a rejection, or the neutral value in skip mode. The first
   * refusal of each limit or breaker in an invocation is logged, as one structured object.
   */
  refuse(verdict, invocation, site, firstArg) {
    const { resource, binding, method } = site;
    const details = { code: verdict === TRIPPED ? "tripped" : "invocation-limit", resource, binding, method };
    let logKey;
    if (verdict === TRIPPED) {
      const bindingKey = `${resource}:${binding}`;
      const featureKey = invocation.feature ? `${resource}@${this.#featureNames[invocation.feature - 1]}` : null;
      const keyOf = (meterBreakers) =>
        this.breakers[bindingKey] || meterBreakers[bindingKey] ? bindingKey : featureKey && meterBreakers[featureKey] ? featureKey : resource;
      let key = keyOf(this.meter?.breakers ?? {});
      // Refused for want of the meter's room since this isolate last asked what is in force:
      // named, and the meter asked at once for a new room (a long invocation may not end soon).
      if (this.meter && !this.breakers[key] && !this.meter.breakers[key]) {
        this.meter.poke(invocation.env, invocation.ctx);
        key = keyOf(this.meter.breakers);
      }
      const breaker = this.breakers[key] ?? this.meter?.breakers[key] ?? {};
      details.reason = breaker.reason ?? "";
      details.since = breaker.since ?? "";
      logKey = `tripped:${key}`;
    } else {
      const throughBinding = verdict === OVER_BINDING_LIMIT ? 1 : 0;
      details.used = this.#core._edgefuse_used(this.#handle, invocation.id, site.meter, throughBinding);
      details.limit = this.#core._edgefuse_limit(this.#handle, site.meter, throughBinding);
      details.limitKey = throughBinding ? `${resource}:${binding}` : resource;
      this.limitHits[details.limitKey] = (this.limitHits[details.limitKey] ?? 0) + 1;
      logKey = `limit:${details.limitKey}`;
    }
    const skipped = this.#skip && site.neutral;
    if (invocation.firstRefusal(logKey)) {
      logEvent("warn", "refused", `edgefuse: ${binding}.${method}() refused${skipped ? " (skipped)" : ""}`, details);
    }
    if (skipped) return Promise.resolve(site.neutral(firstArg));
    return Promise.reject(new GuardError(details));
  }
}

/** One invocation's counters, as binding wrappers see them. */
export class Invocation {
  constructor(enforcement, id, env, ctx, feature) {
    this.enforcement = enforcement;
    this.id = id;
    this.feature = feature; // its id in the core, 0 for none
    this.env = env; // the Worker's own, for the guard's reports to the meter
    this.ctx = ctx;
    this.refused = null; // limit and breaker keys that refused a call, once one has
  }

  /**
   * Charges `units` to `site` before the call. Returns undefined when the call may go
   * ahead, else the promise it must return instead: `admit(...) ?? binding.call(...)`.
   */
  admit(site, units, firstArg) {
    const verdict = this.enforcement.admitVerdict(this.id, site, units);
    return verdict === ALLOW ? undefined : this.enforcement.refuse(verdict, this, site, firstArg);
  }

  /** As admit, for a call whose cost is known only afterwards (a D1 query). */
  check(site, firstArg) {
    const verdict = this.enforcement.checkVerdict(this.id, site);
    return verdict === ALLOW ? undefined : this.enforcement.refuse(verdict, this, site, firstArg);
  }

  /** Whether `key` (a limit or breaker) refuses a call of this invocation for the first time. */
  firstRefusal(key) {
    this.refused ??= new Set();
    if (this.refused.has(key)) return false;
    this.refused.add(key);
    return true;
  }

  /**
   * Makes a call admitted with `units`, and gives them back if the binding refuses it
   * before sending anything: it throws, or its promise rejects before the microtask queue
   * next runs dry (see sendingTurn). Promise-like results that are not promises (an RPC
   * promise, which pipelines) are left as they are.
   */
  send(site, units, call) {
    let result;
    try {
      result = call();
    } catch (error) {
      this.enforcement.refund(this.id, site, units);
      throw error;
    }
    if (!(result instanceof Promise) || units <= 0) return result;
    const turn = sendingTurn();
    return result.then(undefined, (error) => {
      if (turn === quietTurns) this.enforcement.refund(this.id, site, units);
      throw error;
    });
  }

  /** Its handler has returned: its counters go first if the isolate runs out of slots. */
  finish() {
    this.enforcement.finish(this);
  }

  /** Charges what a call actually cost, after it ran. */
  record(site, units) {
    if (units > 0) this.enforcement.record(this.id, site, units);
  }
}
