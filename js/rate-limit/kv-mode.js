// The KV mode, for Workers without Durable Objects. Each isolate decides from its own copy
// of a key's bucket and syncs it with KV at most once per `syncSeconds`: the first use of a
// key reads it; later syncs, in the background, spend what this isolate took from the shared
// bucket and write it back. Eventually consistent: between syncs every isolate may spend
// what its copy holds. What was overspent stays in the shared bucket as a debt that its
// refill pays back, so over time the isolates together keep to the rate.
import { callCore } from "../core.js";
import { GuardInputError } from "../errors.js";
import { RecentMap } from "./recent-map.js";
import { logEvent } from "../log.js";

export const KV_KEY_PREFIX = "edgefuse:rl:";
const YEAR_SECONDS = 365 * 24 * 3600;

// A read or sync still unsettled after this long is taken as lost (its request ended before
// it did, and the runtime dropped it) and is started again.
const STALE_MS = 30_000;

export class KvRateLimiter {
  #buckets;
  /** The guard's own KV operations, for tests and the benchmark. */
  ops = { reads: 0, writes: 0 };

  constructor(config, maxKeys) {
    this.config = config;
    this.#buckets = new RecentMap(maxKeys); // bucket name -> Bucket
  }

  /**
   * Takes `params.cost` from the bucket `name` in namespace `kv` at `now` (ms). Resolves to
   * the core's decision (with retryAfterMs and resetMs).
   */
  async take(kv, ctx, name, params, now) {
    let bucket = this.#buckets.get(name);
    if (!bucket || (bucket.loading && now - bucket.createdAt > STALE_MS)) {
      bucket = this.#load(kv, ctx, name, params, now);
    }
    if (bucket.loading) await bucket.loading;
    if (now - bucket.syncedAt >= this.config.syncSeconds * 1000) this.#startSync(kv, ctx, bucket, now);
    const reply = callCore("bucketTakeJson", JSON.stringify(params), bucket.state !== null, bucket.state ?? "", now);
    if (!reply.ok) throw new GuardInputError(reply.problems);
    if (reply.allowed) {
      bucket.state = reply.state;
      bucket.taken += params.cost;
    }
    return reply;
  }

  // A key new to this isolate: one read, shared by every request that arrives meanwhile.
  #load(kv, ctx, name, params, now) {
    const bucket = new Bucket(`${KV_KEY_PREFIX}${name}`, params, now);
    this.ops.reads += 1;
    bucket.loading = kv.get(bucket.key).then(
      (shared) => {
        bucket.state = shared;
        bucket.loading = null;
      },
      (error) => {
        if (this.#buckets.get(name) === bucket) this.#buckets.delete(name); // the next request tries again
        throw error;
      },
    );
    ctx?.waitUntil?.(bucket.loading.catch(() => {}));
    const evicted = this.#buckets.set(name, bucket);
    if (evicted) {
      evicted.evicted = true;
      if (evicted.taken > 0) this.#startSync(kv, ctx, evicted, now); // its spends still reach KV
    }
    return bucket;
  }

  #startSync(kv, ctx, bucket, now) {
    if (bucket.syncing && now - bucket.syncedAt < STALE_MS) return;
    bucket.syncedAt = now;
    const syncing = this.#sync(kv, bucket, now)
      .catch((error) => logEvent("warn", "rate-limit-sync-failed", `edgefuse: the rate limiter's KV sync failed, retrying later: ${error?.message ?? error}`))
      .finally(() => {
        if (bucket.syncing !== syncing) return;
        bucket.syncing = null;
        // Pushed out of memory while this sync ran: what it took since still has to reach KV.
        if (bucket.evicted && bucket.taken > 0) this.#startSync(kv, ctx, bucket, now);
      });
    bucket.syncing = syncing;
    ctx?.waitUntil?.(syncing);
  }

  // Spends what this isolate took since the last sync from the shared bucket. Only a written
  // sync counts the spends as synced: after a failure they are sent again next time.
  async #sync(kv, bucket, now) {
    const taken = bucket.taken;
    const params = JSON.stringify(bucket.params);
    this.ops.reads += 1;
    let shared = await kv.get(bucket.key);
    // With nothing to spend (this isolate only refused, or was idle) it learns, writing nothing.
    if (taken > 0) {
      const merged = callCore("bucketSyncJson", params, shared !== null, shared ?? "", taken, now);
      if (!merged.ok) throw new GuardInputError(merged.problems);
      this.ops.writes += 1;
      // Kept until the bucket would be full again, debt paid: a key that goes quiet expires
      // on its own (KV's minimum TTL is 60 s; at most a year).
      await kv.put(bucket.key, merged.state, { expirationTtl: Math.min(YEAR_SECONDS, merged.resetSeconds + 60) });
      bucket.taken = Math.max(0, bucket.taken - taken);
      shared = merged.state;
    }
    // What this isolate took while the sync was under way comes off the shared state too.
    if (shared !== null) bucket.state = callCore("bucketSyncJson", params, true, shared, bucket.taken, now).state;
  }
}

class Bucket {
  state = null; // "tokens@ms" as this isolate knows it; null: a full bucket
  taken = 0; // tokens this isolate took since its last written sync
  loading = null;
  syncing = null;
  evicted = false;

  constructor(key, params, now) {
    this.key = key;
    this.params = params;
    this.createdAt = now;
    this.syncedAt = now;
  }
}
