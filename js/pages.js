// edgefuse/pages: Cloudflare Pages Functions. Pages hands each function a context of its own
// (a middleware's `context.env = ...` never reaches the next function), so the guard wraps
// each function: `export const onRequest = guarded(guard, async ({ request, env }) => ...)`.
import { INVOCATION } from "./bindings/env-guard.js";
import { blockedResponse, findGuardError } from "./errors.js";

/**
 * The Pages function with `context.env` guarded for the request; a call the guard refuses
 * answers the same 503 as through guard.wrap.
 */
export function guarded(guard, handler) {
  if (typeof handler !== "function") {
    throw new TypeError("edgefuse/pages: guarded(guard, handler) takes the Pages function to guard as its second argument");
  }
  return async function edgefuseGuardedFunction(context) {
    // Labelled by the request's path, for the real-time meter's per-feature lines.
    const guardedEnv = await guard.env(context.env, context, context.request === undefined ? undefined : { request: context.request });
    try {
      return await handler({ ...context, env: guardedEnv });
    } catch (error) {
      const guardError = findGuardError(error);
      if (guardError) return blockedResponse(guardError, guard.config.refreshSeconds);
      throw error;
    } finally {
      guardedEnv[INVOCATION].finish();
    }
  };
}
