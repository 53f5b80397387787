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
