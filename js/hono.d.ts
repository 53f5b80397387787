// Types of edgefuse/hono. Structural, so that the package does not depend on Hono's types:
// the middleware fits `app.use()` of any Hono app.
import type { Guard } from "./index.js";

/** What the middleware uses of Hono's Context. */
export interface HonoContextLike {
  env: any;
  readonly executionCtx: unknown;
  readonly error: Error | undefined;
  res: Response;
}

/**
 * Hono middleware: every handler after it sees `c.env` guarded for the request, and a call
 * the guard refused answers 503 with Retry-After, as through guard.wrap.
 */
export declare function guarded(guard: Guard): (c: HonoContextLike, next: () => Promise<void>) => Promise<void>;
