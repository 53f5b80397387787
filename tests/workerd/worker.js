// The Worker the vitest suite runs as: it defines the Durable Object class and the RPC
// entrypoints that the tests' bindings point at.
import { DurableObject, WorkerEntrypoint } from "cloudflare:workers";
import { handleUsageApi } from "../../wrangler/simulator/usage-api.js";

export class Counter extends DurableObject {
  async increment(by = 1) {
    const value = ((await this.ctx.storage.get("value")) ?? 0) + by;
    await this.ctx.storage.put("value", value);
    return value;
  }

  async fetch() {
    return new Response(String(await this.increment()));
  }
}

export class EchoService extends WorkerEntrypoint {
  async echo(value) {
    return value;
  }
}

// The usage-API simulator, reached by the tests as env.USAGE_API.
export class UsageApi extends WorkerEntrypoint {
  fetch(request) {
    return handleUsageApi(request, this.env);
  }
}

export default {
  async fetch() {
    return new Response("edgefuse test worker");
  },
  async queue(batch) {
    for (const message of batch.messages) message.ack();
  },
};
