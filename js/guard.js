// createGuard(): validates the config in the core; the guard then wraps handlers and envs.
import { BreakerRefresh } from "./breakers.js";
import { detectKind } from "./bindings/detect.js";
import { EnvGuard, INVOCATION, UNGUARDED_ENV } from "./bindings/env-guard.js";
import { callCore, coreExports, releaseWith } from "./core.js";
import { deepFreeze } from "./deep-freeze.js";
import { Enforcement } from "./enforcement.js";
import { GuardConfigError, GuardInputError, blockedResponse, findGuardError, toJsonText } from "./errors.js";
import { actionInputs, runTick } from "./poll.js";
import { adminEnabled, handleAdmin } from "./admin.js";
import { RateLimits, decodedPath } from "./rate-limit/rate-limits.js";
import { WorkerEntrypoint } from "#cloudflare-workers";
import { logEvent } from "./log.js";

/**
 * Creates a guard from plain JSON config. Throws GuardConfigError listing every problem;
 * nothing half-validated is ever used. `options.clock` (ms since the epoch) is for tests.
 */
export function createGuard(config, options = {}) {
  // One parse: the core validates the config and keeps it for this guard, named by the handle,
  // until the guard is dropped.
  const reply = callCore("createGuardJson", toJsonText(config, "(config)", GuardConfigError));
  if (!reply.ok) throw new GuardConfigError(reply.problems);
  // Held by the guard and its enforcement, which is all that runs with the handle.
  const guardCore = { handle: reply.handle };
  releaseWith(guardCore, () => coreExports().guardEnd(reply.handle));
  return new Guard(deepFreeze(reply.config), guardCore, options.clock ?? Date.now);
}

class Guard {
  #guardCore; // { handle }: the core's guard, made from this config
  #clock;
  #runtime = null;
  #rateLimits;
  #hasFeatures; // whether invocations are labelled with a feature for the meter

  constructor(config, guardCore, clock) {
    /** The normalised config, every default filled in. */
    this.config = config;
    this.#guardCore = guardCore;
    this.#clock = clock;
    this.#rateLimits = new RateLimits(config.rateLimit, clock);
    this.#hasFeatures = Object.keys(config.features).length > 0;
  }

  // The per-isolate parts, made on first use.
  get #parts() {
    if (!this.#runtime) {
      const enforcement = new Enforcement(this.config, this.#guardCore, this.#clock);
      const breakers = new BreakerRefresh(enforcement, this.config, this.#clock);
      this.#runtime = {
        enforcement,
        breakers,
        envGuard: new EnvGuard(enforcement, this.config),
      };
    }
    return this.#runtime;
  }

  /**
   * `env` with every recognised binding guarded for one invocation. Await it once per
   * invocation (fetch, scheduled, queue, or an RPC method) and use the result throughout.
   * `invocation` labels it with a configured feature for the real-time meter, as guard.wrap
   * does: `{ request }` (by its path), `{ cron }`, `{ queue }`, or `{ feature: "<name>" }`.
   */
  async env(env, ctx, invocation = undefined) {
    return this.#guardedEnv(env, ctx, invocation === undefined ? 0 : this.#featureOfInvocation(invocation));
  }

  // The feature of what guard.env was told of the invocation; a feature name the config
  // lacks, or a label of the wrong shape, is the caller's error, never "no feature".
  #featureOfInvocation(invocation) {
    const fail = (message, fix) => {
      throw new GuardInputError([{ path: "invocation", message, fix }]);
    };
    const { request, cron, queue, feature } = invocation ?? {};
    const given = (request !== undefined) + (cron !== undefined) + (queue !== undefined) + (feature !== undefined);
    if (typeof invocation !== "object" || given !== 1) {
      fail("must name the invocation by one of request, cron, queue or feature", '{ request }, { cron: controller.cron }, { queue: batch.queue } or { feature: "import" }');
    }
    if (feature !== undefined) {
      const id = typeof feature === "string" ? coreExports().featureOf(this.#parts.enforcement.handle, "name", feature) : -1;
      if (id < 0) fail(`names no configured feature (got ${String(JSON.stringify(feature)).slice(0, 64)})`, `one of: ${Object.keys(this.config.features).join(", ") || "(none configured)"}`);
      return id;
    }
    if (request !== undefined) {
      const url = typeof request === "string" ? request : request?.url;
      if (typeof url !== "string") fail("request must be a Request or an absolute URL", "pass the handler's request");
      if (!this.#hasFeatures) return 0;
      let path;
      try {
        path = new URL(url).pathname;
      } catch {
        fail("request must be a Request or an absolute URL", "pass the handler's request");
      }
      return this.#featureOf("fetch", decodedPath(path));
    }
    const value = cron ?? queue;
    if (typeof value !== "string") fail(`${cron !== undefined ? "cron" : "queue"} must be a string`, cron !== undefined ? "pass controller.cron" : "pass batch.queue");
    return this.#featureOf(cron !== undefined ? "scheduled" : "queue", value);
  }

  // The guarded env, or a promise of it while a cold isolate waits for the breaker state:
  // a warm one neither awaits nor allocates a promise.
  // `feature`: the feature the invocation belongs to (#featureOf), 0 for none.
  #guardedEnv(env, ctx, feature = 0) {
    if (env === null || typeof env !== "object") {
      throw new TypeError(`edgefuse: guard.env(env, ctx) takes the Worker's env object, got ${env === null ? "null" : typeof env}`);
    }
    const { breakers, enforcement, envGuard } = this.#parts;
    const loading = breakers.refresh(env, ctx);
    if (loading) return loading.then(() => envGuard.guard(env, enforcement.begin(env, ctx, feature)));
    return envGuard.guard(env, enforcement.begin(env, ctx, feature));
  }

  // The core decides which feature an invocation of `kind` ("fetch" with its decoded path,
  // "scheduled" with its cron, "queue" with its queue's name) belongs to.
  #featureOf(kind, value) {
    if (!this.#hasFeatures || typeof value !== "string") return 0;
    return coreExports().featureOf(this.#parts.enforcement.handle, kind, value);
  }

  /**
   * The handler with each of its entry points (fetch, scheduled, queue, tail, trace,
   * tailStream, email, test) given a guarded env; its other methods (a framework's own) stay
   * the handler's. Or a WorkerEntrypoint class, whose methods then see a guarded this.env. A
   * GuardError escaping fetch becomes a 503 with Retry-After and a JSON body naming the resource.
   */
  wrap(handler) {
    if (typeof handler === "function") return this.#wrapEntrypoint(handler);
    const guarded = {};
    for (const key of handlerKeys(handler)) {
      const value = handler[key];
      if (typeof value !== "function") {
        guarded[key] = value;
      } else if (key === "fetch") {
        guarded.fetch = (request, env, ctx) => this.#fetch(handler, request, env, ctx);
      } else if (ENTRY_POINTS.has(key)) {
        guarded[key] = async (event, env, ctx) => {
          const guardedEnv = await this.#guardedEnv(env, ctx, key === "queue" ? this.#featureOf("queue", event?.queue) : 0);
          try {
            return await handler[key](event, guardedEnv, ctx);
          } finally {
            guardedEnv[INVOCATION].finish();
          }
        };
      } else {
        // A framework's own method (Hono's get, route, request...): the handler's, as it is.
        guarded[key] = value.bind(handler);
      }
    }
    guarded.scheduled = (controller, env, ctx) => this.#scheduled(handler, controller, env, ctx);
    return guarded;
  }

  // A WorkerEntrypoint class: a subclass whose methods each see a guarded this.env. One
  // instance serves one incoming call or RPC session, which is one invocation: its RPC
  // methods share one guarded env. fetch and scheduled go through the same paths as a
  // handler object's (the 503, the admin area, the usage poll on its cron), each its own
  // invocation. Only the class's own methods are wrapped, so no RPC method is added.
  #wrapEntrypoint(Entrypoint) {
    if (!(Entrypoint.prototype instanceof WorkerEntrypoint)) {
      throw new TypeError(
        `edgefuse: guard.wrap() takes the Worker's handler object or a WorkerEntrypoint class, got ${Entrypoint.name ? `class ${Entrypoint.name}` : "a function"}; ` +
          "a Durable Object asks for await guard.env(this.env, this.ctx) in its methods",
      );
    }
    const guard = this;
    const rawEnvs = new WeakMap(); // instance -> the env the runtime gave it
    const rpcEnvs = new WeakMap(); // instance -> its RPC methods' guarded env (a promise)
    const rawEnv = (instance) => {
      if (!rawEnvs.has(instance)) rawEnvs.set(instance, instance.env);
      return rawEnvs.get(instance);
    };
    const Guarded = { [Entrypoint.name]: class extends Entrypoint {} }[Entrypoint.name];
    for (const key of ownMethodNames(Entrypoint.prototype, WorkerEntrypoint.prototype)) {
      const method = Entrypoint.prototype[key];
      let wrapped;
      if (key === "fetch" || key === "scheduled") {
        // The instance's method as a handler object's: env arrives guarded, becomes this.env.
        wrapped = async function (event) {
          const handler = { [key]: (inner, guardedEnv) => method.call(Object.assign(this, { env: guardedEnv }), inner) };
          return key === "fetch" ? guard.#fetch(handler, event, rawEnv(this), this.ctx) : guard.#scheduled(handler, event, rawEnv(this), this.ctx);
        };
      } else {
        wrapped = async function (...args) {
          const raw = rawEnv(this);
          if (!rpcEnvs.has(this)) rpcEnvs.set(this, Promise.resolve(guard.#guardedEnv(raw, this.ctx)));
          this.env = await rpcEnvs.get(this);
          return method.apply(this, args);
        };
      }
      Object.defineProperty(wrapped, "name", { value: key });
      Object.defineProperty(Guarded.prototype, key, { value: wrapped, writable: true, configurable: true });
    }
    return Guarded;
  }

  // The admin area and route limits first, each only when configured (the URL is parsed once,
  // and only then), then the handler with a guarded env.
  async #fetch(handler, request, env, ctx) {
    const admin = adminEnabled(this.config, env);
    let limited = null;
    let feature = 0;
    if (admin || this.#rateLimits.hasRoutes || this.#hasFeatures) {
      const url = new URL(request.url);
      const adminResponse = admin ? await handleAdmin(this, request, env, url) : null;
      if (adminResponse) return adminResponse;
      limited = this.#rateLimits.hasRoutes ? await this.#rateLimits.routeLimit(request, env, ctx, url) : null;
      if (limited?.refused) return limited.refused;
      if (this.#hasFeatures) feature = this.#featureOf("fetch", decodedPath(url.pathname));
    }
    let guardedEnv = this.#guardedEnv(env, ctx, feature);
    if (guardedEnv instanceof Promise) guardedEnv = await guardedEnv;
    try {
      const response = await handler.fetch(request, guardedEnv, ctx);
      return limited?.headers ? withHeaders(response, limited.headers) : response;
    } catch (error) {
      const guardError = findGuardError(error);
      if (guardError) return blockedResponse(guardError, this.config.refreshSeconds);
      throw error;
    } finally {
      guardedEnv[INVOCATION].finish();
    }
  }

  /**
   * Runs one usage evaluation now: reads usage, trips or recovers breakers, writes the state
   * when something changed. Resolves to a report; never rejects. `now` (ms) is for tests.
   */
  async evaluate(env, { now } = {}) {
    const kv = { reads: 0, writes: 0, deletes: 0 };
    return { ...(await this.#tick(env, { kind: "tick", now: now ?? this.#clock(), ...this.#credentials(env) }, kv)), kv };
  }

  // Runs one tick of the core's poll driver; what it puts in force reaches this isolate's
  // refusal messages. Never rejects: a fault of the guard's own is reported.
  async #tick(env, start, kv) {
    const { enforcement } = this.#parts;
    try {
      const { view, meterBaseline, ...result } = await runTick(enforcement.handle, this.config, env, start, kv);
      if (view) enforcement.applyView(view);
      // The real-time meter's live quotas start from this tick's figures.
      if (meterBaseline && enforcement.meter) await enforcement.meter.baseline(env?.[UNGUARDED_ENV] ?? env, meterBaseline);
      return result;
    } catch (error) {
      const message = `usage poll failed: ${error?.message ?? error}`;
      logEvent("error", "poll-failed", `edgefuse: ${message}`);
      return { ok: false, error: message };
    }
  }

  #credentials(env) {
    const secret = (name) => (typeof env?.[name] === "string" ? env[name] : null);
    const credentials = { accountId: secret(this.config.accountIdEnv), token: secret(this.config.apiTokenEnv), ...actionInputs(this.config, env) };
    const endpoint = env?.[this.config.endpointEnv];
    // A URL, or a service binding (a test's simulator Worker). Anything else is named, so
    // that the core refuses it rather than the poll going quietly to Cloudflare.
    if (typeof endpoint?.fetch === "function") return { ...credentials, endpointBinding: true };
    if (endpoint !== undefined && endpoint !== null && typeof endpoint !== "string") return { ...credentials, endpoint: `(${typeof endpoint})` };
    return { ...credentials, endpoint: endpoint ?? null };
  }

  /**
   * Takes `cost` tokens (default 1) from the bucket of `key` under this limit, in the
   * EdgefuseRateLimiter Durable Object (or KV, in the KV mode); the key is hashed before it
   * leaves the Worker. Resolves to { allowed, remaining, retryAfterSeconds, resetSeconds }.
   * Bad parameters throw a GuardInputError; a limiter that cannot answer fails open:
   * { allowed: true, failedOpen: true }. A guarded env works too: the limiter's own calls
   * are never charged to your limits.
   */
  rateLimit(env, key, { capacity, refillPerSecond, cost } = {}, ctx = undefined) {
    return this.#rateLimits.take(env?.[UNGUARDED_ENV] ?? env, key, { capacity, refillPerSecond, cost }, ctx);
  }

  /**
   * What the status page shows: a read-only evaluation now (usage, quotas, projections,
   * decisions), the breakers in KV, and this isolate's per-invocation limit hits.
   */
  async status(env) {
    const { enforcement } = this.#parts;
    const kv = { reads: 0, writes: 0, deletes: 0 };
    const report = await this.#tick(env, { kind: "status", now: this.#clock(), ...this.#credentials(env) }, kv);
    return { ...report, kv, limitHits: { since: enforcement.limitHitsSince, counts: { ...enforcement.limitHits } }, meter: this.meter };
  }

  /**
   * Trips `resources` (ids, or "<resource>:<BINDING>") by hand until reset, or for
   * `ttlSeconds`. A cron tick never clears a manual trip. Resolves to the breakers in force.
   */
  async trip(env, resources, reason = undefined, { ttlSeconds } = {}) {
    return this.#manual(env, "trip", { resources: keysOf(resources), reason, ttlSeconds });
  }

  /**
   * Clears the breakers of `resources`, and keeps the poll from tripping them again for
   * `holdSeconds` (left out: until their window resets). Resolves to the breakers in force.
   */
  async reset(env, resources, { holdSeconds } = {}) {
    return this.#manual(env, "reset", { resources: keysOf(resources), holdSeconds });
  }

  // The core checks every field (JSON drops those left undefined); it is told the env's
  // bindings, the only ones besides the config's that a per-binding key may name.
  async #manual(env, kind, operation) {
    const { enforcement } = this.#parts;
    const raw = env?.[UNGUARDED_ENV] ?? env;
    const envBindings = Object.keys(raw ?? {}).filter((name) => detectKind(raw[name]) !== null);
    const { accountId, actions } = this.#credentials(env);
    const result = await runTick(enforcement.handle, this.config, env, { kind, now: this.#clock(), accountId, actions, operation: { ...operation, envBindings } });
    if (result.view) enforcement.applyView(result.view);
    if (result.problems) throw new GuardInputError(result.problems);
    if (!result.ok) throw new Error(result.error);
    // A reset wins over the real-time meter too: its trips on these keys end, held off.
    if (kind === "reset" && enforcement.meter) await enforcement.meter.reset(raw, operation.resources, operation.holdSeconds);
    return result.breakers;
  }

  // The guard's cron work first, then the handler's own, unless the guard is tripped
  // globally (the budget, or Workers requests) and scheduledWhenTripped is "skip".
  async #scheduled(handler, controller, env, ctx) {
    const { evaluateCron } = this.config;
    if (evaluateCron === null || controller?.cron === evaluateCron) await this.evaluate(env);
    if (typeof handler.scheduled !== "function") return;
    const guardedEnv = await this.#guardedEnv(env, ctx, this.#featureOf("scheduled", controller?.cron));
    const { stopsScheduledWork } = this.#parts.enforcement;
    try {
      if (stopsScheduledWork !== null) {
        logEvent("warn", "scheduled-skipped", `edgefuse: scheduled work skipped while the guard is tripped: ${stopsScheduledWork}`, { cron: controller?.cron });
        return;
      }
      await handler.scheduled(controller, guardedEnv, ctx);
    } finally {
      guardedEnv[INVOCATION].finish();
    }
  }

  /** Units the invocation behind a guarded env has used so far, per resource id. */
  usage(guardedEnv) {
    const invocation = guardedEnv?.[INVOCATION];
    if (!invocation) throw new TypeError("edgefuse: guard.usage() takes an env returned by guard.env()");
    return invocation.enforcement.usage(invocation.id);
  }

  /** The guard's own KV reads of breaker state in this isolate: for tests and benchmarks. */
  get stateReads() {
    return this.#runtime?.breakers.reads ?? 0;
  }

  /**
   * Invocations whose counters this isolate keeps now (`live`; freed when an invocation's
   * guarded env is garbage), counters dropped from invocations not yet collected
   * (`evicted`), and of those, from handlers still running (`evictedRunning`).
   */
  get invocations() {
    return this.#parts.enforcement.invocations;
  }

  /**
   * The real-time meter as this isolate sees it: the meter's breakers in force here, and its
   * reports answered and failed. Null when the meter is off.
   */
  get meter() {
    const { meter } = this.#parts.enforcement;
    return meter && { breakers: { ...meter.breakers }, reports: { ...meter.reports } };
  }

  /** KV operations of the rate limiter's KV mode in this isolate: { reads, writes }. */
  get rateLimitKvOps() {
    return this.#rateLimits.kvOps;
  }
}

// The entry points workerd calls with (event, env, ctx), besides fetch and scheduled:
// https://developers.cloudflare.com/workers/runtime-apis/handlers/
const ENTRY_POINTS = new Set(["queue", "tail", "trace", "tailStream", "email", "test"]);

function keysOf(resources) {
  const keys = typeof resources === "string" ? [resources] : resources;
  if (!Array.isArray(keys)) {
    throw new GuardInputError([{ path: "resources", message: "must be a resource id or a list of them", fix: 'e.g. ["kv-writes"]' }]);
  }
  return keys;
}

// The methods a class's prototypes define below `base` (its own and its ancestors' up to it).
function ownMethodNames(prototype, base) {
  const names = new Set();
  for (let proto = prototype; proto && proto !== base; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if (key !== "constructor" && typeof descriptor.value === "function") names.add(key);
    }
  }
  return names;
}

function handlerKeys(handler) {
  if (handler === null || typeof handler !== "object") {
    throw new TypeError("edgefuse: guard.wrap(handler) takes the Worker's handler object ({ fetch, scheduled, ... }) or a WorkerEntrypoint class");
  }
  const keys = new Set(Object.keys(handler));
  for (let proto = Object.getPrototypeOf(handler); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) if (key !== "constructor") keys.add(key);
  }
  return keys;
}

function withHeaders(response, headers) {
  const copy = new Response(response.body, response);
  for (const [name, value] of Object.entries(headers)) copy.headers.set(name, value);
  return copy;
}
