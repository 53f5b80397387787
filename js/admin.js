// The admin routes under config.adminPath: a status page, its JSON, and manual trip and
// reset. Off unless env holds an admin token; every request must carry it, as a bearer
// token (scripts) or as the password of HTTP Basic auth (browsers), compared in constant
// time. The page is one self-contained document: no script, no external assets.
import { renderDashboard } from "./dashboard.js";
import { GuardInputError } from "./errors.js";
import { logEvent } from "./log.js";

// The largest admin POST body read: a form or JSON of keys, a reason and seconds fits in far less.
const MAX_BODY_BYTES = 16 * 1024;
let warnedOfBlankToken = false;

/** Whether the admin routes are on: env holds an admin token. Blank is no token (warned of once). */
export function adminEnabled(config, env) {
  const token = env?.[config.adminTokenEnv];
  if (typeof token !== "string" || token === "") return false;
  if (token.trim() !== "") return true;
  if (!warnedOfBlankToken) {
    warnedOfBlankToken = true;
    logEvent("warn", "admin-token-blank", `edgefuse: env.${config.adminTokenEnv} is only whitespace: the admin area stays off`, { variable: config.adminTokenEnv });
  }
  return false;
}

/** The admin response for `request`, or null when it is not an admin route (or they are off). */
export async function handleAdmin(guard, request, env, url = new URL(request.url)) {
  const { adminPath, adminTokenEnv } = guard.config;
  if (url.pathname !== adminPath && !url.pathname.startsWith(`${adminPath}/`)) return null;
  if (!adminEnabled(guard.config, env)) return null; // the route is off
  const token = env[adminTokenEnv];
  if (!(await authorized(request, token))) {
    return new Response("edgefuse: this page needs the admin token\n", {
      status: 401,
      headers: { "WWW-Authenticate": 'Basic realm="edgefuse", charset="UTF-8"', "Cache-Control": "no-store" },
    });
  }
  const route = url.pathname.slice(adminPath.length) || "/";
  // Other sites may link to the page (a top-level navigation), but not make a browser
  // fetch it or its data: each view costs usage-API calls.
  if (request.headers.get("Sec-Fetch-Site") === "cross-site" && request.headers.get("Sec-Fetch-Mode") !== "navigate") {
    return new Response("edgefuse: cross-site request refused\n", { status: 403 });
  }
  if (request.method === "GET" && route === "/") {
    return html(renderDashboard(await guard.status(env), { adminPath }));
  }
  if (request.method === "GET" && route === "/status.json") {
    return Response.json(await guard.status(env), { headers: { "Cache-Control": "no-store" } });
  }
  if (request.method === "POST" && (route === "/trip" || route === "/reset")) {
    if (crossSite(request, url)) return new Response("edgefuse: cross-site request refused\n", { status: 403 });
    const { fields, fromForm, refused } = await readFields(request);
    if (refused) return refused;
    // Passed on as given: the core checks every field and names what is wrong.
    const resources = typeof fields.resources === "string" ? fields.resources.split(",").map((key) => key.trim()).filter(Boolean) : fields.resources;
    try {
      const breakers =
        route === "/trip"
          ? await guard.trip(env, resources, fields.reason ?? "tripped from the status page", { ttlSeconds: fields.ttlSeconds })
          : await guard.reset(env, resources, { holdSeconds: fields.holdSeconds });
      if (fromForm) return new Response(null, { status: 303, headers: { Location: adminPath } });
      return Response.json({ ok: true, breakers });
    } catch (error) {
      if (!(error instanceof GuardInputError)) throw error;
      return Response.json({ ok: false, problems: error.problems }, { status: 400 });
    }
  }
  return new Response("edgefuse: no such admin route\n", { status: 404 });
}

// RFC 9110: the scheme is case-insensitive; Basic credentials are user-id ":" password (RFC 7617).
async function authorized(request, token) {
  const [, scheme = "", credentials = ""] = /^([A-Za-z]+) +(\S+) *$/.exec(request.headers.get("Authorization") ?? "") ?? [];
  let given = null;
  if (scheme.toLowerCase() === "bearer") given = credentials;
  if (scheme.toLowerCase() === "basic") {
    try {
      const decoded = atob(credentials);
      if (decoded.includes(":")) given = decoded.slice(decoded.indexOf(":") + 1);
    } catch {
      given = null;
    }
  }
  return given !== null && (await constantTimeEqual(given, token));
}

// Digests first, so the comparison takes the same time whatever the lengths.
async function constantTimeEqual(a, b) {
  const encoder = new TextEncoder();
  const [left, right] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  if (typeof crypto.subtle.timingSafeEqual === "function") return crypto.subtle.timingSafeEqual(left, right);
  const x = new Uint8Array(left);
  const y = new Uint8Array(right);
  let difference = 0;
  for (let i = 0; i < x.length; i += 1) difference |= x[i] ^ y[i];
  return difference === 0;
}

// Browsers send Basic credentials with any request to the origin: refuse other sites' forms.
function crossSite(request, url) {
  if (request.headers.get("Sec-Fetch-Site") === "cross-site") return true;
  const origin = request.headers.get("Origin");
  return origin !== null && origin !== url.origin;
}

const FIELDS = ["resources", "reason", "ttlSeconds", "holdSeconds"];

/**
 * A POST's fields: { fields, fromForm } from a form (url-encoded or multipart) or a JSON
 * object, or { refused } with the 4xx for anything else: another type (415), a body over
 * MAX_BODY_BYTES (413), one that does not parse (400). A form's blank field is left out, and
 * its whole numbers become numbers; everything else is passed on as it came.
 */
async function readFields(request) {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0].trim().toLowerCase();
  const problem = (status, message) => ({ refused: Response.json({ ok: false, problems: [{ path: "body", message, fix: "" }] }, { status }) });
  if (!["application/json", "application/x-www-form-urlencoded", "multipart/form-data"].includes(type)) {
    return problem(415, `send a form (application/x-www-form-urlencoded or multipart/form-data) or JSON (application/json), not ${JSON.stringify(type || "no Content-Type")}`);
  }
  const body = await readCapped(request, MAX_BODY_BYTES);
  if (body === null) return problem(413, `at most ${MAX_BODY_BYTES.toLocaleString("en-US")} bytes`);
  const pick = (source) => Object.fromEntries(FIELDS.filter((name) => source[name] !== undefined).map((name) => [name, source[name]]));
  if (type === "application/json") {
    let parsed;
    try {
      parsed = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return problem(400, "not valid JSON");
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return problem(400, "must be a JSON object");
    return { fields: pick(parsed), fromForm: false };
  }
  let data;
  try {
    data = await new Request("https://admin.invalid/", { method: "POST", headers: { "Content-Type": request.headers.get("Content-Type") }, body }).formData();
  } catch {
    return problem(400, "not a form that parses");
  }
  const form = {};
  for (const name of FIELDS) {
    const value = data.get(name);
    if (typeof value !== "string") continue; // absent, or a file
    const text = value.trim();
    if (text === "") continue;
    form[name] = name.endsWith("Seconds") && /^\d{1,10}$/.test(text) ? Number(text) : value;
  }
  return { fields: form, fromForm: true };
}

// The body's bytes, or null once it is longer than `limit` (what it says, or what it sends).
async function readCapped(request, limit) {
  if (Number(request.headers.get("Content-Length") ?? 0) > limit) return null;
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function html(body) {
  return new Response(body, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
