// The Durable Object behind the default backend: a token bucket per key in one object, so
// every decision for a key is made in one place, one at a time (the object's input gate
// keeps the read and the write of its bucket together). Its name is a hash: raw IPs or
// tokens never reach it.
//
// An object deletes its storage once its bucket would be full again: a full bucket is what
// a new key starts with, so nothing is lost, and an object per client would otherwise keep
// its storage (an empty SQLite database alone is about 12 KB, and the Free plan has 5 GB:
// https://developers.cloudflare.com/durable-objects/reference/faq/,
// https://developers.cloudflare.com/durable-objects/platform/limits/).
import { DurableObject } from "#cloudflare-workers";
import { callCore } from "../core.js";
import { GuardInputError } from "../errors.js";

const BUCKET = "bucket"; // { state: "tokens@ms", fullAtMs }: one row per write
const MINUTE_MS = 60 * 1000;
const YEAR_MS = 365 * 24 * 3600 * 1000;

// At most one alarm (a billed request) per object a minute, however fast its bucket refills,
// and at most a year ahead (a slow refill's full time can be past what a Date holds).
const alarmTime = (fullAtMs) => Math.min(Math.max(fullAtMs, Date.now() + MINUTE_MS), Date.now() + YEAR_MS);

/** The Durable Object class behind guard.rateLimit(). Export it from your Worker. */
export class EdgefuseRateLimiter extends DurableObject {
  #cleanupScheduled = false;

  /**
   * Takes `cost` tokens at `now` (ms); resolves to { allowed, remaining, retryAfterSeconds,
   * resetSeconds }, and the two waits in milliseconds (retryAfterMs, resetMs).
   */
  async take(params, now) {
    const stored = await this.ctx.storage.get(BUCKET);
    const state = typeof stored?.state === "string" ? stored.state : null;
    const reply = callCore("bucketTakeJson", JSON.stringify(params), state !== null, state ?? "", now);
    if (!reply.ok) throw new GuardInputError(reply.problems);
    const { allowed, remaining, retryAfterSeconds, resetSeconds, retryAfterMs, resetMs } = reply;
    const decision = { allowed, remaining, retryAfterSeconds, resetSeconds, retryAfterMs, resetMs };
    if (!allowed) return decision; // nothing was taken: nothing to write
    // In real time, not `now` (which tests may inject): alarms run on the real clock.
    const fullAtMs = Date.now() + resetMs;
    await this.ctx.storage.put(BUCKET, { state: reply.state, fullAtMs });
    if (!this.#cleanupScheduled) {
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(alarmTime(fullAtMs));
      this.#cleanupScheduled = true;
    }
    return decision;
  }

  /** Deletes the bucket once it would be full; until then, looks again when it will be. */
  async alarm() {
    const stored = await this.ctx.storage.get(BUCKET);
    if (stored && Date.now() < stored.fullAtMs) {
      await this.ctx.storage.setAlarm(alarmTime(stored.fullAtMs));
      return;
    }
    this.#cleanupScheduled = false;
    await this.ctx.storage.deleteAll();
  }
}
