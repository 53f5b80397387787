// A notes Worker on KV, guarded; its tests (../test) run the usage-API simulator beside it
// with edgefuse/testing, so a cron tick polls usage the tests set.
import { guard } from "./guard.js";

export default guard.wrap({
  async fetch(request, env) {
    if (request.method === "POST") {
      await env.NOTES.put(crypto.randomUUID(), await request.text());
      return new Response("saved", { status: 201 });
    }
    const { keys } = await env.NOTES.list();
    return Response.json({ notes: keys.length });
  },
});
