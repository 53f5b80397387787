// The Worker the vitest suite runs as: it defines the Durable Object class and the RPC
// entrypoints that the tests' bindings point at.
import { DurableObject, WorkerEntrypoint } from "cloudflare:workers";
import { handleUsageApi } from "../../wrangler/simulator/usage-api.js";
import { createGuard } from "../../js/index.js";
export { EdgefuseMeter, EdgefuseRateLimiter } from "../../js/index.js";

export class Counter extends DurableObject {
  async increment(by = 1) {
    const value = ((await this.ctx.storage.get("value")) ?? 0) + by;
    await this.ctx.storage.put("value", value);
    return value;
  }

  async fetch() {
    return new Response(String(await this.increment()));
  }

  // An RPC property, read with `await stub.info` or pipelined as `await stub.info.nested`.
  get info() {
    return { nested: 7 };
  }
}

// An RPC entrypoint with Workers AI's run(): a service binding the tests name as kind "ai".
export class LocalAi extends WorkerEntrypoint {
  async run(model) {
    return { response: `ran ${model}` };
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

// A local alert receiver (the tests' Discord, Slack and webhook endpoints), reached as
// env.ALERT_RECEIVER. It records what it receives and can be told to fail or stall.
const received = [];
let behaviour = { status: 200, delayMs: 0, times: 0 };

export class AlertReceiver extends WorkerEntrypoint {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/__receiver/received") return Response.json(received);
    if (url.pathname === "/__receiver/behaviour") {
      behaviour = { status: 200, delayMs: 0, times: 0, ...(await request.json()) };
      return Response.json(behaviour);
    }
    if (url.pathname === "/__receiver/reset") {
      received.length = 0;
      behaviour = { status: 200, delayMs: 0, times: 0 };
      return Response.json({ ok: true });
    }
    const misbehave = behaviour.times > 0;
    if (misbehave) behaviour.times -= 1;
    if (misbehave && behaviour.delayMs) await scheduler.wait(behaviour.delayMs);
    received.push({
      path: url.pathname,
      signature: request.headers.get("X-Edgefuse-Signature"),
      body: await request.text(),
      answered: misbehave ? behaviour.status : 200,
    });
    return new Response(null, { status: misbehave ? behaviour.status : 200 });
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

// A WorkerEntrypoint guarded with guard.wrap, reached by the tests as env.NOTES (RPC and fetch).
export const notesGuard = createGuard({ plan: "free", limits: { "kv-writes": 2 } });
class Notes extends WorkerEntrypoint {
  async save(count) {
    for (let i = 0; i < count; i += 1) await this.env.KV.put(`note-${i}`, "x");
    return notesGuard.usage(this.env);
  }

  async fetch(request) {
    const count = Number(new URL(request.url).searchParams.get("n"));
    return Response.json(await this.save(count));
  }
}
export const GuardedNotes = notesGuard.wrap(Notes);
