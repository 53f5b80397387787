// Guarded bindings against real local KV, D1, R2, Queues, a Durable Object and an RPC
// service binding, all inside workerd.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { GuardConfigError, GuardError, SAFETY_NET_KEY, STATE_KEY, createGuard } from "../../js/index.js";

let run = 0;
let prefix;
beforeEach(async () => {
  run += 1;
  prefix = `t${run}-${Date.now()}`;
  await env.EDGEFUSE_STATE.delete(STATE_KEY);
  await env.EDGEFUSE_STATE.delete(SAFETY_NET_KEY);
});

const paid = (config = {}) => ({ plan: "paid", budget: { maxUsd: 50 }, ...config });

/** A guard with a hand-driven clock: `clock.now` is ms since the epoch. */
function guardWithClock(config = {}) {
  const clock = { now: Date.parse("2026-11-23T12:00:00Z") };
  const guard = createGuard(paid(config), { clock: () => clock.now });
  return { guard, clock };
}

const tripRecord = (breakers) => JSON.stringify({ version: 1, breakers });
const breaker = (reason, since = "2026-11-23T11:00:00Z") => ({ reason, since, source: "test" });

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to be refused, but it ran");
}

/** The fields of a result, recursively, with the types of its values (optional ones left out). */
function shapeOf(value) {
  if (value === null || typeof value !== "object") return typeof value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== "oldestMessageTimestamp").map(([key, field]) => [key, shapeOf(field)]));
}

/** env with its state namespace replaced by one that counts (and can break) reads. */
function countingStateEnv(state = env.EDGEFUSE_STATE) {
  const counter = { reads: 0, fail: false };
  const namespace = {
    get: async (...args) => {
      counter.reads += 1;
      if (counter.fail) throw new Error("KV GET failed: 503 Service Unavailable");
      return state.get(...args);
    },
    getWithMetadata: (...args) => state.getWithMetadata(...args),
    put: (...args) => state.put(...args),
    delete: (...args) => state.delete(...args),
    list: (...args) => state.list(...args),
  };
  return { env: { ...env, EDGEFUSE_STATE: namespace }, counter };
}

describe("what each call is charged", () => {
  it("KV: get (per key in a bulk get), getWithMetadata, put, delete and list", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    await guarded.KV.put(`${prefix}:a`, "1");
    await guarded.KV.put(`${prefix}:b`, "2", { metadata: { tag: "x" } });
    expect(await guarded.KV.get(`${prefix}:a`)).toBe("1");
    const bulk = await guarded.KV.get([`${prefix}:a`, `${prefix}:b`, `${prefix}:missing`]);
    expect([...bulk.entries()]).toEqual([
      [`${prefix}:a`, "1"],
      [`${prefix}:b`, "2"],
      [`${prefix}:missing`, null],
    ]);
    expect((await guarded.KV.getWithMetadata(`${prefix}:b`)).metadata).toEqual({ tag: "x" });
    expect((await guarded.KV.list({ prefix })).keys).toHaveLength(2);
    await guarded.KV.delete(`${prefix}:a`);
    expect(await env.KV.get(`${prefix}:a`)).toBeNull();
    expect(guard.usage(guarded)).toEqual({ "kv-reads": 5, "kv-writes": 2, "kv-deletes": 1, "kv-lists": 1 });
  });


  it("D1: rows read and written come from each result's meta, however the query runs", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    const db = guarded.DB;
    const table = `items_${run}`;
    await env.DB.exec(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, name TEXT)`);
    const expected = { "d1-rows-read": 0, "d1-rows-written": 0 };
    const add = (meta) => {
      expected["d1-rows-read"] += meta.rows_read;
      expected["d1-rows-written"] += meta.rows_written;
    };

    const insert = db.prepare(`INSERT INTO ${table} (name) VALUES (?)`);
    add((await insert.bind("one").run()).meta);
    const batch = await db.batch([insert.bind("two"), insert.bind("three"), db.prepare(`SELECT * FROM ${table}`)]);
    batch.forEach((result) => add(result.meta));
    expect(batch[2].results.map((row) => row.name)).toEqual(["one", "two", "three"]);

    const all = await db.prepare(`SELECT * FROM ${table} WHERE id > ?`).bind(1).all();
    add(all.meta);
    expect(all.results).toHaveLength(2);
    // first() runs as all() so that it can be charged: the same rows as the raw binding's all().
    expect(await db.prepare(`SELECT name FROM ${table} WHERE id = ?`).bind(3).first("name")).toBe("three");
    expect(await db.prepare(`SELECT name FROM ${table} WHERE id = ?`).bind(3).first()).toEqual({ name: "three" });
    const firstMeta = (await env.DB.prepare(`SELECT name FROM ${table} WHERE id = ?`).bind(3).all()).meta;
    add(firstMeta);
    add(firstMeta);
    // raw() has no meta: charged the rows it returned.
    const raw = await db.prepare(`SELECT id, name FROM ${table}`).raw({ columnNames: true });
    expect(raw).toEqual([["id", "name"], [1, "one"], [2, "two"], [3, "three"]]);
    expected["d1-rows-read"] += 3;

    expect(expected["d1-rows-written"]).toBe(3);
    expect(expected["d1-rows-read"]).toBeGreaterThan(6);
    expect(guard.usage(guarded)).toEqual(expected);
    expect(await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first("n")).toBe(3);
  });

  it("D1: withSession works through the proxy and is charged like the database", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    const table = `sessions_${run}`;
    await env.DB.exec(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, name TEXT)`);
    const session = guarded.DB.withSession("first-primary");
    const [inserted] = await session.batch([session.prepare(`INSERT INTO ${table} (name) VALUES ('x'), ('y')`)]);
    const selected = await session.prepare(`SELECT * FROM ${table}`).all();
    expect(selected.results).toHaveLength(2);
    expect(typeof session.getBookmark()).not.toBe("undefined");
    expect(guard.usage(guarded)).toEqual({
      "d1-rows-read": inserted.meta.rows_read + selected.meta.rows_read,
      "d1-rows-written": 2,
    });
  });

  it("D1: a failing query rejects with D1's own error and charges nothing", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    const error = await rejection(guarded.DB.prepare("SELECT * FROM no_such_table").all());
    expect(error).not.toBeInstanceOf(GuardError);
    expect(error.message).toMatch(/no such table/);
    expect(guard.usage(guarded)).toEqual({});
  });

  it("KV, R2, Queues: a guarded binding shows reflection what the raw one shows", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    for (const name of ["KV", "BUCKET", "QUEUE"]) {
      const [raw, wrapped] = [env[name], guarded[name]];
      expect(Object.keys(wrapped)).toEqual(Object.keys(raw));
      expect(JSON.stringify(wrapped)).toBe(JSON.stringify(raw));
      expect({ ...wrapped }).toEqual({ ...raw });
      const enumerated = [];
      for (const key in wrapped) enumerated.push(key);
      expect(enumerated.filter((key) => typeof wrapped[key] !== "function")).toEqual([]);
    }
    expect(guarded.KV.get.name).toBe(env.KV.get.name);
    expect(guarded.BUCKET.put.name).toBe(env.BUCKET.put.name);
    const key = `${prefix}/reflect.bin`;
    const rawUpload = await env.BUCKET.createMultipartUpload(key);
    const upload = await guarded.BUCKET.createMultipartUpload(key);
    expect(Object.keys(upload)).toEqual(Object.keys(rawUpload));
    expect([upload.key, typeof upload.uploadId]).toEqual([rawUpload.key, "string"]);
    await rawUpload.abort();
    await upload.abort();
  });

  it("D1, Durable Objects, constructors and the env itself show reflection what raw ones show", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    const publicMethods = (value) => {
      const names = new Set();
      for (let proto = Object.getPrototypeOf(value); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
        for (const name of Object.getOwnPropertyNames(proto)) {
          if (name !== "constructor" && !name.startsWith("_") && typeof value[name] === "function") names.add(name);
        }
      }
      return [...names].sort();
    };
    const pairs = [
      [env.KV, guarded.KV],
      [env.BUCKET, guarded.BUCKET],
      [env.QUEUE, guarded.QUEUE],
      [env.DB, guarded.DB],
      [env.DB.withSession(), guarded.DB.withSession()],
      [env.DB.prepare("SELECT 1"), guarded.DB.prepare("SELECT 1")],
      [env.COUNTER, guarded.COUNTER],
    ];
    for (const [raw, wrapped] of pairs) {
      expect(wrapped.constructor.name).toBe(raw.constructor.name);
      expect(Object.keys(wrapped)).toEqual(Object.keys(raw));
      expect(JSON.stringify(wrapped)).toBe(JSON.stringify(raw));
      expect(publicMethods(wrapped)).toEqual(publicMethods(raw));
      expect(String(wrapped)).toBe(String(raw));
    }
    expect(Object.keys(guarded)).toEqual(Object.keys(env));
    expect(JSON.stringify(guarded)).toBe(JSON.stringify(env));
    expect(Reflect.ownKeys(guarded)).toEqual(Reflect.ownKeys(env));
    expect(Reflect.ownKeys({ ...guarded })).toEqual(Reflect.ownKeys({ ...env }));
  });

  it("the env reflects as a plain object of its entries, and every way to a binding is guarded", async () => {
    const { guard } = guardWithClock({ limits: { "kv-writes": 1 } });
    const key = `${prefix}/paths`;
    // Wrappers are made on first read: reading by descriptor, spread, entries or for...in
    // must each still reach the guarded binding, never the raw one.
    const viaDescriptor = await guard.env(env);
    const descriptor = Object.getOwnPropertyDescriptor(viaDescriptor, "KV");
    expect(descriptor).toEqual({ value: viaDescriptor.KV, writable: true, enumerable: true, configurable: true });
    expect(descriptor.value).not.toBe(env.KV);
    await descriptor.value.put(key, "1");
    expect((await rejection(viaDescriptor.KV.put(key, "2"))).code).toBe("invocation-limit");

    const viaSpread = await guard.env(env);
    const copy = { ...viaSpread };
    expect(copy.KV).toBe(viaSpread.KV);
    await copy.KV.get(key);
    expect(guard.usage(viaSpread)).toEqual({ "kv-reads": 1 });

    const viaEntries = await guard.env(env);
    const entries = Object.fromEntries(Object.entries(viaEntries));
    expect(Object.keys(entries)).toEqual(Object.keys(env));
    const names = [];
    for (const name in viaEntries) names.push(name);
    expect(names).toEqual(Object.keys(env));
    await entries.BUCKET.head(key);
    expect(guard.usage(viaEntries)).toEqual({ "r2-class-b": 1 });

    // Frozen or made read-only before any binding is read, the env still hands out guarded
    // bindings (the limit counts per invocation: a fresh env's first put would go through).
    const frozen = Object.freeze(await guard.env(env));
    expect(Object.isFrozen(frozen)).toBe(true);
    await frozen.KV.put(key, "3");
    expect((await rejection(frozen.KV.put(key, "4"))).code).toBe("invocation-limit");
    const fixed = await guard.env(env);
    Object.defineProperty(fixed, "KV", { writable: false, configurable: false });
    await fixed.KV.put(key, "4");
    expect((await rejection(fixed.KV.put(key, "5"))).code).toBe("invocation-limit");

    // A getter the Worker puts on the env runs when the Worker reads it, not when the env is
    // listed, and hands out the guarded binding.
    const withGetter = await guard.env(env);
    let getterRuns = 0;
    Object.defineProperty(withGetter, "viaGetter", {
      get() {
        getterRuns += 1;
        return this.KV;
      },
      enumerable: true,
      configurable: true,
    });
    expect([Object.keys(withGetter), getterRuns]).toEqual([[...Object.keys(env), "viaGetter"], 0]);
    expect(withGetter.viaGetter).toBe(withGetter.KV);
    expect(withGetter.viaGetter).not.toBe(env.KV);

    // Written or deleted, an entry is what was written, as on a plain object.
    const written = await guard.env(env);
    written.KV = "replaced";
    delete written.BUCKET;
    expect([written.KV, "BUCKET" in written, Object.keys(written).includes("BUCKET")]).toEqual(["replaced", false, false]);
    expect(await env.KV.get(key)).toBe("4");
  });

  it("an env with nothing to guard is a plain copy; the guard's own namespaces are never guarded", async () => {
    const { guard } = guardWithClock();
    const varsOnly = await guard.env({ GREETING: "hello", LIMIT: 3 });
    expect(structuredClone(varsOnly)).toEqual({ GREETING: "hello", LIMIT: 3 });
    expect(Reflect.ownKeys({ ...varsOnly })).toEqual(["GREETING", "LIMIT"]);
    expect(guard.usage(varsOnly)).toEqual({});
    const guarded = await guard.env(env);
    expect(guarded.EDGEFUSE_STATE).toBe(env.EDGEFUSE_STATE);
    expect(guarded.EDGEFUSE_RATE_LIMITER).toBe(env.EDGEFUSE_RATE_LIMITER);
  });

  it("KV: a guarded method called on the raw binding, or bare, does what the raw method does", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    const key = `${prefix}/this`;
    await env.KV.put(key, "v");
    expect(await guarded.KV.get.call(env.KV, key)).toBe(await env.KV.get(key));
    const failure = async (call) => {
      try {
        await call();
      } catch (error) {
        return error;
      }
    };
    const { get: rawGet } = env.KV;
    const { get } = guarded.KV;
    const rawError = await failure(() => rawGet(key));
    const error = await failure(() => get(key));
    expect(rawError).toBeInstanceOf(Error);
    expect(error?.constructor).toBe(rawError.constructor);
    expect(error?.message).toBe(rawError.message);
    expect(guard.usage(guarded)).toEqual({});
  });

  it("D1 and Durable Objects: a guarded method called with another this does what the raw method does", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    const failure = async (call) => {
      try {
        await call();
      } catch (error) {
        return error;
      }
      return null;
    };
    expect(await guarded.DB.prepare.call(env.DB, "SELECT 7 AS n").first("n")).toBe(7);
    const session = env.DB.withSession();
    expect(await guarded.DB.withSession().prepare.call(session, "SELECT 8 AS n").first("n")).toBe(8);
    const statement = env.DB.prepare("SELECT 9 AS n");
    expect(await guarded.DB.prepare("SELECT 1").first.call(statement, "n")).toBe(9);
    expect(String(guarded.COUNTER.idFromName.call(env.COUNTER, "x"))).toBe(String(env.COUNTER.idFromName("x")));
    const bare = [
      [env.DB.prepare, guarded.DB.prepare],
      [env.DB.exec, guarded.DB.exec],
      [statement.all, guarded.DB.prepare("SELECT 1").all],
      [env.COUNTER.idFromName, guarded.COUNTER.idFromName],
    ];
    for (const [rawMethod, guardedMethod] of bare) {
      const rawError = await failure(() => rawMethod("SELECT 1"));
      const error = await failure(() => guardedMethod("SELECT 1"));
      expect(rawError).toBeInstanceOf(Error);
      expect([error?.constructor, error?.message]).toEqual([rawError.constructor, rawError.message]);
    }
    expect(guard.usage(guarded)).toEqual({});
  });

  it("D1: a guarded statement shows what a raw one does, runs in the raw binding's batch, and fails as it does", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    const sql = "SELECT ? AS one";
    const raw = env.DB.prepare(sql).bind(1);
    const statement = guarded.DB.prepare(sql).bind(1);
    expect(Object.keys(statement)).toEqual(Object.keys(raw));
    expect([statement.statement, statement.params]).toEqual([raw.statement, raw.params]);
    expect(JSON.stringify(Object.keys(guarded.DB.prepare(sql)))).toBe(JSON.stringify(Object.keys(env.DB.prepare(sql))));
    // The raw binding's batch takes it (and runs it unguarded, as it runs its own).
    const [result] = await env.DB.batch([statement]);
    expect(result.results).toEqual([{ one: 1 }]);
    // A column first() does not find: the raw error, class and message.
    const rawError = await rejection(raw.first("missing"));
    const error = await rejection(statement.first("missing"));
    expect(error.constructor).toBe(rawError.constructor);
    expect(error.message).toBe(rawError.message);
    expect(guard.usage(guarded)).toEqual({}); // SELECT ? reads no rows
  });

  it("R2: Class B reads, Class A writes and lists, deletes counted apart, multipart parts", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    const bucket = guarded.BUCKET;
    await bucket.put(`${prefix}/a.txt`, "hello");
    await bucket.put(`${prefix}/b.txt`, "world");
    expect((await bucket.head(`${prefix}/a.txt`)).size).toBe(5);
    expect(await (await bucket.get(`${prefix}/b.txt`)).text()).toBe("world");
    expect((await bucket.list({ prefix })).objects).toHaveLength(2);

    const upload = await bucket.createMultipartUpload(`${prefix}/big.bin`);
    const part = await upload.uploadPart(1, "x".repeat(16));
    const resumed = bucket.resumeMultipartUpload(`${prefix}/big.bin`, upload.uploadId);
    const object = await resumed.complete([part]);
    expect(object.size).toBe(16);

    await bucket.delete([`${prefix}/a.txt`, `${prefix}/b.txt`]);
    expect(await env.BUCKET.head(`${prefix}/a.txt`)).toBeNull();
    expect(guard.usage(guarded)).toEqual({ "r2-class-a": 6, "r2-class-b": 2, "r2-deletes": 2 });
  });

  it("Queues: send is one operation, sendBatch one per message", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    await guarded.QUEUE.send({ n: 1 });
    await guarded.QUEUE.sendBatch([{ body: 2 }, { body: 3 }, { body: 4 }]);
    expect(guard.usage(guarded)).toEqual({ "queues-operations": 4 });
  });

  it("Queues: sendBatch takes any iterable, a one-shot generator included, as the raw binding does", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    let reads = 0;
    function* batch() {
      reads += 1;
      for (let n = 0; n < 3; n += 1) yield { body: n };
    }
    // Raw, then guarded: an empty batch would throw "sendBatch() requires at least one message".
    await env.QUEUE.sendBatch(batch());
    await guarded.QUEUE.sendBatch(batch());
    await guarded.QUEUE.sendBatch(new Set([{ body: "a" }, { body: "b" }]));
    expect(reads).toBe(2);
    expect(guard.usage(guarded)).toEqual({ "queues-operations": 5 });
    // What the binding refuses before sending is refused the same way, and costs nothing.
    const rawError = await env.QUEUE.sendBatch(null).catch((error) => error);
    const guardedError = await guarded.QUEUE.sendBatch(null).catch((error) => error);
    expect(guardedError?.constructor).toBe(rawError?.constructor);
    expect(guardedError?.message).toBe(rawError?.message);
    expect(guard.usage(guarded)).toEqual({ "queues-operations": 5 });
  });

  it("Queues: a message is charged one operation per 64 KB of it, as Queues bill", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    await guarded.QUEUE.send("x".repeat(100 * 1024)); // the default v8 format: 2
    await guarded.QUEUE.send("é".repeat(40 * 1024), { contentType: "text" }); // 80 KB of UTF-8: 2
    await guarded.QUEUE.send({ small: true }); // 1
    expect(guard.usage(guarded)).toEqual({ "queues-operations": 5 });
    await guarded.QUEUE.sendBatch([
      { body: new Uint8Array(70 * 1024), contentType: "bytes" }, // 2
      { body: { list: "y".repeat(65 * 1024) }, contentType: "json" }, // 2
      { body: 1 }, // 1
    ]);
    expect(guard.usage(guarded)).toEqual({ "queues-operations": 10 });
  });

  it("a call the binding refuses before sending anything fails as raw and is not charged", async () => {
    const { guard } = guardWithClock({ limits: { "kv-reads": 1 } });
    const guarded = await guard.env(env);
    const refusals = [
      (bindings) => bindings.KV.get(""),
      (bindings) => bindings.KV.put("", "v"),
      (bindings) => bindings.KV.put("k".repeat(513), "v"),
      (bindings) => bindings.KV.delete("."),
      (bindings) => bindings.BUCKET.get("k", { range: { offset: -1 } }),
      (bindings) => bindings.BUCKET.put("k", 12345),
      (bindings) => bindings.QUEUE.sendBatch([]),
      (bindings) => bindings.QUEUE.sendBatch([{ contentType: "text" }]),
      (bindings) => bindings.QUEUE.send("x", { contentType: "nonsense" }),
    ];
    for (const call of refusals) {
      const raw = await rejection(call(env));
      const mine = await rejection(call(guarded));
      expect([mine.constructor, mine.message]).toEqual([raw.constructor, raw.message]);
    }
    // KV refuses a bulk read of more than 100 keys whole, reading nothing.
    const keys = Array.from({ length: 101 }, (_, i) => `${prefix}:${i}`);
    const raw = await rejection(env.KV.get(keys));
    const mine = await rejection(guarded.KV.get(keys));
    expect([mine.constructor, mine.message]).toEqual([raw.constructor, raw.message]);
    expect(guard.usage(guarded)).toEqual({});
    // The one read the limit allows is still there.
    expect(await guarded.KV.get(`${prefix}:missing`)).toBe(null);
    expect(await rejection(guarded.KV.get(`${prefix}:missing`))).toMatchObject({ code: "invocation-limit" });
    // A request the service turns down after it was sent stays charged.
    await rejection(guarded.KV.put(`${prefix}:ttl`, "v", { expirationTtl: 10 }));
    expect(guard.usage(guarded)).toEqual({ "kv-reads": 1, "kv-writes": 1 });
  });

  it("Durable Objects: each RPC call or fetch on a stub is one request", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    const name = `counter-${prefix}`;
    const stub = guarded.COUNTER.get(guarded.COUNTER.idFromName(name));
    expect(await stub.increment()).toBe(1);
    expect(await stub.increment(5)).toBe(6);
    expect(await (await stub.fetch("http://do/")).text()).toBe("7");
    expect(await guarded.COUNTER.getByName(name).increment()).toBe(8);
    expect(stub.id.toString()).toBe(env.COUNTER.idFromName(name).toString());
    expect(guard.usage(guarded)).toEqual({ "do-requests": 4 });
  });

  it("Durable Objects: a stub converts, reflects and pipelines as the raw one does, charged per request", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    const id = env.COUNTER.idFromName(`reflect-${prefix}`);
    const raw = env.COUNTER.get(id);
    const stub = guarded.COUNTER.get(id);
    // Conversions and reflection are not calls to the object: the same answers, no request.
    expect(JSON.stringify(stub)).toBe(JSON.stringify(raw));
    expect(String(stub)).toBe(String(raw));
    expect(`${stub}`).toBe(`${raw}`);
    expect(stub.constructor.name).toBe(raw.constructor.name);
    expect(Object.keys(stub)).toEqual(Object.keys(raw));
    expect(typeof stub.then).toBe(typeof raw.then);
    expect(stub.hasOwnProperty("id")).toBe(raw.hasOwnProperty("id"));
    expect(guard.usage(guarded)).toEqual({});
    // An RPC property, whole or read further (pipelined), is one request, and answers, or
    // fails, as the raw one does.
    expect(await stub.info).toEqual(await raw.info);
    const settled = async (pending) => {
      try {
        return await pending;
      } catch (error) {
        return error;
      }
    };
    const rawNested = await settled(raw.info.nested);
    const nested = await settled(stub.info.nested);
    expect(rawNested).toBeInstanceOf(TypeError);
    expect(nested?.constructor).toBe(rawNested.constructor);
    expect(nested?.message).toBe(rawNested.message);
    expect(typeof stub.increment).toBe(typeof raw.increment);
    expect(guard.usage(guarded)).toEqual({ "do-requests": 2 });
  });

  it("Workers AI and Vectorize bindings (stand-ins of their shape) are charged per call", async () => {
    const calls = [];
    const ai = { run: async (model) => (calls.push(model), { response: "hi" }), gateway: () => ({}) };
    const vectors = {
      query: async () => ({ matches: [{ id: "1", score: 1 }], count: 1 }),
      queryById: async () => ({ matches: [], count: 0 }),
      insert: async () => ({ mutationId: "m1" }),
      upsert: async () => ({ mutationId: "m2" }),
      getByIds: async () => [],
      deleteByIds: async () => ({ mutationId: "m3" }),
      describe: async () => ({ dimensions: 3 }),
    };
    const { guard } = guardWithClock();
    const guarded = await guard.env({ ...env, AI: ai, VECTORS: vectors });
    expect(await guarded.AI.run("@cf/meta/llama", { prompt: "hi" })).toEqual({ response: "hi" });
    expect(calls).toEqual(["@cf/meta/llama"]);
    await guarded.VECTORS.query([1, 2, 3], { topK: 1 });
    await guarded.VECTORS.queryById("1");
    await guarded.VECTORS.getByIds(["1"]);
    await guarded.VECTORS.insert([{ id: "1", values: [1, 2, 3] }]);
    await guarded.VECTORS.upsert([{ id: "1", values: [1, 2, 3] }]);
    await guarded.VECTORS.deleteByIds(["1"]);
    expect(await guarded.VECTORS.describe()).toEqual({ dimensions: 3 }); // not charged
    expect(guard.usage(guarded)).toEqual({
      "ai-neurons": 1,
      "vectorize-queried-dimensions": 3,
      "vectorize-stored-dimensions": 3,
    });
  });
});

describe("an RPC service binding named as a kind", () => {
  it("charges the kind's methods, which an RPC stub does not list, and passes the rest", async () => {
    const guard = createGuard(paid({ bindings: { LOCAL_AI: "ai" }, limits: { "ai-neurons": 2 } }));
    const guarded = await guard.env(env);
    expect(await guarded.LOCAL_AI.run("@cf/model")).toEqual({ response: "ran @cf/model" });
    expect(await guarded.LOCAL_AI.run("@cf/model")).toEqual({ response: "ran @cf/model" });
    expect(guard.usage(guarded)).toEqual({ "ai-neurons": 2 });
    await expect(guarded.LOCAL_AI.run("@cf/model")).rejects.toMatchObject({ code: "invocation-limit", resource: "ai-neurons" });
  });
});

describe("what passes through untouched", () => {
  it("RPC service bindings, vars, secrets-like strings and the state namespace", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env({ ...env, API_TOKEN: "secret-value" });
    expect(guarded.ECHO).toBe(env.ECHO);
    expect(await guarded.ECHO.echo("ping")).toBe("ping");
    expect(guarded.GREETING).toBe("hello");
    expect(guarded.API_TOKEN).toBe("secret-value");
    expect(guarded.EDGEFUSE_STATE).toBe(env.EDGEFUSE_STATE);
    expect(guarded.KV).not.toBe(env.KV);
    expect(guard.usage(guarded)).toEqual({});
  });

  it("an env changed between invocations is seen afresh: an added, renamed or changed entry", async () => {
    const { guard } = guardWithClock();
    const workerEnv = { GREETING: "hello", KV: env.KV };
    expect(Object.keys(await guard.env(workerEnv))).toEqual(["GREETING", "KV"]);
    workerEnv.GREETING = "changed";
    expect((await guard.env(workerEnv)).GREETING).toBe("changed");
    workerEnv.DB = env.DB; // a binding added later is guarded, never passed through
    const withDb = await guard.env(workerEnv);
    expect(withDb.DB).not.toBe(env.DB);
    expect((await withDb.DB.prepare("SELECT 1 AS one").first()).one).toBe(1);
    delete workerEnv.GREETING;
    expect(Object.keys(await guard.env(workerEnv))).toEqual(["KV", "DB"]);
    // The same values under other names, in the same order: only the names changed.
    delete workerEnv.KV;
    delete workerEnv.DB;
    Object.assign(workerEnv, { STORE: env.KV, SQL: env.DB });
    const renamed = await guard.env(workerEnv);
    expect(Object.keys(renamed)).toEqual(["STORE", "SQL"]);
    expect(renamed.STORE).not.toBe(env.KV);
    await renamed.STORE.get("missing");
    expect(guard.usage(renamed)["kv-reads"]).toBe(1);
  });

  it("methods the guard does not charge still work (KV and R2 wrappers hide nothing)", async () => {
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    for (const method of ["get", "getWithMetadata", "put", "delete", "list"]) expect(typeof guarded.KV[method]).toBe("function");
    const upload = await guarded.BUCKET.createMultipartUpload(`${prefix}/aborted.bin`);
    await upload.abort();
    expect(typeof upload.uploadId).toBe("string");
  });

  it("an explicit `bindings` entry that does not match the binding names it and its shape", async () => {
    const { guard } = guardWithClock({ bindings: { GREETING: "kv" } });
    const error = await rejection(guard.env(env));
    expect(error).toBeInstanceOf(GuardConfigError);
    expect(error.problems[0].path).toBe("bindings.GREETING");
    expect(error.message).toMatch(/configured as "kv" but env\.GREETING has no get\/getWithMetadata\/put\/delete\/list methods/);
  });

  it("an explicit `bindings` entry guards a binding whose shape is ambiguous, or ignores one", async () => {
    const { guard } = guardWithClock({ bindings: { KV2: "ignore" } });
    const guarded = await guard.env(env);
    expect(guarded.KV2).toBe(env.KV2);
    expect(guarded.KV).not.toBe(env.KV);
  });

  it("guard.usage() and guard.env() say what they need when given something else", async () => {
    const { guard } = guardWithClock();
    await expect(guard.env(undefined)).rejects.toThrow("edgefuse: guard.env(env, ctx) takes the Worker's env object, got undefined");
    expect(() => guard.usage(env)).toThrow(/guard\.usage\(\) takes an env returned by guard\.env\(\)/);
  });
});

describe("per-invocation limits", () => {
  it("N calls run; call N+1 is refused before it reaches KV", async () => {
    const { guard } = guardWithClock({ limits: { "kv-writes": 3 } });
    const guarded = await guard.env(env);
    for (let i = 1; i <= 3; i += 1) await guarded.KV.put(`${prefix}:${i}`, String(i));
    const error = await rejection(guarded.KV.put(`${prefix}:4`, "4"));
    expect(error).toBeInstanceOf(GuardError);
    expect(error).toMatchObject({ code: "invocation-limit", resource: "kv-writes", binding: "KV", method: "put", used: 3, limit: 3 });
    const stored = await env.KV.list({ prefix });
    expect(stored.keys.map((key) => key.name)).toEqual([`${prefix}:1`, `${prefix}:2`, `${prefix}:3`]);
  });

  it("the first refusal of each limit in an invocation is logged as one structured object", async () => {
    const warnings = [];
    const spy = vi.spyOn(console, "warn").mockImplementation((entry) => warnings.push(entry));
    try {
      const { guard } = guardWithClock({ limits: { "kv-reads": 1, "kv-writes": 1 } });
      const guarded = await guard.env(env);
      await guarded.KV.get(`${prefix}:a`);
      for (let i = 0; i < 3; i += 1) await rejection(guarded.KV.get(`${prefix}:b`));
      await guarded.KV.put(`${prefix}:c`, "1");
      await rejection(guarded.KV.put(`${prefix}:d`, "2"));
      const other = await guard.env(env); // another invocation logs its own
      await other.KV.get(`${prefix}:a`);
      await rejection(other.KV.get(`${prefix}:b`));
    } finally {
      spy.mockRestore();
    }
    const refusals = warnings.filter((entry) => entry?.event === "edgefuse.refused");
    expect(refusals.map(({ resource, limitKey, used, limit }) => [resource, limitKey, used, limit])).toEqual([
      ["kv-reads", "kv-reads", 1, 1],
      ["kv-writes", "kv-writes", 1, 1],
      ["kv-reads", "kv-reads", 1, 1],
    ]);
    expect(refusals[0]).toMatchObject({ code: "invocation-limit", binding: "KV", method: "get", message: "edgefuse: KV.get() refused" });
  });

  it("a bulk get that would pass the limit is refused whole", async () => {
    const { guard } = guardWithClock({ limits: { "kv-reads": 4 } });
    const guarded = await guard.env(env);
    await guarded.KV.get([`${prefix}:a`, `${prefix}:b`, `${prefix}:c`]);
    expect((await rejection(guarded.KV.get([`${prefix}:a`, `${prefix}:b`]))).used).toBe(3);
    await guarded.KV.get(`${prefix}:a`);
    expect(guard.usage(guarded)).toEqual({ "kv-reads": 4 });
  });

  it("D1 rows written: the query after the limit is reached never runs", async () => {
    const { guard } = guardWithClock({ limits: { "d1-rows-written": 5 } });
    const guarded = await guard.env(env);
    const table = `loop_${run}`;
    await env.DB.exec(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY)`);
    let refused;
    for (let i = 0; i < 100 && !refused; i += 1) {
      refused = await guarded.DB.prepare(`INSERT INTO ${table} DEFAULT VALUES`).run().then(
        () => null,
        (error) => error,
      );
    }
    expect(refused).toMatchObject({ code: "invocation-limit", resource: "d1-rows-written", method: "run", used: 5, limit: 5 });
    expect(await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first("n")).toBe(5);
  });

  it("a per-binding limit stops one binding; the others share the resource's limit", async () => {
    const { guard } = guardWithClock({ limits: { "kv-writes": 5, "kv-writes:KV": 2 } });
    const guarded = await guard.env(env);
    await guarded.KV.put(`${prefix}:1`, "1");
    await guarded.KV.put(`${prefix}:2`, "2");
    const error = await rejection(guarded.KV.put(`${prefix}:3`, "3"));
    expect(error).toMatchObject({ code: "invocation-limit", binding: "KV", used: 2, limit: 2, limitKey: "kv-writes:KV" });
    expect(error.message).toBe("edgefuse: KV.put() refused: this invocation used 2 of its 2 kv-writes:KV limit");
    expect(await env.KV.get(`${prefix}:3`)).toBeNull();
    for (let i = 0; i < 3; i += 1) await guarded.KV2.put(`${prefix}:other${i}`, "x");
    expect(await rejection(guarded.KV2.put(`${prefix}:other3`, "x"))).toMatchObject({ limit: 5, limitKey: "kv-writes" });
  });

  it("Durable Object requests over the limit never reach the object", async () => {
    const { guard } = guardWithClock({ limits: { "do-requests": 2 } });
    const guarded = await guard.env(env);
    const name = `limited-${prefix}`;
    const stub = guarded.COUNTER.getByName(name);
    await stub.increment();
    await stub.increment();
    expect(await rejection(stub.increment())).toMatchObject({ code: "invocation-limit", resource: "do-requests" });
    expect(await env.COUNTER.getByName(name).increment()).toBe(3);
  });

  it("defaults apply out of the box, and null disables a limit", async () => {
    const { guard } = guardWithClock();
    expect(guard.config.limits["kv-writes"]).toBe(1000);
    const guarded = await guard.env(env);
    const hundred = Array.from({ length: 100 }, (_, i) => ({ body: i }));
    for (let i = 0; i < 10; i += 1) await guarded.QUEUE.sendBatch(hundred);
    expect(await rejection(guarded.QUEUE.send(1001))).toMatchObject({ used: 1000, limit: 1000 });

    const unlimitedGuard = createGuard(paid({ limits: { "queues-operations": null } }));
    const unlimited = await unlimitedGuard.env(env);
    for (let i = 0; i < 11; i += 1) await unlimited.QUEUE.sendBatch(hundred);
    expect(unlimitedGuard.usage(unlimited)).toEqual({ "queues-operations": 1100 });
  });

  it("concurrent invocations in one isolate keep their own counts", async () => {
    const { guard } = guardWithClock({ limits: { "kv-reads": 3 } });
    const invocations = await Promise.all(Array.from({ length: 50 }, () => guard.env(env)));
    // Interleaved: each invocation's three reads are spread over three rounds.
    for (let round = 0; round < 3; round += 1) {
      await Promise.all(invocations.map((guarded, i) => guarded.KV.get(`${prefix}:${i}:${round}`)));
    }
    for (const guarded of invocations) expect(guard.usage(guarded)).toEqual({ "kv-reads": 3 });
    const refusals = await Promise.allSettled(invocations.map((guarded) => guarded.KV.get(`${prefix}:x`)));
    expect(refusals.every((result) => result.status === "rejected" && result.reason.code === "invocation-limit")).toBe(true);
    const fresh = await guard.env(env);
    await fresh.KV.get(`${prefix}:fresh`);
    expect(guard.usage(fresh)).toEqual({ "kv-reads": 1 });
  });
});

describe("breakers on the hot path", () => {
  it("a tripped resource is refused with its reason; other resources still work", async () => {
    await env.EDGEFUSE_STATE.put(STATE_KEY, tripRecord({ "kv-writes": breaker("kv-writes at 96% of the daily quota") }));
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    const error = await rejection(guarded.KV.put(`${prefix}:blocked`, "x"));
    expect(error).toMatchObject({
      code: "tripped",
      resource: "kv-writes",
      binding: "KV",
      method: "put",
      reason: "kv-writes at 96% of the daily quota",
      since: "2026-11-23T11:00:00Z",
    });
    expect(error.message).toBe(
      "edgefuse: KV.put() refused: kv-writes is tripped (kv-writes at 96% of the daily quota) since 2026-11-23T11:00:00Z",
    );
    expect(await env.KV.get(`${prefix}:blocked`)).toBeNull();
    expect(await guarded.KV.get(`${prefix}:blocked`)).toBeNull(); // reads are not tripped
  });

  it("a per-binding breaker stops only that binding", async () => {
    await env.EDGEFUSE_STATE.put(STATE_KEY, tripRecord({ "kv-writes:KV": breaker("runaway namespace") }));
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    expect(await rejection(guarded.KV.put(`${prefix}:a`, "x"))).toMatchObject({ code: "tripped", reason: "runaway namespace" });
    await guarded.KV2.put(`${prefix}:a`, "x");
    expect(await env.KV2.get(`${prefix}:a`)).toBe("x");
  });

  it("a D1 query against a tripped resource never runs", async () => {
    await env.EDGEFUSE_STATE.put(STATE_KEY, tripRecord({ "d1-rows-written": breaker("budget") }));
    const { guard } = guardWithClock();
    const guarded = await guard.env(env);
    const table = `tripped_${run}`;
    await env.DB.exec(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY)`);
    const insert = guarded.DB.prepare(`INSERT INTO ${table} DEFAULT VALUES`);
    expect(await rejection(insert.run())).toMatchObject({ code: "tripped", resource: "d1-rows-written" });
    expect(await rejection(guarded.DB.batch([insert]))).toMatchObject({ code: "tripped", method: "batch" });
    expect(await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first("n")).toBe(0);
    // Nor through workerd's internals, which the guarded database shows as the raw one does.
    expect(Object.keys(guarded.DB)).toEqual(["alwaysPrimarySession", "fetcher"]);
    const primary = guarded.DB.alwaysPrimarySession.prepare(`INSERT INTO ${table} DEFAULT VALUES`);
    expect(await rejection(primary.run())).toMatchObject({ code: "tripped", resource: "d1-rows-written" });
    expect(() => guarded.DB.fetcher.fetch("http://d1/execute", { method: "POST", body: "{}" })).toThrow(/internal fetcher is not reachable/);
    expect(await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first("n")).toBe(0);
  });

  it("the safety net keeps a trip in force when the state record is missing or corrupt", async () => {
    await env.EDGEFUSE_STATE.put(SAFETY_NET_KEY, tripRecord({ "kv-writes": breaker("held by the safety net") }));
    const missing = await guardWithClock().guard.env(env);
    expect(await rejection(missing.KV.put(`${prefix}:a`, "x"))).toMatchObject({ reason: "held by the safety net" });

    await env.EDGEFUSE_STATE.put(STATE_KEY, "{not json");
    const corrupt = await guardWithClock().guard.env(env);
    expect(await rejection(corrupt.KV.put(`${prefix}:a`, "x"))).toMatchObject({ reason: "held by the safety net" });
  });

  it("with no readable state and no safety net, it fails open", async () => {
    await env.EDGEFUSE_STATE.put(STATE_KEY, JSON.stringify({ version: 1, breakers: "nonsense" }));
    const guarded = await guardWithClock().guard.env(env);
    await guarded.KV.put(`${prefix}:open`, "x");
    expect(await env.KV.get(`${prefix}:open`)).toBe("x");
  });

  it("when KV throws, a cold isolate fails open and a tripped one stays tripped", async () => {
    const { env: flaky, counter } = countingStateEnv();
    counter.fail = true;
    const cold = guardWithClock();
    const openEnv = await cold.guard.env(flaky);
    await openEnv.KV.put(`${prefix}:open`, "x");

    counter.fail = false;
    await env.EDGEFUSE_STATE.put(STATE_KEY, tripRecord({ "kv-writes": breaker("tripped before the outage") }));
    const { guard, clock } = guardWithClock();
    await guard.env(flaky); // reads the trip
    counter.fail = true;
    clock.now += 61_000;
    const ctx = createExecutionContext();
    await guard.env(flaky, ctx); // the refresh fails in the background
    await waitOnExecutionContext(ctx);
    const during = await guard.env(flaky);
    expect(await rejection(during.KV.put(`${prefix}:a`, "x"))).toMatchObject({ reason: "tripped before the outage" });
  });

  it("a slow KV read on a cold isolate fails open after half a second; the trip applies when it lands", async () => {
    await env.EDGEFUSE_STATE.put(STATE_KEY, tripRecord({ "kv-writes": breaker("slow but real") }));
    const slow = { ...env.EDGEFUSE_STATE, get: async (...args) => (await scheduler.wait(1500), env.EDGEFUSE_STATE.get(...args)) };
    const { guard } = guardWithClock();
    const started = Date.now();
    const early = await guard.env({ ...env, EDGEFUSE_STATE: slow });
    expect(Date.now() - started).toBeLessThan(1200);
    await early.KV.put(`${prefix}:early`, "x"); // open: the state has not arrived yet
    await scheduler.wait(1200);
    const later = await guard.env({ ...env, EDGEFUSE_STATE: slow });
    expect(await rejection(later.KV.put(`${prefix}:later`, "x"))).toMatchObject({ reason: "slow but real" });
  });

  it("a cleared breaker is honoured after the next refresh, not before", async () => {
    await env.EDGEFUSE_STATE.put(STATE_KEY, tripRecord({ "kv-writes": breaker("storm") }));
    const { guard, clock } = guardWithClock({ refreshSeconds: 30 });
    await guard.env(env);
    await env.EDGEFUSE_STATE.put(STATE_KEY, tripRecord({}));

    clock.now += 29_000;
    const cached = await guard.env(env);
    expect(await rejection(cached.KV.put(`${prefix}:a`, "x"))).toMatchObject({ code: "tripped" });

    clock.now += 1_000;
    const ctx = createExecutionContext();
    const refreshing = await guard.env(env, ctx); // starts the refresh, keeps the view it has
    expect(await rejection(refreshing.KV.put(`${prefix}:a`, "x"))).toMatchObject({ code: "tripped" });
    await waitOnExecutionContext(ctx);
    const refreshed = await guard.env(env);
    await refreshed.KV.put(`${prefix}:a`, "x");
    expect(await env.KV.get(`${prefix}:a`)).toBe("x");
  });

  it('onBlocked "skip" returns each method\'s neutral result instead of throwing', async () => {
    await env.EDGEFUSE_STATE.put(
      STATE_KEY,
      tripRecord({
        "kv-reads": breaker("r"),
        "kv-writes": breaker("w"),
        "kv-lists": breaker("l"),
        "d1-rows-read": breaker("d"),
        "r2-class-b": breaker("b"),
        "queues-operations": breaker("q"),
      }),
    );
    const guarded = await guardWithClock({ onBlocked: "skip" }).guard.env(env);
    await env.KV.put(`${prefix}:present`, "value");
    expect(await guarded.KV.get(`${prefix}:present`)).toBeNull();
    expect([...(await guarded.KV.get([`${prefix}:present`])).entries()]).toEqual([[`${prefix}:present`, null]]);
    expect(await guarded.KV.put(`${prefix}:skipped`, "x")).toBeUndefined();
    expect(await env.KV.get(`${prefix}:skipped`)).toBeNull();
    expect(await guarded.KV.list()).toEqual({ keys: [], list_complete: true, cacheStatus: null });
    const skippedQuery = await guarded.DB.prepare("SELECT 1 AS one").all();
    expect(skippedQuery).toMatchObject({ results: [], success: true, meta: { rows_read: 0, rows_written: 0, changes: 0 } });
    expect(await guarded.DB.prepare("SELECT 1 AS one").first()).toBeNull();
    expect(await guarded.BUCKET.get(`${prefix}/x`)).toBeNull();
    // Each neutral result has the real result's shape: every field, of the same type.
    const realQuery = await env.DB.prepare("SELECT 1 AS one WHERE 0").all();
    expect(Object.keys(realQuery.meta)).toEqual(expect.arrayContaining(Object.keys(skippedQuery.meta)));
    for (const [field, value] of Object.entries(skippedQuery.meta)) expect(typeof realQuery.meta[field]).toBe(typeof value);
    const skippedSend = await guarded.QUEUE.send("dropped");
    expect(shapeOf(skippedSend)).toEqual(shapeOf(await env.QUEUE.send("sent")));
    expect(shapeOf(await guarded.QUEUE.sendBatch([{ body: 1 }]))).toEqual(shapeOf(skippedSend));
    const missing = [`${prefix}:missing`];
    expect([...(await guarded.KV.getWithMetadata(missing))]).toEqual([...(await env.KV.getWithMetadata(missing))]);
    expect(await guarded.KV.getWithMetadata(missing[0])).toEqual(await env.KV.getWithMetadata(missing[0]));
  });
});

describe("guard.wrap", () => {
  const handler = {
    async fetch(request, env) {
      const key = new URL(request.url).searchParams.get("key");
      await env.KV.put(key, "v");
      return new Response(await env.KV.get(key));
    },
  };

  it("a GuardError escaping fetch becomes 503 with Retry-After and a JSON body naming the resource", async () => {
    await env.EDGEFUSE_STATE.put(STATE_KEY, tripRecord({ "kv-writes": breaker("storm") }));
    const worker = createGuard(paid({ refreshSeconds: 45 })).wrap(handler);
    const response = await worker.fetch(new Request(`http://w/?key=${prefix}`), env, createExecutionContext());
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toBe("45");
    expect(await response.json()).toEqual({
      error: "edgefuse-blocked",
      code: "tripped",
      resource: "kv-writes",
      binding: "KV",
      method: "put",
      message: "edgefuse: KV.put() refused: kv-writes is tripped (storm) since 2026-11-23T11:00:00Z",
    });
  });

  it("other errors from fetch propagate unchanged", async () => {
    const worker = createGuard(paid()).wrap({
      async fetch() {
        throw new RangeError("the handler's own bug");
      },
    });
    await expect(worker.fetch(new Request("http://w/"), env, createExecutionContext())).rejects.toThrow(RangeError);
  });

  it("scheduled and queue handlers receive guarded envs too, each invocation its own", async () => {
    const seen = [];
    const guard = createGuard(paid({ limits: { "kv-writes": 1 } }));
    const worker = guard.wrap({
      async scheduled(controller, env) {
        await env.KV.put(`${prefix}:cron`, controller.cron);
        seen.push(guard.usage(env));
      },
      async queue(batch, env) {
        await env.KV.put(`${prefix}:queue`, String(batch.messages.length));
        seen.push(guard.usage(env));
      },
    });
    await worker.scheduled({ cron: "*/5 * * * *", scheduledTime: Date.now() }, env, createExecutionContext());
    await worker.queue({ messages: [1, 2] }, env, createExecutionContext());
    expect(seen).toEqual([{ "kv-writes": 1 }, { "kv-writes": 1 }]);
    expect(await env.KV.get(`${prefix}:cron`)).toBe("*/5 * * * *");
  });

  it("wraps entry points only: a Hono app keeps its own methods, and its fetch is guarded", async () => {
    const { Hono } = await import("hono");
    const app = new Hono();
    app.get("/guarded", (c) => c.text(String(c.env?.KV !== undefined && c.env.KV !== env.KV)));
    const worker = createGuard(paid()).wrap(app);
    // Hono's own route methods and test helper are the app's, untouched.
    expect(worker.get("/added", (c) => c.text("added"))).toBe(app);
    expect(await (await worker.request("/guarded")).text()).toBe("false");
    expect(await (await worker.fetch(new Request("http://w/guarded"), env, createExecutionContext())).text()).toBe("true");
    expect(await (await worker.fetch(new Request("http://w/added"), env, createExecutionContext())).text()).toBe("added");
  });

  it("edgefuse/hono guards c.env per request and answers a refused call with the 503", async () => {
    const { Hono } = await import("hono");
    const { guarded } = await import("../../js/hono.js");
    const guard = createGuard(paid({ limits: { "kv-reads": 1 } }));
    const app = new Hono();
    app.use(guarded(guard));
    app.get("/one", async (c) => c.json({ value: await c.env.KV.get(`${prefix}:x`), usage: guard.usage(c.env) }));
    app.get("/two", async (c) => {
      await c.env.KV.get(`${prefix}:x`);
      await c.env.KV.get(`${prefix}:y`); // over the limit of 1
      return c.text("unreachable");
    });
    app.get("/broken", () => {
      throw new Error("not the guard's");
    });
    // A tighter guard on some routes, inside the app-wide one, refuses first.
    app.use("/tight/*", guarded(createGuard(paid({ limits: { "kv-writes": 1 } }))));
    app.get("/tight/write", async (c) => {
      await c.env.KV.put(`${prefix}:tight`, "1");
      await c.env.KV.put(`${prefix}:tight`, "2"); // over the tight guard's 1
      return c.text("unreachable");
    });
    // Hono's own test helper, with the Worker's env and no ExecutionContext.
    const one = await app.request("/one", {}, env);
    expect(await one.json()).toEqual({ value: null, usage: { "kv-reads": 1 } });
    const refused = await app.request("/two", {}, env);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("Retry-After")).toBe("60");
    expect(await refused.json()).toMatchObject({ error: "edgefuse-blocked", code: "invocation-limit", resource: "kv-reads", binding: "KV" });
    expect((await app.request("/broken", {}, env)).status).toBe(500);
    const tightRefusal = await app.request("/tight/write", {}, env);
    expect(tightRefusal.status).toBe(503);
    expect(await tightRefusal.json()).toMatchObject({ code: "invocation-limit", resource: "kv-writes" });
    // As a Worker: each request gets its own counts.
    const ctx = createExecutionContext();
    expect((await app.fetch(new Request("http://w/one"), env, ctx)).status).toBe(200);
    expect((await app.fetch(new Request("http://w/one"), env, ctx)).status).toBe(200);
    expect((await app.fetch(new Request("http://w/two"), env, ctx)).status).toBe(503);
  });

  it("handlers written as classes keep their methods", async () => {
    class Handler {
      async fetch() {
        return new Response("from a class");
      }
    }
    const worker = createGuard(paid()).wrap(new Handler());
    expect(await (await worker.fetch(new Request("http://w/"), env, createExecutionContext())).text()).toBe("from a class");
  });
});

describe("the guard's own KV cost", () => {
  it("1,000 guarded requests over 100 s make 2 state reads (refreshSeconds 60), and zero per call", async () => {
    await env.EDGEFUSE_STATE.put(STATE_KEY, tripRecord({}));
    const { env: counted, counter } = countingStateEnv();
    const { guard, clock } = guardWithClock();
    const worker = guard.wrap({
      async fetch(request, env) {
        await env.KV.get(`${prefix}:hot`);
        await env.KV.get(`${prefix}:hot2`);
        return new Response("ok");
      },
    });
    for (let i = 0; i < 1000; i += 1) {
      const ctx = createExecutionContext();
      const response = await worker.fetch(new Request("http://w/"), counted, ctx);
      expect(response.status).toBe(200);
      await waitOnExecutionContext(ctx);
      clock.now += 100;
    }
    expect(counter.reads).toBe(2);
    expect(guard.stateReads).toBe(2);
  });

  it("a cold isolate's concurrent requests share one state read", async () => {
    const { env: counted, counter } = countingStateEnv();
    await env.EDGEFUSE_STATE.put(STATE_KEY, tripRecord({ "kv-writes": breaker("storm") }));
    const { guard } = guardWithClock();
    const invocations = await Promise.all(Array.from({ length: 100 }, () => guard.env(counted)));
    expect(counter.reads).toBe(1);
    // Every one of them, even those that arrived while the read was in flight, sees the trip.
    const refusals = await Promise.allSettled(invocations.map((guarded) => guarded.KV.put(`${prefix}:x`, "x")));
    expect(refusals.every((result) => result.status === "rejected" && result.reason.code === "tripped")).toBe(true);
  });

  it("a missing state record costs one more read, of the safety net", async () => {
    const { env: counted, counter } = countingStateEnv();
    await guardWithClock().guard.env(counted);
    expect(counter.reads).toBe(2);
  });
});
