// Delivers alert bodies the core built to their channels: Discord, Slack and generic JSON
// webhooks (signed). Each delivery has its own timeout; a failing channel never stops the
// others; what fails is returned to be kept in the state and retried on the next tick.
// Webhook URLs are secrets: they are read from env at send time and never logged or kept.

const TIMEOUT_MS = 5000;
const MAX_ATTEMPTS = 24; // about two hours of 5-minute ticks
const MAX_PENDING = 50;

/**
 * Sends `deliveries` ({channel, level, key, body}) and retries `pending` (same, plus
 * attempts and lastError). Resolves to { sent, pending } where `pending` is what to retry.
 */
export async function deliverAlerts(config, env, deliveries, pending, now) {
  const queue = [...pending, ...deliveries.map((delivery) => ({ ...delivery, attempts: 0, firstAt: new Date(now).toISOString() }))];
  const results = await Promise.all(queue.map((delivery) => sendOne(config, env, delivery)));
  const stillPending = [];
  let sent = 0;
  results.forEach((error, index) => {
    const delivery = queue[index];
    if (error === null) {
      sent += 1;
      return;
    }
    const attempts = delivery.attempts + 1;
    const channel = describeChannel(config, delivery.channel);
    if (attempts >= MAX_ATTEMPTS) {
      console.error(`edgefuse: gave up on a ${delivery.level} alert for ${delivery.key} to ${channel} after ${attempts} attempts: ${error}`);
      return;
    }
    console.warn(`edgefuse: ${delivery.level} alert for ${delivery.key} to ${channel} failed (${error}); retrying next tick`);
    stillPending.push({ ...delivery, attempts, lastError: error });
  });
  return { sent, pending: stillPending.slice(-MAX_PENDING) };
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
