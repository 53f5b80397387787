// Recognises a binding's kind from its shape. Anything unrecognised is left alone.
import { BINDING_KINDS } from "../../dist/constants.js";

// A property no real binding has. RPC service bindings and Durable Object stubs answer
// every property name with a callable stub, so one that answers this is passed through.
const PROBE = "__edgefuse_shape_probe__";

// Each kind's shape comes from the core (src/shared_constants.h), like the config's list of kinds.
const SHAPES = BINDING_KINDS.map(({ kind, shape }) => [kind, shape]);

/** The methods `kind` must have, as a list for messages; empty for unknown kinds. */
export function requiredMethods(kind) {
  return SHAPES.find(([name]) => name === kind)?.[1] ?? [];
}

/** Whether `value` has every method `kind` needs. */
export function hasShape(kind, value) {
  return value !== null && typeof value === "object" && requiredMethods(kind).every((method) => typeof value[method] === "function");
}

/** The binding kind of `value`, or null to leave it alone. */
export function detectKind(value) {
  if (value === null || typeof value !== "object") return null;
  try {
    if (typeof value[PROBE] === "function") return null;
    for (const [kind] of SHAPES) {
      if (hasShape(kind, value)) return kind;
    }
  } catch {
    // An exotic object whose getters throw is not a binding we know.
  }
  return null;
}
