// Per-client rate limits: the choice of backend (the EdgefuseRateLimiter Durable Object, or
// the KV mode), failing open, and the route limits guard.wrap applies with their headers.
import { callCore } from "../core.js";
import { GuardInputError } from "../errors.js";
import { KvRateLimiter } from "./kv-mode.js";
import { RecentMap } from "./recent-map.js";
import { logEvent } from "../log.js";

// An isolate remembers at most this many keys (KV-mode buckets, recent refusals).
const MAX_KEYS = 10_000;
// A backend slower than this fails open: a limiter must never hold a Worker up.
const BACKEND_TIMEOUT_MS = 1_000;
// The secret keying the hash of keys when the config names none (see #keySecret).
const DEFAULT_KEY_SECRET_ENV = "EDGEFUSE_RATE_LIMIT_SECRET";

export class RateLimits {
  #clock;
  #kv = null;
  // Durable Object mode: bucket name and cost -> the wait after a refusal. Until it is over
  // the same request is refused here, without asking the object (which a flood would overload).
  #refused = new RecentMap(MAX_KEYS);
  #warnedOfSecret = false;
  // The config's routes, checked with the config: their prefixes and limits worked out once.
  #routes;

  constructor(config, clock) {
    this.config = config; // the config's rateLimit section
    this.#clock = clock;
    this.#routes = config.routes.map((route) => ({
      route,
      prefix: this.#matchable(route.path.replace(/\/+$/, "")),
      params: { capacity: route.capacity, refillPerSecond: route.refillPerSecond, cost: route.cost },
    }));
  }

  /** The KV mode's own KV operations in this isolate: { reads, writes }. */
  get kvOps() {
    return this.#kv ? { ...this.#kv.ops } : { reads: 0, writes: 0 };
  }

  /**
   * Takes `limit.cost` tokens from the bucket of `key` under `limit`. Bad parameters throw a
   * GuardInputError; a backend that fails or is slow lets the request through, with a warning.
   */
  async take(env, key, limit, ctx) {
    const now = this.#clock();
    return this.#take(env, key, checkedParams(limit, now), ctx, now);
  }

  async #take(env, key, params, ctx, now) {
    try {
      const name = await bucketName(key, params, this.#keySecret(env));
      // The KV mode decides in memory anyway, and its refusals must still reach its syncs.
      const refusal = this.config.mode === "kv" ? null : `${name} ${params.cost}`;
      const refused = refusal && this.#refused.get(refusal);
      if (refused && now < refused.untilMs) return refusedUntil(refused, now);
      const { allowed, remaining, retryAfterSeconds, resetSeconds, retryAfterMs, resetMs } = await withTimeout(
        this.#decide(env, ctx, name, params, now),
        BACKEND_TIMEOUT_MS,
      );
      if (!allowed && refusal) this.#refused.set(refusal, { untilMs: now + retryAfterMs, fullAtMs: now + resetMs, retryAfterSeconds, resetSeconds });
      return { allowed, remaining, retryAfterSeconds, resetSeconds };
    } catch (error) {
      logEvent("warn", "rate-limit-failed-open", `edgefuse: the rate limiter failed, letting the request through: ${error?.message ?? error}`);
      return { allowed: true, failedOpen: true, remaining: params.capacity, retryAfterSeconds: 0, resetSeconds: 0 };
    }
  }

  /**
   * The Worker's secret for hashing keys, or null to hash them with SHA-256 alone. The
   * default secret is optional; one the config names, or a value that is not a string, is a
   * mistake worth a warning (once per isolate: it holds for every request).
   */
  #keySecret(env) {
    const name = this.config.keySecretEnv ?? DEFAULT_KEY_SECRET_ENV;
    const secret = env?.[name];
    if (typeof secret === "string" && secret !== "") return secret;
    if ((secret !== undefined || this.config.keySecretEnv) && !this.#warnedOfSecret) {
      this.#warnedOfSecret = true;
      const found = secret === undefined ? "is not set" : typeof secret === "string" ? "is empty" : "is not a string secret";
      logEvent("warn", "rate-limit-key-secret", `edgefuse: env.${name} ${found}: rate-limit keys are hashed with SHA-256 alone, not an HMAC (rateLimit.keySecretEnv)`);
    }
    return null;
  }

  #decide(env, ctx, name, params, now) {
    if (this.config.mode === "kv") {
      const kv = env?.[this.config.kvBinding];
      if (!kv || typeof kv.get !== "function" || typeof kv.put !== "function") {
        throw new Error(`env.${this.config.kvBinding} is not a KV namespace (rateLimit.kvBinding)`);
      }
      this.#kv ??= new KvRateLimiter(this.config, MAX_KEYS);
      return this.#kv.take(kv, ctx, name, params, now);
    }
    const namespace = env?.[this.config.binding];
    if (typeof namespace?.idFromName !== "function" || typeof namespace.get !== "function") {
      throw new Error(`env.${this.config.binding} is not a Durable Object namespace bound to EdgefuseRateLimiter (rateLimit.binding)`);
    }
    const stub = typeof namespace.getByName === "function" ? namespace.getByName(name) : namespace.get(namespace.idFromName(name));
    return stub.take(params, now);
  }

  // A path as routes are matched against it: lower-cased for an app whose router ignores case.
  #matchable(path) {
    return this.config.ignoreCase ? path.toLowerCase() : path;
  }

  /** Whether any route is limited: without one, requests need no URL parsed. */
  get hasRoutes() {
    return this.#routes.length > 0;
  }

  /**
   * The limit of the config route `request` falls under: { refused: Response } over it,
   * { headers } within it when the config asks for them, else null.
   */
  async routeLimit(request, env, ctx, url = new URL(request.url)) {
    const match = routeFor(this.#routes, this.#matchable(decodedPath(url.pathname)));
    if (!match) return null;
    const { route, params } = match;
    const decision = await this.#take(env, `${route.path}\n${clientKey(request, route.key)}`, params, ctx, this.#clock());
    if (decision.failedOpen) return null;
    const headers = rateLimitHeaders(route, decision);
    if (!decision.allowed) {
      return {
        refused: Response.json(
          { error: "rate-limited", retryAfterSeconds: decision.retryAfterSeconds },
          { status: 429, headers: { ...headers, "Retry-After": String(decision.retryAfterSeconds) } },
        ),
      };
    }
    return this.config.headers ? { headers } : null;
  }
}

/** The parameters, checked by the core (so that a mistake is an error, not a fail-open). */
function checkedParams({ capacity, refillPerSecond, cost } = {}, now) {
  const params = { capacity, refillPerSecond, cost: cost ?? 1 };
  // JSON would turn NaN and Infinity into null, which reads as "missing": name them here.
  const problems = Object.entries(params)
    .filter(([, value]) => typeof value === "number" && !Number.isFinite(value))
    .map(([name, value]) => ({ path: `params.${name}`, message: `must be a finite number, got ${value}`, fix: "" }));
  if (problems.length) throw new GuardInputError(problems);
  const check = callCore("bucketTakeJson", JSON.stringify(params), false, "", now);
  if (!check.ok) throw new GuardInputError(check.problems);
  return params;
}

/**
 * The name of a key's bucket: a hash (hex) of the limit and the key, so raw IPs and tokens
 * are never stored, and two limits on one key are two buckets. With a secret it is an
 * HMAC-SHA-256, which nobody without the secret can reverse by trying every IPv4 address.
 */
async function bucketName(key, { capacity, refillPerSecond }, secret = null) {
  const text = new TextEncoder().encode(`${capacity}/${refillPerSecond}\n${key}`);
  const digest = secret
    ? await crypto.subtle.sign("HMAC", await hmacKey(secret), text)
    : await crypto.subtle.digest("SHA-256", text);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// Imported HMAC keys by secret: importing one on every request would cost more than the hash.
const hmacKeys = new RecentMap(8);
function hmacKey(secret) {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    hmacKeys.set(secret, key);
  }
  return key;
}

// A refusal answered from memory; never a longer wait than the backend gave (if the clock
// went back since).
function refusedUntil({ untilMs, fullAtMs, retryAfterSeconds, resetSeconds }, now) {
  return {
    allowed: false,
    remaining: 0,
    retryAfterSeconds: Math.min(retryAfterSeconds, Math.ceil((untilMs - now) / 1000)),
    resetSeconds: Math.min(resetSeconds, Math.ceil((fullAtMs - now) / 1000)),
  };
}

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The route whose prefix (its path without trailing slashes) is the longest prefix of
 * `path` at a segment boundary ("/api" covers "/api" and "/api/x", not "/apix"). The path
 * comes decoded, repeated slashes collapsed (decodedPath), so "/%61pi/" or "//api/" cannot
 * slip past a route for "/api/". A segment is otherwise matched as written: "/api./x" and
 * "/api;/x" are other paths, as Hono and itty-router see them too.
 */
function routeFor(routes, path) {
  let best = null;
  for (const candidate of routes) {
    const { prefix } = candidate;
    if ((path === prefix || path.startsWith(`${prefix}/`)) && prefix.length > (best?.prefix.length ?? -1)) best = candidate;
  }
  return best;
}

/** A request's path as routes are matched on it: decoded, repeated slashes collapsed. */
export function decodedPath(pathname) {
  const decoded = pathname.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run; // not UTF-8: left as it came
    }
  });
  return decoded.replace(/\/{2,}/g, "/");
}

/**
 * Who a request counts against: the client's IP, canonical (an IPv6 client by its /64,
 * which one client usually holds whole; an IPv4 address mapped into IPv6 as itself) or a
 * header's value. Requests without one share a bucket that no real value can name.
 */
function clientKey(request, keySource) {
  if (keySource === "ip") {
    const ip = request.headers.get("CF-Connecting-IP");
    return ip ? `ip ${canonicalIp(ip.trim())}` : "none";
  }
  const value = request.headers.get(keySource.slice("header:".length));
  return value === null ? "none" : `value ${value}`;
}

/**
 * "1.2.3.4" for 1.2.3.4 however it is written (leading zeros, "::ffff:1.2.3.4",
 * "::ffff:0102:0304", "::1.2.3.4"); "2001:db8:1:2::/64" for any address in that /64; what
 * came, unchanged, when it is neither.
 */
function canonicalIp(address) {
  const v4 = ipv4Octets(address);
  if (v4) return v4.join(".");
  const groups = ipv6Groups(address);
  if (!groups) return address;
  const zeroTo = (end) => groups.slice(0, end).every((group) => group === 0);
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d, not :: or ::1) addresses.
  if (zeroTo(5) && (groups[5] === 0xffff || (groups[5] === 0 && (groups[6] !== 0 || groups[7] > 1)))) {
    return [groups[6] >> 8, groups[6] & 255, groups[7] >> 8, groups[7] & 255].join(".");
  }
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(":")}::/64`;
}

// Four decimal octets (leading zeros read as decimal), or null.
function ipv4Octets(text) {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part))) return null;
  const octets = parts.map(Number);
  return octets.every((octet) => octet <= 255) ? octets : null;
}

// An IPv6 address as its eight 16-bit groups (an IPv4 tail counts as two), or null.
function ipv6Groups(text) {
  if (!text.includes(":")) return null;
  let address = text.toLowerCase().replace(/%.*$/, ""); // a zone index names no client
  const tail = /:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (tail) {
    const octets = ipv4Octets(tail[1]);
    if (!octets) return null;
    address = `${address.slice(0, -tail[1].length)}${((octets[0] << 8) | octets[1]).toString(16)}:${((octets[2] << 8) | octets[3]).toString(16)}`;
  }
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const left = halves[0] ? halves[0].split(":") : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return null;
  const groups = [...left, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...right];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return null;
  return groups.map((group) => parseInt(group, 16));
}

/**
 * The IETF RateLimit-Policy and RateLimit headers (draft-ietf-httpapi-ratelimit-headers) for
 * a decision: `q` the capacity, `w` the seconds a full refill takes, `r` what is left, and
 * `t` the seconds until more is available: on a refusal the same moment as Retry-After.
 */
function rateLimitHeaders({ capacity, refillPerSecond }, decision) {
  const window = Math.ceil(capacity / refillPerSecond);
  const reset = decision.allowed ? decision.resetSeconds : decision.retryAfterSeconds;
  return {
    "RateLimit-Policy": `"edgefuse";q=${capacity};w=${window}`,
    RateLimit: `"edgefuse";r=${Math.max(0, Math.floor(decision.remaining))};t=${Math.ceil(reset)}`,
  };
}
