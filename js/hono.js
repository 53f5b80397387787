// edgefuse/hono: a Hono middleware that guards c.env for each request, and answers a call
// the guard refused with the same 503 as guard.wrap (Hono would otherwise make it a 500).
import { INVOCATION } from "./bindings/env-guard.js";
import { blockedResponse, findGuardError } from "./errors.js";

/**
 * `app.use(guarded(guard))`, or on some routes only: `app.use("/search/*", guarded(tight))`.
 * Every handler after it sees `c.env` guarded for this request.
 */
export function guarded(guard) {
  return async function edgefuseGuard(c, next) {
    // Labelled by the request's path, for the real-time meter's per-feature lines.
    const guardedEnv = await guard.env(c.env, executionContextOf(c), { request: c.req.raw });
    c.env = guardedEnv;
    try {
      await next();
    } finally {
      guardedEnv[INVOCATION].finish();
    }
    // Hono hands a handler's error to app.onError and keeps it in c.error.
    const guardError = findGuardError(c.error);
    if (guardError) c.res = blockedResponse(guardError, guard.config.refreshSeconds);
  };
}

// Hono's getter throws when there is none (app.request() in a test gives none).
function executionContextOf(c) {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
