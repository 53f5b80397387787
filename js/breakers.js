// Keeps one isolate's view of the breakers fresh, at the cost of at most one KV read per
// refresh interval (plus one of the safety net when the state record is missing or bad).
// Which records to read and what is in force is the core's decision (a "view" tick).
//
// - A cold isolate waits for its first read; concurrent requests share it (single-flight).
// - After that, a stale view is refreshed in the background (ctx.waitUntil) while requests
//   carry on with the view they have.
// - A failed or unreadable read keeps the previous view: a trip holds until a good read
//   says otherwise. With no previous view the guard fails open, unless the safety-net key
//   says something is tripped.
import { runTick } from "./poll.js";
import { logEvent } from "./log.js";

// How long a cold isolate's first requests wait for the breaker state before going ahead.
const COLD_READ_WAIT_MS = 500;

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
      const counter = { reads: 0, writes: 0, deletes: 0 };
      try {
        const { view, error } = await runTick(this.#enforcement.handle, this.#config, env, { kind: "view", now: this.#clock() }, counter);
        if (view) this.#enforcement.applyView(view);
        this.lastError = error;
      } catch (error) {
        // The guard fails open on its own faults: the view it has stays.
        this.lastError = `reading breakers: ${error?.message ?? error}`;
        logEvent("error", "state-unreadable", `edgefuse: ${this.lastError}`);
      } finally {
        this.reads += counter.reads;
      }
    } finally {
      this.#loadedAt = this.#clock();
      this.#loaded = true;
    }
  }

  #warnOnce(message) {
    if (this.#warnedMissingBinding) return;
    this.#warnedMissingBinding = true;
    this.lastError = message;
    logEvent("warn", "no-state-binding", message, { binding: this.#config.stateBinding });
  }
}
