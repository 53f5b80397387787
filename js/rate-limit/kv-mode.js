// The KV mode, for Workers without Durable Objects. Each isolate decides from its own copy
// of a key's bucket, and never waits for KV:
// - A key new to the isolate starts as a full bucket in memory and costs no KV operation.
//   Only once the isolate has spent half its capacity (a key that could be refused) does the
//   key join KV: a sync in the background spends what the isolate took from the shared bucket
//   and learns what the others took. After that it syncs at most once per `syncSeconds`.
// - Every sync draws on one budget per isolate (KV_OPS_PER_SECOND, bursts of KV_OPS_BURST):
//   whatever the traffic, the isolate's KV operations stay under it. A sync the budget cannot
//   pay for waits for a later request; meanwhile the isolate decides alone.
// Eventually consistent: between syncs every isolate may spend what its copy holds. What was
// overspent stays in the shared bucket as a debt that its refill pays back, so over time the
// isolates together keep to the rate.
import { callCore } from "../core.js";
import { GuardInputError } from "../errors.js";
import { RecentMap } from "./recent-map.js";
import { logEvent } from "../log.js";

export const KV_KEY_PREFIX = "edgefuse:rl:";
const YEAR_SECONDS = 365 * 24 * 3600;

// The share of a key's capacity an isolate spends alone before the key joins KV.
const JOIN_SHARE = 0.5;
// The isolate's KV operations (reads and writes) for rate limiting: 2 a second, 120 at once.
export const KV_OPS_PER_SECOND = 2;
export const KV_OPS_BURST = 120;

// A sync still unsettled after this long is taken as lost (its request ended before it did,
// and the runtime dropped it) and is started again.
const STALE_MS = 30_000;

export class KvRateLimiter {
  #buckets;
  #budget = null; // the KV operation budget's token-bucket state; null: full
  /** The guard's own KV operations, for tests and the benchmark. */
  ops = { reads: 0, writes: 0 };

  constructor(config, maxKeys) {
    this.config = config;
    this.#buckets = new RecentMap(maxKeys); // bucket name -> Bucket
  }

  /**
   * Takes `params.cost` from the bucket `name` at `now` (ms), in memory. Resolves to the
   * core's decision (with retryAfterMs and resetMs); the KV work it starts goes on in
   * `ctx.waitUntil`.
   */
  async take(kv, ctx, name, params, now) {
    let bucket = this.#buckets.get(name);
    if (!bucket) {
      bucket = new Bucket(`${KV_KEY_PREFIX}${name}`, params, now);
      const evicted = this.#buckets.set(name, bucket);
      // A key pushed out of memory: what it took since its last sync still goes to KV.
      if (evicted?.joined && evicted.taken > 0) this.#startSync(kv, ctx, evicted, now);
    }
    const due = bucket.joined
      ? now - bucket.syncedAt >= this.config.syncSeconds * 1000
      : bucket.spent >= Math.max(1, Math.ceil(params.capacity * JOIN_SHARE));
    if (due) this.#startSync(kv, ctx, bucket, now);
    const reply = callCore("bucketTakeJson", JSON.stringify(params), bucket.state !== null, bucket.state ?? "", now);
    if (!reply.ok) throw new GuardInputError(reply.problems);
    if (reply.allowed) {
      bucket.state = reply.state;
      bucket.taken += params.cost;
      bucket.spent += params.cost;
    }
    return reply;
  }

  #startSync(kv, ctx, bucket, now) {
    if (bucket.syncing && now - bucket.syncingSince < STALE_MS) return;
    // A read, and a write when there is something to spend.
    if (!this.#spendBudget(bucket.taken > 0 ? 2 : 1, now)) return;
    bucket.joined = true;
    bucket.syncedAt = now;
    bucket.syncingSince = now;
    const syncing = this.#sync(kv, bucket, now)
      .catch((error) => logEvent("warn", "rate-limit-sync-failed", `edgefuse: the rate limiter's KV sync failed, retrying later: ${error?.message ?? error}`))
      .finally(() => {
        if (bucket.syncing === syncing) bucket.syncing = null;
      });
    bucket.syncing = syncing;
    ctx?.waitUntil?.(syncing);
  }

  // Takes `operations` from the isolate's KV budget, or says there are not enough.
  #spendBudget(operations, now) {
    const params = JSON.stringify({ capacity: KV_OPS_BURST, refillPerSecond: KV_OPS_PER_SECOND, cost: operations });
    const reply = callCore("bucketTakeJson", params, this.#budget !== null, this.#budget ?? "", now);
    if (reply.allowed) this.#budget = reply.state;
    return reply.allowed;
  }

  // Spends what this isolate took since the last sync from the shared bucket. Only a written
  // sync counts the spends as synced: after a failure they are sent again next time.
  async #sync(kv, bucket, now) {
    const params = JSON.stringify(bucket.params);
    this.ops.reads += 1;
    let shared = await kv.get(bucket.key);
    const taken = bucket.taken; // every spend up to now, as the local state has them too
    // With nothing to spend (this isolate only refused, or was idle) it learns, writing nothing.
    if (taken > 0) {
      // With nothing in KV yet (a key joining, or one quiet long enough to expire there), this
      // isolate's own bucket, refills and all, is the shared one: "full now, less all it
      // took" would charge every spend at once and none of the refill since.
      const merged =
        shared === null
          ? callCore("bucketSyncJson", params, bucket.state !== null, bucket.state ?? "", 0, now)
          : callCore("bucketSyncJson", params, true, shared, taken, now);
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
  spent = 0; // tokens this isolate took in all, for joining KV
  joined = false; // synced with KV at least once (or trying to)
  syncing = null;
  syncingSince = 0;

  constructor(key, params, now) {
    this.key = key;
    this.params = params;
    this.syncedAt = now;
  }
}
