// The Durable Object behind the default backend: a token bucket per key in one object, so
// every decision for a key is made in one place, one at a time (the object's input gate
// keeps the read and the write of its bucket together). Its name is a hash: raw IPs or
// tokens never reach it.
import { DurableObject } from "cloudflare:workers";
import { callCore } from "../core.js";
import { GuardInputError } from "../errors.js";

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
