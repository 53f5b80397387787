// The real-time meter: one Durable Object that every isolate reports its counts to. The core
// decides everything (meterReportJson in src/live_meter.h): what a report adds, which rate
// lines trip or recover, when the counts are written to storage. This class holds the state
// in memory between reports and carries out the one storage write the core asks for.
//
// One object for the whole Worker, named METER_NAME: every decision about a line is made in
// one place, one report at a time (the object's input gate keeps a report's read and write
// together). Each report is a Durable Objects request; see the README for what that costs.
import { DurableObject } from "#cloudflare-workers";
import { coreExports, releaseWith } from "../core.js";
import { logEvent } from "../log.js";

/** The name of the one meter object, in the namespace the config's `meter.binding` names. */
export const METER_NAME = "edgefuse-meter";
const STATE = "meter"; // the core's state text (MeterBook::state): one row

/** The Durable Object class behind the real-time meter. Export it from your Worker. */
export class EdgefuseMeter extends DurableObject {
  #book = null; // the id of the core's MeterBook: the meter's state, read from storage once

  /**
   * Adds one isolate's report (MeterOutbox::take); resolves to the meter's answer, or to
   * { problems } naming what is wrong with a report it cannot read (nothing of it is counted).
   */
  async report(reportText) {
    return this.#apply("report", reportText);
  }

  /** A usage tick's figures for live quotas; resolves to the meter's answer, or to { problems }. */
  async baseline(baselineText) {
    return this.#apply("baseline", baselineText);
  }

  /**
   * A manual reset (guard.reset does this): ends the meter's trips on `keys` and holds them
   * off; resolves to the meter's answer, or to { problems }.
   */
  async reset(resetText) {
    return this.#apply("reset", resetText);
  }

  /**
   * An isolate wrote the meter's trips to the KV state record up to a version (the duty an
   * answer's `record` gave it); resolves to the meter's answer, or to { problems }.
   */
  async recorded(recordedText) {
    return this.#apply("recorded", recordedText);
  }

  async #apply(method, text) {
    if (typeof text !== "string") {
      return { problems: [{ path: method, message: `must be the text of a ${method}, got ${typeof text}`, fix: "" }] };
    }
    if (this.#book === null) {
      const stored = (await this.ctx.storage.get(STATE)) ?? "";
      // A concurrent report may have opened the book while this one read storage.
      if (this.#book === null) {
        const book = coreExports().bookOpen(typeof stored === "string" ? stored : "");
        this.#book = book;
        // Freed with this object: workerd drops an idle object and keeps the isolate.
        releaseWith(this, () => coreExports().bookEnd(book));
      }
    }
    const reply = JSON.parse(coreExports().bookCall(this.#book, method, text));
    if (!reply.ok) return { problems: reply.problems };
    for (const problem of reply.problems) {
      logEvent("error", "meter-state-unreadable", `edgefuse: the meter's stored ${problem.path} ${problem.message}: ${problem.fix}`);
    }
    if (reply.persist) await this.ctx.storage.put(STATE, coreExports().bookState(this.#book));
    for (const { key, event, reason } of reply.changes) {
      const message = event === "reset" ? `edgefuse: ${key} reset at the meter by hand` : `edgefuse: ${reason}${event === "trip" ? ": tripped by the meter" : ""}`;
      logEvent(event === "trip" ? "warn" : "log", `meter-${event}`, message, { key });
    }
    return reply.answer;
  }
}
