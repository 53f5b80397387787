// The simulator's part of Cloudflare's REST API (https://api.cloudflare.com/client/v4) that an
// operator action needs: a script's workers.dev subdomain, a zone's Worker routes and a
// script's cron triggers, with the API's envelope, its token scopes and its errors.
//   https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/subdomain/
//   https://developers.cloudflare.com/api/resources/workers/subresources/routes/
//   https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/schedules/
// Control routes (/__sim/rest/...) set up scripts, routes, tokens and faults, and list the
// calls made, so that a test or the demo can show each one.

// Token scopes, as the permission groups name them: "Workers Scripts Read/Write" (account)
// and "Workers Routes Read/Write" (zone). Write implies read.
const SCOPES = ["workers-scripts:read", "workers-scripts:write", "workers-routes:read", "workers-routes:write"];

let scripts; // account id -> script name -> { subdomain: { enabled, previews_enabled }, schedules: [...] }
let zones; // zone id -> [{ id, pattern, script }]
let tokens; // token -> { scopes: Set, expired }
let faults; // [{ method, pathPrefix, status, times }]
let calls; // [{ method, path, body, status }]
let nextRouteId;

export function resetRestApi() {
  scripts = new Map();
  zones = new Map();
  tokens = new Map();
  faults = [];
  calls = [];
  nextRouteId = 1;
}
resetRestApi();

const envelope = (result, status = 200) =>
  new Response(JSON.stringify({ success: status < 400, errors: [], messages: [], result }), {
    status,
    headers: { "content-type": "application/json" },
  });
const failure = (status, code, message) =>
  new Response(JSON.stringify({ success: false, errors: [{ code, message }], messages: [], result: null }), {
    status,
    headers: { "content-type": "application/json" },
  });
// Cloudflare answers a token it does not accept, or one without the permission, with a 403
// and code 10000 (https://developers.cloudflare.com/fundamentals/api/troubleshooting/).
const authError = () => failure(403, 10000, "Authentication error");
const scriptNotFound = () => failure(404, 10007, "workers.api.error.script_not_found");
const badBody = (message) => failure(400, 10001, message);

function tokenOf(request, env) {
  const token = (request.headers.get("Authorization") ?? "").replace(/^Bearer\s+/i, "");
  // The env's token has every scope, unless a control call has said otherwise.
  if (env.REST_API_TOKEN && !tokens.has(env.REST_API_TOKEN)) tokens.set(env.REST_API_TOKEN, { scopes: new Set(SCOPES), expired: false });
  return tokens.get(token);
}

const allows = (token, scope) => token && !token.expired && (token.scopes.has(scope) || token.scopes.has(scope.replace(":read", ":write")));

async function bodyOf(request) {
  try {
    return JSON.parse(await request.text());
  } catch {
    return undefined;
  }
}

const isBoolean = (value) => typeof value === "boolean";
const now = () => new Date().toISOString();

/** Answers /client/v4/... REST calls; null for any other path. */
export async function handleRestApi(request, env = {}) {
  const url = new URL(request.url);
  const path = url.pathname.replace(/^\/client\/v4/, "");
  const script = path.match(/^\/accounts\/([^/]+)\/workers\/scripts\/([^/]+)\/(subdomain|schedules)$/);
  const routes = path.match(/^\/zones\/([^/]+)\/workers\/routes(?:\/([^/]+))?$/);
  if (!url.pathname.startsWith("/client/v4/") || (!script && !routes)) return null;
  const body = ["POST", "PUT"].includes(request.method) ? await bodyOf(request) : undefined;
  const response = await answer(request, env, { script, routes, body });
  calls.push({ method: request.method, path: url.pathname, body: body ?? null, status: response.status });
  return response;
}

async function answer(request, env, { script, routes, body }) {
  const token = tokenOf(request, env);
  const fault = faults.find((entry) => entry.times > 0 && request.method === entry.method && new URL(request.url).pathname.startsWith(entry.pathPrefix));
  if (script) {
    const [, account, name, part] = script;
    if (!allows(token, request.method === "GET" ? "workers-scripts:read" : "workers-scripts:write")) return authError();
    if (fault) return (fault.times -= 1), failure(fault.status, 10013, "simulated failure");
    const entry = scripts.get(account)?.get(name);
    if (!entry) return scriptNotFound();
    if (part === "subdomain") {
      if (request.method === "GET") return envelope({ ...entry.subdomain });
      if (request.method !== "POST") return failure(405, 10000, `${request.method} is not allowed here`);
      if (!body || !isBoolean(body.enabled) || (body.previews_enabled !== undefined && !isBoolean(body.previews_enabled))) {
        return badBody("body must be { enabled: boolean, previews_enabled?: boolean }");
      }
      entry.subdomain = { enabled: body.enabled, previews_enabled: body.previews_enabled ?? entry.subdomain.previews_enabled };
      return envelope({ ...entry.subdomain });
    }
    if (request.method === "GET") return envelope({ schedules: entry.schedules.map((item) => ({ ...item })) });
    if (request.method !== "PUT") return failure(405, 10000, `${request.method} is not allowed here`);
    if (!Array.isArray(body) || !body.every((item) => typeof item?.cron === "string" && item.cron.trim())) {
      return badBody("body must be an array of { cron: string }");
    }
    // PUT replaces the whole set.
    entry.schedules = body.map(({ cron }) => ({ cron, created_on: now(), modified_on: now() }));
    return envelope({ schedules: entry.schedules.map((item) => ({ ...item })) });
  }
  const [, zone, routeId] = routes;
  if (!allows(token, request.method === "GET" ? "workers-routes:read" : "workers-routes:write")) return authError();
  if (fault) return (fault.times -= 1), failure(fault.status, 10013, "simulated failure");
  const list = zones.get(zone) ?? [];
  zones.set(zone, list);
  if (!routeId) {
    if (request.method === "GET") return envelope(list.map((route) => ({ ...route })));
    if (request.method !== "POST") return failure(405, 10000, `${request.method} is not allowed here`);
    if (typeof body?.pattern !== "string" || !body.pattern || (body.script !== undefined && typeof body.script !== "string")) {
      return badBody("body must be { pattern: string, script?: string }");
    }
    if (list.some((route) => route.pattern === body.pattern)) return failure(409, 10020, "workers.api.error.duplicate_route");
    const route = { id: `route${String(nextRouteId++).padStart(4, "0")}`, pattern: body.pattern, script: body.script };
    list.push(route);
    return envelope({ ...route });
  }
  const index = list.findIndex((route) => route.id === routeId);
  if (index < 0) return failure(404, 7003, `Could not route to /zones/${zone}/workers/routes/${routeId}, perhaps your object identifier is invalid?`);
  if (request.method === "DELETE") {
    list.splice(index, 1);
    return envelope({ id: routeId });
  }
  return failure(405, 10000, `${request.method} is not allowed here`);
}

/** The control routes under /__sim/rest; null for any other. */
export async function handleRestControl(request, readJsonBody) {
  const route = `${request.method} ${new URL(request.url).pathname}`;
  switch (route) {
    case "POST /__sim/rest/scripts": {
      const { account, name, subdomain = { enabled: true, previews_enabled: true }, schedules = [] } = await readJsonBody(request);
      if (!scripts.has(account)) scripts.set(account, new Map());
      scripts.get(account).set(name, { subdomain, schedules: schedules.map((cron) => ({ cron, created_on: now(), modified_on: now() })) });
      return Response.json({ ok: true });
    }
    case "POST /__sim/rest/routes": {
      const { zone, pattern, script } = await readJsonBody(request);
      const list = zones.get(zone) ?? [];
      zones.set(zone, list);
      const created = { id: `route${String(nextRouteId++).padStart(4, "0")}`, pattern, script };
      list.push(created);
      return Response.json(created);
    }
    case "POST /__sim/rest/tokens": {
      const { token, scopes = SCOPES, expired = false } = await readJsonBody(request);
      const unknown = scopes.filter((scope) => !SCOPES.includes(scope));
      if (unknown.length) return Response.json({ error: `scopes: unknown ${unknown.join(", ")}; known: ${SCOPES.join(", ")}` }, { status: 400 });
      tokens.set(token, { scopes: new Set(scopes), expired });
      return Response.json({ ok: true });
    }
    case "POST /__sim/rest/faults": {
      const { method, pathPrefix, status = 500, times = 1 } = await readJsonBody(request);
      faults.push({ method, pathPrefix, status, times });
      return Response.json({ ok: true });
    }
    case "GET /__sim/rest": {
      const dump = (map) => Object.fromEntries([...map].map(([key, value]) => [key, value instanceof Map ? dump(value) : value]));
      return Response.json({ scripts: dump(scripts), zones: dump(zones), calls });
    }
  }
  return null;
}
