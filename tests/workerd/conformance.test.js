// Raw versus guarded, one case per method: each call runs on the raw binding and then on the
// guarded one (real local KV, D1, R2, Queues and a Durable Object in workerd), and the two
// outcomes must match: the value (or, where it carries timestamps and ids, its shape), its
// class, and the error's class and message.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { SAFETY_NET_KEY, STATE_KEY, createGuard } from "../../js/index.js";

const prefix = `conformance-${Date.now()}`;
let guarded;

beforeAll(async () => {
  await env.EDGEFUSE_STATE.delete(STATE_KEY);
  await env.EDGEFUSE_STATE.delete(SAFETY_NET_KEY);
  await env.KV.put(`${prefix}:text`, "hello", { metadata: { by: "setup" } });
  await env.KV.put(`${prefix}:json`, JSON.stringify({ n: 1 }));
  await env.BUCKET.put(`${prefix}/object`, "body", { httpMetadata: { contentType: "text/plain" }, customMetadata: { by: "setup" } });
  await env.DB.exec("CREATE TABLE IF NOT EXISTS conformance (id INTEGER PRIMARY KEY, name TEXT)");
  // Everything allowed, nothing limited: only transparency is under test here.
  const guard = createGuard({ plan: "paid", budget: { maxUsd: 50 }, limits: Object.fromEntries(limitedResources().map((id) => [id, null])) });
  guarded = await guard.env(env);
});

function limitedResources() {
  return ["kv-reads", "kv-writes", "kv-deletes", "kv-lists", "d1-rows-read", "d1-rows-written", "r2-class-a", "r2-class-b", "r2-deletes", "queues-operations", "do-requests"];
}

/** { value } or { error }, with the value read out (a body's text, a Map's entries). */
async function settle(call) {
  try {
    return { value: await readOut(await call()) };
  } catch (error) {
    return { error: { class: error?.constructor?.name, message: String(error?.message ?? error) } };
  }
}

async function readOut(value) {
  if (value instanceof Map) return { Map: [...value.entries()] };
  if (value instanceof ArrayBuffer) return { ArrayBuffer: [...new Uint8Array(value)] };
  if (value instanceof ReadableStream) return { ReadableStream: await new Response(value).text() };
  if (value instanceof Response) return { Response: value.status, text: await value.text() };
  return value;
}

/** A value's classes and fields, recursively, with the types of its primitives. */
function shape(value) {
  if (value === null || typeof value !== "object") return value === null ? "null" : typeof value;
  if (Array.isArray(value)) return value.map(shape);
  const fields = {};
  for (const key of Object.keys(value).sort()) fields[key] = shape(value[key]);
  return { class: value.constructor?.name, ...fields };
}

/**
 * Runs `call` on the raw env, then on the guarded one, and compares. `compare`: "value"
 * (equal, and of the same class) or "shape" (same classes, fields and types).
 */
async function conforms(call, compare = "value") {
  const raw = await settle(() => call(env));
  const mine = await settle(() => call(guarded));
  if (raw.error || mine.error) {
    expect(mine.error).toEqual(raw.error);
    return raw;
  }
  expect(shape(mine.value)).toEqual(shape(raw.value));
  if (compare === "value") expect(mine.value).toEqual(raw.value);
  return raw;
}

describe("KV: every method, raw and guarded alike", () => {
  const cases = {
    "get, text": (e) => e.KV.get(`${prefix}:text`),
    "get, missing": (e) => e.KV.get(`${prefix}:missing`),
    "get, json": (e) => e.KV.get(`${prefix}:json`, "json"),
    "get, arrayBuffer": (e) => e.KV.get(`${prefix}:text`, { type: "arrayBuffer" }),
    "get, stream": (e) => e.KV.get(`${prefix}:text`, "stream"),
    "get, bulk": (e) => e.KV.get([`${prefix}:text`, `${prefix}:missing`]),
    "get, bulk json": (e) => e.KV.get([`${prefix}:json`], "json"),
    "getWithMetadata": (e) => e.KV.getWithMetadata(`${prefix}:text`),
    "getWithMetadata, bulk": (e) => e.KV.getWithMetadata([`${prefix}:text`, `${prefix}:missing`]),
    "put, string": (e) => e.KV.put(`${prefix}:put`, "v"),
    "put, ArrayBuffer with metadata": (e) => e.KV.put(`${prefix}:put-bytes`, new Uint8Array([1, 2]).buffer, { metadata: { a: 1 } }),
    "put, stream": (e) => e.KV.put(`${prefix}:put-stream`, new Response("streamed").body),
    "delete": (e) => e.KV.delete(`${prefix}:put`),
    "list": (e) => e.KV.list({ prefix: `${prefix}:` }),
    "list, limit": (e) => e.KV.list({ prefix: `${prefix}:`, limit: 1 }),
    "error: empty key": (e) => e.KV.get(""),
    "error: key too long": (e) => e.KV.put("k".repeat(513), "v"),
    "error: 101 keys": (e) => e.KV.get(Array.from({ length: 101 }, (_, i) => `${prefix}:${i}`)),
    "error: bad type": (e) => e.KV.get(`${prefix}:text`, "nonsense"),
    "error: list limit": (e) => e.KV.list({ limit: 2000 }),
    "error: ttl too short": (e) => e.KV.put(`${prefix}:ttl`, "v", { expirationTtl: 10 }),
  };
  for (const [name, call] of Object.entries(cases)) it(name, () => conforms(call));
});

describe("D1: every method of databases, sessions and statements, raw and guarded alike", () => {
  const stable = (result) => ({ ...result, meta: result.meta && { rows_read: result.meta.rows_read, rows_written: result.meta.rows_written, changes: result.meta.changes } });
  const cases = {
    "prepare().bind().run()": async (e) => stable(await e.DB.prepare("INSERT INTO conformance (name) VALUES (?)").bind("a").run()),
    "all": async (e) => stable(await e.DB.prepare("SELECT name FROM conformance WHERE name = ? LIMIT 1").bind("a").all()),
    "first": (e) => e.DB.prepare("SELECT name FROM conformance WHERE name = 'a' LIMIT 1").first(),
    "first(column)": (e) => e.DB.prepare("SELECT name FROM conformance WHERE name = 'a' LIMIT 1").first("name"),
    "first, no row": (e) => e.DB.prepare("SELECT name FROM conformance WHERE 0").first(),
    "raw": (e) => e.DB.prepare("SELECT 1 AS x, 2 AS x").raw(),
    "raw, columnNames": (e) => e.DB.prepare("SELECT 1 AS x").raw({ columnNames: true }),
    "batch": async (e) => (await e.DB.batch([e.DB.prepare("SELECT 1 AS one"), e.DB.prepare("SELECT 2 AS two")])).map(stable),
    "exec": async (e) => (await e.DB.exec("SELECT 1")).count,
    "withSession, prepare, first": (e) => e.DB.withSession().prepare("SELECT 3 AS three").first(),
    "withSession, batch": async (e) => (await e.DB.withSession("first-primary").batch([e.DB.prepare("SELECT 4 AS four")])).map(stable),
    "withSession, getBookmark": (e) => typeof e.DB.withSession().getBookmark(),
    "error: syntax": (e) => e.DB.prepare("SELEC nonsense").all(),
    "error: missing column in first": (e) => e.DB.prepare("SELECT 1 AS one").first("two"),
    "error: bind after use": (e) => e.DB.prepare("SELECT ?1 AS v").bind({}).all(),
    "error: exec": (e) => e.DB.exec("SELEC nonsense"),
    "error: batch of nothing": (e) => e.DB.batch([]),
  };
  for (const [name, call] of Object.entries(cases)) it(name, () => conforms(call));
});

describe("R2: every method of buckets, objects and multipart uploads, raw and guarded alike", () => {
  const object = (value) => value && { key: value.key, size: value.size, httpMetadata: value.httpMetadata, customMetadata: value.customMetadata };
  const cases = {
    "head": (e) => e.BUCKET.head(`${prefix}/object`),
    "head, missing": (e) => e.BUCKET.head(`${prefix}/missing`),
    "get": async (e) => {
      const body = await e.BUCKET.get(`${prefix}/object`);
      return { ...object(body), text: await body.text(), isBody: body instanceof Object && typeof body.arrayBuffer === "function" };
    },
    "get, range": async (e) => (await e.BUCKET.get(`${prefix}/object`, { range: { offset: 1, length: 2 } })).text(),
    "get, missing": (e) => e.BUCKET.get(`${prefix}/missing`),
    "get, onlyIf fails": async (e) => object(await e.BUCKET.get(`${prefix}/object`, { onlyIf: { etagMatches: "nope" } })),
    "put": async (e) => object(await e.BUCKET.put(`${prefix}/put`, "x", { customMetadata: { n: "1" } })),
    "put, returns an R2Object": (e) => e.BUCKET.put(`${prefix}/put-shape`, new Uint8Array([1, 2, 3])),
    "list": async (e) => (await e.BUCKET.list({ prefix: `${prefix}/` })).objects.map((entry) => entry.key),
    "list, shape": (e) => e.BUCKET.list({ prefix: `${prefix}/`, limit: 1 }),
    "delete": (e) => e.BUCKET.delete(`${prefix}/put`),
    "delete, many": (e) => e.BUCKET.delete([`${prefix}/a`, `${prefix}/b`]),
    "multipart: create, upload, complete": async (e) => {
      const upload = await e.BUCKET.createMultipartUpload(`${prefix}/multi`);
      const part = await upload.uploadPart(1, "only part");
      const done = await upload.complete([part]);
      return { uploadKey: upload.key, part: part.partNumber, object: object(done) };
    },
    "multipart: resume, abort": async (e) => {
      const started = await e.BUCKET.createMultipartUpload(`${prefix}/resumed`);
      const resumed = e.BUCKET.resumeMultipartUpload(`${prefix}/resumed`, started.uploadId);
      return [resumed.key, await resumed.abort()];
    },
    "error: range": (e) => e.BUCKET.get(`${prefix}/object`, { range: { offset: -1 } }),
    "error: body type": (e) => e.BUCKET.put(`${prefix}/bad`, 12345),
    "error: list limit": (e) => e.BUCKET.list({ limit: 2000 }),
  };
  for (const [name, call] of Object.entries(cases)) {
    const byShape = name === "head" || name.endsWith("shape") || name === "put, returns an R2Object";
    it(name, () => conforms(call, byShape ? "shape" : "value"));
  }
});

describe("Queues: every method, raw and guarded alike", () => {
  const withoutTimestamp = (result) => ({ metadata: { metrics: { ...result.metadata.metrics, oldestMessageTimestamp: undefined } } });
  const cases = {
    "send": async (e) => withoutTimestamp(await e.QUEUE.send({ n: 1 })),
    "send, text": async (e) => withoutTimestamp(await e.QUEUE.send("t", { contentType: "text" })),
    "sendBatch": async (e) => withoutTimestamp(await e.QUEUE.sendBatch([{ body: 1 }, { body: "x", contentType: "text" }])),
    "error: empty batch": (e) => e.QUEUE.sendBatch([]),
    "error: undefined body": (e) => e.QUEUE.send(undefined),
    "error: content type": (e) => e.QUEUE.send("x", { contentType: "nonsense" }),
  };
  for (const [name, call] of Object.entries(cases)) it(name, () => conforms(call, "shape"));
});

describe("Durable Objects: namespaces, ids and stubs, raw and guarded alike", () => {
  const cases = {
    "idFromName": (e) => e.COUNTER.idFromName("conformance").toString(),
    "idFromName, equals": (e) => e.COUNTER.idFromName("a").equals(e.COUNTER.idFromName("a")),
    "idFromString": (e) => e.COUNTER.idFromString(env.COUNTER.idFromName("s").toString()).name ?? null,
    "newUniqueId": (e) => typeof e.COUNTER.newUniqueId().toString(),
    "get: stub id and name": (e) => {
      const stub = e.COUNTER.get(e.COUNTER.idFromName("conformance-stub"));
      return [stub.id.toString(), stub.name ?? null, JSON.stringify(stub), String(stub)];
    },
    "getByName": (e) => e.COUNTER.getByName("conformance-by-name").id.toString(),
    "RPC call": async (e) => typeof (await e.COUNTER.getByName(`conformance-rpc`).increment(0)),
    "RPC property": (e) => e.COUNTER.getByName("conformance-rpc").info,
    "fetch": async (e) => (await e.COUNTER.getByName("conformance-fetch").fetch("https://do/")).status,
    "error: unknown RPC method": (e) => e.COUNTER.getByName("conformance-rpc").nonexistent(),
    "error: bad id string": (e) => e.COUNTER.idFromString("not-an-id"),
  };
  for (const [name, call] of Object.entries(cases)) it(name, () => conforms(call));
});
