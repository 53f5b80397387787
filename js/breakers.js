// Keeps one isolate's view of the breakers fresh, at the cost of at most one KV read per
// refresh interval (plus one of the safety net when the state record is missing or bad).
//
// - A cold isolate waits for its first read; concurrent requests share it (single-flight).
// - After that, a stale view is refreshed in the background (ctx.waitUntil) while requests
//   carry on with the view they have.
// - A failed or unreadable read keeps the previous view: a trip holds until a good read
//   says otherwise. With no previous view the guard fails open, unless the safety-net key
//   says something is tripped.
import { callCore } from "./core.js";

export const STATE_KEY = "edgefuse:state";
// How long a cold isolate's first requests wait for the breaker state before going ahead.
const COLD_READ_WAIT_MS = 500;
export const SAFETY_NET_KEY = "edgefuse:safety-net";

export class BreakerRefresh {
  #enforcement;
  #config;
  #clock;
  #loadedAt = -Infinity;
  #inflight = null;
  #loaded = false;
  #warnedMissingBinding = false;
  /** KV reads this isolate has made for breaker state: for tests and the benchmark. */
  reads = 0;
  /** The last problem reading state, or null. */
  lastError = null;

  constructor(enforcement, config, clock) {
    this.#enforcement = enforcement;
    this.#config = config;
    this.#clock = clock;
  }

  /**
   * Returns a promise to await when this isolate has no view yet, else undefined. A cold
   * isolate waits at most COLD_READ_WAIT_MS: past that, requests go ahead (fail open) and the
   * read goes on in the background.
   */
  refresh(env, ctx) {
    if (!this.#inflight && this.#clock() - this.#loadedAt >= this.#config.refreshSeconds * 1000) {
      this.#inflight = this.#load(env).finally(() => {
        this.#inflight = null;
      });
      if (this.#loaded) ctx?.waitUntil?.(this.#inflight);
    }
    if (this.#loaded || !this.#inflight) return undefined;
    ctx?.waitUntil?.(this.#inflight);
    return Promise.race([this.#inflight, new Promise((resolve) => setTimeout(resolve, COLD_READ_WAIT_MS))]);
  }

  async #load(env) {
    try {
      const kv = env?.[this.#config.stateBinding];
      if (!kv || typeof kv.get !== "function") {
        this.#warnOnce(`edgefuse: env.${this.#config.stateBinding} is not a KV namespace; breakers cannot be read, only per-invocation limits apply`);
        return;
      }
      const state = await this.#read(kv, STATE_KEY, "state");
      if (state?.readable) {
        this.apply(state.breakers);
        return;
      }
      const net = await this.#read(kv, SAFETY_NET_KEY, "safety-net");
      if (net?.readable && Object.keys(net.breakers).length > 0) this.apply(net.breakers);
      // Otherwise keep the current view (empty in a cold isolate: fail open).
    } finally {
      this.#loadedAt = this.#clock();
      this.#loaded = true;
    }
  }

  async #read(kv, key, what) {
    let text;
    try {
      this.reads += 1;
      text = await kv.get(key);
    } catch (error) {
      this.lastError = `reading ${what}: ${error?.message ?? error}`;
      return null;
    }
    const record = callCore("breakersJson", text !== null, text ?? "", what);
    if (record.problems.length > 0) {
      this.lastError = record.problems.map((p) => `${p.path}: ${p.message}`).join("; ");
      console.warn(`edgefuse: ${this.lastError}`);
    } else if (record.readable) {
      this.lastError = null;
    }
    return record;
  }

  /** Puts `breakers` in force in this isolate, less manual trips whose `until` has passed. */
  apply(breakers) {
    const now = this.#clock();
    const inForce = Object.fromEntries(
      Object.entries(breakers ?? {}).filter(([, breaker]) => !breaker.until || !(Date.parse(breaker.until) <= now)),
    );
    this.#enforcement.setBreakers(inForce);
  }

  #warnOnce(message) {
    if (this.#warnedMissingBinding) return;
    this.#warnedMissingBinding = true;
    this.lastError = message;
    console.warn(message);
  }
}
