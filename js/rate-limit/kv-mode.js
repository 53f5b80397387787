// The KV mode, for Workers without Durable Objects. Each isolate decides from its own copy
// of a key's bucket and syncs it with KV at most once per `syncSeconds`: the first use of a
// key reads it; later syncs, in the background, spend what this isolate took from the shared
// bucket and write it back. Eventually consistent: between syncs every isolate may spend
// what its copy holds. What was overspent stays in the shared bucket as a debt that its
// refill pays back, so over time the isolates together keep to the rate.
import { callCore } from "../core.js";
import { GuardInputError } from "../errors.js";
import { RecentMap } from "./recent-map.js";

export const KV_KEY_PREFIX = "edgefuse:rl:";
const YEAR_SECONDS = 365 * 24 * 3600;

export class KvRateLimiter {
  #buckets;
  /** The guard's own KV operations, for tests and the benchmark. */
  ops = { reads: 0, writes: 0 };

  constructor(config, maxKeys) {
    this.config = config;
    this.#buckets = new RecentMap(maxKeys); // bucket name -> Bucket
  }

  /** Takes `params.cost` from the bucket `name` in namespace `kv` at `now` (ms). */
  async take(kv, ctx, name, params, now) {
    let bucket = this.#buckets.get(name);
    if (!bucket) {
      bucket = new Bucket(`${KV_KEY_PREFIX}${name}`, params, now);
      // The first read is shared by every request that arrives while it is under way.
      this.ops.reads += 1;
      bucket.loading = kv.get(bucket.key).then(
        (shared) => {
          bucket.state = shared;
          bucket.loading = null;
        },
        (error) => {
          this.#buckets.delete(name); // the next request tries again
          throw error;
        },
      );
      const evicted = this.#buckets.set(name, bucket);
      if (evicted?.taken > 0) this.#startSync(kv, ctx, evicted, now); // its spends still reach KV
    }
    if (bucket.loading) await bucket.loading;
    if (now - bucket.syncedAt >= this.config.syncSeconds * 1000) this.#startSync(kv, ctx, bucket, now);
    const reply = callCore("bucketTakeJson", JSON.stringify(params), bucket.state !== null, bucket.state ?? "", now);
    if (!reply.ok) throw new GuardInputError(reply.problems);
    if (reply.allowed) {
      bucket.state = reply.state;
      bucket.taken += params.cost;
    }
    const { allowed, remaining, retryAfterSeconds, resetSeconds } = reply;
    return { allowed, remaining, retryAfterSeconds, resetSeconds };
  }

  #startSync(kv, ctx, bucket, now) {
    if (bucket.syncing) return;
    bucket.syncedAt = now;
    bucket.syncing = this.#sync(kv, bucket, now)
      .catch((error) => console.warn(`edgefuse: the rate limiter's KV sync failed, retrying later: ${error?.message ?? error}`))
      .finally(() => {
        bucket.syncing = null;
      });
    ctx?.waitUntil?.(bucket.syncing);
  }

  // Spends what this isolate took since the last sync from the shared bucket. Only a written
  // sync counts the spends as synced: after a failure they are sent again next time.
  async #sync(kv, bucket, now) {
    const taken = bucket.taken;
    const params = JSON.stringify(bucket.params);
    this.ops.reads += 1;
    const shared = await kv.get(bucket.key);
    const merged = callCore("bucketSyncJson", params, shared !== null, shared ?? "", taken, now);
    if (!merged.ok) throw new GuardInputError(merged.problems);
    this.ops.writes += 1;
    // Kept until the bucket would be full again, debt paid: a key that goes quiet expires on
    // its own (KV's minimum TTL is 60 s; at most a year).
    await kv.put(bucket.key, merged.state, { expirationTtl: Math.min(YEAR_SECONDS, merged.resetSeconds + 60) });
    bucket.taken -= taken;
    // What this isolate took while the sync was under way comes off the new state too.
    bucket.state = callCore("bucketSyncJson", params, true, merged.state, bucket.taken, now).state;
  }
}

class Bucket {
  state = null; // "tokens@ms" as this isolate knows it; null: a full bucket
  taken = 0; // tokens this isolate took since its last written sync
  loading = null;
  syncing = null;

  constructor(key, params, now) {
    this.key = key;
    this.params = params;
    this.syncedAt = now;
  }
}
