// How each guarded method is charged, per binding kind. A rule is
//   { resource, prepare(firstArg), units(firstArg), neutral(firstArg), wraps }
// - resource: the catalogue id charged before the call (null: not charged), from the core's
//   table (src/shared_constants.h); a method listed here and not there, or the reverse, is
//   an error when the module loads;
// - prepare: what the binding gets as its first argument, when counting would consume it
//   (a one-shot iterable is read once, into an array, and the binding gets the array);
// - units: how many units the call costs (default 1);
// - neutral: what the call returns when refused with onBlocked "skip" (null: it throws);
// - wraps: the kind whose wrapper the call's result gets (e.g. a multipart upload).
// Methods a kind does not list pass straight through to the binding.

import { CHARGES } from "../../dist/constants.js";

const count = (items) => (Array.isArray(items) ? items.length : 1);
// Queues take any iterable of messages: a generator can be read only once.
const materialize = (batch) =>
  batch != null && typeof batch !== "string" && !Array.isArray(batch) && typeof batch[Symbol.iterator] === "function"
    ? Array.from(batch)
    : batch;
const messages = (batch) => (Array.isArray(batch) ? batch.length : 0);
const nothing = () => undefined;
const none = () => null;

const kvBulk = (keys, value) => new Map(keys.map((key) => [key, value]));

const RULES = {
  kv: {
    get: { units: count, neutral: (key) => (Array.isArray(key) ? kvBulk(key, null) : null) },
    getWithMetadata: {
      units: count,
      neutral: (key) =>
        Array.isArray(key) ? kvBulk(key, { value: null, metadata: null }) : { value: null, metadata: null, cacheStatus: null },
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
    send: { neutral: nothing },
    sendBatch: { prepare: materialize, units: messages, neutral: nothing },
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
