// What each guarded method is charged to, per binding kind. A rule is
//   { resource, units(firstArg), neutral(firstArg), wraps }
// - resource: the catalogue id charged before the call (null: not charged);
// - units: how many units the call costs (default 1);
// - neutral: what the call returns when refused with onBlocked "skip" (null: it throws);
// - wraps: the kind whose wrapper the call's result gets (e.g. a multipart upload).
// Methods a kind does not list pass straight through to the binding.

const count = (items) => (Array.isArray(items) ? items.length : 1);
const messages = (batch) => (batch && typeof batch.length === "number" ? batch.length : Array.from(batch ?? []).length);
const nothing = () => undefined;
const none = () => null;

const kvBulk = (keys, value) => new Map(keys.map((key) => [key, value]));

export const SPECS = {
  kv: {
    get: { resource: "kv-reads", units: count, neutral: (key) => (Array.isArray(key) ? kvBulk(key, null) : null) },
    getWithMetadata: {
      resource: "kv-reads",
      units: count,
      neutral: (key) =>
        Array.isArray(key) ? kvBulk(key, { value: null, metadata: null }) : { value: null, metadata: null, cacheStatus: null },
    },
    put: { resource: "kv-writes", neutral: nothing },
    delete: { resource: "kv-deletes", neutral: nothing },
    list: { resource: "kv-lists", neutral: () => ({ keys: [], list_complete: true, cacheStatus: null }) },
  },
  r2: {
    head: { resource: "r2-class-b", neutral: none },
    get: { resource: "r2-class-b", neutral: none },
    put: { resource: "r2-class-a", neutral: none },
    list: { resource: "r2-class-a", neutral: () => ({ objects: [], truncated: false, delimitedPrefixes: [] }) },
    createMultipartUpload: { resource: "r2-class-a", wraps: "r2-multipart" },
    // Makes no request (R2 bills nothing for it); the upload it returns is guarded.
    resumeMultipartUpload: { resource: null, wraps: "r2-multipart" },
    delete: { resource: "r2-deletes", units: count, neutral: nothing },
  },
  "r2-multipart": {
    uploadPart: { resource: "r2-class-a" },
    complete: { resource: "r2-class-a" },
    abort: { resource: "r2-deletes", neutral: nothing },
  },
  queue: {
    send: { resource: "queues-operations", neutral: nothing },
    sendBatch: { resource: "queues-operations", units: messages, neutral: nothing },
  },
  ai: {
    run: { resource: "ai-neurons" },
  },
  vectorize: {
    query: { resource: "vectorize-queried-dimensions", neutral: () => ({ matches: [], count: 0 }) },
    queryById: { resource: "vectorize-queried-dimensions", neutral: () => ({ matches: [], count: 0 }) },
    getByIds: { resource: "vectorize-queried-dimensions", neutral: () => [] },
    insert: { resource: "vectorize-stored-dimensions" },
    upsert: { resource: "vectorize-stored-dimensions" },
    deleteByIds: { resource: "vectorize-stored-dimensions" },
  },
};
