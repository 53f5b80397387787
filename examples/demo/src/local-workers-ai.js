// A stand-in for the Workers AI binding, reached as env.AI through a service binding to this
// Worker (wrangler.jsonc): Workers AI itself cannot run offline. Each call answers a canned
// summary and reports the neurons it would have used to the usage-API simulator, the way
// Cloudflare's analytics would count them.
import { WorkerEntrypoint } from "cloudflare:workers";

export const NEURONS_PER_CALL = 2_500;

export class LocalWorkersAi extends WorkerEntrypoint {
  async run(model, inputs) {
    await this.env.USAGE_API.fetch("http://usage-api/__sim/usage", {
      method: "POST",
      body: JSON.stringify({ resource: "ai-neurons", units: NEURONS_PER_CALL }),
    });
    return { response: `(${model}) a summary of ${String(inputs?.prompt ?? "").length} characters` };
  }
}
