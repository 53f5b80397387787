// edgefuse: a usage guard for Cloudflare Workers.
export { RESOURCES, estimateCost } from "./catalogue.js";
export { createGuard } from "./guard.js";
export { GuardConfigError, GuardError, GuardInputError } from "./errors.js";
export { STATE_KEY, SAFETY_NET_KEY } from "../dist/constants.js";
export { EdgefuseRateLimiter } from "./rate-limit/limiter-object.js";
export { EdgefuseMeter } from "./meter/meter-object.js";
