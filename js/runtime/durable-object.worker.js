// The Durable Object base class, in a Worker.
export { DurableObject } from "cloudflare:workers";
