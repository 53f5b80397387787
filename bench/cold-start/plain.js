// The same Worker without edgefuse: the cold-start bench's baseline.
export default {
  async fetch(request, env) {
    return new Response((await env.KV.get("greeting")) ?? "hello");
  },
};
