// The usage poll's I/O: reads the state from KV, asks the usage API, hands the answers to
// the core and carries out what it decides. The decisions are all in the core.
//
// KV cost per tick: 1 read when nothing changed; when something did, 1 more read (the
// changes are applied to a fresh copy, so a manual trip made meanwhile survives) and 2
// writes (the state and the safety net). Nothing here throws: every failure is reported
// in the result and logged, and the next tick tries again.
import { SAFETY_NET_KEY, STATE_KEY } from "./breakers.js";
import { deliverAlerts } from "./alerts.js";
import { callCore } from "./core.js";
import { GuardInputError } from "./errors.js";

// Joins the answers' bodies for the core; valid JSON never holds it unescaped.
const BODY_SEPARATOR = "\x1e";

export class UsagePoll {
  #config;
  #configText;
  #onBreakers;

  /** `onBreakers(breakers)` is told the breakers after every write, for this isolate. */
  constructor(config, onBreakers) {
    this.#config = config;
    this.#configText = JSON.stringify(config);
    this.#onBreakers = onBreakers;
  }

  /**
   * What an evaluation at `now` would find, without writing or alerting: for the status
   * page. Resolves to the report plus the breakers and health in KV; never rejects.
   */
  async status(env, now) {
    return this.evaluate(env, now, { readOnly: true });
  }

  /** One evaluation at `now` (ms since the epoch). Resolves to what happened; never rejects. */
  async evaluate(env, now, { readOnly = false } = {}) {
    const kvOps = { reads: 0, writes: 0, deletes: 0 };
    try {
      const kv = this.#stateNamespace(env);
      const state = await this.#read(kv, STATE_KEY, kvOps);
      const readable = state !== null && callCore("breakersJson", true, state, "state").readable;
      const net = readable ? null : await this.#read(kv, SAFETY_NET_KEY, kvOps);
      const answers = await this.#askUsageApi(env, now);
      const evaluation = callCore(
        "evaluateJson",
        this.#configText,
        state !== null,
        state ?? "",
        net !== null,
        net ?? "",
        JSON.stringify(answers.map(({ dataset, status, error }) => ({ dataset, status, error }))),
        answers.map((answer) => answer.body ?? "").join(BODY_SEPARATOR),
        now,
      );
      if (!evaluation.ok) throw new Error(describeProblems(evaluation.problems));
      if (readOnly) {
        const stored = readable ? safeParse(state) : null;
        const poll = stored?.poll !== null && typeof stored?.poll === "object" ? stored.poll : null;
        const failures = Object.values(poll?.datasetFailures ?? {}).filter(Number.isInteger);
        return {
          ok: true,
          live: true,
          ...evaluation.report,
          // What the cron ticks recorded; `health` above is this read's own.
          lastCheckAt: typeof poll?.lastCheckAt === "string" && poll.lastCheckAt !== "" ? poll.lastCheckAt : null,
          blind: failures.length > 0 && failures.length >= answers.length && failures.every((n) => n >= this.#config.failuresUntilBlind),
          lastError: typeof poll?.lastError === "string" ? poll.lastError : "",
          consecutiveFailures: Number.isInteger(poll?.consecutiveFailures) ? poll.consecutiveFailures : 0,
          // As the core read them (the record's, else the safety net's): checked, never raw.
          breakers: evaluation.report.breakersBefore,
          kv: kvOps,
        };
      }
      for (const problem of evaluation.problems) console.warn(`edgefuse: ${problem.path}: ${problem.message}`);
      for (const event of evaluation.events) {
        console.log(`edgefuse: ${event.dryRun ? "[dry run] " : ""}${event.level}: ${event.message}`);
      }
      // The state first: if it cannot be written, nothing is announced that did not happen,
      // and the next tick sees the same news again.
      if (evaluation.write) await this.#applyChanges(kv, evaluation.changes, now, kvOps);
      const alerts = await this.#alert(env, evaluation, now);
      if (alerts.pendingChanged) await this.#applyChanges(kv, { pendingAlerts: alerts.pending }, now, kvOps);
      const { events, report } = evaluation;
      const wrote = evaluation.write || alerts.pendingChanged;
      return { ok: true, wrote, events, alerts: { sent: alerts.sent, pending: alerts.pending.length }, ...report, kv: kvOps };
    } catch (error) {
      const message = `usage poll failed: ${error?.message ?? error}`;
      console.error(`edgefuse: ${message}`);
      return { ok: false, error: message, kv: kvOps };
    }
  }

  // Sends this tick's alerts and retries the ones that failed before.
  async #alert(env, evaluation, now) {
    const before = Array.isArray(evaluation.pendingAlerts) ? evaluation.pendingAlerts : [];
    if (this.#config.alerts.channels.length === 0) return { sent: 0, pending: [], pendingChanged: before.length > 0 };
    const accountId = String(env[this.#config.accountIdEnv] ?? "");
    const build = (events) => {
      const built = callCore("alertDeliveriesJson", this.#configText, JSON.stringify(events), accountId, now);
      if (!built.ok) throw new Error(describeProblems(built.problems));
      return built.deliveries;
    };
    const fresh = build(evaluation.events).map((delivery) => ({ ...delivery, event: evaluation.events[delivery.event] }));
    if (fresh.length === 0 && before.length === 0) return { sent: 0, pending: [], pendingChanged: false };
    const rebuild = ({ channel, event }) => build([event]).find((delivery) => delivery.channel === channel)?.body ?? null;
    const { sent, pending } = await deliverAlerts(this.#config, env, fresh, before, rebuild);
    return { sent, pending, pendingChanged: JSON.stringify(pending) !== JSON.stringify(before) };
  }

  /** A manual trip or reset; resolves to the breakers now in force. */
  async manual(env, operation, now) {
    const reply = callCore("manualChangesJson", this.#configText, JSON.stringify(operation), now);
    if (!reply.ok) throw new GuardInputError(reply.problems);
    const kv = this.#stateNamespace(env);
    return this.#applyChanges(kv, reply.changes, now, { reads: 0, writes: 0, deletes: 0 });
  }

  #stateNamespace(env) {
    const kv = env?.[this.#config.stateBinding];
    if (!kv || typeof kv.get !== "function" || typeof kv.put !== "function") {
      throw new Error(`env.${this.#config.stateBinding} is not a KV namespace: bind one, or set stateBinding`);
    }
    return kv;
  }

  async #read(kv, key, kvOps) {
    kvOps.reads += 1;
    try {
      return await kv.get(key);
    } catch (error) {
      throw new Error(`reading ${key} from KV: ${error?.message ?? error}`);
    }
  }

  // Applies the changes to a fresh read of the state and writes it with its safety net.
  // The state is what counts: a failed safety-net write is logged, not fatal.
  async #applyChanges(kv, changes, now, kvOps) {
    const fresh = await this.#read(kv, STATE_KEY, kvOps);
    const readable = fresh !== null && callCore("breakersJson", true, fresh, "state").readable;
    const net = readable ? null : await this.#read(kv, SAFETY_NET_KEY, kvOps);
    const next = callCore(
      "applyChangesJson",
      this.#configText,
      fresh !== null,
      fresh ?? "",
      net !== null,
      net ?? "",
      JSON.stringify(changes),
      now,
    );
    if (!next.ok) throw new Error(describeProblems(next.problems));
    try {
      kvOps.writes += 1;
      await kv.put(STATE_KEY, next.state);
    } catch (error) {
      throw new Error(`writing the state to KV: ${error?.message ?? error}`);
    }
    this.#onBreakers(next.breakers);
    try {
      if (next.safetyNet.action === "put") {
        kvOps.writes += 1;
        await kv.put(SAFETY_NET_KEY, next.safetyNet.text, { expirationTtl: next.safetyNet.expirationTtl });
      } else {
        kvOps.deletes += 1;
        await kv.delete(SAFETY_NET_KEY);
      }
    } catch (error) {
      console.warn(`edgefuse: writing the safety net to KV failed, the next write retries: ${error?.message ?? error}`);
    }
    return next.breakers;
  }

  // One request per dataset, in parallel, each with its own timeout.
  async #askUsageApi(env, now) {
    const { accountIdEnv, apiTokenEnv, endpoint, endpointBinding, pollTimeoutSeconds } = this.#config;
    const accountId = env[accountIdEnv];
    const token = env[apiTokenEnv];
    const missing = [accountIdEnv, apiTokenEnv].filter((name) => typeof env[name] !== "string" || env[name] === "");
    const requests = callCore("pollRequestsJson", this.#configText, now, missing.length ? "unset" : accountId);
    if (!requests.ok) throw new Error(describeProblems(requests.problems));
    if (missing.length) {
      const error = `env.${missing.join(" and env.")} not set: add ${missing.length > 1 ? "them" : "it"} with wrangler secret put`;
      return requests.requests.map(({ dataset }) => ({ dataset, status: 0, error }));
    }
    // A token is printable ASCII; anything else could end up echoed in a header error.
    if (!/^[\x21-\x7e]+$/.test(token)) {
      const error = `env.${apiTokenEnv} is not an API token (unexpected characters); it was not sent`;
      return requests.requests.map(({ dataset }) => ({ dataset, status: 0, error }));
    }
    const fetcher = endpointBinding ? env[endpointBinding] : globalThis;
    if (!fetcher || typeof fetcher.fetch !== "function") {
      const error = `env.${endpointBinding} (endpointBinding) is not a service binding`;
      return requests.requests.map(({ dataset }) => ({ dataset, status: 0, error }));
    }
    return Promise.all(
      requests.requests.map(async ({ dataset, body }) => {
        try {
          const response = await fetcher.fetch(endpoint, {
            method: "POST",
            headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
            body,
            signal: AbortSignal.timeout(pollTimeoutSeconds * 1000),
          });
          const answer = await response.text();
          if (answer.includes(BODY_SEPARATOR)) return { dataset, status: 0, error: "the answer holds a raw control character" };
          return { dataset, status: response.status, body: answer };
        } catch (error) {
          const timedOut = error?.name === "TimeoutError" || error?.name === "AbortError";
          // The error of a failed fetch names the URL at most, never the request's headers.
          const reason = timedOut ? `no answer within ${pollTimeoutSeconds} s` : `request failed: ${error?.message ?? error}`;
          return { dataset, status: 0, error: reason };
        }
      }),
    );
  }
}

function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function describeProblems(problems) {
  return problems.map(({ path, message }) => `${path}: ${message}`).join("; ");
}
