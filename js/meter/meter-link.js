// An isolate's link to the real-time meter: asks the core whether a report is due (one
// numeric call at each invocation's start and end), sends the report the core writes in the
// background (ctx.waitUntil: never awaited by a request), and hands the answer, or why there
// was none, back to the core, which puts the meter's breakers in force. When an answer gives
// this isolate the duty to record the meter's trips, it runs the core's meter tick (the KV
// state record and alerts) and tells the meter it is done.
import { METER_ASKED, METER_REPORT_TIMEOUT_MS } from "../../dist/constants.js";
import { logEvent } from "../log.js";
import { actionInputs, runTick } from "../poll.js";
import { METER_NAME } from "./meter-object.js";

export class MeterLink {
  #core;
  #handle;
  #binding;
  #clock;
  #config;
  #onView;
  #named = false;
  /** The meter's breakers in force here, key -> { reason, since, source }: for refusals. */
  breakers = {};
  /**
   * Reports this isolate sent that were answered, and that failed; the mean round trip of
   * those answered (ms, wall-clock): what a line can be overshot by is what isolates admit
   * in about that long.
   */
  reports = { answered: 0, failed: 0, roundTripMs: 0 };

  /** `onView` takes in what a meter tick put in force (the KV record's breakers). */
  constructor(core, handle, config, clock, onView) {
    this.#core = core;
    this.#handle = handle;
    this.#binding = config.meter.binding;
    this.#clock = clock;
    this.#config = config;
    this.#onView = onView;
  }

  /** Sends a report if one is due; `env` is the Worker's own (unguarded) env. */
  poke(env, ctx) {
    const now = this.#clock();
    const asked = this.#core._edgefuse_meter_due(this.#handle, now);
    if (asked & METER_ASKED.inForceChanged) this.breakers = JSON.parse(this.#core.meterInForce(this.#handle, now));
    if (!(asked & METER_ASKED.due)) return;
    if (!this.#named) {
      // The meter counts the isolates sharing a line by the name each reports under (drawn
      // here, in a request: a Worker may not draw random values at its top level).
      this.#core.meterIdentify(this.#handle, crypto.randomUUID());
      this.#named = true;
    }
    const report = this.#core.meterTake(this.#handle, now);
    const sentAt = Date.now();
    const settled = this.#send(env, report).then(
      (answer) => this.#settle(env, answer, "", Date.now() - sentAt),
      (error) => this.#settle(env, "", error?.message ?? String(error)),
    );
    ctx?.waitUntil?.(settled);
  }

  /**
   * Tells the meter of a manual reset of `keys` (held off for `holdSeconds`, or a minute) and
   * puts its answer in force here. Resolves to null, or to why the meter could not be told.
   */
  async reset(env, keys, holdSeconds) {
    try {
      const answer = await this.#call(env, "reset", JSON.stringify({ now: this.#clock(), keys, holdSeconds }));
      const result = JSON.parse(this.#core.meterHear(this.#handle, answer));
      if (!result.ok) throw new Error(result.error);
      this.breakers = result.breakers;
      return null;
    } catch (error) {
      const why = error?.message ?? String(error);
      logEvent("warn", "meter-unreachable", `edgefuse: the real-time meter was not told of the reset: ${why}; its trips end at their recover lines`, {
        binding: this.#binding,
        keys,
      });
      return why;
    }
  }

  /** Hands the meter a usage tick's figures for its live quotas (meterBaselineFor). */
  async baseline(env, baselineText) {
    try {
      const result = JSON.parse(this.#core.meterHear(this.#handle, await this.#call(env, "baseline", baselineText)));
      if (!result.ok) throw new Error(result.error);
      this.breakers = result.breakers;
      if (result.record) await this.#record(env, result.record);
    } catch (error) {
      logEvent("warn", "meter-unreachable", `edgefuse: the real-time meter did not take the usage poll's figures: ${error?.message ?? error}; its live quotas wait for the next tick`, {
        binding: this.#binding,
      });
    }
  }

  // The duty to record: the core's meter tick writes the meter's trips to the KV state record
  // and alerts its changes; then the meter hears that this version is recorded. A failure
  // leaves the duty to the meter's next report (after its lapse), so nothing is lost.
  async #record(env, record) {
    try {
      const accountId = env?.[this.#config.accountIdEnv];
      // With operator actions, a meter trip takes them at once, not at the next cron tick.
      const start = { kind: "meter", now: this.#clock(), accountId: typeof accountId === "string" ? accountId : null, record, ...actionInputs(this.#config, env) };
      const { view, ok, error, acknowledge } = await runTick(this.#handle, this.#config, env, start);
      if (view) this.#onView(view);
      if (!ok) return; // the tick logged why
      const result = JSON.parse(this.#core.meterHear(this.#handle, await this.#call(env, "recorded", acknowledge)));
      if (result.ok) this.breakers = result.breakers;
    } catch (error) {
      logEvent("warn", "meter-record-failed", `edgefuse: the real-time meter's trips were not recorded: ${error?.message ?? error}; the meter gives the duty to the next report`, {
        binding: this.#binding,
      });
    }
  }

  #send(env, report) {
    return this.#call(env, "report", report);
  }

  // One call to the meter object, as JSON text, or an Error saying why there is no answer.
  async #call(env, method, text) {
    const namespace = env?.[this.#binding];
    if (!namespace || typeof namespace.idFromName !== "function") {
      throw new Error(`env.${this.#binding} is not a Durable Object namespace: bind the EdgefuseMeter class to it (see "Real-time meter" in the README)`);
    }
    const meter = namespace.get(namespace.idFromName(METER_NAME));
    let timer;
    const timeout = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the meter did not answer within ${METER_REPORT_TIMEOUT_MS} ms`)), METER_REPORT_TIMEOUT_MS);
    });
    try {
      const answer = await Promise.race([meter[method](text), timeout]);
      if (answer?.problems) {
        throw new Error(`the meter refused the ${method}: ${answer.problems.map(({ path, message }) => `${path} ${message}`).join("; ")}`);
      }
      return JSON.stringify(answer);
    } finally {
      clearTimeout(timer);
    }
  }

  #settle(env, answer, error, roundTripMs = 0) {
    const result = JSON.parse(this.#core.meterSettle(this.#handle, answer, error, this.#clock()));
    if (result.ok) {
      this.breakers = result.breakers;
      this.reports.answered += 1;
      this.reports.roundTripMs += (roundTripMs - this.reports.roundTripMs) / this.reports.answered;
      return result.record ? this.#record(env, result.record) : undefined;
    }
    this.reports.failed += 1;
    this.breakers = result.breakers;
    // Once per run of failures: the counts are kept, and the guard carries on without the meter.
    if (result.failures === 1) {
      logEvent("warn", "meter-unreachable", `edgefuse: a report to the real-time meter failed: ${result.error}; its counts are kept for the next`, {
        binding: this.#binding,
      });
    }
  }
}
