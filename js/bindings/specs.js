// How each guarded method is charged, per binding kind. A rule is
//   { resource, prepare(firstArg), units(firstArg), neutral(firstArg), wraps }
// - resource: the catalogue id charged before the call (null: not charged), from the core's
//   table (src/shared_constants.h); a method listed here and not there, or the reverse, is
//   an error when the module loads;
// - prepare: what the binding gets as its first argument, when counting would consume it
//   (a one-shot iterable is read once, into an array, and the binding gets the array);
// - units(firstArg, secondArg): how many units the call costs (default 1);
// - neutral: what the call returns when refused with onBlocked "skip" (null: it throws);
// - wraps: the kind whose wrapper the call's result gets (e.g. a multipart upload).
// Methods a kind does not list pass straight through to the binding.

import { CHARGES, QUEUE_BYTES_PER_OPERATION } from "../../dist/constants.js";

const count = (items) => (Array.isArray(items) ? items.length : 1);
// A bulk read takes 1 to 100 keys; KV refuses any other number whole and reads nothing:
// https://developers.cloudflare.com/kv/api/read-key-value-pairs/#get-method
const KV_BULK_MAX_KEYS = 100;
const keysRead = (key) => (!Array.isArray(key) ? 1 : key.length <= KV_BULK_MAX_KEYS ? key.length : 0);
// Queues take any iterable of messages: a generator can be read only once.
const materialize = (batch) =>
  batch != null && typeof batch !== "string" && !Array.isArray(batch) && typeof batch[Symbol.iterator] === "function"
    ? Array.from(batch)
    : batch;

// A queue message costs one operation per 64 KB (from the core), measured as the binding
// serializes it: text as UTF-8, bytes as they are, json as its JSON text. The default (v8)
// format is measured for strings and binary data, and by JSON length for other values.
const queueOperations = (body, contentType) =>
  Math.max(1, Math.ceil(messageBytes(body, contentType) / QUEUE_BYTES_PER_OPERATION));
const batchOperations = (batch) =>
  Array.isArray(batch) ? batch.reduce((sum, message) => sum + queueOperations(message?.body, message?.contentType), 0) : 0;

function messageBytes(body, contentType) {
  if (typeof body === "string") {
    // Every character fits in 3 bytes: a short string needs no counting.
    if (body.length * 3 <= QUEUE_BYTES_PER_OPERATION) return body.length;
    return contentType === undefined || contentType === "v8" ? v8StringBytes(body) : utf8Bytes(contentType === "json" ? JSON.stringify(body) : body);
  }
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  try {
    const json = JSON.stringify(body);
    return json === undefined ? 0 : utf8Bytes(json);
  } catch {
    return 0; // a value JSON cannot hold: the binding serializes it or refuses it
  }
}

function utf8Bytes(text) {
  if (text.length * 3 <= QUEUE_BYTES_PER_OPERATION) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
      bytes += 4; // a surrogate pair
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

// V8 writes a string as one byte per character when every one fits in Latin-1, else two.
function v8StringBytes(text) {
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) > 0xff) return text.length * 2;
  return text.length;
}
const nothing = () => undefined;
// What send and sendBatch resolve to (QueueSendResponse): nothing was sent, so no backlog.
const queueSent = () => ({ metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } });
const none = () => null;

const kvBulk = (keys, value) => new Map(keys.map((key) => [key, value]));

const RULES = {
  kv: {
    // A bulk read gives a Map with null for each key not found (for getWithMetadata too):
    // https://developers.cloudflare.com/kv/api/read-key-value-pairs/
    get: { units: keysRead, neutral: (key) => (Array.isArray(key) ? kvBulk(key, null) : null) },
    getWithMetadata: {
      units: keysRead,
      neutral: (key) => (Array.isArray(key) ? kvBulk(key, null) : { value: null, metadata: null, cacheStatus: null }),
    },
    put: { neutral: nothing },
    delete: { neutral: nothing },
    list: { neutral: () => ({ keys: [], list_complete: true, cacheStatus: null }) },
  },
  r2: {
    head: { neutral: none },
    get: { neutral: none },
    put: { neutral: none },
    list: { neutral: () => ({ objects: [], truncated: false, delimitedPrefixes: [] }) },
    createMultipartUpload: { wraps: "r2-multipart" },
    // Makes no request (R2 bills nothing for it); the upload it returns is guarded.
    resumeMultipartUpload: { wraps: "r2-multipart" },
    delete: { units: count, neutral: nothing },
  },
  "r2-multipart": {
    uploadPart: {},
    complete: {},
    abort: { neutral: nothing },
  },
  queue: {
    send: { units: queueOperations, neutral: queueSent },
    sendBatch: { prepare: materialize, units: batchOperations, neutral: queueSent },
  },
  ai: {
    run: {},
  },
  vectorize: {
    query: { neutral: () => ({ matches: [], count: 0 }) },
    queryById: { neutral: () => ({ matches: [], count: 0 }) },
    getByIds: { neutral: () => [] },
    insert: {},
    upsert: {},
    deleteByIds: {},
  },
};

// Each rule with the resource the core charges it to.
export const SPECS = Object.fromEntries(
  Object.entries(RULES).map(([kind, methods]) => {
    const charged = CHARGES[kind] ?? {};
    const listed = Object.keys(methods);
    const missing = Object.keys(charged).filter((method) => !listed.includes(method));
    const unknown = listed.filter((method) => !(method in charged));
    if (missing.length || unknown.length) {
      throw new Error(`edgefuse: the ${kind} binding rules and the core's charges disagree (${[...missing, ...unknown].join(", ")})`);
    }
    return [kind, Object.fromEntries(listed.map((method) => [method, { ...methods[method], resource: charged[method] }]))];
  }),
);
