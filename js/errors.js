// Errors carrying every problem found in an input, each located by its JSON path.

function describe(what, problems) {
  const lines = problems.map(({ path, message, fix }) => `  ${path}: ${message}${fix ? ` (${fix})` : ""}`);
  return `edgefuse: invalid ${what}, ${problems.length} problem(s):\n${lines.join("\n")}`;
}

/** The config passed to createGuard() is invalid; `problems` lists every issue. */
export class GuardConfigError extends Error {
  constructor(problems) {
    super(describe("config", problems));
    this.name = "GuardConfigError";
    this.problems = problems;
  }
}

/** An argument to an edgefuse function (e.g. the usage given to estimateCost) is invalid. */
export class GuardInputError extends TypeError {
  constructor(problems) {
    super(describe("input", problems));
    this.name = "GuardInputError";
    this.problems = problems;
  }
}

/** Serialises a caller's value for the core, or explains why it is not plain JSON. */
export function toJsonText(value, path, ErrorType) {
  try {
    return JSON.stringify(value ?? null);
  } catch (error) {
    throw new ErrorType([{ path, message: `must be plain JSON (${error.message})`, fix: "" }]);
  }
}

/**
 * A guarded binding call was refused before it ran.
 * - code "tripped": the resource's breaker is tripped (`reason`, `since`).
 * - code "invocation-limit": this invocation used up its limit (`used`, `limit`), the
 *   resource's or, when `limitKey` is "<resource>:<BINDING>", the one for that binding.
 */
export class GuardError extends Error {
  constructor(details) {
    const { code, resource, binding, method } = details;
    const call = `${binding}.${method}()`;
    super(
      code === "tripped"
        ? `edgefuse: ${call} refused: ${resource} is tripped${details.reason ? ` (${details.reason})` : ""}${details.since ? ` since ${details.since}` : ""}`
        : `edgefuse: ${call} refused: this invocation used ${details.used} of its ${details.limit} ${details.limitKey ?? resource} limit`,
    );
    this.name = "GuardError";
    Object.assign(this, details);
  }
}

/** The GuardError behind `error` (itself, or its `cause` up to 5 deep), or null. */
export function findGuardError(error) {
  for (let current = error, depth = 0; current && depth < 5; current = current.cause, depth += 1) {
    if (current instanceof GuardError) return current;
  }
  return null;
}

/** The 503 a refused call answers with: Retry-After, and a JSON body naming the resource. */
export function blockedResponse(error, retryAfterSeconds) {
  const { code, resource, binding, method, message } = error;
  return Response.json(
    { error: "edgefuse-blocked", code, resource, binding, method, message },
    { status: 503, headers: { "Retry-After": String(retryAfterSeconds) } },
  );
}
