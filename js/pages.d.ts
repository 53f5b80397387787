// Types of edgefuse/pages. Structural, like Pages' own EventContext: any function context
// with `env` and `waitUntil` fits.
import type { Guard } from "./index.js";

/** What the wrapper uses of a Pages function's context. */
export interface PagesContextLike {
  env: any;
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * The Pages function with `context.env` guarded for the request; a call the guard refuses
 * answers 503 with Retry-After, as through guard.wrap.
 */
export declare function guarded<C extends PagesContextLike>(guard: Guard, handler: (context: C) => Response | Promise<Response>): (context: C) => Promise<Response>;
