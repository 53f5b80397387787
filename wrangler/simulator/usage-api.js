// A local stand-in for Cloudflare's GraphQL Analytics API, for the datasets edgefuse reads.
// The real API cannot be reached from the build machines, so the demo and the tests poll
// this Worker instead: it answers the same request and response shapes from usage scripted
// through /__sim/usage, and can be told to fail in the ways the real API (or the network)
// does through /__sim/faults.
//
// Runs standalone (`wrangler dev -c wrangler/simulator.jsonc`) or behind a service binding
// in the vitest workerd suite. State lives in module memory: one isolate, one simulator.
//
// Usage recorded without a binding id is reported with the binding dimension set to "":
// real ids are never empty, so a poller can tell "no particular binding" apart from any
// real namespace, database, bucket or queue, and a falsy value is easy to skip.
//
// The control endpoints (/__sim/*) take no token: the simulator only ever runs locally.
import { Kind, buildSchema, getNamedType, parse, validate } from "graphql";
import { RESOURCES } from "../../js/index.js";
import { DATASETS, ROOT } from "./analytics-schema.js";
import { handleRestApi, handleRestControl, resetRestApi } from "./rest-api.js";

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_LOG_ENTRIES = 1000;
const MAX_LIMIT = 10000; // the real API's cap on `limit` for adaptive groups
const MAX_DELAY_MS = 300000;
const NO_BINDING = "";
const ABSURD_VALUES = [-5, 1e308, "NaN"];

const FAULT_KINDS = [
  "http-500",
  "http-429",
  "timeout",
  "malformed-json",
  "graphql-errors",
  "wrong-shape",
  "absurd-values",
  "partial",
  "odd-action-type", // every row's dimensions.actionType becomes `actionType` (default "WRITE")
  "errors-not-a-list", // the answer's errors member is a string beside normal data
  "no-access", // the dataset is refused to this account, as the real API refuses it
];
// Faults that alter a normal answer.
const ALTERATIONS = new Set(["partial", "absurd-values", "odd-action-type", "errors-not-a-list", "no-access"]);
// Faults that replace the whole answer; the others delay or alter a normal answer.
const TERMINAL_FAULTS = new Set(["http-500", "http-429", "malformed-json", "graphql-errors", "wrong-shape"]);

// ---------------------------------------------------------------------------------------
// State

// dataset -> Map(recordKey -> { date, actionType, bindingDimension, binding, values })
// where values maps "sum.requests"-style paths to raw field values (the API's own units).
let usage = new Map();
let faults = [];
let requestLog = [];
let alertLog = []; // alerts posted to /__sim/alerts
let nextFaultId = 1;
// The simulator's "now", for default dates and data retention: the real clock unless set
// through /__sim/clock, so that a test can replay any day.
let clockMs = null;

function resetState() {
  resetRestApi();
  usage = new Map();
  faults = [];
  requestLog = [];
  alertLog = [];
  nextFaultId = 1;
  clockMs = null;
}

const nowMs = () => clockMs ?? Date.now();

// The catalogue, indexed. Built on first use: RESOURCES instantiates the WASM core when
// touched, and importing this module should cost nothing.
let catalogue = null;
function getCatalogue() {
  if (catalogue) return catalogue;
  const resources = new Map();
  const datasets = new Map();
  for (const resource of RESOURCES) {
    resources.set(resource.id, resource);
    const { dataset, field, actionTypes, bindingDimension, polled, storageClass } = resource.graphql;
    if (!polled) continue; // the simulator answers what the guard asks for

    if (!datasets.has(dataset)) {
      datasets.set(dataset, { fields: new Map(), hasActionType: false, hasStorageClass: false, bindingDimensions: new Set() });
    }
    const info = datasets.get(dataset);
    const [aggregate, name] = splitPath(field);
    if (!info.fields.has(aggregate)) info.fields.set(aggregate, new Set());
    info.fields.get(aggregate).add(name);
    if (actionTypes) info.hasActionType = true;
    if (storageClass) info.hasStorageClass = true;
    if (bindingDimension) info.bindingDimensions.add(bindingDimension);
  }
  catalogue = { resources, datasets };
  return catalogue;
}

// "sum.requests" -> ["sum", "requests"]; a field of the row itself ("count") -> ["", "count"].
const splitPath = (path) => (path.includes(".") ? path.split(".") : ["", path]);

// Datasets whose rows are days rather than groups: `date` and the value side by side, no
// dimensions block (imagesUniqueTransformations in the schema).
const FLAT_DATASETS = new Set(["imagesUniqueTransformations"]);

function dimensionsOf(info) {
  const names = ["date", "datetime", ...info.bindingDimensions];
  if (info.hasActionType) names.push("actionType");
  if (info.hasStorageClass) names.push("storageClass");
  return names;
}

// Dividing by scales like 0.001 leaves float noise (1200 / 0.001 = 1199999.9999999998);
// 15 significant digits removes it while keeping integers below 1e15 exact.
const clean = (value) => Number(value.toPrecision(15));

// ---------------------------------------------------------------------------------------
// HTTP plumbing

function json(body, status = 200, headers = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

const controlError = (message, status = 400) => json({ error: message }, status);

class BadInput extends Error {}

async function readJsonBody(request) {
  const text = await request.text();
  if (!text.trim()) throw new BadInput("body: expected JSON, got an empty body");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadInput(`body: not valid JSON (${error.message})`);
  }
}

const isPlainObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
const show = (value) => (value === undefined ? "nothing" : JSON.stringify(value));

export async function handleUsageApi(request, env = {}) {
  const url = new URL(request.url);
  const route = `${request.method} ${url.pathname}`;
  try {
    const rest = url.pathname.startsWith("/__sim/rest") ? await handleRestControl(request, readJsonBody) : await handleRestApi(request, env);
    if (rest) return rest;
    if (url.pathname === "/graphql" || url.pathname === "/client/v4/graphql") {
      if (request.method !== "POST") {
        return json({ data: null, errors: [{ message: "use POST for GraphQL queries" }] }, 405, { allow: "POST" });
      }
      return await handleGraphql(request, env);
    }
    switch (route) {
      case "POST /__sim/usage":
        return recordUsage(await readJsonBody(request));
      case "GET /__sim/usage":
        return json({ usage: dumpUsage() });
      case "POST /__sim/faults":
        return addFaults(await readJsonBody(request));
      case "GET /__sim/faults":
        return json({ faults });
      case "DELETE /__sim/faults":
        faults = [];
        return json({ ok: true, faults });
      case "POST /__sim/clock":
        return setClock(await readJsonBody(request));
      case "GET /__sim/clock":
        return json({ now: new Date(nowMs()).toISOString(), set: clockMs !== null });
      case "POST /__sim/reset":
        resetState();
        return json({ ok: true });
      case "GET /__sim/requests":
        return json({ requests: requestLog });
      case "POST /__sim/alerts": // a local alert receiver, for the demo's webhook channel
        alertLog.push({ signature: request.headers.get("X-Edgefuse-Signature"), body: await request.text() });
        return json({ ok: true });
      case "GET /__sim/alerts":
        return json({ alerts: alertLog });
    }
    return json({ error: `no route for ${route}` }, 404);
  } catch (error) {
    if (error instanceof BadInput) return controlError(error.message);
    throw error;
  }
}

export default {
  fetch(request, env) {
    return handleUsageApi(request, env);
  },
};

// ---------------------------------------------------------------------------------------
// Control API: usage

const USAGE_KEYS = new Set(["resource", "units", "binding", "date", "mode"]);

function todayUtc() {
  return new Date(nowMs()).toISOString().slice(0, 10);
}

// `{ "now": "2026-09-02T12:00:00Z" }` fixes the clock; `{ "now": null }` follows the real one.
function setClock(body) {
  if (!isPlainObject(body) || !("now" in body) || Object.keys(body).length !== 1) {
    throw new BadInput(`body: expected { "now": <ISO timestamp or null> }, got ${show(body)}`);
  }
  if (body.now === null) {
    clockMs = null;
  } else {
    const at = typeof body.now === "string" ? Date.parse(body.now) : NaN;
    if (!SCALAR_FORMATS.Time.test(body.now ?? "") || Number.isNaN(at)) {
      throw new BadInput(`now: expected an ISO timestamp such as "2026-11-01T12:00:00Z" or null, got ${show(body.now)}`);
    }
    clockMs = at;
  }
  return json({ ok: true, now: new Date(nowMs()).toISOString(), set: clockMs !== null });
}

function isValidDate(text) {
  if (typeof text !== "string" || !DATE_RE.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}

// Checks one usage entry; returns the problems found (each naming its field) and, when
// there are none, the normalised entry.
function checkUsageEntry(entry, where) {
  const at = (field) => (where ? `${where}.${field}` : field);
  if (!isPlainObject(entry)) return { problems: [`${where || "body"}: expected an object, got ${show(entry)}`] };
  const problems = [];
  for (const key of Object.keys(entry)) {
    if (!USAGE_KEYS.has(key)) problems.push(`${at(key)}: unknown field (expected one of ${[...USAGE_KEYS].join(", ")})`);
  }
  const { resources } = getCatalogue();
  let resource = null;
  if (typeof entry.resource !== "string") {
    problems.push(`${at("resource")}: expected a resource id string, got ${show(entry.resource)}`);
  } else if (!resources.has(entry.resource)) {
    problems.push(`${at("resource")}: unknown resource "${entry.resource}" (known: ${[...resources.keys()].join(", ")})`);
  } else {
    resource = resources.get(entry.resource);
    if (!resource.graphql.polled) {
      problems.push(`${at("resource")}: "${entry.resource}" is not polled (${resource.graphql.notPolled}), so it has no usage to simulate`);
      resource = null;
    }
  }
  if (typeof entry.units !== "number" || !Number.isFinite(entry.units) || entry.units < 0) {
    problems.push(`${at("units")}: expected a finite number >= 0, got ${show(entry.units)}`);
  }
  if (resource && typeof entry.units === "number" && scalarOf(resource.graphql.dataset, resource.graphql.field) !== "float64") {
    const raw = clean(entry.units / resource.graphql.fieldScale);
    if (!Number.isInteger(raw)) {
      problems.push(`${at("units")}: ${resource.graphql.field} of ${resource.graphql.dataset} is a whole number in the API's schema; ${entry.units} ${resource.id} is ${raw}`);
    }
  }
  if (entry.binding !== undefined && typeof entry.binding !== "string") {
    problems.push(`${at("binding")}: expected a string (the analytics id), got ${show(entry.binding)}`);
  } else if (entry.binding && resource && !resource.graphql.bindingDimension) {
    problems.push(`${at("binding")}: "${resource.id}" has no per-binding dimension in its dataset; leave binding out`);
  }
  if (entry.date !== undefined && !isValidDate(entry.date)) {
    problems.push(`${at("date")}: expected a UTC date "YYYY-MM-DD", got ${show(entry.date)}`);
  }
  if (entry.mode !== undefined && entry.mode !== "add" && entry.mode !== "set") {
    problems.push(`${at("mode")}: expected "add" or "set", got ${show(entry.mode)}`);
  }
  if (problems.length) return { problems };
  return {
    problems,
    entry: {
      resource,
      units: entry.units,
      binding: entry.binding || NO_BINDING,
      date: entry.date ?? todayUtc(),
      mode: entry.mode ?? "add",
    },
  };
}

function recordUsage(body) {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0) throw new BadInput("body: expected a usage object or a non-empty array of them");
  const checked = list.map((entry, index) => checkUsageEntry(entry, Array.isArray(body) ? `[${index}]` : ""));
  const problems = checked.flatMap((result) => result.problems);
  // Nothing is stored unless every entry is valid.
  if (problems.length) throw new BadInput(problems.join("; "));
  return json({ ok: true, recorded: checked.map(({ entry }) => storeUsage(entry)) });
}

// A class of several operations (R2's Class A is PutObject, ListObjects, UploadPart…) is
// spread over all of its names, as real traffic would be, so that a poller that knows only
// some of them is caught. Whole-number fields get whole shares; the first names take the rest.
function sharesOf(raw, count, whole) {
  if (count === 1) return [raw];
  const base = whole ? Math.floor(raw / count) : clean(raw / count);
  const shares = new Array(count).fill(base);
  let rest = whole ? raw - base * count : 0;
  for (let index = 0; rest > 0; index++, rest--) shares[index] += 1;
  return shares;
}

function storeUsage({ resource, units, binding, date, mode }) {
  const { dataset, field, fieldScale, actionTypes, bindingDimension } = resource.graphql;
  // Usage of a resource for any class (R2's deletes) is recorded on Standard storage.
  const storageClass = getCatalogue().datasets.get(dataset).hasStorageClass ? resource.graphql.storageClass || "Standard" : null;
  const names = actionTypes ? actionTypes.split(",").map((name) => name.trim()) : [null];
  const raw = clean(units / fieldScale);
  const shares = sharesOf(raw, names.length, scalarOf(dataset, field) !== "float64");
  if (!usage.has(dataset)) usage.set(dataset, new Map());
  const records = usage.get(dataset);
  const row = { resource: resource.id, dataset, field, date };
  if (bindingDimension) row[bindingDimension] = binding;
  row.value = 0;
  names.forEach((actionType, index) => {
    const key = JSON.stringify([date, actionType, storageClass, bindingDimension, binding]);
    if (!records.has(key) && shares[index] === 0) return; // the API has no rows of nothing
    if (!records.has(key)) records.set(key, { date, actionType, storageClass, bindingDimension, binding, values: new Map() });
    const record = records.get(key);
    const value = mode === "set" ? shares[index] : clean((record.values.get(field) ?? 0) + shares[index]);
    record.values.set(field, value);
    row.value = clean(row.value + value);
  });
  if (names[0] !== null) row.actionTypes = names;
  return row;
}

// Stored usage in the shape of the API's rows, per dataset, sorted by date.
function dumpUsage() {
  const out = {};
  for (const [dataset, records] of usage) {
    out[dataset] = [...records.values()]
      .sort((a, b) => compareStrings(a.date, b.date) || compareStrings(JSON.stringify(a), JSON.stringify(b)))
      .map((record) => {
        const row = FLAT_DATASETS.has(dataset) ? { date: record.date } : { dimensions: { date: record.date } };
        if (record.actionType !== null) row.dimensions.actionType = record.actionType;
        if (record.storageClass !== null) row.dimensions.storageClass = record.storageClass;
        if (record.bindingDimension) row.dimensions[record.bindingDimension] = record.binding;
        for (const [path, value] of record.values) {
          const [aggregate, name] = splitPath(path);
          if (!aggregate) {
            row[name] = value;
            continue;
          }
          row[aggregate] ??= {};
          row[aggregate][name] = value;
        }
        return row;
      });
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Control API: faults

const FAULT_KEYS = new Set(["kind", "dataset", "times", "retryAfter", "delayMs", "actionType"]);

function checkFault(fault, where) {
  const at = (field) => (where ? `${where}.${field}` : field);
  if (!isPlainObject(fault)) return { problems: [`${where || "body"}: expected an object, got ${show(fault)}`] };
  const problems = [];
  for (const key of Object.keys(fault)) {
    if (!FAULT_KEYS.has(key)) problems.push(`${at(key)}: unknown field (expected one of ${[...FAULT_KEYS].join(", ")})`);
  }
  if (!FAULT_KINDS.includes(fault.kind)) {
    problems.push(`${at("kind")}: expected one of ${FAULT_KINDS.join(", ")}, got ${show(fault.kind)}`);
  }
  if (fault.dataset !== undefined) {
    // A typo here would make a fault that never fires, so only known datasets are accepted.
    const { datasets } = getCatalogue();
    if (typeof fault.dataset !== "string" || !datasets.has(fault.dataset)) {
      problems.push(`${at("dataset")}: expected a known dataset (${[...datasets.keys()].join(", ")}), got ${show(fault.dataset)}`);
    }
  } else if (fault.kind === "partial" || fault.kind === "no-access") {
    problems.push(`${at("dataset")}: a "${fault.kind}" fault needs the dataset it applies to`);
  }
  if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times >= 1)) {
    problems.push(`${at("times")}: expected a whole number >= 1, got ${show(fault.times)}`);
  }
  if (fault.retryAfter !== undefined) {
    if (fault.kind !== "http-429") problems.push(`${at("retryAfter")}: only applies to kind "http-429"`);
    else if (!(Number.isInteger(fault.retryAfter) && fault.retryAfter >= 0)) {
      problems.push(`${at("retryAfter")}: expected whole seconds >= 0, got ${show(fault.retryAfter)}`);
    }
  }
  if (fault.actionType !== undefined) {
    if (fault.kind !== "odd-action-type") problems.push(`${at("actionType")}: only applies to kind "odd-action-type"`);
    else if (typeof fault.actionType !== "string") problems.push(`${at("actionType")}: expected a string, got ${show(fault.actionType)}`);
  }
  if (fault.delayMs !== undefined) {
    if (fault.kind !== "timeout") problems.push(`${at("delayMs")}: only applies to kind "timeout"`);
    else if (!(Number.isInteger(fault.delayMs) && fault.delayMs >= 0 && fault.delayMs <= MAX_DELAY_MS)) {
      problems.push(`${at("delayMs")}: expected whole milliseconds from 0 to ${MAX_DELAY_MS}, got ${show(fault.delayMs)}`);
    }
  }
  if (problems.length) return { problems };
  const stored = { id: 0, kind: fault.kind, dataset: fault.dataset ?? null, remaining: fault.times ?? null };
  if (fault.kind === "http-429") stored.retryAfter = fault.retryAfter ?? 30;
  if (fault.kind === "odd-action-type") stored.actionType = fault.actionType ?? "WRITE";
  if (fault.kind === "timeout") stored.delayMs = fault.delayMs ?? 15000;
  return { problems, fault: stored };
}

function addFaults(body) {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0) throw new BadInput("body: expected a fault object or a non-empty array of them");
  const checked = list.map((fault, index) => checkFault(fault, Array.isArray(body) ? `[${index}]` : ""));
  const problems = checked.flatMap((result) => result.problems);
  if (problems.length) throw new BadInput(problems.join("; "));
  const added = checked.map(({ fault }) => ({ ...fault, id: nextFaultId++ }));
  faults.push(...added);
  return json({ ok: true, added, faults });
}

// `remaining: null` means until cleared.
function consumeFault(fault) {
  if (fault.remaining === null) return;
  fault.remaining -= 1;
  if (fault.remaining <= 0) faults = faults.filter((other) => other !== fault);
}

// Which faults a request touching `datasets` meets. At most one terminal fault answers
// (the oldest); timeouts delay the answer (the longest wins); partial and absurd-values
// alter a normal answer. Only the faults that take effect count down.
function pickFaults(datasets) {
  const matching = faults.filter((fault) => fault.dataset === null || datasets.includes(fault.dataset));
  const terminal = matching.find((fault) => TERMINAL_FAULTS.has(fault.kind)) ?? null;
  const delays = matching.filter((fault) => fault.kind === "timeout");
  const alterations = terminal ? [] : matching.filter((fault) => ALTERATIONS.has(fault.kind));
  for (const fault of [...delays, ...alterations]) consumeFault(fault);
  if (terminal) consumeFault(terminal);
  return {
    terminal,
    delayMs: Math.max(0, ...delays.map((fault) => fault.delayMs)),
    partial: new Set(alterations.filter((fault) => fault.kind === "partial").map((fault) => fault.dataset)),
    noAccess: new Set(alterations.filter((fault) => fault.kind === "no-access").map((fault) => fault.dataset)),
    // null stands for "every dataset".
    absurd: alterations.filter((fault) => fault.kind === "absurd-values").map((fault) => fault.dataset),
    oddActionTypes: alterations.filter((fault) => fault.kind === "odd-action-type"),
    errorsNotAList: alterations.some((fault) => fault.kind === "errors-not-a-list"),
    kinds: [...delays, ...alterations, ...(terminal ? [terminal] : [])].map((fault) => fault.kind),
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------
// GraphQL endpoint

// As https://developers.cloudflare.com/analytics/graphql-api/errors/ shows them: a message,
// the path from the root when there is one, and when it happened.
const gqlError = (message, path) => ({ message, ...(path ? { path } : {}), extensions: { timestamp: new Date().toISOString() } });

async function handleGraphql(request, env) {
  const logEntry = { at: new Date().toISOString(), datasets: [], variables: {}, authorized: false, status: 0 };
  requestLog.push(logEntry);
  if (requestLog.length > MAX_LOG_ENTRIES) requestLog.shift();
  const finish = (response) => {
    logEntry.status = response.status;
    return response;
  };

  if (!env.USAGE_API_TOKEN) {
    return finish(json({ data: null, errors: [{ message: "simulator misconfigured: USAGE_API_TOKEN is not set" }] }, 500));
  }

  // The body is read before the token check so that the log shows what an unauthorized
  // caller asked for; the token itself is never stored or echoed.
  const text = await request.text();
  let body = null;
  let bodyProblem = null;
  try {
    body = JSON.parse(text);
    if (!isPlainObject(body)) bodyProblem = "request body must be a JSON object";
  } catch (error) {
    bodyProblem = `request body is not valid JSON: ${error.message}`;
  }
  if (!bodyProblem) {
    if (typeof body.query !== "string" || !body.query.trim()) bodyProblem = 'request body has no "query" string';
    else if (body.variables !== undefined && body.variables !== null && !isPlainObject(body.variables)) {
      bodyProblem = '"variables" must be a JSON object';
    }
  }
  const variables = bodyProblem ? {} : (body.variables ?? {});
  logEntry.variables = variables;

  let document = null;
  let queryErrors = null; // what the real API would refuse the query for
  if (!bodyProblem) {
    try {
      document = parseDocument(body.query, variables);
      logEntry.datasets = datasetsIn(document);
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      queryErrors = error.errors;
    }
  }

  const header = request.headers.get("authorization") ?? "";
  logEntry.authorized = header === `Bearer ${env.USAGE_API_TOKEN}`;
  if (!logEntry.authorized) {
    return finish(json({ data: null, errors: [{ message: "authentication error: missing or invalid API token" }] }, 401));
  }
  if (bodyProblem) return finish(json({ data: null, errors: [{ message: bodyProblem }] }, 400));

  const picked = pickFaults(logEntry.datasets);
  if (picked.kinds.length) logEntry.faults = picked.kinds;
  if (picked.delayMs > 0) await sleep(picked.delayMs);

  if (picked.terminal) {
    const fault = picked.terminal;
    switch (fault.kind) {
      case "http-500":
        return finish(json({ errors: [{ message: "internal error" }] }, 500));
      case "http-429":
        return finish(
          json({ data: null, errors: [{ message: "rate limited: too many requests, retry later" }] }, 429, {
            "retry-after": String(fault.retryAfter),
          }),
        );
      case "graphql-errors":
        return finish(json({ data: null, errors: [{ message: "simulated failure" }] }));
      case "wrong-shape":
        return finish(json({ data: { viewer: { accounts: "nope" } }, errors: null }));
      case "malformed-json": {
        // Any proper prefix of a JSON object is invalid JSON.
        const full = JSON.stringify(queryErrors ? { data: null, errors: queryErrors } : execute(document, variables, env, picked));
        return finish(new Response(full.slice(0, Math.max(1, Math.floor(full.length / 2))), {
          headers: { "content-type": "application/json" },
        }));
      }
    }
  }

  // GraphQL convention: a query the server cannot run is still HTTP 200, with errors[].
  if (queryErrors) return finish(json({ data: null, errors: queryErrors }));
  return finish(json(execute(document, variables, env, picked)));
}

// ---------------------------------------------------------------------------------------
// Query language: graphql-js parses the request and validates it against Cloudflare's own
// schema (analytics-schema.js), so that a field, filter, argument or variable type the real
// API would refuse is refused here too, the same way: HTTP 200, data null, an error per
// problem. What passes is turned into the small tree the executor below walks.

class QueryError extends Error {
  constructor(message, errors = [gqlError(message)]) {
    super(message);
    this.errors = errors;
  }
}

// A refusal of the whole query for one dataset (beyond its limits, or not the account's to
// read): answered with data null, as the documented example of one is.
class RefusedError extends QueryError {}

let analyticsSchema = null;
const schema = () => (analyticsSchema ??= buildSchema(ROOT + DATASETS));

// The scalar the schema gives `aggregate.name` ("sum.requests") of a dataset's rows:
// "uint64", "float64"…
function scalarOf(dataset, path) {
  const [aggregate, name] = splitPath(path);
  const rows = getNamedType(schema().getType("account").getFields()[dataset].type);
  const holder = aggregate ? getNamedType(rows.getFields()[aggregate].type) : rows;
  return getNamedType(holder.getFields()[name].type).name;
}

// What a variable's value must look like, by the scalar it is declared as.
const SCALAR_FORMATS = {
  Date: /^\d{4}-\d{2}-\d{2}$/,
  Time: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
};

function parseDocument(source, variables) {
  let ast;
  try {
    ast = parse(source);
  } catch (error) {
    throw new QueryError(error.message);
  }
  const problems = validate(schema(), ast);
  if (problems.length) {
    throw new QueryError(problems[0].message, problems.map((problem) => ({ message: problem.message })));
  }
  const operations = ast.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) throw new QueryError("send exactly one operation per request");
  const [operation] = operations;
  const declared = new Map();
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const nonNull = definition.type.kind === Kind.NON_NULL_TYPE;
    const type = (nonNull ? definition.type.type : definition.type).name?.value;
    const value = variables[name];
    if (value === undefined && nonNull && !definition.defaultValue) {
      throw new QueryError(`variable "$${name}" of required type "${type}!" was not provided`);
    }
    if (typeof value === "string" && SCALAR_FORMATS[type] && !SCALAR_FORMATS[type].test(value)) {
      throw new QueryError(`variable "$${name}" got invalid value ${JSON.stringify(value)}: not a ${type}`);
    }
    declared.set(name, definition.defaultValue ? valueOf(definition.defaultValue) : undefined);
  }
  return { declared, selections: selectionsOf(operation.selectionSet) };
}

function selectionsOf(selectionSet) {
  return selectionSet.selections.map((field) => {
    if (field.kind !== Kind.FIELD) throw new QueryError("fragments are not supported by the simulator");
    return {
      name: field.name.value,
      key: field.alias?.value ?? field.name.value,
      args: Object.fromEntries((field.arguments ?? []).map((arg) => [arg.name.value, valueOf(arg.value)])),
      selections: field.selectionSet ? selectionsOf(field.selectionSet) : null,
    };
  });
}

function valueOf(node) {
  switch (node.kind) {
    case Kind.INT:
    case Kind.FLOAT:
      return { kind: "literal", value: Number(node.value) };
    case Kind.STRING:
    case Kind.BOOLEAN:
      return { kind: "literal", value: node.value };
    case Kind.NULL:
      return { kind: "literal", value: null };
    case Kind.ENUM:
      return { kind: "enum", value: node.value };
    case Kind.VARIABLE:
      return { kind: "variable", name: node.name.value };
    case Kind.LIST:
      return { kind: "list", values: node.values.map(valueOf) };
    case Kind.OBJECT:
      return { kind: "object", fields: Object.fromEntries(node.fields.map((field) => [field.name.value, valueOf(field.value)])) };
  }
  throw new QueryError(`unsupported value ${node.kind}`);
}

function resolveValue(node, variables, declared) {
  switch (node.kind) {
    case "literal":
    case "enum":
      return node.value;
    case "variable": {
      if (!declared.has(node.name)) throw new QueryError(`variable "$${node.name}" is not declared`);
      if (variables[node.name] !== undefined) return variables[node.name];
      const fallback = declared.get(node.name);
      if (fallback === undefined) throw new QueryError(`variable "$${node.name}" was not provided`);
      return resolveValue(fallback, variables, declared);
    }
    case "list":
      return node.values.map((value) => resolveValue(value, variables, declared));
    case "object":
      return Object.fromEntries(
        Object.entries(node.fields).map(([name, value]) => [name, resolveValue(value, variables, declared)]),
      );
  }
  throw new Error(`unknown value node ${node.kind}`);
}

// The dataset names under viewer.accounts, for fault matching and the request log.
function datasetsIn(document) {
  const names = new Set();
  for (const viewer of document.selections) {
    for (const accounts of viewer.selections ?? []) {
      for (const dataset of accounts.selections ?? []) names.add(dataset.name);
    }
  }
  return [...names];
}

// ---------------------------------------------------------------------------------------
// Execution

function execute(document, variables, env, picked) {
  const errors = [];
  const data = {};
  const resolve = (node) => resolveValue(node, variables, document.declared);
  try {
    for (const viewer of document.selections) {
      if (viewer.name !== "viewer" || !viewer.selections) {
        throw new QueryError(`unknown root field "${viewer.name}" (the simulator answers viewer { accounts { ... } })`);
      }
      const viewerData = {};
      data[viewer.key] = viewerData;
      for (const accounts of viewer.selections) {
        if (accounts.name !== "accounts" || !accounts.selections) {
          throw new QueryError(`unknown field "${accounts.name}" on viewer (the simulator answers accounts { ... })`);
        }
        const filter = accounts.args.filter ? resolve(accounts.args.filter) : null;
        const accountTag = isPlainObject(filter) ? filter.accountTag : undefined;
        if (typeof accountTag !== "string" || !accountTag) {
          return { data: null, errors: [gqlError("accounts: filter.accountTag is required", [viewer.key, accounts.key])] };
        }
        if (env.USAGE_API_ACCOUNT_ID && accountTag !== env.USAGE_API_ACCOUNT_ID) {
          return { data: null, errors: [gqlError("account not found or not authorized", [viewer.key, accounts.key])] };
        }
        const account = {};
        for (const block of accounts.selections) {
          const path = [viewer.key, accounts.key, 0, block.key];
          try {
            if (picked.noAccess.has(block.name)) throw new RefusedError(`account '${accountTag}' does not have access to the path`);
            if (picked.partial.has(block.name)) throw new QueryError(`simulated failure reading ${block.name}`);
            account[block.key] = answerDataset(block, resolve);
          } catch (error) {
            if (!(error instanceof QueryError)) throw error;
            if (error instanceof RefusedError) return { data: null, errors: [gqlError(error.message, path)] };
            account[block.key] = null;
            errors.push(gqlError(error.message, path));
          }
        }
        viewerData[accounts.key] = [account];
        makeAbsurd(account, accounts.selections, picked.absurd);
        for (const fault of picked.oddActionTypes) renameActionTypes(account, accounts.selections, fault);
      }
    }
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    return { data: null, errors: [gqlError(error.message)] };
  }
  if (picked.errorsNotAList) return { data, errors: "simulated: errors is not a list" };
  return { data, errors: errors.length ? errors : null };
}

function renameActionTypes(account, blocks, fault) {
  for (const block of blocks) {
    if (fault.dataset !== null && fault.dataset !== block.name) continue;
    for (const row of account[block.key] ?? []) {
      if (row.dimensions && "actionType" in row.dimensions) row.dimensions.actionType = fault.actionType;
    }
  }
}

function makeAbsurd(account, blocks, targets) {
  if (!targets.length) return;
  let next = 0;
  for (const block of blocks) {
    if (!targets.includes(null) && !targets.includes(block.name)) continue;
    for (const row of account[block.key] ?? []) {
      for (const [aggregate, values] of Object.entries(row)) {
        if (aggregate === "dimensions") continue;
        for (const name of Object.keys(values)) values[name] = ABSURD_VALUES[next++ % ABSURD_VALUES.length];
      }
    }
  }
}

// How wide a time range one query may ask for, and how far back its data is kept
// (../shared/reference/README.md). KV and D1 "can be queried (and are retained) for the past
// 31 days" (https://developers.cloudflare.com/kv/observability/metrics-analytics/,
// https://developers.cloudflare.com/d1/observability/metrics-analytics/); Workers give "up to
// one month of data for dates up to three months ago"
// (https://developers.cloudflare.com/analytics/graphql-api/tutorials/querying-workers-metrics/);
// R2 was recorded refusing a range wider than 4w4d and data older than 12w6d. For the others
// nothing is published, so the simulator holds them to 31 days both ways: no request of the
// guard needs more.
const THIRTY_ONE_DAYS = { days: 31, name: "4w3d" };
const RANGE_LIMITS = { r2OperationsAdaptiveGroups: { days: 32, name: "4w4d" } };
const RETENTION = {
  r2OperationsAdaptiveGroups: { days: 91, name: "12w6d" },
  workersInvocationsAdaptive: { days: 91, name: "12w6d" },
};

function checkRange(dataset, filter) {
  const limit = RANGE_LIMITS[dataset] ?? THIRTY_ONE_DAYS;
  const retention = RETENTION[dataset] ?? THIRTY_ONE_DAYS;
  const now = nowMs();
  for (const prefix of ["date", "datetime"]) {
    // Exclusive bounds on dates leave their own day out; on times, one instant.
    const step = prefix === "date" ? DAY_MS : 0;
    const bound = (inclusive, exclusive, sign) => {
      if (typeof filter[`${prefix}_${inclusive}`] === "string") return Date.parse(filter[`${prefix}_${inclusive}`]);
      if (typeof filter[`${prefix}_${exclusive}`] === "string") return Date.parse(filter[`${prefix}_${exclusive}`]) + sign * step;
      return null;
    };
    const from = bound("geq", "gt", 1);
    if (from === null) continue;
    // A range with no upper bound runs to now; a date range counts its last day whole.
    const upper = bound("leq", "lt", -1);
    const to = upper ?? (step ? Math.floor(now / DAY_MS) * DAY_MS : now);
    if (to - from + step > limit.days * DAY_MS) {
      throw new RefusedError(`cannot request a time range wider than ${limit.name}`);
    }
    // Data is kept for whole UTC days: the oldest day kept is (days - 1) before today.
    const oldest = Math.floor(now / DAY_MS) * DAY_MS - (retention.days - 1) * DAY_MS;
    if (from < oldest) throw new RefusedError(`cannot request data older than ${retention.name}`);
  }
}

const compareStrings = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// One dataset block: `name(limit: N, filter: {...}, orderBy: [...]) { sum {..} max {..} dimensions {..} }`.
function answerDataset(block, resolve) {
  const info = getCatalogue().datasets.get(block.name);
  if (!info) throw new QueryError(`unknown dataset "${block.name}": the simulator answers ${[...getCatalogue().datasets.keys()].join(", ")}`);
  if (!block.selections) throw new QueryError(`${block.name}: needs a selection of sum, max or dimensions`);
  const dimensionNames = dimensionsOf(info);

  for (const arg of Object.keys(block.args)) {
    if (!["limit", "filter", "orderBy"].includes(arg)) throw new QueryError(`${block.name}: unknown argument "${arg}"`);
  }
  // Without `limit` every row is answered: silently truncating here would hide poller bugs.
  let limit = Infinity;
  if (block.args.limit) {
    limit = resolve(block.args.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new QueryError(`${block.name}: limit must be a whole number from 1 to ${MAX_LIMIT}, got ${show(limit)}`);
    }
  }
  const filter = block.args.filter ? resolve(block.args.filter) : {};
  if (!isPlainObject(filter)) throw new QueryError(`${block.name}: filter must be an object`);
  checkRange(block.name, filter);
  const tests = Object.entries(filter).map(([key, value]) => filterTest(block.name, key, value, dimensionNames));

  // What the block asks for, in the order asked.
  const wanted = [];
  let dimensions = null;
  const flat = FLAT_DATASETS.has(block.name);
  let flatDate = null; // the key a flat row's date is asked under
  for (const selection of block.selections) {
    if (!selection.selections) {
      // A field of the row itself: a bare `count`, or a flat row's date and value.
      if (flat && selection.name === "date") flatDate = selection.key;
      else if (info.fields.get("")?.has(selection.name)) wanted.push({ key: selection.key, aggregate: "", fields: [selection] });
      else throw new QueryError(`${block.name}: field "${selection.name}" needs a selection`);
      continue;
    }
    const names = selection.selections.map((field) => {
      if (field.selections) throw new QueryError(`${block.name}.${selection.name}.${field.name}: has no subfields`);
      return field;
    });
    if (selection.name === "dimensions") {
      for (const field of names) {
        if (!dimensionNames.includes(field.name)) {
          throw new QueryError(`${block.name}: unknown dimension "${field.name}" (known: ${dimensionNames.join(", ")})`);
        }
      }
      dimensions = { key: selection.key, fields: names };
    } else if (info.fields.has(selection.name)) {
      const known = info.fields.get(selection.name);
      for (const field of names) {
        if (!known.has(field.name)) {
          throw new QueryError(`${block.name}: unknown field "${selection.name} { ${field.name} }" (known: ${[...known].join(", ")})`);
        }
      }
      wanted.push({ key: selection.key, aggregate: selection.name, fields: names });
    } else {
      throw new QueryError(`${block.name}: unknown field "${selection.name}" (known: dimensions, ${[...info.fields.keys()].join(", ")})`);
    }
  }

  const records = [...(usage.get(block.name)?.values() ?? [])].filter((record) => tests.every((test) => test(record)));

  // One row per distinct combination of the requested dimensions.
  const groups = new Map();
  for (const record of records) {
    // A flat dataset's rows are its days, asked for or not.
    const dims = flat ? [record.date] : (dimensions?.fields ?? []).map((field) => dimensionValue(record, field.name));
    const key = JSON.stringify(dims);
    if (!groups.has(key)) groups.set(key, { dims, records: [] });
    groups.get(key).records.push(record);
  }

  const rows = [...groups.values()].map(({ dims, records: members }) => {
    const row = {};
    if (flatDate) row[flatDate] = dims[0];
    const total = (aggregate, name) => {
      const path = aggregate ? `${aggregate}.${name}` : name;
      const values = members.map((record) => record.values.get(path)).filter((v) => v !== undefined);
      return aggregate === "max" ? Math.max(0, ...values) : clean(values.reduce((sum, v) => sum + v, 0));
    };
    for (const { key, aggregate, fields } of wanted) {
      if (!aggregate) {
        row[key] = total("", fields[0].name);
        continue;
      }
      row[key] = {};
      for (const field of fields) row[key][field.key] = total(aggregate, field.name);
    }
    if (dimensions) {
      row[dimensions.key] = Object.fromEntries(dimensions.fields.map((field, index) => [field.key, dims[index]]));
    }
    return { row, dims };
  });

  rows.sort(flat ? (a, b) => compareStrings(a.dims[0], b.dims[0]) : rowOrder(block, resolve, dimensions, dimensionNames));
  return rows.slice(0, limit).map(({ row }) => row);
}

function dimensionValue(record, name) {
  if (name === "date") return record.date;
  if (name === "datetime") return `${record.date}T00:00:00Z`;
  if (name === "actionType") return record.actionType;
  if (name === "storageClass") return record.storageClass;
  return record.bindingDimension === name ? record.binding : NO_BINDING;
}

// Default: date ascending, then the other requested dimensions, for a stable answer.
// `orderBy: [date_DESC, namespaceId_ASC]` sorts on requested dimensions instead.
function rowOrder(block, resolve, dimensions, dimensionNames) {
  const requested = (dimensions?.fields ?? []).map((field) => field.name);
  let keys = requested.map((name, index) => ({ index, direction: 1 }));
  const dateIndex = requested.findIndex((name) => name === "date" || name === "datetime");
  if (dateIndex > 0) keys = [keys[dateIndex], ...keys.filter((key) => key.index !== dateIndex)];
  if (block.args.orderBy) {
    const raw = resolve(block.args.orderBy);
    const list = Array.isArray(raw) ? raw : [raw];
    keys = list.map((item) => {
      const match = typeof item === "string" && /^(.+)_(ASC|DESC)$/.exec(item);
      if (!match || !dimensionNames.includes(match[1])) {
        throw new QueryError(`${block.name}: orderBy takes <dimension>_ASC or <dimension>_DESC, got ${show(item)}`);
      }
      const index = requested.indexOf(match[1]);
      if (index < 0) throw new QueryError(`${block.name}: orderBy ${item} needs "${match[1]}" among the requested dimensions`);
      return { index, direction: match[2] === "ASC" ? 1 : -1 };
    });
  }
  return (a, b) => {
    for (const { index, direction } of keys) {
      const order = compareStrings(String(a.dims[index]), String(b.dims[index]));
      if (order) return order * direction;
    }
    return 0;
  };
}

const DAY_MS = 86400000;

// A predicate on stored records for one filter entry.
function filterTest(dataset, key, value, dimensionNames) {
  const match = /^(.+?)(?:_(geq|leq|gt|lt|in|neq|notin))?$/.exec(key);
  const [, dimension, operator = "eq"] = match;
  if (!dimensionNames.includes(dimension)) {
    throw new QueryError(`${dataset}: unknown filter "${key}" (filterable: ${dimensionNames.join(", ")})`);
  }
  const bad = (expected) => new QueryError(`${dataset}: filter ${key} expects ${expected}, got ${show(value)}`);

  if (dimension === "date") {
    // Compared on the UTC date: a timestamp given for a date is cut to its first 10 characters.
    if (["in", "notin", "neq"].includes(operator)) throw new QueryError(`${dataset}: filter "${key}" is not supported`);
    const day = typeof value === "string" ? value.slice(0, 10) : null;
    if (!isValidDate(day)) throw bad('a date "YYYY-MM-DD"');
    const compare = { eq: (d) => d === day, geq: (d) => d >= day, leq: (d) => d <= day, gt: (d) => d > day, lt: (d) => d < day };
    return (record) => compare[operator](record.date);
  }
  if (dimension === "datetime") {
    // Usage is stored per UTC day; a day counts when any instant of it lies in the range.
    // So _geq/_gt keep days ending after the bound and _leq keep days starting at or before
    // it, _lt strictly before: with midnight bounds that is [date(start), date(end)].
    if (["in", "notin", "neq"].includes(operator)) throw new QueryError(`${dataset}: filter "${key}" is not supported`);
    const at = typeof value === "string" ? Date.parse(value) : NaN;
    if (Number.isNaN(at)) throw bad('an ISO timestamp such as "2026-11-01T00:00:00Z"');
    const start = (record) => Date.parse(`${record.date}T00:00:00Z`);
    const compare = {
      eq: (s) => s <= at && at < s + DAY_MS,
      geq: (s) => s + DAY_MS > at,
      gt: (s) => s + DAY_MS > at,
      leq: (s) => s <= at,
      lt: (s) => s < at,
    };
    return (record) => compare[operator](start(record));
  }
  if (["geq", "leq", "gt", "lt"].includes(operator)) throw new QueryError(`${dataset}: filter "${key}" is not supported`);
  const get = (record) => dimensionValue(record, dimension);
  if (operator === "in" || operator === "notin") {
    if (!Array.isArray(value)) throw bad("a list");
    return operator === "in" ? (record) => value.includes(get(record)) : (record) => !value.includes(get(record));
  }
  return operator === "eq" ? (record) => get(record) === value : (record) => get(record) !== value;
}
