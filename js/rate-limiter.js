// Per-client rate limits: a token bucket per key in a Durable Object, so every decision for
// a key is made in one place, one at a time (the object's input gate keeps the read and
// the write of its bucket together). Keys arrive hashed: raw IPs or tokens never reach it.
import { DurableObject } from "cloudflare:workers";
import { callCore } from "./core.js";
import { GuardInputError } from "./errors.js";

const BUCKET = "bucket";

/** The Durable Object class behind guard.rateLimit(). Export it from your Worker. */
export class EdgefuseRateLimiter extends DurableObject {
  /** Takes `cost` tokens at `now` (ms); resolves to { allowed, remaining, retryAfterSeconds, resetSeconds }. */
  async take(params, now) {
    const stored = await this.ctx.storage.get(BUCKET);
    const reply = callCore("bucketTakeJson", JSON.stringify(params), typeof stored === "string", stored ?? "", now);
    if (!reply.ok) throw new GuardInputError(reply.problems);
    await this.ctx.storage.put(BUCKET, reply.state);
    const { allowed, remaining, retryAfterSeconds, resetSeconds } = reply;
    return { allowed, remaining, retryAfterSeconds, resetSeconds };
  }
}

/** SHA-256 of the key, hex: what names the bucket. */
export async function hashKey(key) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(String(key)));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The IETF RateLimit-Policy and RateLimit headers for a decision. */
export function rateLimitHeaders({ capacity, refillPerSecond }, decision) {
  const window = Math.ceil(capacity / refillPerSecond);
  return {
    "RateLimit-Policy": `"edgefuse";q=${capacity};w=${window}`,
    RateLimit: `"edgefuse";r=${Math.max(0, Math.floor(decision.remaining))};t=${Math.ceil(decision.resetSeconds)}`,
  };
}

/**
 * The KV mode, for Workers without Durable Objects. Each isolate decides from its own copy
 * of a key's bucket and syncs it with KV at most once per `syncSeconds`: the first use of a
 * key reads it, later syncs (in the background) spend what this isolate took from the
 * shared bucket and write it back. Eventually consistent: between syncs every isolate may
 * spend the tokens it last saw, so the limit can be exceeded by up to (isolates - 1) x the
 * tokens available at a sync, per sync window.
 */
export class KvRateLimiter {
  #buckets = new Map(); // hashed key -> { state, taken, syncedAt, syncing }
  /** The guard's own KV operations, for tests and the benchmark. */
  ops = { reads: 0, writes: 0 };

  constructor(config) {
    this.config = config;
  }

  async take(env, ctx, hash, params, now) {
    const kv = env?.[this.config.kvBinding];
    if (!kv || typeof kv.get !== "function") throw new Error(`env.${this.config.kvBinding} is not a KV namespace`);
    const key = `edgefuse:rl:${hash}`;
    let bucket = this.#buckets.get(hash);
    if (!bucket) {
      this.ops.reads += 1;
      const shared = await kv.get(key);
      bucket = { state: shared, taken: 0, syncedAt: now, syncing: null };
      this.#buckets.set(hash, bucket);
    } else if (!bucket.syncing && now - bucket.syncedAt >= this.config.syncSeconds * 1000) {
      bucket.syncing = this.#sync(kv, key, bucket, params, now)
        .catch((error) => console.warn(`edgefuse: the rate limiter's KV sync failed, retrying later: ${error?.message ?? error}`))
        .finally(() => {
          bucket.syncing = null;
        });
      ctx?.waitUntil?.(bucket.syncing);
    }
    const reply = callCore("bucketTakeJson", JSON.stringify(params), bucket.state !== null, bucket.state ?? "", now);
    if (!reply.ok) throw new GuardInputError(reply.problems);
    if (reply.allowed) {
      bucket.state = reply.state;
      bucket.taken += params.cost ?? 1;
    }
    const { allowed, remaining, retryAfterSeconds, resetSeconds } = reply;
    return { allowed, remaining, retryAfterSeconds, resetSeconds };
  }

  async #sync(kv, key, bucket, params, now) {
    const taken = bucket.taken;
    bucket.taken = 0;
    bucket.syncedAt = now;
    this.ops.reads += 1;
    const shared = await kv.get(key);
    const merged = callCore("bucketSyncJson", JSON.stringify(params), shared !== null, shared ?? "", taken, now);
    if (!merged.ok) return;
    this.ops.writes += 1;
    // Kept a little past a full refill: a key that goes quiet expires on its own.
    const ttl = Math.max(60, Math.ceil(params.capacity / params.refillPerSecond) + 60);
    await kv.put(key, merged.state, { expirationTtl: ttl });
    bucket.state = merged.state;
  }
}
