// The runtime's base classes, in a Worker.
export { DurableObject } from "cloudflare:workers";
