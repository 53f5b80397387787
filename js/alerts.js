// Delivers the alerts the core built: Discord, Slack and generic JSON webhooks (signed).
// Each delivery has its own timeout; a failing channel never stops the others. What to
// retry, and when to give up, is the core's decision (src/poll_tick.cpp).
// Webhook URLs are secrets: they are read from env at send time and never logged or kept.

/** Sends every delivery of a "send" action; resolves to null (delivered) or why not, for each. */
export function sendAlerts(env, { deliveries, timeoutMs }) {
  return Promise.all(deliveries.map((delivery) => sendOne(env, delivery, timeoutMs)));
}

// Resolves to null when delivered, else why not (never naming the URL).
async function sendOne(env, { body, urlEnv, signingSecretEnv, binding }, timeoutMs) {
  const url = env?.[urlEnv];
  if (typeof url !== "string" || !/^https?:\/\/\S+$/.test(url)) return `env.${urlEnv} is not set to a webhook URL`;
  const headers = { "Content-Type": "application/json" };
  if (signingSecretEnv) {
    const secret = env[signingSecretEnv];
    if (typeof secret !== "string" || secret === "") return `env.${signingSecretEnv} (the signing secret) is not set`;
    headers["X-Edgefuse-Signature"] = `sha256=${await hmacSha256Hex(secret, body)}`;
  }
  const fetcher = binding ? env[binding] : globalThis;
  if (!fetcher || typeof fetcher.fetch !== "function") return `env.${binding} is not a service binding`;
  try {
    const response = await fetcher.fetch(url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.ok ? null : `HTTP ${response.status}`;
  } catch (error) {
    if (error?.name === "TimeoutError" || error?.name === "AbortError") return `no answer within ${timeoutMs / 1000} s`;
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
