// createGuard(): validates the config in the core, then holds it for the guard's parts.
import { callCore } from "./core.js";
import { deepFreeze } from "./deep-freeze.js";
import { GuardConfigError, toJsonText } from "./errors.js";

/**
 * Creates a guard from plain JSON config. Throws GuardConfigError listing every problem;
 * nothing half-validated is ever used.
 */
export function createGuard(config) {
  const reply = callCore("validateConfigJson", toJsonText(config, "(config)", GuardConfigError));
  if (!reply.ok) throw new GuardConfigError(reply.problems);
  return new Guard(deepFreeze(reply.config));
}

class Guard {
  constructor(config) {
    /** The normalised config, every default filled in. */
    this.config = config;
  }
}
