// The runtime's base classes, in a Worker.
export { DurableObject, WorkerEntrypoint } from "cloudflare:workers";
