// guard.wrap on a WorkerEntrypoint class: every RPC call and fetch sees a guarded this.env,
// held to the guard's per-invocation limits; fetch answers a refusal with the 503.
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { DurableObject, WorkerEntrypoint, env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { GuardedNotes, notesGuard } from "./worker.js";

describe("guard.wrap(WorkerEntrypoint class)", () => {
  it("RPC methods see a guarded this.env: counted, and held to the limit per call", async () => {
    expect(await env.NOTES.save(2)).toEqual({ "kv-writes": 2 });
    expect(await env.NOTES.save(2)).toEqual({ "kv-writes": 2 }); // a new call, a new invocation
    const refused = await env.NOTES.save(3).then(() => null, (error) => error);
    expect(refused?.message).toBe("edgefuse: KV.put() refused: this invocation used 2 of its 2 kv-writes limit");
  });

  it("fetch answers a refused call with the 503 and its JSON body", async () => {
    const within = await env.NOTES.fetch("https://notes.example/?n=1");
    expect(await within.json()).toEqual({ "kv-writes": 1 });
    const refused = await env.NOTES.fetch("https://notes.example/?n=5");
    expect(refused.status).toBe(503);
    expect(refused.headers.get("Retry-After")).toBe("60");
    expect(await refused.json()).toMatchObject({ error: "edgefuse-blocked", code: "invocation-limit", resource: "kv-writes", binding: "KV", method: "put" });
  });

  it("scheduled: the usage poll runs, then the class's own scheduled with a guarded this.env", async () => {
    const warnings = [];
    vi.spyOn(console, "warn").mockImplementation((entry) => warnings.push(entry)); // no account secrets here
    const seen = [];
    const Cron = notesGuard.wrap(
      class Cron extends WorkerEntrypoint {
        async scheduled() {
          await this.env.KV.put("cron", "1");
          seen.push(notesGuard.usage(this.env));
        }
      },
    );
    await new Cron(createExecutionContext(), env).scheduled(createScheduledController({ cron: "*/5 * * * *" }));
    vi.restoreAllMocks();
    expect(seen).toEqual([{ "kv-writes": 1 }]);
    // The poll ran: it found no account secrets, and said so.
    expect(warnings.map((entry) => entry?.event)).toContain("edgefuse.missing-secret");
  });

  it("keeps the class's name and adds no method", () => {
    expect(GuardedNotes.name).toBe("Notes");
    expect(GuardedNotes.prototype).toBeInstanceOf(WorkerEntrypoint);
    expect(Object.getOwnPropertyNames(GuardedNotes.prototype).sort()).toEqual(["constructor", "fetch", "save"]);
    expect(GuardedNotes.prototype.save.name).toBe("save");
  });

  it("refuses a class that is not a WorkerEntrypoint, naming what to do instead", () => {
    class Room extends DurableObject {}
    expect(() => notesGuard.wrap(Room)).toThrow(
      "edgefuse: guard.wrap() takes the Worker's handler object or a WorkerEntrypoint class, got class Room; a Durable Object asks for await guard.env(this.env, this.ctx) in its methods",
    );
  });
});
