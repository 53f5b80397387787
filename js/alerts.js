// Delivers alerts to their channels: Discord, Slack and generic JSON webhooks (signed).
// Each delivery has its own timeout; a failing channel never stops the others. A failed
// delivery is kept as its event (never as a body) and rebuilt by the core when retried.
// Webhook URLs are secrets: they are read from env at send time and never logged or kept.

const TIMEOUT_MS = 5000;
const MAX_ATTEMPTS = 24; // about two hours of 5-minute ticks
const MAX_PENDING = 50;
// Subrequests per tick for alerts: the free plan allows 50 per invocation, and the usage
// poll needs about 7.
const MAX_SENDS = 20;

/**
 * Sends `fresh` ({channel, event, body}) and retries `pending` ({channel, event, attempts}),
 * rebuilding each retry's body with `rebuild(pending)` (null: it no longer applies).
 * New deliveries go first. Resolves to { sent, pending }: what to retry next tick.
 */
export async function deliverAlerts(config, env, fresh, pending, rebuild) {
  const queue = [
    ...fresh.map(({ channel, event, body }) => ({ channel, event, body, attempts: 0 })),
    ...pending.filter(validPending).map((entry) => ({ ...entry, body: rebuild(entry) })),
  ].filter((entry) => typeof entry.body === "string");
  const now = queue.slice(0, MAX_SENDS);
  const later = queue.slice(MAX_SENDS);
  const results = await Promise.all(now.map((entry) => sendOne(config, env, entry)));
  const stillPending = [];
  let sent = 0;
  results.forEach((error, index) => {
    const { channel, event, attempts } = now[index];
    if (error === null) {
      sent += 1;
      return;
    }
    const where = describeChannel(config, channel);
    const what = `${event.level} alert for ${event.key}`;
    if (attempts + 1 >= MAX_ATTEMPTS) {
      console.error(`edgefuse: gave up on a ${what} to ${where} after ${attempts + 1} attempts: ${error}`);
      return;
    }
    console.warn(`edgefuse: ${what} to ${where} failed (${error}); retrying next tick`);
    stillPending.push({ channel, event, attempts: attempts + 1, lastError: error });
  });
  for (const { channel, event, attempts, lastError } of later) stillPending.push({ channel, event, attempts, lastError });
  return { sent, pending: stillPending.slice(-MAX_PENDING) };
}

// Entries come back from KV: anything malformed is dropped rather than retried forever.
function validPending(entry) {
  return (
    entry !== null &&
    typeof entry === "object" &&
    Number.isInteger(entry.channel) &&
    Number.isInteger(entry.attempts) &&
    entry.attempts >= 0 &&
    entry.attempts < MAX_ATTEMPTS &&
    entry.event !== null &&
    typeof entry.event === "object" &&
    typeof entry.event.level === "string" &&
    typeof entry.event.key === "string"
  );
}

function describeChannel(config, index) {
  const channel = config.alerts.channels[index];
  return channel ? `${channel.type} (env.${channel.urlEnv})` : `channel ${index}`;
}

// Resolves to null when delivered, else why not (never naming the URL).
async function sendOne(config, env, delivery) {
  const channel = config.alerts.channels[delivery.channel];
  if (!channel) return "the channel is no longer configured";
  const url = env?.[channel.urlEnv];
  if (typeof url !== "string" || !/^https?:\/\/\S+$/.test(url)) return `env.${channel.urlEnv} is not set to a webhook URL`;
  const headers = { "Content-Type": "application/json" };
  if (channel.type === "webhook") {
    const secret = env[channel.secretEnv];
    if (typeof secret !== "string" || secret === "") return `env.${channel.secretEnv} (the signing secret) is not set`;
    headers["X-Edgefuse-Signature"] = `sha256=${await hmacSha256Hex(secret, delivery.body)}`;
  }
  const fetcher = channel.binding ? env[channel.binding] : globalThis;
  if (!fetcher || typeof fetcher.fetch !== "function") return `env.${channel.binding} is not a service binding`;
  try {
    const response = await fetcher.fetch(url, {
      method: "POST",
      headers,
      body: delivery.body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.ok ? null : `HTTP ${response.status}`;
  } catch (error) {
    if (error?.name === "TimeoutError" || error?.name === "AbortError") return `no answer within ${TIMEOUT_MS / 1000} s`;
    // A fetch error can quote the URL, which holds the webhook's secret: keep only its kind.
    return `request failed (${error?.name ?? "Error"})`;
  }
}

async function hmacSha256Hex(secret, body) {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body)));
  return Array.from(signature, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
