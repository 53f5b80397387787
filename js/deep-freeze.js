/** Freezes a parsed JSON value and everything in it: what the core returns is read-only. */
export function deepFreeze(value) {
  if (value && typeof value === "object") {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
