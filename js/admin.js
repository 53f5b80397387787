// The admin routes under config.adminPath: a status page, its JSON, and manual trip and
// reset. Off unless env holds an admin token; every request must carry it, as a bearer
// token (scripts) or as the password of HTTP Basic auth (browsers), compared in constant
// time. The page is one self-contained document: no script, no external assets.
import { renderDashboard } from "./dashboard.js";
import { GuardInputError } from "./errors.js";

/** Whether the admin routes are on: env holds an admin token. */
export function adminEnabled(config, env) {
  const token = env?.[config.adminTokenEnv];
  return typeof token === "string" && token !== "";
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
    const form = await readForm(request);
    const resources = String(form.resources ?? "").split(",").map((key) => key.trim()).filter(Boolean);
    try {
      const breakers =
        route === "/trip"
          ? await guard.trip(env, resources, String(form.reason ?? "tripped from the status page"), { ttlSeconds: Number(form.ttlSeconds ?? 0) })
          : await guard.reset(env, resources, { holdSeconds: Number(form.holdSeconds ?? 0) });
      if (form.__form) return new Response(null, { status: 303, headers: { Location: adminPath } });
      return Response.json({ ok: true, breakers });
    } catch (error) {
      if (!(error instanceof GuardInputError)) throw error;
      return Response.json({ ok: false, problems: error.problems }, { status: 400 });
    }
  }
  return new Response("edgefuse: no such admin route\n", { status: 404 });
}

async function authorized(request, token) {
  const header = request.headers.get("Authorization") ?? "";
  let given = null;
  if (header.startsWith("Bearer ")) given = header.slice(7);
  if (header.startsWith("Basic ")) {
    try {
      const decoded = atob(header.slice(6));
      given = decoded.slice(decoded.indexOf(":") + 1);
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

async function readForm(request) {
  const type = request.headers.get("Content-Type") ?? "";
  if (type.includes("application/json")) {
    const parsed = await request.json().catch(() => null);
    const body = parsed !== null && typeof parsed === "object" ? parsed : {};
    return { ...body, resources: Array.isArray(body.resources) ? body.resources.join(",") : body.resources };
  }
  const data = await request.formData();
  return { ...Object.fromEntries(data), __form: true };
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
