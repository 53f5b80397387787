// D1: queries are checked before they run and charged afterwards with the rows their
// result's meta reports, since D1 bills rows read and written, not queries.
// batch() is handed the real statements, never the wrappers.
import { CHARGES } from "../../dist/constants.js";
import { rawForOtherThis } from "./spec-wrapper.js";

const RESULT_METHODS = ["all", "run", "first", "raw"];

/** The sites a D1 binding's queries are checked against and charged to. */
export function d1Sites(enforcement, binding) {
  // A result with every field of D1's meta (D1Meta in @cloudflare/workers-types), all zero.
  const neutralMeta = () => ({ duration: 0, size_after: 0, rows_read: 0, rows_written: 0, last_row_id: 0, changed_db: false, changes: 0 });
  const neutralResult = () => ({ success: true, meta: neutralMeta(), results: [] });
  const neutral = { all: neutralResult, run: neutralResult, first: () => null, raw: () => [], batch: (statements) => statements.map(neutralResult), exec: () => ({ count: 0, duration: 0 }) };
  const sites = {};
  for (const method of [...RESULT_METHODS, "batch", "exec", "query"]) {
    sites[method] = {
      read: enforcement.site(CHARGES.d1.read, binding, method, neutral[method] ?? null),
      written: enforcement.site(CHARGES.d1.written, binding, method, neutral[method] ?? null),
    };
  }
  return sites;
}

function refusal(invocation, sites, firstArg) {
  return invocation.check(sites.read, firstArg) ?? invocation.check(sites.written, firstArg);
}

function charge(invocation, sites, meta) {
  if (!meta) return;
  invocation.record(sites.read, Number(meta.rows_read) || 0);
  invocation.record(sites.written, Number(meta.rows_written) || 0);
}

// A statement shows what a real one shows (its own `dbSession`, `statement` and `params`, so
// that a raw binding's batch() takes it too); what the guard keeps is private.
export class GuardedD1Statement {
  static {
    Object.defineProperty(this, "name", { value: "D1PreparedStatement" });
  }

  #real;
  #invocation;
  #sites;

  constructor(statement, invocation, sites) {
    this.#real = statement;
    this.#invocation = invocation;
    this.#sites = sites;
    for (const key of Object.keys(statement)) this[key] = statement[key];
    seeRawStatement(statement);
  }

  /** The statement D1 itself can run: unwraps a guarded one. */
  static real(statement) {
    return statement !== null && typeof statement === "object" && #real in statement ? statement.#real : statement;
  }

  bind(...values) {
    return new GuardedD1Statement(this.#real.bind(...values), this.#invocation, this.#sites);
  }

  async all() {
    const result = await (refusal(this.#invocation, this.#sites.all) ?? this.#real.all());
    charge(this.#invocation, this.#sites.all, result?.meta);
    return result;
  }

  async run() {
    const result = await (refusal(this.#invocation, this.#sites.run) ?? this.#real.run());
    charge(this.#invocation, this.#sites.run, result?.meta);
    return result;
  }

  // first() and raw() return no meta, so they run through all() (the same query, the same
  // rows read) to be charged exactly.
  async first(column) {
    const refused = refusal(this.#invocation, this.#sites.first);
    if (refused) return refused;
    const result = await this.#real.all();
    charge(this.#invocation, this.#sites.first, result.meta);
    const row = result.results?.[0] ?? null;
    if (row === null || column === undefined) return row;
    // D1's own words for it (its first() throws this, a plain Error).
    if (!(column in row)) throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${column})`);
    return row[column];
  }

  // raw() keeps duplicate column names that all() would merge, so it must run as itself,
  // and its result has no meta: it is charged the rows it returns as rows read, a lower
  // bound (a scan can read more rows than it returns).
  async raw(options) {
    const refused = refusal(this.#invocation, this.#sites.raw);
    if (refused) return refused;
    const rows = await this.#real.raw(options);
    const returned = options?.columnNames ? rows.length - 1 : rows.length;
    charge(this.#invocation, this.#sites.raw, { rows_read: returned, rows_written: 0 });
    return rows;
  }
}

// What a guarded database shows for workerd's internal `fetcher`, which would run queries
// past the guard: a fetcher that says so.
const UNGUARDED_FETCHER = Object.freeze({
  fetch() {
    throw new TypeError("edgefuse: D1's internal fetcher is not reachable through a guarded database; use prepare, batch, exec or withSession");
  },
});

// [real database or session, invocation, sites] of a guarded one, for the subclasses;
// whether a value is a guarded database or session; each class's raw-method source.
let partsOf;
let isHandle;
const seeRawOf = new Map();

// A guarded database or session shows what the real one shows (its own fields, e.g. a
// database's `fetcher` and `alwaysPrimarySession`, and its class name); what the guard keeps
// is private. Those two are workerd's internals, not D1's API, and each would reach the
// database unguarded: the session is guarded too, and the fetcher refuses.
class GuardedD1Handle {
  #real;
  #invocation;
  #sites;

  constructor(real, invocation, sites) {
    this.#real = real;
    this.#invocation = invocation;
    this.#sites = sites;
    for (const key of Object.keys(real)) this[key] = real[key];
    const primary = real.alwaysPrimarySession;
    if (primary !== null && typeof primary === "object" && typeof primary.prepare === "function") {
      this.alwaysPrimarySession = new GuardedD1Session(primary, invocation, sites);
    }
    if (Object.hasOwn(real, "fetcher")) this.fetcher = UNGUARDED_FETCHER;
    seeRawOf.get(new.target)?.(real);
  }

  static {
    partsOf = (handle) => [handle.#real, handle.#invocation, handle.#sites];
    isHandle = (value) => value !== null && typeof value === "object" && #real in value;
  }

  prepare(query) {
    return new GuardedD1Statement(this.#real.prepare(query), this.#invocation, this.#sites);
  }

  async batch(statements) {
    const results = await (refusal(this.#invocation, this.#sites.batch, statements) ??
      this.#real.batch(statements.map(GuardedD1Statement.real)));
    for (const result of results) charge(this.#invocation, this.#sites.batch, result?.meta);
    return results;
  }
}

const seeRawStatement = rawForOtherThis(GuardedD1Statement, (value) => GuardedD1Statement.real(value) !== value);

/** A D1 database for one invocation: the methods of D1Database. */
export class GuardedD1 extends GuardedD1Handle {
  static {
    Object.defineProperty(this, "name", { value: "D1Database" });
  }

  // exec() returns only a count and a duration: checked before it runs, not charged after.
  exec(query) {
    const [database, invocation, sites] = partsOf(this);
    return refusal(invocation, sites.exec) ?? database.exec(query);
  }

  withSession(constraintOrBookmark) {
    const [database, invocation, sites] = partsOf(this);
    return new GuardedD1Session(database.withSession(constraintOrBookmark), invocation, sites);
  }

  // D1's RPC query() (the d1_binding_jsrpc compatibility flag): checked, then charged
  // from its meta when the result has one.
  async query(...args) {
    const [database, invocation, sites] = partsOf(this);
    const refused = refusal(invocation, sites.query);
    if (refused) return refused;
    const result = await database.query(...args);
    charge(invocation, sites.query, result?.meta);
    return result;
  }

  dump() {
    return partsOf(this)[0].dump();
  }
}

/** A D1 session (withSession) for one invocation: the methods of D1DatabaseSession. */
class GuardedD1Session extends GuardedD1Handle {
  static {
    Object.defineProperty(this, "name", { value: "D1DatabaseSession" });
  }

  getBookmark() {
    return partsOf(this)[0].getBookmark();
  }
}

seeRawOf.set(GuardedD1, rawForOtherThis(GuardedD1, (value) => isHandle(value)));
seeRawOf.set(GuardedD1Session, rawForOtherThis(GuardedD1Session, (value) => isHandle(value)));
