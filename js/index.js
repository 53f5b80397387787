// edgefuse: a usage guard for Cloudflare Workers.
export { RESOURCES, estimateCost } from "./catalogue.js";
export { createGuard } from "./guard.js";
export { GuardConfigError, GuardInputError } from "./errors.js";
