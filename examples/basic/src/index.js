// The smallest real use of edgefuse: a link shortener on D1 with a KV cache, behind
// guard.wrap. Every binding call is counted and limited per request, refused while a
// breaker is tripped, and the cron trigger lets the guard watch the account's usage.
import { createGuard } from "edgefuse";

const guard = createGuard({ plan: "free" });

export default guard.wrap({
  async fetch(request, env) {
    const url = new URL(request.url);
    await env.DB.exec("CREATE TABLE IF NOT EXISTS links (id TEXT PRIMARY KEY, target TEXT NOT NULL)");
    if (request.method === "POST" && url.pathname === "/links") {
      const { target } = await request.json();
      const id = crypto.randomUUID().slice(0, 8);
      await env.DB.prepare("INSERT INTO links (id, target) VALUES (?, ?)").bind(id, target).run();
      await env.LINKS.put(id, target, { expirationTtl: 3600 });
      return Response.json({ id }, { status: 201 });
    }
    const id = url.pathname.slice(1);
    const target =
      (await env.LINKS.get(id)) ?? (await env.DB.prepare("SELECT target FROM links WHERE id = ?").bind(id).first("target"));
    return target ? Response.redirect(target, 302) : new Response("not found", { status: 404 });
  },
});
