// Writes dist/constants.js from the built WASM core (constantsJson in src/shared_constants.h),
// so that every constant the shim shares with the core has one source: the core. Run by
// scripts/build.sh after the WASM build; the file ships in the npm package.
import { readFileSync, writeFileSync } from "node:fs";
import { instantiateCore } from "../js/instantiate.js";

const root = new URL("../", import.meta.url);
const wasm = new WebAssembly.Module(readFileSync(new URL("dist/edgefuse_core.wasm", root)));
const constants = JSON.parse(instantiateCore(wasm).constantsJson());
const deepFrozen = (value) => `Object.freeze(${JSON.stringify(value)})`;

const text = `// Generated from the core (src/shared_constants.h) by scripts/generate-constants.mjs: do not edit.
/** The KV key of the breaker state record. */
export const STATE_KEY = ${JSON.stringify(constants.stateKey)};
/** The KV key of the safety net that keeps trips in force when the record is lost. */
export const SAFETY_NET_KEY = ${JSON.stringify(constants.safetyNetKey)};
/** The hot path's verdicts: what admit() and check() answer. */
export const VERDICTS = ${deepFrozen(constants.verdicts)};
/** Invocations the core counts at once per isolate (kInvocationSlots in src/enforcer.h). */
export const INVOCATION_SLOTS = ${constants.invocationSlots};
/** Queues bill one operation per this many bytes of a message (kQueueBytesPerOperation). */
export const QUEUE_BYTES_PER_OPERATION = ${constants.queueBytesPerOperation};
/** Standing breakers a manual trip may bring the state record to (kMaxStandingBreakers). */
export const MAX_STANDING_BREAKERS = ${constants.maxStandingBreakers};
/** A report the real-time meter has not answered in this long has failed (kMeterReportTimeoutMs). */
export const METER_REPORT_TIMEOUT_MS = ${constants.meterReportTimeoutMs};
/** The bits of what the core answers when asked about the meter per invocation (MeterOutbox::poll). */
export const METER_ASKED = ${deepFrozen(constants.meterAsked)};
/** Binding kinds, each recognised by having every method of its shape. */
export const BINDING_KINDS = Object.freeze(${JSON.stringify(constants.bindingKinds)}.map((kind) => Object.freeze({ ...kind, shape: Object.freeze(kind.shape) })));
/** What each guarded method (or role) of each kind is charged to; null: guarded, not charged. */
export const CHARGES = Object.freeze(Object.fromEntries(Object.entries(${JSON.stringify(constants.charges)}).map(([kind, methods]) => [kind, Object.freeze(methods)])));
`;
const target = new URL("dist/constants.js", root);
let current = null;
try {
  current = readFileSync(target, "utf8");
} catch {
  // not written yet
}
if (current !== text) writeFileSync(target, text);
