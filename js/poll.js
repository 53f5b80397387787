// Carries out the usage poll's I/O for the core's tick driver (src/poll_tick.h): KV reads
// and writes, the usage-API requests and the alert POSTs. The core decides every step;
// this file only does what it is told and hands the result back.
import { sendAlerts } from "./alerts.js";
import { coreDriver } from "./core.js";

/**
 * What operator actions need of env, for a tick's start: whether their token is set (never
 * the token), the script name that confirms the Worker, and an endpoint override (a URL or a
 * service binding). Empty when the config has no actions.
 */
export function actionInputs(config, env) {
  const { actions } = config;
  if (!actions) return {};
  const endpoint = env?.[actions.endpointEnv];
  const token = env?.[actions.tokenEnv];
  return {
    actions: {
      tokenSet: typeof token === "string" && token.trim() !== "",
      script: typeof env?.[actions.scriptEnv] === "string" ? env[actions.scriptEnv] : "",
      ...(typeof endpoint?.fetch === "function" ? { endpointBinding: true } : typeof endpoint === "string" ? { endpoint } : {}),
    },
  };
}

/**
 * Runs one tick of `kind` ("tick", "status", "trip", "reset" or "view") to its end and
 * resolves to its result. `kv` counts the KV operations made ({ reads, writes, deletes }).
 */
export async function runTick(handle, config, env, start, kv = { reads: 0, writes: 0, deletes: 0 }) {
  // A view (the breakers an isolate enforces) has a driver of its own, a small part of the core.
  const tick = start.kind === "view" ? coreDriver("view", handle, JSON.stringify({ now: start.now })) : coreDriver("tick", handle, JSON.stringify(start));
  try {
    for (;;) {
      const action = JSON.parse(tick.next());
      // One object per line, as Workers Logs indexes them: message and event first.
      for (const { level, message, event, ...fields } of action.logs ?? []) console[level]({ message, event, ...fields });
      switch (action.do) {
        case "done":
          return action.result;
        case "fetch":
          (await fetchAll(config, env, action)).forEach(({ status, body, error }, index) => tick.answer(index, status, body, error));
          break;
        case "send":
          tick.handle(JSON.stringify({ results: await sendAlerts(env, action) }));
          break;
        case "api":
          tick.handle(JSON.stringify({ results: await restCalls(env, action) }));
          break;
        case "read": {
          // Handed over as bytes: the record is tens of KB, not worth wrapping in JSON.
          const { value = null, error = "" } = await kvAction(env?.[config.stateBinding], config.stateBinding, action, kv);
          tick.read(value !== null, value ?? "", error);
          break;
        }
        default:
          tick.handle(JSON.stringify(await kvAction(env?.[config.stateBinding], config.stateBinding, action, kv)));
      }
    }
  } finally {
    tick.delete();
  }
}

const KV_METHODS = { read: "get", put: "put", delete: "delete" };

async function kvAction(namespace, binding, { do: verb, key, value, expirationTtl }, kv) {
  if (typeof namespace?.[KV_METHODS[verb]] !== "function") {
    return { error: `env.${binding} is not a KV namespace: bind one, or set stateBinding` };
  }
  try {
    if (verb === "read") {
      kv.reads += 1;
      return { value: await namespace.get(key, "arrayBuffer") };
    }
    if (verb === "put") {
      kv.writes += 1;
      await namespace.put(key, value, expirationTtl === undefined ? undefined : { expirationTtl });
    } else {
      kv.deletes += 1;
      await namespace.delete(key);
    }
    return {};
  } catch (error) {
    return { error: String(error?.message ?? error) || `${verb} of ${key} failed` };
  }
}

// One request per dataset, in parallel, each with its own timeout.
async function fetchAll(config, env, { endpoint, binding, timeoutMs, requests }) {
  const fetcher = binding ? env[binding] : globalThis;
  if (!fetcher || typeof fetcher.fetch !== "function") {
    return requests.map(() => ({ status: 0, body: "", error: `env.${binding} is not a service binding` }));
  }
  const token = env[config.apiTokenEnv];
  return Promise.all(
    requests.map(async ({ query, variables }) => {
      try {
        const response = await fetcher.fetch(endpoint, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        // As bytes: the core reads UTF-8, and a copy of bytes into it is cheaper than a string's.
        return { status: response.status, body: await response.arrayBuffer(), error: "" };
      } catch (error) {
        const timedOut = error?.name === "TimeoutError" || error?.name === "AbortError";
        // The error of a failed fetch names the URL at most, never the request's headers.
        const reason = timedOut ? `no answer within ${timeoutMs / 1000} s` : `request failed: ${error?.message ?? error}`;
        return { status: 0, body: "", error: reason };
      }
    }),
  );
}

// Operator actions' calls to Cloudflare's REST API, in order (each may depend on the last),
// with the token of env[tokenEnv]; through a service binding when the core names one.
async function restCalls(env, { binding, tokenEnv, timeoutMs, calls }) {
  const fetcher = binding ? env[binding] : globalThis;
  const results = [];
  for (const { method, url, body } of calls) {
    try {
      const response = await fetcher.fetch(url, {
        method,
        headers: { Authorization: `Bearer ${env[tokenEnv]}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      results.push({ status: response.status, body: await response.text(), error: "" });
    } catch (error) {
      const timedOut = error?.name === "TimeoutError" || error?.name === "AbortError";
      results.push({ status: 0, body: "", error: timedOut ? `no answer within ${timeoutMs / 1000} s` : `request failed: ${error?.message ?? error}` });
    }
  }
  return results;
}
