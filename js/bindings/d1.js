// D1: queries are checked before they run and charged afterwards with the rows their
// result's meta reports, since D1 bills rows read and written, not queries.
// batch() is handed the real statements, never the wrappers.
import { CHARGES } from "../../dist/constants.js";

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
  #real;
  #invocation;
  #sites;

  constructor(statement, invocation, sites) {
    this.#real = statement;
    this.#invocation = invocation;
    this.#sites = sites;
    for (const key of Object.keys(statement)) this[key] = statement[key];
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

/** A D1 database or session (withSession) for one invocation. */
export class GuardedD1 {
  constructor(database, invocation, sites) {
    this.database = database;
    this.invocation = invocation;
    this.sites = sites;
  }

  prepare(query) {
    return new GuardedD1Statement(this.database.prepare(query), this.invocation, this.sites);
  }

  async batch(statements) {
    const results = await (refusal(this.invocation, this.sites.batch, statements) ??
      this.database.batch(statements.map(GuardedD1Statement.real)));
    for (const result of results) charge(this.invocation, this.sites.batch, result?.meta);
    return results;
  }

  // exec() returns only a count and a duration: checked before it runs, not charged after.
  exec(query) {
    return refusal(this.invocation, this.sites.exec) ?? this.database.exec(query);
  }

  withSession(constraintOrBookmark) {
    return new GuardedD1(this.database.withSession(constraintOrBookmark), this.invocation, this.sites);
  }

  // D1's RPC query() (the d1_binding_jsrpc compatibility flag): checked, then charged
  // from its meta when the result has one.
  async query(...args) {
    const refused = refusal(this.invocation, this.sites.query);
    if (refused) return refused;
    const result = await this.database.query(...args);
    charge(this.invocation, this.sites.query, result?.meta);
    return result;
  }

  getBookmark() {
    return this.database.getBookmark();
  }

  dump() {
    return this.database.dump();
  }
}
