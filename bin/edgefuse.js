#!/usr/bin/env node
// The edgefuse command line: the same WASM core as the Worker, run by Node.
//   edgefuse check <config.json | ->                 validate a guard config
//   edgefuse estimate <usage.json | -> --plan <plan>  what a month (or day) of usage costs
//   edgefuse usage <config.json> [--endpoint <url>]   this account's usage now, against the config
//   edgefuse simulator [--port 8799]                  the local usage-API simulator
//   edgefuse init [--config <file>] [--guard <config.json>] [--rate-limiter] [--meter]
//                                                     wire the guard into wrangler.jsonc
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { applyEdits, modify, parse as parseJsonc, printParseErrorCode } from "jsonc-parser";
import { GuardConfigError, GuardInputError, createGuard, estimateCost } from "../js/index.js";

const USAGE = `usage: edgefuse <command>
  check <config.json | ->                   validate a guard config, as createGuard() does
  estimate <usage.json | -> --plan <plan>   the cost of usage ({ "kv-reads": 12000000, ... })
  usage <config.json> [--endpoint <url>]    this account's usage now, judged as the guard judges it
                                            (CF_ACCOUNT_ID and CF_API_TOKEN from the environment)
  simulator [--port <port>]                 run the local usage-API simulator (needs wrangler)
  init [--config <file>] [--guard <config.json>] [--rate-limiter] [--meter]
                                            add the state namespace and a cron trigger (and the rate
                                            limiter's or the meter's Durable Object) to wrangler.jsonc,
                                            named as the guard config names them (default: the defaults)`;

// A mistake of the user's: printed as one line, without a stack.
class CliError extends Error {}

const [command, ...args] = process.argv.slice(2);
try {
  process.exitCode = await run(command, args);
} catch (error) {
  console.error(error instanceof CliError ? `edgefuse: ${error.message}` : error);
  process.exitCode = 2;
}

async function run(name, rest) {
  if (name === "check") return check(rest);
  if (name === "estimate") return estimate(rest);
  if (name === "simulator") return simulator(rest);
  if (name === "usage") return usage(rest);
  if (name === "init") return init(rest);
  console.error(name === undefined || name === "help" || name === "--help" ? USAGE : `edgefuse: unknown command "${name}"\n${USAGE}`);
  return name === "help" || name === "--help" ? 0 : 2;
}

/** Reads and parses the JSON at `path` ("-": standard input), naming the file on failure. */
function readJson(path, what) {
  if (!path) throw new CliError(`${what}: give a JSON file, or - for standard input`);
  let text;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (error) {
    throw new CliError(`${what}: cannot read ${path} (${error.code ?? error.message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // One line: V8's message quotes the start of the text, newlines and all.
    throw new CliError(`${what}: ${path} is not JSON (${error.message.replace(/\s+/g, " ")})`);
  }
}

function option(rest, name) {
  const at = rest.indexOf(name);
  if (at < 0) return { value: undefined, rest };
  if (at + 1 >= rest.length) throw new CliError(`${name} needs a value`);
  return { value: rest[at + 1], rest: rest.filter((_, index) => index !== at && index !== at + 1) };
}

function printProblems(problems) {
  for (const { path, message, fix } of problems) console.log(`  ${path}: ${message}${fix ? `\n    fix: ${fix}` : ""}`);
}

function check([path]) {
  const config = readJson(path, "check");
  try {
    const guard = createGuard(config);
    console.log(`ok: a valid config for the ${guard.config.plan} plan; with every default filled in:`);
    console.log(JSON.stringify(guard.config, null, 2));
    return 0;
  } catch (error) {
    if (!(error instanceof GuardConfigError)) throw error;
    console.log(`invalid: ${error.problems.length} problem(s)`);
    printProblems(error.problems);
    return 1;
  }
}

function estimate(rest) {
  const { value: plan, rest: positional } = option(rest, "--plan");
  const usage = readJson(positional[0], "estimate");
  let result;
  try {
    result = estimateCost(usage, { plan: plan ?? "paid" });
  } catch (error) {
    if (!(error instanceof GuardInputError)) throw error;
    console.log(`invalid: ${error.problems.length} problem(s)`);
    printProblems(error.problems);
    return 1;
  }
  const rows = [["resource", "used", "included", "% of it", "over", "USD", "period", "billing"]];
  for (const row of result.resources) {
    rows.push([row.id, number(row.used), number(row.included), number(row.percentOfQuota), number(row.over), row.overageUsd.toFixed(2), row.period, row.billing]);
  }
  printTable(rows);
  console.log(`total overage on the ${result.plan} plan: $${result.totalOverageUsd.toFixed(2)}`);
  return 0;
}

// A read-only status evaluation, as the status page runs it: the account's usage now from
// the usage API (Cloudflare's, or --endpoint's), judged on the config's lines. Nothing is
// tripped or stored: the state namespace is an empty one in memory.
async function usage(rest) {
  const { value: endpoint, rest: positional } = option(rest, "--endpoint");
  const config = readJson(positional[0], "usage");
  let guard;
  try {
    guard = createGuard(config);
  } catch (error) {
    if (!(error instanceof GuardConfigError)) throw error;
    console.log(`invalid: ${error.problems.length} problem(s)`);
    printProblems(error.problems);
    return 1;
  }
  const { accountIdEnv, apiTokenEnv, endpointEnv, stateBinding } = guard.config;
  const env = {
    [accountIdEnv]: process.env[accountIdEnv],
    [apiTokenEnv]: process.env[apiTokenEnv],
    [endpointEnv]: endpoint ?? process.env[endpointEnv],
    [stateBinding]: memoryKv(),
  };
  const report = await guard.status(env);
  if (report.ok === false && !report.resources) {
    console.log(`failed: ${report.error}`);
    return 1;
  }
  console.log(`usage on the ${report.plan} plan at ${report.now}:`);
  const rows = [["resource", "binding", "used", "of", "%", "USD over", "decision", "window"]];
  for (const row of report.resources) {
    rows.push([
      row.resource,
      row.binding || "",
      row.used === null ? "?" : number(row.used),
      row.quota === null ? "-" : number(row.quota),
      row.percent === null ? "-" : row.percent.toFixed(1),
      row.overageUsd === null ? "-" : row.overageUsd.toFixed(2),
      row.decision,
      `${row.window.granularity} from ${row.window.from}`,
    ]);
  }
  printTable(rows);
  if (report.budget) console.log(`budget: $${report.budget.usedUsd.toFixed(2)} of $${report.budget.maxUsd.toFixed(2)}`);
  if (report.health.lastError) console.log(`not read: ${report.health.lastError}`);
  return report.health.lastError ? 1 : 0;
}

/** A KV namespace in memory, for the guard's state: a read-only evaluation writes nothing. */
function memoryKv() {
  const store = new Map();
  return {
    async get(key, type) {
      const value = store.get(key) ?? null;
      return value !== null && (type === "arrayBuffer" || type?.type === "arrayBuffer") ? new TextEncoder().encode(value).buffer : value;
    },
    async getWithMetadata(key) {
      return { value: store.get(key) ?? null, metadata: null, cacheStatus: null };
    },
    async put(key, value) {
      store.set(key, String(value));
    },
    async delete(key) {
      store.delete(key);
    },
    async list() {
      return { keys: [...store.keys()].map((name) => ({ name })), list_complete: true, cacheStatus: null };
    },
  };
}

function printTable(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  for (const row of rows) console.log(row.map((cell, column) => String(cell).padEnd(widths[column])).join("  ").trimEnd());
}

// Adds what the guard needs to a wrangler.jsonc (or .json), keeping its comments and layout:
// the state namespace, a cron trigger, and with --rate-limiter or --meter the Durable Object
// and its migration. What it cannot do offline (create the namespace, set secrets) it prints.
function init(rest) {
  const { value: guardPath, rest: afterGuard } = option(rest, "--guard");
  const { value: configured, rest: flags } = option(afterGuard, "--config");
  const names = bindingNames(guardPath);
  if (names.problems) {
    console.log(`invalid: ${guardPath} has ${names.problems.length} problem(s); nothing changed`);
    printProblems(names.problems);
    return 1;
  }
  // The Durable Objects each flag adds: [binding name, class].
  const objects = [];
  const path = configured ?? ["wrangler.jsonc", "wrangler.json"].find((name) => existsSync(name));
  if (!path) {
    throw new CliError(
      existsSync("wrangler.toml")
        ? "init: edits wrangler.jsonc or wrangler.json; wrangler.toml is not supported (see the README for what to add)"
        : "init: no wrangler.jsonc or wrangler.json here (give one with --config)",
    );
  }
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new CliError(`init: cannot read ${path} (${error.code ?? error.message})`);
  }
  const errors = [];
  const config = parseJsonc(text, errors, { allowTrailingComma: true });
  if (errors.length || config === null || typeof config !== "object" || Array.isArray(config)) {
    const where = errors[0] ? ` (${printParseErrorCode(errors[0].error)} at offset ${errors[0].offset})` : "";
    throw new CliError(`init: ${path} is not a JSON object${where}`);
  }
  const { stateBinding, rateLimiterBinding, meterBinding } = names;
  if (flags.includes("--rate-limiter")) objects.push([rateLimiterBinding, "EdgefuseRateLimiter"]);
  if (flags.includes("--meter")) objects.push([meterBinding, "EdgefuseMeter"]);
  const changes = [];
  const edit = (jsonPath, value, what) => {
    text = applyEdits(text, modify(text, jsonPath, value, { formattingOptions: { insertSpaces: true, tabSize: 2 } }));
    changes.push(what);
  };
  const namespaces = Array.isArray(config.kv_namespaces) ? config.kv_namespaces : [];
  if (!namespaces.some((entry) => entry?.binding === stateBinding)) {
    edit(["kv_namespaces", namespaces.length], { binding: stateBinding, id: "<the id wrangler kv namespace create prints>" }, `kv_namespaces: ${stateBinding}`);
  }
  if (!(Array.isArray(config.triggers?.crons) && config.triggers.crons.length > 0)) {
    edit(["triggers", "crons"], ["*/5 * * * *"], 'triggers.crons: "*/5 * * * *" (the usage poll)');
  }
  for (const [binding, className] of objects) {
    // Read again: an earlier object's edits are in `text`, not in `config`.
    const current = parseJsonc(text, [], { allowTrailingComma: true });
    const bindings = Array.isArray(current.durable_objects?.bindings) ? current.durable_objects.bindings : [];
    if (!bindings.some((entry) => entry?.name === binding)) {
      edit(["durable_objects", "bindings", bindings.length], { name: binding, class_name: className }, `durable_objects: ${binding}`);
    }
    const migrations = Array.isArray(current.migrations) ? current.migrations : [];
    const declared = migrations.some((step) => [step?.new_sqlite_classes, step?.new_classes].some((list) => Array.isArray(list) && list.includes(className)));
    if (!declared) {
      const tag = `edgefuse-${className === "EdgefuseMeter" ? "meter" : "rate-limiter"}`;
      edit(["migrations", migrations.length], { tag, new_sqlite_classes: [className] }, `migrations: ${className} (SQLite)`);
    }
  }
  if (changes.length) writeFileSync(path, text);
  console.log(changes.length ? `${path}: added\n${changes.map((change) => `  ${change}`).join("\n")}` : `${path}: already has what the guard needs`);
  console.log(`\nThen, once (these need your Cloudflare account):
  npx wrangler kv namespace create ${stateBinding}   # put the id it prints in ${path}
  npx wrangler secret put CF_ACCOUNT_ID              # your account id
  npx wrangler secret put CF_API_TOKEN               # a token with Account Analytics: Read${
    objects.length
      ? `\nAnd export ${objects.length > 1 ? "the classes" : "the class"} from your Worker's main module: export { ${objects.map(([, name]) => name).join(", ")} } from "edgefuse";`
      : ""
  }`);
  return 0;
}

// The binding names init writes: the guard config's at `guardPath` (validated as createGuard
// does), else the defaults. The meter's is its default when that config leaves the meter off.
function bindingNames(guardPath) {
  const defaults = createGuard({ plan: "free", meter: {} }).config;
  let config = defaults;
  if (guardPath !== undefined) {
    try {
      config = createGuard(readJson(guardPath, "init --guard")).config;
    } catch (error) {
      if (!(error instanceof GuardConfigError)) throw error;
      return { problems: error.problems };
    }
  }
  return { stateBinding: config.stateBinding, rateLimiterBinding: config.rateLimit.binding, meterBinding: (config.meter ?? defaults.meter).binding };
}

function number(value) {
  return typeof value === "number" ? value.toLocaleString("en-US", { maximumFractionDigits: 3 }) : String(value);
}

// Runs the simulator that ships in this package with the project's own wrangler.
function simulator(rest) {
  const { value: port = "8799" } = option(rest, "--port");
  if (!/^\d{2,5}$/.test(port)) throw new CliError(`--port must be a port number, got ${JSON.stringify(port)}`);
  let wrangler;
  for (const from of [`${process.cwd()}/`, import.meta.url]) {
    try {
      const manifest = createRequire(from).resolve("wrangler/package.json");
      const { bin } = JSON.parse(readFileSync(manifest, "utf8"));
      wrangler = join(dirname(manifest), typeof bin === "string" ? bin : bin.wrangler);
      break;
    } catch {
      // not installed there
    }
  }
  if (!wrangler) throw new CliError("simulator: wrangler is needed to run it (npm install --save-dev wrangler)");
  const config = fileURLToPath(new URL("../wrangler/simulator.jsonc", import.meta.url));
  console.log(`edgefuse: starting the usage-API simulator on http://127.0.0.1:${port}/graphql (token "simulator-token"); wrangler says "Ready" when it is`);
  const child = spawn(process.execPath, [wrangler, "dev", "-c", config, "--port", port, "--ip", "127.0.0.1"], { stdio: "inherit" });
  return new Promise((resolve) => {
    const stop = () => child.kill("SIGTERM");
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    child.on("exit", (code, signal) => resolve(signal ? 0 : (code ?? 0)));
  });
}
